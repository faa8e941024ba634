#!/bin/sh
# crm-export --dump, restored by crm-add: nothing lost.
. "$(dirname "$0")/../lib.sh"

crm-add -q "$EXAMPLES/customers.csv" > /dev/null
crm-add -q -k events "$EXAMPLES/events.csv" > /dev/null
printf 'customer_id,id,type,ts,amount,note\nC0000001,O-9,purchase,2024-05-01,12.50,"a ""quoted"", multi\nline note 😀"\n' |
	crm-add -q -k events > /dev/null
printf 'id,name,phone,vip_since_date,note\nX1,"O\x27Brien, 张",,2024/1/2,"tab\there"\n' | crm-add -q > /dev/null

crm-segment -q --config stage.dormant=120d
crm-segment -q --save 'a;b' -w "city = '上海'" --desc 'a name with a ;'
crm-segment -q --save 上海女 -w "segment('a;b') and gender = '女'"
crm-segment --diff 'a;b' > /dev/null
ok 'dumps the database' 'crm-export --dump > dump1.ndjson'
out 'the first line names the format' '{"crm_dump":1,"schema":5,"crm":"0.1.0","as_of":"2024-06-01T00:00:00"}' 'head -1 dump1.ndjson'
out 'a line for each custom field, setting, customer, event, segment, member, note category and change' '2232' 'wc -l < dump1.ndjson'
ok 'restores into an empty database' 'crm-add -d restored.db dump1.ndjson'
err '... and says what it restored' 'crm-add: customers: 201 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: events: 2001 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: restored: custom field 4, setting 1, segment 2, segment member 9, tag 0, tag rule 0, tagging 0, model 0, score 0, grade change 0, note category 5, note 0, note revision 0, note deletion 0, audit 8, suppression key 0, suppression 0, alias 0' 'crm-add -d restored2.db dump1.ndjson'
ok 'dumping the restored database gives the same bytes, and the restore in the trail' \
	'crm-export -d restored.db --dump > dump2.ndjson && head -n -1 dump2.ndjson | cmp dump1.ndjson -'
for t in 'SELECT * FROM customers' 'SELECT * FROM custom_fields' \
	'SELECT cid, type, ts, amount_cents, product, channel, ref, attrs FROM events ORDER BY 1, 2, 3, 4, 5, 6, 7, 8' \
	'SELECT * FROM settings' 'SELECT * FROM segments' 'SELECT * FROM segment_members'; do
	out "the same rows: $t" "$(q "$t" | md5sum)" "q -d restored.db '$t' | md5sum"
done
out 'the restored segments work, and their snapshots' 'change,id' "crm-segment -d restored.db --diff 'a;b' -f id"
out 'a dump of a newer format is refused' 'crm-add: stdin:1: a dump of format 99, which this crm cannot read (it reads 1)' \
	"printf '{\"crm_dump\":99}\n' | crm-add -d x.db 2>&1"
err 'an unknown kind in a dump is a bad record' "crm-add: stdin:2: kind: 'spaceship' is not a kind this crm restores
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf '{\"crm_dump\":1}\n{\"kind\":\"spaceship\",\"id\":\"1\"}\n' | crm-add -d y.db"
bad='crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)'
for case in "note|\"note_id\":\"1\",\"customer_id\":\"NOPE\",\"body\":\"b\"|note: no customer 'NOPE'" \
	"tagging|\"id\":\"NOPE\",\"tag\":\"t\"|tagging: no customer 'NOPE' or tag 't'" \
	"segment_member|\"segment\":\"s\",\"id\":\"NOPE\"|segment_member: no customer 'NOPE' or segment 's'" \
	"alias|\"id\":\"A\"|alias: no customer ''" \
	"score|\"id\":\"NOPE\",\"model\":\"m\"|score: a record with missing fields"; do
	kind=${case%%|*} rest=${case#*|}
	err "a dump's $kind record that names rows it lacks is refused, saying which" "crm-add: stdin:2: ${rest#*|}
$bad" "printf '{\"crm_dump\":1}\n{\"kind\":\"$kind\",${rest%%|*}}\n' | crm-add -d z.db"
done
# A value the schema refuses is the record's fault, not the database's.
err "a dump's record that the schema refuses is a bad record, nothing stored" "crm-add: stdin:2: NOT NULL constraint failed: settings.value
$bad" "printf '{\"crm_dump\":1}\n{\"kind\":\"setting\",\"key\":\"x\"}\n' | crm-add -d w.db"
fails 1 '... with exit status 1' "printf '{\"crm_dump\":1}\n{\"kind\":\"setting\",\"key\":\"x\"}\n' | crm-add -d w.db"
done_testing
