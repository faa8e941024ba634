#!/bin/sh
# The audit trail: who changed what, when, with which command line; erasure
# keeps the fact and none of the values.
. "$(dirname "$0")/../lib.sh"

export USER=alice CRM_NOW=2024-06-01T09:30:00
printf 'id,name,phone\nC1,张三,13812345678\nC2,李四,13900139000\n' | crm-add -q > /dev/null
printf 'customer_id,type,ts,amount\nC1,purchase,2024-05-01,88\n' | crm-add -q -k events > /dev/null
USER=bob crm-tag -q -a VIP -w 'phone = "13812345678"'
crm-note -q C1 "it's" 住在 幸福路88号
crm-segment -q --config stage.dormant=120d
printf 'grade A 1\nrule 1 count(purchase) > 0\n' > m.model
crm-score -q --define m m.model && crm-score -q --all > /dev/null

golden 'every change: who, when, the command line, what changed' audit.csv 'crm-export -k audit'

# ---- what leaves no record ----
crm-export -k audit > before.csv
crm-score -q --all > /dev/null
crm-tag -q --apply
crm-export -q --all > /dev/null
crm-segment -q -w 'city = "x"' > /dev/null
printf 'id,name,phone\nC3,王五,123\n' | crm-add -q > /dev/null 2>&1
crm-note -q C9 nobody > /dev/null 2>&1
ok 'nothing changed, a read, a failed command: no record' 'crm-export -k audit | cmp - before.csv'
out '... the failed import stored nothing either' '0' "q \"SELECT count(*) FROM customers WHERE id = 'C3'\""

# ---- the table and the output ----
out 'args are a JSON array, changes an object' '["-q","-a","VIP","-w","phone = \"13812345678\""]|{"tags":{"added":1},"customer_tags":{"added":1}}' \
	"q \"SELECT args || '|' || changes FROM audit WHERE user = 'bob'\""
out 'the time is when it happened, not --as-of' '2024-06-01T09:30:00' \
	"crm-note -q --as-of 2020-01-01 C2 旧事 && crm-export -k audit -o ndjson | tail -1 | grep -o '2024-06-01T09:30:00'"
out '--since a date' '1' "CRM_NOW=2024-06-20 crm-note -q C2 later && crm-export -k audit --since 2024-06-10 -o ids | wc -l | tr -d ' '"
out '... picks what was on or after' '1' "crm-export -k audit --since 2024-06-20 -o csv | sed 1d | wc -l | tr -d ' '"
out '--since 7d' '1' "CRM_NOW=2024-06-25 crm-export -k audit --since 7d | sed 1d | wc -l | tr -d ' '"
out 'json' '{"id":2,"at":"2024-06-01T09:30:00","user":"alice","command_line":"crm-add -q -k events","changes":"events: 1 added","erased":null}' \
	'crm-export -k audit -o ndjson | sed -n 2p'
printf 'id,city\nC2,广州\n' > "$(printf 'f\377.csv')"
out 'an argument that is not UTF-8 is kept, its bad bytes as ?' "crm-add -q 'f?.csv'" \
	"crm-add -q f*.csv > /dev/null && crm-export -k audit -o tsv | tail -1 | cut -f4"

# ---- usage ----
fails 2 '-k audit takes no selection' 'crm-export -k audit --all'
fails 2 '... nor -f' 'crm-export -k audit -f id'
fails 2 '... nor --mask' 'crm-export -k audit --mask name'
err '--since goes with -k audit' "crm-export: --since goes with -k audit
Try 'crm-export --help'." 'crm-export --since 7d --all'
err 'a bad --since' "crm-export: --since 'soon': give a date, or days (7d, 4w)" 'crm-export -k audit --since soon'
fails 2 '... is a usage error' 'crm-export -k audit --since soon'

# ---- erasure ----
crm-note -q C2 提到 13812345678 的朋友
err 'an erasure' 'crm-rm: 1 customer erased' 'crm-rm C1 > /dev/null'
out '... is recorded: who, how many, what went' 'alice|crm-rm [erased]|1' \
	"crm-export -k audit -o tsv | tail -1 | awk -F '\\t' '{ print \$3 \"|\" \$4 \"|\" \$6 }' | sed \"s/'//g\""
out '... the erased values leave every command line' \
	'crm-tag -q -a VIP -w [erased]
crm-note -q [erased] [erased] [erased] [erased]
crm-note -q C2 提到 [erased] 的朋友' \
	"crm-export -k audit -o tsv | cut -f4 | sed \"s/'//g\" | grep -e '-a VIP -w' -e 'crm-note -q [C[]' | grep -v -e later -e 旧事"
for v in 13812345678 张三 幸福路88号 "it's"; do
	out "... '$v' is nowhere in the trail" '' "q 'SELECT args FROM audit' | grep -F \"$v\""
done
out '... the other customer keeps its records' '3' "q \"SELECT count(*) FROM audit WHERE args LIKE '%C2%'\""
# SQLite's own: its integrity_check.
sqlite_only ok 'the database is sound' "test \"\$(sqlite3 crm.db 'PRAGMA integrity_check')\" = ok"

# ---- a large erasure (over 20000 values): every operand goes ----
seq 10000 20000 | awk 'BEGIN { print "id,phone" } { printf "B%s,1380000%04d\n", $1, $1 % 10000 }' | crm-add -q > /dev/null
crm-tag -q -a 大批 -w 'phone != ""'
crm-rm -q --all --force > /dev/null
out 'erasing everyone: the whole trail keeps only option names' '0' \
	"q \"SELECT count(*) FROM audit, json_each(audit.args) a WHERE a.value NOT IN ('[erased]') AND a.value NOT GLOB '-*'\""
out '... the erasure has its count' '10002' "q 'SELECT erased FROM audit ORDER BY aid DESC LIMIT 1'"

# ---- an older database, and the dump ----
out 'the dump carries the trail' "$(q 'SELECT count(*) FROM audit')" "crm-export --dump | grep -c '\"kind\":\"audit\"'"
ok '... a restore brings it back, and adds itself' \
	"crm-export --dump > d1 && crm-add -q -d r.db d1 > /dev/null && test \"\$(crm-export -d r.db -k audit -o tsv | tail -1 | cut -f4)\" = 'crm-add -q -d r.db d1'"
done_testing
