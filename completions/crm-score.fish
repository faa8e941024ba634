# fish completion for crm-score
function __crm_score_db
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and echo -d $words[(math $i + 1)]
end
function __crm_score_models
    crm-score (__crm_score_db) --models -o ids 2>/dev/null
end
function __crm_score_segments
    crm-segment (__crm_score_db) --list -o ids 2>/dev/null
end
complete -c crm-score -s m -l model -x -a '(__crm_score_models)' -d 'the model'
complete -c crm-score -l all -d 'every customer'
complete -c crm-score -s s -l segment -x -a '(__crm_score_segments)' -d 'the customers of a saved segment'
complete -c crm-score -s w -l where -x -d 'the customers an expression matches'
complete -c crm-score -l define -x -a '(__crm_score_models)' -d 'store FILE as a model'
complete -c crm-score -n '__fish_seen_argument -l define' -F
complete -c crm-score -l dry-run -d 'with --define: store nothing'
complete -c crm-score -l models -d 'the models'
complete -c crm-score -l show -x -a '(__crm_score_models)' -d "a model's text"
complete -c crm-score -l explain -x -d 'why a customer scores what it does'
complete -c crm-score -l changes -d 'the changes of grade'
complete -c crm-score -l since -x -d 'with --changes: since a date, or 7d'
complete -c crm-score -l from -x -d 'with --changes: from these grades'
complete -c crm-score -l to -x -d 'with --changes: to these grades'
complete -c crm-score -l matrix -d 'with --changes: counted, from by to'
complete -c crm-score -l sort -x -a '(crm-export (__crm_score_db) --list-fields 2>/dev/null; crm-export (__crm_score_db) --list-fields 2>/dev/null | string replace -r \'^\' -)' -d 'order by fields or number expressions, -FIELD from the largest'
complete -c crm-score -l limit -x -d 'at most N customers'
complete -c crm-score -s d -l db -r -F -d 'the database'
complete -c crm-score -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-score -s o -l output -x -a 'csv tsv json ndjson ids table' -d 'output format'
complete -c crm-score -l as-of -x -d 'compute as of DATE'
complete -c crm-score -s q -l quiet -d 'no notes on stderr'
complete -c crm-score -s v -l verbose -d 'say how the database was opened'
complete -c crm-score -s h -l help -d 'show the help'
complete -c crm-score -l version -d 'show the version'
