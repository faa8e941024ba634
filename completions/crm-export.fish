# fish completion for crm-export
function __crm_export_fields
    set -l token (commandline -ct)
    set -l done (string match -r '.*,' -- $token)
    for f in (crm-export --list-fields 2>/dev/null)
        echo $done$f
    end
end
complete -c crm-export -s f -l fields -x -a '(__crm_export_fields)' -d 'fields to write'
complete -c crm-export -s k -l kind -x -a 'customers events audit' -d 'customers, their events, or the audit trail'
complete -c crm-export -l since -x -d 'with -k audit: the changes from DATE on'
complete -c crm-export -l all -d 'every customer'
complete -c crm-export -s s -l segment -x -a '(crm-segment --list -o ids 2>/dev/null)' -d 'the customers of a saved segment'
complete -c crm-export -s w -l where -x -d 'the customers an expression matches'
complete -c crm-export -l campaign -x -d "a campaign's list: record each customer as contacted"
complete -c crm-export -l cap -x -a '7d 30d 4/30d' -d 'with --campaign: skip those contacted this often'
complete -c crm-export -l dry-run -d 'with --campaign: record nothing'
complete -c crm-export -l mask -x -a '(__crm_export_fields)' -d 'mask these fields'
complete -c crm-export -l excel -d 'csv for Excel'
complete -c crm-export -l encoding -x -a 'gb18030 utf-8' -d 'write in this encoding'
complete -c crm-export -l dump -d 'everything, as NDJSON that crm-add restores'
complete -c crm-export -l list-fields -d 'list the fields there are'
complete -c crm-export -l sort -x -a '(__crm_export_fields (crm-export (__crm_export_db) --list-fields 2>/dev/null | string replace -r \'^\' -))' -d 'order by fields or number expressions, -FIELD from the largest'
complete -c crm-export -l limit -x -d 'at most N customers'
complete -c crm-export -s d -l db -r -F -d 'the database'
complete -c crm-export -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-export -s o -l output -x -a 'csv tsv json ndjson ids table vcard wechat xlsx' -d 'output format'
complete -c crm-export -l tagid -x -d 'with -o wechat: the WeChat tag id'
complete -c crm-export -l as-of -x -d 'compute as of DATE'
complete -c crm-export -s q -l quiet -d 'no notes on stderr'
complete -c crm-export -s v -l verbose -d 'say how the database was opened'
complete -c crm-export -s h -l help -d 'show the help'
complete -c crm-export -l version -d 'show the version'
