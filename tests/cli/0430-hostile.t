#!/bin/sh
# Hostile input: SQL in every string a user gives is only ever text; a
# pattern that backtracks without end is stopped; huge lines, thousands of
# columns and floods of tags cost bounded memory and get a clear error.
. "$(dirname "$0")/../lib.sh"

crm-add -q "$EXAMPLES/customers.csv" > /dev/null
crm-add -q -k events "$EXAMPLES/events.csv" > /dev/null
# below KB WHAT COMMAND: COMMAND's peak memory is under KB; measured on the
# plain build (ASan and valgrind add their own)
below() {
	if plain; then
		ok "$2" "test \$(/usr/bin/time -f %M $3 2>&1 >/dev/null | tail -1) -lt $1"
	else
		skip "$2: measured on the plain build"
	fi
}
# SQLite's own: the tables, the schema and the soundness of the file, as
# its catalog and its integrity_check have them.
schema() { sqlite3 crm.db 'SELECT type, name, sql FROM sqlite_master ORDER BY name' | md5sum; }
schema_before=$(sqlite_only schema)

# Each payload, through each place a user names something or writes text.
p1="x'); DROP TABLE customers; --"
p2='" OR 1=1; DELETE FROM events; --'
p3="'||(SELECT group_concat(phone) FROM customers)||'"
i=0
for p in "$p1" "$p2" "$p3"; do
	i=$((i + 1))
	crm-tag -q -a "${p%%;*}$i" C0000001 2> /dev/null
	crm-tag -q --define "${p%%;*}d$i" --desc "$p" 2> /dev/null
	crm-tag -q --rule "$p" --tag "规则$i" -w 'age > 30' 2> /dev/null
	crm-segment -q --save "$p" -w "city = '上海'" --desc "$p" 2> /dev/null
	crm-segment -q -s "$p" > /dev/null 2>&1
	crm-segment -q -w "$p" > /dev/null 2>&1
	crm-segment -q --config "$p=1" 2> /dev/null
	crm-segment -q --config "tags.max=$p" 2> /dev/null
	printf 'grade A 1\nrule 1 %s\n' "$p" | crm-score -q --define "m$i" - 2> /dev/null
	printf 'grade A 1\nrule 1 age > 1 # %s\n' "$p" | crm-score -q --define "$p" - 2> /dev/null
	crm-score -q -m "$p" --all > /dev/null 2>&1
	crm-note -q --add-category "$p" 2> /dev/null
	crm-note -q -c "$p" C0000001 text 2> /dev/null
	crm-note -q C0000002 "$p" 2> /dev/null
	crm-note -q -l --search "$p" --all > /dev/null 2>&1
	crm-note -q -l --text "$p" --all > /dev/null 2>&1
	crm-export -q -f "$p" --all > /dev/null 2>&1
	crm-export -q --mask "$p" --all > /dev/null 2>&1
	crm-export -q --campaign "$p" C0000003 > /dev/null 2>&1
	crm-export -q "$p" > /dev/null 2>&1
	crm-rm -q "$p" > /dev/null 2>&1
	printf 'id,"%s"\nC0000004,v%d\n' "$(printf '%s' "$p" | sed 's/"/""/g')" $i | crm-add -q > /dev/null 2>&1
	printf 'customer_id,type,ts,"%s"\nC0000004,visit,2024-05-0%d,v\n' "$(printf '%s' "$p" | sed 's/"/""/g')" $i |
		crm-add -q -k events > /dev/null 2>&1
done
sqlite_only ok 'SQL in names, expressions, fields, text and attributes: the tables are all there' \
	"test \"\$(sqlite3 crm.db \"SELECT count(*) FROM sqlite_master WHERE name IN ('customers', 'events', 'notes', 'audit')\")\" = 4"
out '... the 200 customers too' '200' "q 'SELECT count(*) FROM customers'"
out '... a payload that is a valid note is stored as it was written' "$p1" \
	"q \"SELECT body FROM notes WHERE cid = 2 ORDER BY nid LIMIT 1\""
out "... and as a custom attribute's name" "level|$p1|$p3" \
	"dumped custom_field of=customer name | paste -sd '|'"
err '... but a name with a double quote is refused' \
	"crm-add: stdin:2: column '$p2': a name cannot hold '\"' or control characters" \
	"printf 'id,\"\"\"%s\"\nC0000004,v2\n' '${p2#?}' | crm-add -q"
out '... a tag description, kept as text' "$p2" "q \"SELECT description FROM tags WHERE name LIKE '\\\" OR 1=1d2'\""
sqlite_only ok '... and the database is sound' "test \"\$(sqlite3 crm.db 'PRAGMA integrity_check')\" = ok"

# ---- errors where the input is invalid ----
err 'an expression that is SQL is a parse error' "crm-segment: expression:1:2: this string is not closed
  x\"); DROP TABLE customers; --
   ^" "crm-segment -q -w 'x\"); DROP TABLE customers; --'"
fails 1 '... exit 1' "crm-segment -q -w 'x\"); DROP TABLE customers; --'"
err 'a field that is SQL is unknown' "crm-export: unknown field 'id; DROP TABLE customers'" \
	"crm-export -f 'id; DROP TABLE customers' --all 2>&1 >/dev/null | head -1 >&2"
err 'a setting that is SQL is unknown' "crm-segment: unknown setting 'x' OR 1'" "crm-segment --config \"x' OR 1=1 --\""

# ---- regular expressions that backtrack without end ----
printf 'id,name\nR1,%s!\n' "$(printf 'a%.0s' $(seq 1 40))" | crm-add -q > /dev/null
for re in '(a+)+$' '^(a|aa)+$' '(\w+\s?)+$'; do
	err "'$re' in an expression is stopped, with a clear error" \
		'crm-segment: the regular expression takes too long (it backtracks without end)' \
		"crm-segment -q -w \"name ~ '$re'\" > /dev/null"
	fails 1 '... exit 1' "crm-segment -q -w \"name ~ '$re'\" > /dev/null"
done
err 'an expression that is not a pattern' "crm-segment: expression:1:8: bad regular expression: missing closing parenthesis (at character 3 of the pattern)
  name ~ '(a'
         ^" "crm-segment -q -w \"name ~ '(a'\""

# ---- expressions that nest deep ----
ok 'a chain of 80 conditions (found by fuzz-expr: its SQL overflowed SQLite'"'"'s parser)' \
	"crm-segment -q -w \"\$(cat '$TESTS/fuzz/regressions/expr-and-chain')\" > /dev/null"
deep=$(awk 'BEGIN { for (i = 0; i < 30; i++) printf "not "; print "age > 1" }') # 31 levels
err 'an expression that nests deeper than 30 levels: a clear error' \
	"crm-segment: expression:1:125: the expression nests deeper than 30 levels
  $deep
                                                                                                                              ^" \
	"crm-segment -q -w '$deep'"
fails 1 '... exit 1' "crm-segment -q -w '$deep'"
ok '... 30 levels are fine' "crm-segment -q -w '${deep#not }' > /dev/null"
crm-segment -q --save 深 -w "${deep#not not }"
err '... segments within segments add up' \
	"crm-segment: 深:1:109: the expression nests deeper than 30 levels, with the segments it names
  ${deep#not not }
                                                                                                              ^" \
	"crm-segment -q -w \"not not segment('深')\""
paren=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "("; printf "age > 1"; for (i = 0; i < 2000; i++) printf ")"; print "" }')
fails 1 '2000 parentheses: refused before the stack could matter' "crm-segment -q -w '$paren'"

# ---- huge records, thousands of columns, floods of tags ----
awk 'BEGIN { printf "id"; for (i = 1; i <= 10000; i++) printf ",c%d", i; print "" }' > wide.csv
out '10,000 columns: refused, with the line' 'crm-add: wide.csv:1: more than 1000 fields in one record: is this the right file?' \
	'crm-add -q wide.csv 2>&1'
below 50000 '... in bounded memory' 'crm-add -q wide.csv'
ok '... and no custom field was made' "test \$(q 'SELECT count(*) FROM custom_fields') -lt 10"
awk 'BEGIN { print "{\"id\": \"J1\""; for (i = 1; i <= 2000; i++) printf ",\"k%d\": 1", i; print "}" }' > wide.json
out '... in JSON too' 'crm-add: wide.json:1: more than 1000 fields in one record: is this the right file?' 'crm-add -q wide.json 2>&1'
head -c 30000000 /dev/zero | tr '\0' x | awk 'BEGIN { printf "id,name\nL1," } { print }' > long.csv
out 'a 30 MB line: refused at 8 MiB' 'crm-add: long.csv:2: a record longer than 8 MiB: is a quote not closed?' 'crm-add -q long.csv 2>&1'
below 60000 '... in bounded memory' 'crm-add -q long.csv'
{ printf 'id,name\nQ1,"never closed\n'; head -c 20000000 /dev/zero | tr '\0' y; } > open.csv
out 'a quote never closed: the line where the record starts' \
	'crm-add: open.csv:2: a record longer than 8 MiB: is a quote not closed?' 'crm-add -q open.csv 2>&1'
{ printf '{"id": "Q2", "name": "'; head -c 10000000 /dev/zero | tr '\0' z; printf '"}\n'; } > long.ndjson
out 'a 10 MB JSON value' 'crm-add: long.ndjson:1: a record longer than 8 MiB' 'crm-add -q long.ndjson 2>&1'
head -c 10000000 /dev/zero | tr '\0' 9 > long.ids
out 'a 10 MB id' 'crm-tag: stdin:1: a record longer than 8 MiB' 'crm-tag -q -a 长 -i ids < long.ids 2>&1 | head -1'
err 'a stream that breaks: where, and that nothing was done' "crm-tag: stdin:2: malformed CSV: a quoted field is not closed
crm-tag: nothing was tagged: fix the selection first" "printf 'id\\n\"C1\\n' | crm-tag -a X"
out 'nothing of them went in' '0' "q \"SELECT count(*) FROM customers WHERE id IN ('L1', 'Q1', 'Q2', 'J1')\""
out 'a flood of tags on one customer: refused past tags.max' \
	"crm-tag: customer 'C0000001' would have 52 tags (tags.max is 20: crm-segment --config tags.max=N)" \
	"crm-tag -q \$(seq -f '-a 洪%g' 1 50 | tr '\\n' ' ') C0000001 2>&1"
out '... none of them given' '0' "q \"SELECT count(*) FROM tags WHERE name LIKE '洪%'\""
seq -f 'F%07g' 1 100000 | awk 'BEGIN { print "id" } { print }' | crm-add -q > /dev/null
seq -f 'F%07g' 1 100000 > flood.ids
below 60000 'a flood of 100,000 customers tagged from a stream: bounded memory' 'crm-tag -q -a 洪水 < flood.ids'
plain || crm-tag -q -a 洪水 < flood.ids
out '... every one tagged' '100000' "q \"SELECT count(*) FROM customer_tags JOIN tags USING (tid) WHERE name = '洪水'\""
sqlite_only out 'and after all of it, the schema is what it was' "$schema_before" 'sqlite3 crm.db "SELECT type, name, sql FROM sqlite_master ORDER BY name" | md5sum'
done_testing
