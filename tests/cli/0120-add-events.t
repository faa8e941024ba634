#!/bin/sh
# crm-add -k events: purchases, refunds, visits, with their customers.
. "$(dirname "$0")/../lib.sh"

printf 'id,name\nC1,张三\nC2,李四\n' | crm-add -q > /dev/null
cat > orders.csv <<'CSV'
customer_id,type,ts,amount,product,channel,coupon
C1,Purchase,2024/5/1 10:00,"¥1,299.00",耳机,wechat,SPRING
C1,purchase,2024-05-20T09:00:00Z,99元,,wechat,
C2,visit,2024-05-03,,,,
CSV
golden 'events are stored and written out normalized' add-events.csv 'crm-add -k events orders.csv'
out 'amounts are kept in cents, exactly' '129900|9900' \
	"dumped event type=purchase amount | tr -d . | paste -sd '|'"
out 'extra columns are kept with the event' '{"coupon":"SPRING"}' \
	'dumped event attrs | grep .'
err 'an event for an unknown customer is rejected' \
	"crm-add: stdin:2: customer_id: unknown customer 'C9' (add the customer first, or use --create-missing)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'customer_id,type,ts\nC9,visit,2024-05-04\n' | crm-add -k events"
err '--create-missing creates it' 'crm-add: events: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected
crm-add: 1 customer created for events' \
	"printf 'customer_id,type,ts\nC9,visit,2024-05-04\n' | crm-add -k events --create-missing > /dev/null"
err 'bad fields are reported, each once' \
	"crm-add: stdin:2: type: 'add to cart' is not an event type (a word of letters, digits and _)
crm-add: stdin:2: ts: 'yesterday' is not a time (use YYYY-MM-DD)
crm-add: stdin:2: amount: '12.345' has more than two decimals
crm-add: stdin:3: customer_id: missing (an event needs customer_id, type and ts)
crm-add: 2 bad records: nothing was stored (fix them, or store the good ones with --reject FILE)" \
	"printf 'customer_id,type,ts,amount\nC1,add to cart,yesterday,12.345\n,visit,2024-05-05,\n' | crm-add -k events"
out 'an event names its customer by id when it has no customer_id' 'C2,visit,2024-05-06T00:00:00' \
	"printf 'id,type,ts\nC2,visit,2024-05-06\n' | crm-add -q -k events | sed 1d"
printf 'customer_id,id,type,ts,amount\nC1,O-1,purchase,2024-05-07,10\nC1,O-1,purchase,2024-05-07,12\n' > o1.csv
err 'an event with its own id is stored once, merged' 'crm-add: events: 1 inserted, 0 updated, 0 unchanged, 1 merged, 0 rejected' \
	'crm-add -k events o1.csv > /dev/null'
err '... importing it again counts each record: back to 10, then to 12' \
	'crm-add: events: 0 inserted, 1 updated, 0 unchanged, 1 merged, 0 rejected' 'crm-add -k events o1.csv > /dev/null'
err '... and a record the same as stored is unchanged' 'crm-add: events: 0 inserted, 0 updated, 1 unchanged, 0 merged, 0 rejected' \
	"printf 'customer_id,id,type,ts,amount\nC1,O-1,purchase,2024-05-07,12\n' | crm-add -k events > /dev/null"
err '... or updates it' 'crm-add: events: 0 inserted, 1 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'customer_id,id,type,ts,amount\nC1,O-1,refund,2024-05-08,12\n' | crm-add -k events > /dev/null"
out '... with the values given' 'refund|2024-05-08T00:00:00|1200' \
	'dumped event id=O-1 type ts amount | tr -d .'
fails 2 '--match is for customers only' 'crm-add -k events --match phone orders.csv'
awk 'BEGIN { print "customer_id,type,ts"; for (i = 0; i < 60000; i++)
	printf "C%d,visit,2024-01-01T%02d:%02d:%02d\n", 1 + i % 2, i / 3600, i / 60 % 60, i % 60 }' > many.csv
ok 'a bulk import of 60,000 events goes through the bulk path' 'crm-add -q -k events many.csv > /dev/null'
out '... stores them all' '60000' "crm-export -k events --all -f ts | grep -c '^2024-01'"
# SQLite's own: the index as its catalog holds it, and its integrity_check.
sqlite_only out '... and leaves the index in place, and the database whole' 'events_by_customer
ok' "sqlite3 crm.db \"SELECT name FROM sqlite_schema WHERE name = 'events_by_customer'; PRAGMA integrity_check\""
printf 'customer_id,type,ts\nC1,visit,2024-02-01\nC1,visit,2024-02-02\nC404,visit,2024-02-03\n' > late-bad.csv
cat many.csv late-bad.csv | sed '60002d' > bulk-bad.csv
before=$(crm-export -k events --all | cksum)
fails 1 'a bulk import with one bad record at its end fails' 'crm-add -q -k events bulk-bad.csv > /dev/null'
out '... and changes nothing' "$before" 'crm-export -k events --all | cksum'
# SQLite's own: the index as its catalog holds it.
sqlite_only out '... the index is still there after the rollback' 'events_by_customer' \
	"crm-add -q -k events bulk-bad.csv > /dev/null; sqlite3 crm.db \"SELECT name FROM sqlite_schema WHERE name = 'events_by_customer'\""

# Identity by content: an event without a ref is the same event when its
# customer, type, time, amount, product and channel are.
printf 'customer_id,type,ts,amount,product,channel,coupon\nC2,purchase,2024-03-01T10:00:00,50,茶,wechat,a\nC2,purchase,2024-03-01T10:00:00,50,茶,store,\nC2,purchase,2024-03-01T10:00:00,60,茶,wechat,\nC2,purchase,2024-03-01T10:00:00,50,,wechat,\nC2,visit,2024-03-01T10:00:00,,,,\n' > same.csv
err 'events that differ in any of their content are different events' \
	'crm-add: events: 5 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' 'crm-add -k events same.csv > /dev/null'
err 'importing the same events again stores nothing new' \
	'crm-add: events: 0 inserted, 0 updated, 5 unchanged, 0 merged, 0 rejected' 'crm-add -k events same.csv > /dev/null'
out '... and leaves no audit row' "$(q 'SELECT count(*) FROM audit')" "q 'SELECT count(*) FROM audit'"
err 'a repeat within one file is merged into the first' \
	'crm-add: events: 1 inserted, 0 updated, 0 unchanged, 1 merged, 0 rejected' \
	"printf 'customer_id,type,ts\nC2,visit,2024-03-02\nC2,visit,2024-03-02T00:00:00\n' | crm-add -k events > /dev/null"
err 'extra columns of a repeat update the event' \
	'crm-add: events: 0 inserted, 1 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'customer_id,type,ts,amount,product,channel,coupon\nC2,purchase,2024-03-01T10:00:00,50,茶,wechat,b\n' | crm-add -k events > /dev/null"
out '... in place' '1|{"coupon":"b"}' \
	"q \"SELECT count(*), attrs FROM events WHERE cid = 2 AND channel = 'wechat' AND amount_cents = 5000 AND product = '茶'\""
before=$(q 'SELECT count(*), sum(amount_cents) FROM events')
err 'crm-export -k events | crm-add -k events changes nothing' \
	"crm-add: events: 0 inserted, 0 updated, $(q 'SELECT count(*) FROM events') unchanged, 0 merged, 0 rejected" \
	'crm-export -k events --all | crm-add -k events > /dev/null'
out '... not a count, not a sum' "$before" "q 'SELECT count(*), sum(amount_cents) FROM events'"
err 'a bulk import again is unchanged' 'crm-add: events: 0 inserted, 0 updated, 60000 unchanged, 0 merged, 0 rejected' \
	'crm-add -k events many.csv > /dev/null'
q 'DELETE FROM events; DELETE FROM audit'
(cat many.csv; sed -n '2,20001p' many.csv; echo 'C1,visit,2024-01-01T00:00:00') > repeats.csv
err 'a bulk load finds the repeats within its file' \
	'crm-add: events: 60000 inserted, 0 updated, 0 unchanged, 20001 merged, 0 rejected' \
	'crm-add -k events repeats.csv > /dev/null'
out '... stores each event once' '60000|60000' "q 'SELECT count(*), count(DISTINCT cid || ts) FROM events'"
out '... and the audit trail says what it gained' '{"events":{"added":60000}}' "q 'SELECT changes FROM audit'"
# SQLite's own: the index as its catalog holds it.
sqlite_only out '... the index is back' 'events_by_customer' "sqlite3 crm.db \"SELECT name FROM sqlite_schema WHERE name = 'events_by_customer'\""
(sed 's/$/,/; 1s/,$/,coupon/' many.csv; echo 'C2,visit,2024-01-01T00:00:01,late') > repeat-attrs.csv
q 'DELETE FROM events'
err "... and a repeat's extra columns go to the first" \
	'crm-add: events: 60000 inserted, 0 updated, 0 unchanged, 1 merged, 0 rejected' \
	'crm-add -k events repeat-attrs.csv > /dev/null'
out '... as a merge would' '{"coupon":"late"}' "q \"SELECT attrs FROM events WHERE attrs IS NOT NULL\""
done_testing
