# fish completion for crm-rm
function __crm_rm_segments
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and crm-segment -d $words[(math $i + 1)] --list -o ids 2>/dev/null
    or crm-segment --list -o ids 2>/dev/null
end
complete -c crm-rm -l all -d 'every customer (with --force)'
complete -c crm-rm -s s -l segment -x -a '(__crm_rm_segments)' -d 'the customers of a saved segment'
complete -c crm-rm -s w -l where -x -d 'the customers an expression matches'
complete -c crm-rm -l dry-run -d 'write what would go, erase nothing'
complete -c crm-rm -l force -d 'with --all: erase everyone'
complete -c crm-rm -l merge-into -x -d 'merge the duplicates given after it into KEEP'
complete -c crm-rm -l merge-duplicates -x -a 'phone email wechat_id openid' -d 'merge customers sharing a key into the oldest'
complete -c crm-rm -l unsuppress -x -d 'let an erased customer back in'
complete -c crm-rm -l checkpoint -d 'write the log into the file'
complete -c crm-rm -s d -l db -r -F -d 'the database'
complete -c crm-rm -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-rm -s o -l output -x -a 'csv tsv json ndjson ids table' -d 'output format'
complete -c crm-rm -l as-of -x -d 'compute as of DATE'
complete -c crm-rm -s q -l quiet -d 'no notes on stderr'
complete -c crm-rm -s v -l verbose -d 'say how the database was opened'
complete -c crm-rm -s h -l help -d 'show the help'
complete -c crm-rm -l version -d 'show the version'
