# fish completion for crm-tag
function __crm_tag_db
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and echo -d $words[(math $i + 1)]
end
function __crm_tag_names
    crm-tag (__crm_tag_db) --list -o ids 2>/dev/null
end
function __crm_tag_rules
    crm-tag (__crm_tag_db) --rules -o ids 2>/dev/null
end
function __crm_tag_segments
    crm-segment (__crm_tag_db) --list -o ids 2>/dev/null
end
complete -c crm-tag -s a -l add -x -a '(__crm_tag_names)' -d 'tag the chosen customers'
complete -c crm-tag -s r -l remove -x -a '(__crm_tag_names)' -d 'untag the chosen customers'
complete -c crm-tag -l expires -x -d 'with -a: lapses after 30d, or on a date'
complete -c crm-tag -l strict -d 'refuse tags that are not in the catalog'
complete -c crm-tag -l match -x -a 'phone email wechat_id openid unionid' -d 'records on stdin name customers by'
complete -c crm-tag -l all -d 'every customer'
complete -c crm-tag -s s -l segment -x -a '(__crm_tag_segments)' -d 'the customers of a saved segment'
complete -c crm-tag -s w -l where -x -d 'the customers an expression matches'
complete -c crm-tag -l define -x -a '(__crm_tag_names)' -d 'define a tag, or change it'
complete -c crm-tag -l category -x -a 'basic behavior interest relationship custom' -d 'the kind of tag'
complete -c crm-tag -l desc -x -d 'what the tag means'
complete -c crm-tag -l group -x -d 'tags of a group exclude each other'
complete -c crm-tag -l force -d 'keep a near-duplicate; delete a tag in use'
complete -c crm-tag -l list -d 'the catalog, with counts'
complete -c crm-tag -l rename -x -a '(__crm_tag_names)' -d 'rename a tag'
complete -c crm-tag -l merge-tags -x -a '(__crm_tag_names)' -d 'merge the tags given after it into a tag'
complete -c crm-tag -l merge -x -a '(__crm_tag_names)' -d 'older spelling of --merge-tags, FROM INTO'
complete -c crm-tag -n '__fish_seen_argument -l rename -l merge -l merge-tags' -x -a '(__crm_tag_names)'
complete -c crm-tag -l delete -x -a '(__crm_tag_names)' -d 'delete a tag'
complete -c crm-tag -l rule -x -a '(__crm_tag_rules)' -d 'define or replace a rule'
complete -c crm-tag -l tag -x -a '(__crm_tag_names)' -d 'with --rule: the tag it gives'
complete -c crm-tag -l rules -d 'the rules'
complete -c crm-tag -l drop-rule -x -a '(__crm_tag_rules)' -d 'drop a rule and its taggings'
complete -c crm-tag -l apply -d 'run every rule'
complete -c crm-tag -l dry-run -d 'with --apply: store nothing'
complete -c crm-tag -l audit -d 'per tag: customers, coverage, sources, flags'
complete -c crm-tag -l stale -x -a '30d 90d 180d 1y' -d 'with --audit: flag tags nobody got in this window'
complete -c crm-tag -l delimiter -x -a ", ; '|' tab" -d 'the csv separator'
complete -c crm-tag -l encoding -x -a 'gb18030 gbk utf-16 utf-8' -d "the input's encoding"
complete -c crm-tag -l map -x -d 'read column SRC as FIELD: SRC=FIELD'
complete -c crm-tag -l sheet -x -d 'the sheet of an .xlsx to read'
complete -c crm-tag -l sort -x -a '(crm-export (__crm_tag_db) --list-fields 2>/dev/null; crm-export (__crm_tag_db) --list-fields 2>/dev/null | string replace -r \'^\' -)' -d 'order by fields or number expressions, -FIELD from the largest'
complete -c crm-tag -l limit -x -d 'at most N customers'
complete -c crm-tag -s d -l db -r -F -d 'the database'
complete -c crm-tag -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-tag -s o -l output -x -a 'csv tsv json ndjson ids table' -d 'output format'
complete -c crm-tag -l as-of -x -d 'compute as of DATE'
complete -c crm-tag -s q -l quiet -d 'no notes on stderr'
complete -c crm-tag -s v -l verbose -d 'say how the database was opened'
complete -c crm-tag -s h -l help -d 'show the help'
complete -c crm-tag -l version -d 'show the version'
