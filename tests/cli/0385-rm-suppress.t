#!/bin/sh
# crm-rm: erased stays erased (the suppression list, --unsuppress), merges
# stick (aliases), and --merge-duplicates.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-12-31
crm-add -q "$EXAMPLES/customers.csv" > /dev/null
crm-add -q -k events "$EXAMPLES/events.csv" > /dev/null
printf 'id,name,openid,unionid\nW1,微信客,oWx-secret-openid,uWx-secret-unionid\n' | crm-add -q > /dev/null

# ---- the issue's example ----
err 'an erasure' 'crm-rm: 1 customer erased' 'crm-rm C0000003 > /dev/null'
out '... puts its id, phone, email and wechat_id on the list, hashed' 'email|32|2024-12-31
id|32|2024-12-31
phone|32|2024-12-31
wechat_id|32|2024-12-31' "q 'SELECT field, length(hash), erased_on FROM suppressions ORDER BY field'"
out '... one erased customer' '1' "q 'SELECT count(DISTINCT person) FROM suppressions'"
out '... under a key of 32 random bytes, made now' '32|2024-12-31' \
	"q 'SELECT length(key), created_at FROM suppression_key'"
# SQLite's own: the bytes of its files (the database, its -wal), here and below.
for v in C0000003 13800144813 user3@example.com wx_aa66d30 胡浩然; do
	sqlite_only out "... and '$v' is nowhere in the database's files" '0' "cat crm.db* | grep -a -c '$v'"
done
out 'importing the sample again: the erased customer is not back, the summary says so' \
	'crm-add: customers: 1 suppressed: erased on 2024-12-31' \
	"crm-add '$EXAMPLES/customers.csv' 2>&1 > /dev/null | grep suppressed"
ok '... exit 0' "crm-add -q '$EXAMPLES/customers.csv' > /dev/null"
out '... not stored' '0' "q \"SELECT count(*) FROM customers WHERE id = 'C0000003'\""
out '... not on stdout' '' "crm-add -q '$EXAMPLES/customers.csv' | grep C0000003"
out '... not in a reject file' '' \
	"crm-add -q --reject r.csv '$EXAMPLES/customers.csv' > /dev/null; cat r.csv 2>/dev/null"
for v in C0000003 13800144813 user3@example.com wx_aa66d30; do
	sqlite_only out "... and '$v' is still nowhere in the files" '0' "cat crm.db* | grep -a -c '$v'"
done
err 'by the phone alone, as people write it' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: customers: 1 suppressed: erased on 2024-12-31' \
	"printf 'name,phone\n胡浩然,+86 138 0014 4813\n' | crm-add"
err 'by the email alone, in another case' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: customers: 1 suppressed: erased on 2024-12-31' \
	"printf 'email,city\nUser3@Example.COM,厦门\n' | crm-add"
err 'by the wechat_id alone' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: customers: 1 suppressed: erased on 2024-12-31' "printf 'wechat_id\nwx_aa66d30\n' | crm-add"
out '... none of them stored' '0' "q \"SELECT count(*) FROM customers WHERE phone = '13800144813' OR email = 'user3@example.com' OR wechat_id = 'wx_aa66d30'\""
out 'an id with the digits of the phone is not the phone' 'id,name
13800144813,同号' "printf 'id,name\n13800144813,同号\n' | crm-add -q"
out 'the erased customer'"'"'s events are skipped too' 'crm-add: events: 8 suppressed: erased on 2024-12-31' \
	"crm-add -k events '$EXAMPLES/events.csv' 2>&1 > /dev/null | grep suppressed"
err '... one alone, even with --create-missing' 'crm-add: events: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: events: 1 suppressed: erased on 2024-12-31' \
	"printf 'customer_id,type,ts\nC0000003,visit,2024-12-30\n' | crm-add -k events --create-missing"
out '... and no customer made for it' '0' "q \"SELECT count(*) FROM customers WHERE id = 'C0000003'\""

# ---- WeChat's ids, and erasures on two days ----
CRM_NOW=2025-01-05 crm-rm -q W1 > /dev/null
out 'openid and unionid (custom attributes) go on the list' 'id
openid
unionid' "q \"SELECT field FROM suppressions WHERE erased_on = '2025-01-05' ORDER BY field\""
out '... a record with the openid alone is skipped' 'crm-add: customers: 1 suppressed: erased on 2025-01-05' \
	"printf 'name,openid\nx,oWx-secret-openid\n' | crm-add 2>&1 | grep suppressed"
out '... with the unionid alone too' 'crm-add: customers: 1 suppressed: erased on 2025-01-05' \
	"printf 'name,unionid\nx,uWx-secret-unionid\n' | crm-add 2>&1 | grep suppressed"
out 'records erased on two days: the summary gives both' \
	'crm-add: customers: 2 suppressed: erased on 2024-12-31 to 2025-01-05' \
	"printf 'id\nC0000003\nW1\n' | crm-add 2>&1 | grep suppressed"
out '--dry-run counts them too' 'crm-add: customers: 2 suppressed: erased on 2024-12-31 to 2025-01-05' \
	"printf 'id\nC0000003\nW1\n' | crm-add --dry-run 2>&1 | grep suppressed"

# ---- lifting a suppression ----
err '--unsuppress of a value nobody erased' \
	"crm-rm: 'nosuch@example.com' is not suppressed: no erased customer had it as id, phone, email, wechat_id, openid or unionid" \
	'crm-rm --unsuppress nosuch@example.com'
fails 1 '... exit 1' 'crm-rm --unsuppress nosuch@example.com'
fails 2 '--unsuppress goes alone' 'crm-rm --unsuppress 13800144813 C0000001'
fails 2 '... once' 'crm-rm --unsuppress 13800144813 --unsuppress W1'
fails 2 '... with a value' "crm-rm --unsuppress ''"
err '--unsuppress by the phone, as people write it' \
	'crm-rm: suppression lifted: 1 erased customer (by phone, erased on 2024-12-31) may be imported again' \
	"crm-rm --unsuppress '+86 138 0014 4813'"
out '... every entry of that customer goes, the other stays' '2025-01-05|3' \
	"q 'SELECT erased_on, count(*) FROM suppressions GROUP BY 1'"
out '... in the audit trail, without the value' 'crm-rm --unsuppress [suppressed phone]	suppressions: 4 removed' \
	"crm-export -k audit -o tsv | tail -1 | cut -f 4,5 | tr -d \"'\""
sqlite_only out '... which is nowhere in the files' '0' "cat crm.db* | grep -a -c '138 0014 4813'"
out '... so the customer comes back with the sample' '胡浩然' \
	"crm-add -q '$EXAMPLES/customers.csv' > /dev/null && q \"SELECT name FROM customers WHERE id = 'C0000003'\""
out '... and its events' '1' \
	"printf 'customer_id,type,ts\nC0000003,visit,2024-12-30\n' | crm-add -q -k events > /dev/null && q \"SELECT count(*) FROM events e JOIN customers c USING (cid) WHERE c.id = 'C0000003'\""
err 'lifting one value (the openid) lifts the customer (its id too)' \
	'crm-rm: suppression lifted: 1 erased customer (by openid, erased on 2025-01-05) may be imported again' \
	'crm-rm --unsuppress oWx-secret-openid'
out '... the list is empty' '0' "q 'SELECT count(*) FROM suppressions'"
out '... W1 may come back' 'id
W1' 'printf "id\nW1\n" | crm-add -q'

# ---- merges stick ----
printf 'id,name,phone,city\nK-ALPHA,甲,13600000001,上海\nD-BETA,乙,,北京\nD-GAMMA,丙,,\nD-DELTA,丁,,\n' | crm-add -q > /dev/null
crm-rm -q --merge-into K-ALPHA D-BETA > /dev/null
out 'a merged id is an alias of the customer kept' 'D-BETA|K-ALPHA|2024-12-31' \
	"q 'SELECT a.id, c.id, a.merged_at FROM aliases a JOIN customers c USING (cid)'"
out 'importing it again updates that customer' 'id,city
K-ALPHA,杭州' "printf 'id,city\nD-BETA,杭州\n' | crm-add -q"
err '... and says so' 'crm-add: customers: 0 inserted, 0 updated, 1 unchanged, 0 merged, 0 rejected
crm-add: customers: 1 by a merged id, stored under the customer it is merged into' \
	"printf 'id,city\nD-BETA,杭州\n' | crm-add > /dev/null"
out '... no customer takes the id' '0|杭州' \
	"q \"SELECT (SELECT count(*) FROM customers WHERE id = 'D-BETA'), (SELECT city FROM customers WHERE id = 'K-ALPHA')\""
out 'its events go to that customer, even with --create-missing' 'K-ALPHA|2' \
	"printf 'customer_id,type,ts,amount\nD-BETA,purchase,2024-12-01,5\nD-BETA,visit,2024-12-02,\n' | crm-add -q -k events --create-missing > /dev/null && q \"SELECT c.id, count(*) FROM events e JOIN customers c USING (cid) WHERE c.id IN ('K-ALPHA', 'D-BETA') GROUP BY 1\""
out '... and its notes' 'K-ALPHA|来电' \
	"printf 'customer_id,body\nD-BETA,来电\n' | crm-note -q --import > /dev/null && q 'SELECT c.id, n.body FROM notes n JOIN customers c USING (cid)'"
out 'the id as an argument selects that customer' 'id,name
K-ALPHA,甲' 'crm-export -f id,name D-BETA'
err '... with a note' 'crm-export: D-BETA is merged into K-ALPHA' 'crm-export -f id,name D-BETA > /dev/null'
err '... on stdin too' 'crm-tag: D-BETA is merged into K-ALPHA
crm-tag: 1 tagging set, 0 removed' "printf 'id\nD-BETA\n' | crm-tag -a 合并 > /dev/null"
out '... the tag is on that customer' 'K-ALPHA|合并' \
	"q 'SELECT c.id, t.name FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid)'"
out '... the record passes through with that customer'"'"'s tags' 'id,tags
D-BETA,合并' "printf 'id\nD-BETA\n' | crm-tag -q -a 合并"
out '... crm-note on the id notes that customer' 'K-ALPHA|2' \
	"crm-note -q D-BETA 再次来电 && q \"SELECT c.id, count(*) FROM notes n JOIN customers c USING (cid) GROUP BY 1\""
err 'a merged id cannot be merged again' "crm-rm: 'D-BETA' is merged into 'K-ALPHA' already" \
	'crm-rm --merge-into D-GAMMA D-BETA'
fails 1 '... exit 1' 'crm-rm --merge-into D-GAMMA D-BETA'
fails 1 '... nor be the one kept' 'crm-rm --merge-into D-BETA D-GAMMA'
crm-rm -q --merge-into D-GAMMA D-DELTA > /dev/null
crm-rm -q --merge-into K-ALPHA D-GAMMA > /dev/null
out 'a chain: the aliases of a merged customer follow it' 'D-BETA|K-ALPHA
D-DELTA|K-ALPHA
D-GAMMA|K-ALPHA' "q 'SELECT a.id, c.id FROM aliases a JOIN customers c USING (cid) ORDER BY 1'"
out '... the first id of the chain selects the last customer' 'id
K-ALPHA' 'crm-export -q -f id D-DELTA'
out 'erasing the customer takes its aliases' '0' \
	"crm-rm -q K-ALPHA > /dev/null && q 'SELECT count(*) FROM aliases'"
out '... and suppresses them' 'crm-add: customers: 3 suppressed: erased on 2024-12-31' \
	"printf 'id\nD-BETA\nD-GAMMA\nD-DELTA\n' | crm-add 2>&1 | grep suppressed"
for v in K-ALPHA D-BETA D-GAMMA D-DELTA 13600000001; do
	sqlite_only out "... and '$v' is nowhere in the files" '0' "cat crm.db* | grep -a -c '$v'"
done

# ---- --merge-duplicates ----
export CRM_DB=$WORK/dups.db
printf '%s\n' 'id,name,phone,email,wechat_id,openid,city,created_at' \
	'P1,甲,13700000001,,,o-1,上海,2024-03-01' 'P2,乙,13700000001,p2@example.com,,,,2024-01-01' \
	'P3,丙,137 0000 0001,,wx3,,北京,2024-02-01' 'Q1,丁,13900000002,,,o-1,,2024-05-01' \
	'Q2,戊,13900000002,,,,,2024-05-01' 'R1,己,,P2@example.com,,,,2023-01-01' | crm-add -q > /dev/null
printf 'customer_id,type,ts,amount\nP1,purchase,2024-06-01,10\nP3,visit,2024-06-02,\nQ2,purchase,2024-06-03,20\n' |
	crm-add -q -k events > /dev/null
crm-note -q P3 丙的备注
crm-export -q --dump > before.ndjson
groups='field,value,keep,duplicates
phone,13700000001,P2,P3;P1
phone,13900000002,Q1,Q2'
out '--merge-duplicates --dry-run: each group, its oldest kept (created_at, then first stored)' "$groups" \
	'crm-rm --merge-duplicates phone --dry-run'
err '... a summary' 'crm-rm: would merge 3 duplicates into 2 customers by phone: 3 events and 1 note moved, 2 fields filled (a dry run: nothing was)' \
	'crm-rm --merge-duplicates phone --dry-run > /dev/null'
ok '... and nothing changes' 'crm-export --dump | cmp - before.ndjson'
out '... as crm-segment --duplicates finds them' 'group,id,phone
1,P1,13700000001
1,P2,13700000001
1,P3,13700000001
2,Q1,13900000002
2,Q2,13900000002' 'crm-segment --duplicates phone --all'
out '--merge-duplicates phone' "$groups" 'crm-rm --merge-duplicates phone'
out '... merged: the empty fields from the oldest duplicate that has one, attributes too' 'id,name,phone,email,wechat_id,openid,city
P2,乙,13700000001,p2@example.com,wx3,o-1,北京
Q1,丁,13900000002,,,o-1,
R1,己,,p2@example.com,,,' 'crm-export -f id,name,phone,email,wechat_id,openid,city --all'
out '... events and notes moved' 'P2|2|1
Q1|1|0
R1|0|0' "q 'SELECT id, (SELECT count(*) FROM events e WHERE e.cid = c.cid), (SELECT count(*) FROM notes n WHERE n.cid = c.cid) FROM customers c ORDER BY id'"
out '... the duplicates are aliases' 'P1|P2
P3|P2
Q2|Q1' "q 'SELECT a.id, c.id FROM aliases a JOIN customers c USING (cid) ORDER BY 1'"
out '... in the audit trail' 'crm-rm --merge-duplicates phone' "crm-export -k audit -o tsv | tail -1 | cut -f4"
out 'by email: the aliases follow' 'field,value,keep,duplicates
email,p2@example.com,R1,P2' 'crm-rm -q --merge-duplicates email'
out '... P1 now names R1' 'id,city
R1,北京' 'crm-export -q -f id,city P1'
out 'by openid' 'field,value,keep,duplicates
openid,o-1,R1,Q1' 'crm-rm -q --merge-duplicates openid'
out '... one customer left, five aliases' 'R1|5' "q 'SELECT c.id, count(*) FROM aliases a JOIN customers c USING (cid)'"
out 'nothing left to merge: the header only' 'field,value,keep,duplicates' 'crm-rm --merge-duplicates phone'
err '... and says so' 'crm-rm: no customers share a phone: nothing to merge' 'crm-rm --merge-duplicates phone'
err '... an email' 'crm-rm: no customers share an email: nothing to merge' 'crm-rm --merge-duplicates email > /dev/null'
err 'an unknown key' "crm-rm: --merge-duplicates: 'name' is not a key duplicates share (phone, email, wechat_id, openid)
Try 'crm-rm --help'." 'crm-rm --merge-duplicates name'
fails 2 '... exit 2' 'crm-rm --merge-duplicates name'
out '... writing nothing' '' 'crm-rm --merge-duplicates name 2> /dev/null'
fails 2 '--merge-duplicates takes no ids' 'crm-rm --merge-duplicates phone R1'
fails 2 '... once' 'crm-rm --merge-duplicates phone --merge-duplicates email'
# A dump carries the suppression list, its key and the aliases.
printf 'id,phone,email\nS1,13600000006,s1@example.com\n' | crm-add -q > /dev/null
crm-rm -q S1 > /dev/null
crm-export --dump > with-list.ndjson
out 'a dump holds the key, the hashes and the aliases, no value' '1|1|5|0' \
	"printf '%s|%s|%s|%s\\n' \$(grep -c '\"kind\":\"suppression_key\"' with-list.ndjson) \
	\$(grep -c '\"kind\":\"suppression\",\"hash\":\"[0-9A-F]\\{64\\}\",\"field\":\"phone\"' with-list.ndjson) \
	\$(grep -c '\"kind\":\"alias\"' with-list.ndjson) \$(grep -c '13600000006\\|s1@example' with-list.ndjson)"
ok '... restores into a new database' 'crm-add -q -d restored.db < with-list.ndjson > /dev/null'
err '... which keeps the erased out' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: customers: 1 suppressed: erased on 2024-12-31' \
	"printf 'id,phone\\nNEW,13600000006\\n' | crm-add -d restored.db > /dev/null"
out '... and merged ids pointing where they went' 'id
R1' 'crm-export -q -d restored.db -f id P1'
printf 'id,phone\nK1,13600000009\n' | crm-add -q -d other.db > /dev/null
crm-rm -q -d other.db K1 > /dev/null
err 'a database with a list of its own refuses the dump'"'"'s' \
	'crm-add: stdin:3: suppression_key: this database keeps its own suppression list, under another key: restore the dump into a new database
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)' \
	'crm-add -d other.db < with-list.ndjson > /dev/null'
# An empty stream erases nobody, and leaves no trace of having tried.
printf 'id\nE1\n' | crm-add -q -d empty.db > /dev/null
err 'crm-rm on an empty pipe: nobody, and no hint to use --all' 'crm-rm: no customers on stdin: nothing to do
crm-rm: 0 customers erased' "printf '' | crm-rm -d empty.db > /dev/null"
out '... no key made, no line in the trail' '0|1' \
	"printf '%s|' \"\$(q -d empty.db 'SELECT count(*) FROM suppression_key')\"; crm-export -d empty.db -k audit | sed 1d | wc -l"
err 'a customer cannot be merged into itself' "crm-rm: --merge-into E1: a customer cannot be merged into itself
Try 'crm-rm --help'." 'crm-rm -d empty.db --merge-into E1 E1'
fails 2 '... exit 2' 'crm-rm -d empty.db --merge-into E1 E1'
done_testing
