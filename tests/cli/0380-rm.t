#!/bin/sh
# crm-rm: erasure that leaves nothing in the file, and the merging of duplicates.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
printf 'id,name,phone,email,city\nC1,张三,13812345678,zhang.secret@example.com,上海\nC2,李四,13900139000,,北京\n' |
	crm-add -q > /dev/null
printf 'customer_id,type,ts,amount\nC1,purchase,2024-06-01,88\nC1,visit,2024-06-02,\nC2,purchase,2024-06-03,10\n' |
	crm-add -q -k events > /dev/null
crm-tag -q -a VIP C1 C2
crm-note -q C1 秘密备注：住在幸福路88号
crm-note -q C1 第二条 && crm-note -q --edit 2 第二条改过 && crm-note -q --delete 2 --force
printf 'grade A 1\nrule 1 count(purchase) > 0\n' > m.model
crm-score -q --define m m.model && crm-score -q --all > /dev/null
crm-segment -q --save 上海 -w "city = '上海'" && crm-segment -q --diff 上海 > /dev/null
crm-note -q --edit 1 秘密备注：住在幸福路88号，已核实
crm-export -q --campaign 夏季 C1 > /dev/null

out '--dry-run: what would go, per customer' 'customer_id,events,tags,notes,scores,grade_changes,segments
C1,3,1,2,1,1,1' 'crm-rm --dry-run C1'
err '... and nothing goes' 'crm-rm: 1 customer would be erased (a dry run: nothing was)' 'crm-rm --dry-run C1 > /dev/null'
out '... nothing' '2' "q 'SELECT count(*) FROM customers'"
err 'an unknown customer: nothing is erased' "crm-rm: unknown customer 'C9'
crm-rm: nothing was erased: fix the selection first" 'crm-rm C1 C9'
fails 1 '... exit 1' 'crm-rm C1 C9'
fails 2 '--all needs --force' 'crm-rm --all'
fails 2 'customers must be chosen, at a terminal' "script -qec 'crm-rm' /dev/null > /dev/null"
grep -c -a 13812345678 crm.db > before.txt
out 'the phone is in the file before' '1' "test \$(cat before.txt) -gt 0 && echo 1"
err 'erasure' 'crm-rm: 1 customer erased' 'crm-rm C1 > erased.csv'
out '... writes what went' 'C1,3,1,2,1,1,1' 'sed 1d erased.csv'
for t in customers events customer_tags notes note_revisions note_deletions scores grade_history segment_members; do
	case $t in
	customers) cond="id = 'C1'" ;;
	note_revisions) cond="nid IN (1, 2)" ;;
	*) cond="cid = 1" ;;
	esac
	out "... nothing of it is left in $t" '0' "q \"SELECT count(*) FROM $t WHERE $cond\""
done
out '... the other customer is untouched' 'C2,1,1,0,1,1,0' 'crm-rm --dry-run C2 | sed 1d'
out '... its id, phone and email are on the suppression list, as hashes only' 'email|32
id|32
phone|32' "q 'SELECT field, length(hash) FROM suppressions ORDER BY field'"
# SQLite's own: the bytes of its files (the database, its -wal).
for v in 13812345678 zhang.secret 张三 幸福路 第二条改过; do
	sqlite_only out "... and '$v' is nowhere in the database's files" '' "cat crm.db* | grep -a -o '$v'"
done
# SQLite's own: its integrity_check, and that of its full-text index (FTS5).
sqlite_only ok 'the database is sound' "test \"\$(sqlite3 crm.db 'PRAGMA integrity_check')\" = ok"
sqlite_only out '... and its text index too' '' "sqlite3 crm.db \"INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')\""

# ---- merging duplicates ----
crm-tag -q --define 金卡 --group 等级 && crm-tag -q --define 银卡 --group 等级
printf 'id,name,phone,email,city,level,vip\nD1,王五,13700000001,,上海,金卡,\nD2,王五,13700000002,wang@example.com,北京,,V77\nD3,,,w3@example.com,,银卡,V99\n' |
	crm-add -q > /dev/null
crm-tag -q -a 金卡 D1 && crm-tag -q -a 银卡 -a 老客户 D2 && crm-tag -q -a 新客 D3
crm-note -q D2 来自D2 && crm-note -q D3 来自D3
printf 'customer_id,type,ts,amount\nD2,purchase,2024-05-01,100\nD3,purchase,2024-06-01,50\n' | crm-add -q -k events > /dev/null
crm-score -q --all > /dev/null
crm-export -q --dump > before.ndjson
ok '--merge-into --dry-run changes nothing' 'crm-rm -q --dry-run --merge-into D1 D2 D3 > /dev/null && crm-export --dump | cmp - before.ndjson'
err '--merge-into: says what moved' 'crm-rm: merged 2 duplicates into D1: 2 events and 2 notes moved, 1 field filled' \
	'crm-rm --merge-into D1 D2 D3 > merged.csv'
out '... empty fields filled from the first duplicate that has one; its own kept' \
	'id,name,phone,email,city,level,vip
D1,王五,13700000001,wang@example.com,上海,金卡,V77' 'crm-export -f id,name,phone,email,city,level,vip D1'
out '... events and notes moved' 'D1|2|2' \
	"q \"SELECT c.id, (SELECT count(*) FROM events WHERE cid = c.cid), (SELECT count(*) FROM notes WHERE cid = c.cid) FROM customers c WHERE id = 'D1'\""
out '... tags moved, but not one of a group D1 has' '新客;老客户;金卡' 'crm-export -f tags D1 | sed 1d | tr , "\n"'
out '... the duplicates are gone' '' "q \"SELECT id FROM customers WHERE id IN ('D2', 'D3')\""
err 'a duplicate given twice' "crm-rm: 'C2' is given twice" 'crm-rm --merge-into D1 C2 C2'
fails 2 '... exit 2' 'crm-rm --merge-into D1 D1'
fails 1 'an unknown duplicate' 'crm-rm --merge-into D1 D9'
fails 2 '--merge-into needs duplicates' 'crm-rm --merge-into D1'
done_testing
