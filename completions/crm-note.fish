# fish completion for crm-note
function __crm_note_db
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and echo -d $words[(math $i + 1)]
end
function __crm_note_categories
    crm-note (__crm_note_db) --categories -o ids 2>/dev/null
end
function __crm_note_segments
    crm-segment (__crm_note_db) --list -o ids 2>/dev/null
end
complete -c crm-note -s c -l category -x -a '(__crm_note_categories)' -d "the note's category"
complete -c crm-note -s a -l author -x -d 'who wrote it'
complete -c crm-note -l follow-up -x -d 'call back on a date, or in 3d, 2w'
complete -c crm-note -l all -d 'every customer'
complete -c crm-note -s s -l segment -x -a '(__crm_note_segments)' -d 'the customers of a saved segment'
complete -c crm-note -s w -l where -x -d 'the customers an expression matches'
complete -c crm-note -s l -l list -d 'list the notes, newest first'
complete -c crm-note -l search -x -d 'with -l: notes a PCRE2 pattern matches'
complete -c crm-note -l text -x -d 'with -l: notes holding every word'
complete -c crm-note -l since -x -d 'with -l: since a date, or 7d'
complete -c crm-note -l due -d 'follow-ups due or overdue'
complete -c crm-note -l done -x -d 'close a follow-up'
complete -c crm-note -l edit -x -d "replace a note's text"
complete -c crm-note -l history -x -d 'every text a note has had'
complete -c crm-note -l delete -x -d 'delete a note (with --force)'
complete -c crm-note -l force -d 'with --delete: really delete'
complete -c crm-note -l deleted -d 'the deleted notes'
complete -c crm-note -l categories -d 'the categories'
complete -c crm-note -l add-category -x -d 'add a category'
complete -c crm-note -l import -d 'import notes from FILEs or stdin'
complete -c crm-note -n '__fish_seen_argument -l import' -F
complete -c crm-note -l reject -r -F -d 'with --import: the bad records go here'
complete -c crm-note -l dry-run -d 'with --import: store nothing'
complete -c crm-note -l delimiter -x -a ", ; '|' tab" -d 'the csv separator'
complete -c crm-note -l encoding -x -a 'gb18030 gbk utf-16 utf-8' -d "the input's encoding"
complete -c crm-note -l map -x -d 'read column SRC as FIELD: SRC=FIELD'
complete -c crm-note -l sheet -x -d 'the sheet of an .xlsx to read'
complete -c crm-note -l date-format -x -a 'DMY MDY YMD' -d 'with --import: dates like 05.01.2024 are'
complete -c crm-note -l sort -x -a '(crm-export (__crm_note_db) --list-fields 2>/dev/null; crm-export (__crm_note_db) --list-fields 2>/dev/null | string replace -r \'^\' -)' -d 'order by fields or number expressions, -FIELD from the largest'
complete -c crm-note -l limit -x -d 'at most N customers'
complete -c crm-note -s d -l db -r -F -d 'the database'
complete -c crm-note -s i -l input -x -a 'csv tsv json ndjson ids xlsx' -d 'input format'
complete -c crm-note -s o -l output -x -a 'csv tsv json ndjson ids table' -d 'output format'
complete -c crm-note -l as-of -x -d 'compute as of DATE'
complete -c crm-note -s q -l quiet -d 'no notes on stderr'
complete -c crm-note -s v -l verbose -d 'say how the database was opened'
complete -c crm-note -s h -l help -d 'show the help'
complete -c crm-note -l version -d 'show the version'
