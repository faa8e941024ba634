# fish completion for crm-segment
function __crm_segment_db
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and echo -d $words[(math $i + 1)]
end
function __crm_segment_names
    crm-segment (__crm_segment_db) --list -o ids 2>/dev/null
end
function __crm_segment_fields
    set -l token (commandline -ct)
    set -l done (string match -r '.*,' -- $token)
    for f in $argv (crm-export (__crm_segment_db) --list-fields 2>/dev/null)
        echo $done$f
    end
end
complete -c crm-segment -l all -d 'every customer'
complete -c crm-segment -s s -l segment -x -a '(__crm_segment_names)' -d 'the customers of a saved segment'
complete -c crm-segment -s w -l where -x -d 'the customers an expression matches'
complete -c crm-segment -s f -l fields -x -a '(__crm_segment_fields)' -d 'fields to write'
complete -c crm-segment -l save -x -d 'save -w EXPR as a segment'
complete -c crm-segment -l desc -x -d 'what the saved segment is for'
complete -c crm-segment -l list -d 'the saved segments'
complete -c crm-segment -l delete -x -a '(__crm_segment_names)' -d 'delete a saved segment'
complete -c crm-segment -l by -x -a '(__crm_segment_fields tag)' -d 'count the customers by fields, or by tag'
complete -c crm-segment -l bins -x -d 'cut a number into about N bands'
complete -c crm-segment -l edges -x -d 'cut a number at these edges'
complete -c crm-segment -l diff -x -a '(__crm_segment_names)' -d 'who entered and left a segment'
complete -c crm-segment -l quality -d 'audit missing, invalid and duplicate values'
complete -c crm-segment -l max-missing -x -a '(crm-export (__crm_segment_db) --list-fields 2>/dev/null | string replace -r \'$\' =)' -d 'fail when more of a field is missing'
complete -c crm-segment -l max-duplicates -x -d 'fail at more duplicates'
complete -c crm-segment -l duplicates -x -a 'phone email wechat_id openid unionid' -d 'the customers who share a value of FIELD'
complete -c crm-segment -l config -d 'show or change the settings'
complete -c crm-segment -l explain -d 'the SQL that -w and -s compile to'
complete -c crm-segment -n '__fish_seen_argument -l config' -x -a '(crm-segment (__crm_segment_db) --config -o ids 2>/dev/null)'
complete -c crm-segment -l sort -x -a '(__crm_segment_fields (crm-export (__crm_segment_db) --list-fields 2>/dev/null | string replace -r \'^\' -))' -d 'order by fields or number expressions, -FIELD from the largest'
complete -c crm-segment -l limit -x -d 'at most N customers'
complete -c crm-segment -l count -d 'the number of customers chosen, and nothing else'
complete -c crm-segment -s d -l db -r -F -d 'the database'
complete -c crm-segment -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-segment -s o -l output -x -a 'csv tsv json ndjson ids table chart' -d 'output format'
complete -c crm-segment -l as-of -x -d 'compute as of DATE'
complete -c crm-segment -s q -l quiet -d 'no notes on stderr'
complete -c crm-segment -s v -l verbose -d 'say how the database was opened'
complete -c crm-segment -s h -l help -d 'show the help'
complete -c crm-segment -l version -d 'show the version'
