#!/bin/sh
# crm-add: who a customer record is. A name alone names nobody (refused, or
# a new customer each time with --new-ids), and two records of one customer
# in one import that disagree are a conflict, never settled silently.
. "$(dirname "$0")/../lib.sh"

alone() { # alone LINE NAME [COLUMN]: the refusal of a record with only a name
	echo "crm-add: stdin:$1: ${3:-name}: '$2' alone does not identify a customer: give an id, phone, email, wechat_id, openid or unionid, or add each such record as a new customer with --new-ids"
}
nothing='crm-add: 2 bad records: nothing was stored (fix them, or store the good ones with --reject FILE)'

# ---- a name alone ----

err 'two records with one name are refused, not merged into one person' "$(alone 2 张伟)
$(alone 3 张伟)
$nothing" "printf 'name,city\n张伟,北京\n张伟,上海\n' | crm-add"
fails 1 '... exit 1, as for any bad record' "printf 'name,city\n张伟,北京\n张伟,上海\n' | crm-add"
out '... and nothing is stored' '0' "q 'SELECT count(*) FROM customers'"
err 'a Chinese name column is named as the file has it' "$(alone 2 王芳 姓名)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf '姓名,城市\n王芳,杭州\n' | crm-add"
printf 'id,name,city\nK1,李雷,北京\n' > good.csv
printf 'name,city\n张伟,北京\n张伟,上海\n' > names.csv
err 'with --reject, the good records are stored and the rest counted as rejected' \
	"crm-add: names.csv:2: name: '张伟' alone does not identify a customer: give an id, phone, email, wechat_id, openid or unionid, or add each such record as a new customer with --new-ids
crm-add: names.csv:3: name: '张伟' alone does not identify a customer: give an id, phone, email, wechat_id, openid or unionid, or add each such record as a new customer with --new-ids
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 2 rejected
crm-add: 2 bad records written to rej.csv" 'crm-add --reject rej.csv good.csv names.csv > /dev/null'
out '... which holds them with the reason' "name,city,error
张伟,北京,\"name: '张伟' alone does not identify a customer: give an id, phone, email, wechat_id, openid or unionid, or add each such record as a new customer with --new-ids\"
张伟,上海,\"name: '张伟' alone does not identify a customer: give an id, phone, email, wechat_id, openid or unionid, or add each such record as a new customer with --new-ids\"" \
	'cat rej.csv'
out '... and only the good one is stored' 'K1|李雷' "q 'SELECT id, name FROM customers'"

out '--new-ids adds each as a new customer with an id of its own' '2' \
	"printf 'name,city\n张伟,北京\n张伟,上海\n' | crm-add -q --new-ids -o ids | grep -c '^c[0-9a-hjkmnp-tv-z]\{12\}\$'"
out '... two people, each with the city given' '上海
北京' "q \"SELECT city FROM customers WHERE name = '张伟' ORDER BY city\""
err '... which it says it inserted' 'crm-add: customers: 2 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'name,city\n张伟,北京\n张伟,上海\n' | crm-add --new-ids > /dev/null"
out '... and it is not idempotent: the second run added two more' '4|4' \
	"q \"SELECT count(*), count(DISTINCT id) FROM customers WHERE name = '张伟'\""
out '--new-ids goes to records with only a name: one with a phone keeps its stable id' 'cs6z7jrkcxpx9' \
	"printf 'name,phone\n赵六,13700000001\n' | crm-add -q --new-ids -o ids"
err '... and one with nothing at all is still refused' \
	'crm-add: stdin:2: no id, phone, email, wechat_id, openid, unionid or name to tell who this is
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)' \
	"printf 'city\n上海\n' | crm-add --new-ids"
fails 2 '--new-ids is for customers' 'crm-add -k events --new-ids good.csv'

err 'a name with a phone is a customer: two phones, two people' \
	'crm-add: customers: 2 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'name,phone,city\n韩梅,13900000001,北京\n韩梅,13900000002,上海\n' | crm-add -d phones.db > /dev/null"
out '... both stored' '上海
北京' 'dumped -d phones.db customer name=韩梅 city | sort'
out 'a name with an email, a wechat_id or an openid is a customer too' '3' \
	"printf 'name,email,wechat_id,openid\n甲,a@example.com,,\n乙,,wx_b,\n丙,,,oC1\n' | crm-add -q -d ways.db > /dev/null; crm-segment -d ways.db --count --all"

# ---- records of one customer that disagree ----

cat > twice.csv <<'CSV'
id,name,city,level
C1,张伟,北京,gold
C2,王芳,杭州,
C1,张伟,上海,gold
CSV
err 'two records of one customer that disagree: the later is refused, naming both lines' \
	"crm-add: twice.csv:4: city: '上海' disagrees with line 2 ('北京') for customer 'C1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d c.db twice.csv'
fails 1 '... exit 1' 'crm-add -d c.db twice.csv'
out '... nothing stored' '0' 'crm-segment -d c.db --count --all'
out 'with --reject, the first record stays and the later one is in the reject file' \
	"id,name,city,level,error
C1,张伟,上海,gold,city: '上海' disagrees with line 2 ('北京') for customer 'C1' (--on-conflict first or last chooses)" \
	'crm-add -q -d c.db --reject twice.rej twice.csv > /dev/null; cat twice.rej'
out '... stored as the first record gave it' 'C1|北京|{"level":"gold"}
C2|杭州|' 'dumped -d c.db customer id city attrs | sort'
out '--on-conflict first keeps the first value' 'C1|北京' \
	"crm-add -q -d first.db --on-conflict first twice.csv > /dev/null; dumped -d first.db customer id=C1 id city"
err '... without a word' "crm-add: new custom attribute: 'level' (if it means a field, say which with --map SRC=FIELD)
crm-add: customers: 2 inserted, 0 updated, 0 unchanged, 1 merged, 0 rejected" \
	'crm-add -d first2.db --on-conflict first twice.csv > /dev/null'
out '--on-conflict last keeps the last' 'C1|上海' \
	"crm-add -q -d last.db --on-conflict last twice.csv > /dev/null; dumped -d last.db customer id=C1 id city"
out '... and writes each record as it then was' 'C1,张伟,北京,gold
C2,王芳,杭州,
C1,张伟,上海,gold' 'crm-add -q -d last2.db --on-conflict last twice.csv | sed 1d'

cat > several.csv <<'CSV'
id,name,phone,level
C1,张伟,13800000001,gold
C1,张三,13800000002,silver
CSV
err 'each field that disagrees is named' \
	"crm-add: several.csv:3: name: '张三' disagrees with line 2 ('张伟') for customer 'C1' (--on-conflict first or last chooses)
crm-add: several.csv:3: phone: '13800000002' disagrees with line 2 ('13800000001') for customer 'C1' (--on-conflict first or last chooses)
crm-add: several.csv:3: level: 'silver' disagrees with line 2 ('gold') for customer 'C1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d s.db several.csv'

cat > agree.csv <<'CSV'
id,name,phone,gender,birthday,level
C1,张伟,+86 138 0013 8000,M,1990年3月5日,gold
C1,张伟,13800138000,男,1990-03-05,gold
C1,,,,,
C1,张伟,138-0013-8000,,,
CSV
err 'records that agree once normalized, or leave fields empty, are merged' \
	"crm-add: new custom attribute: 'level' (if it means a field, say which with --map SRC=FIELD)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 3 merged, 0 rejected" 'crm-add -d a.db agree.csv > /dev/null'
out '... into one customer' '1|张伟|13800138000|男|1990-03-05|{"level":"gold"}' \
	'printf "%s|" "$(crm-segment -d a.db --count --all)"; dumped -d a.db customer name phone gender birthday attrs'
printf 'id,city,level\nC1,北京,\nC1,,gold\nC1,北京,gold\n' > fill.csv
err 'a later record may give what an earlier one left empty' \
	"crm-add: new custom attribute: 'level' (if it means a field, say which with --map SRC=FIELD)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 2 merged, 0 rejected" 'crm-add -d fill.db fill.csv > /dev/null'
printf 'id,city\nC1,北京\nC1,\n' > empty.csv
out '... and with --replace an empty cell does not blank what an earlier record gave' '北京' \
	"crm-add -q -d fill.db --replace empty.csv > /dev/null; dumped -d fill.db customer id=C1 city"

out 'a value stored before the import is no conflict: the import updates it' '上海' \
	"printf 'id,city\nC1,上海\n' | crm-add -q -d fill.db > /dev/null; dumped -d fill.db customer id=C1 city"
printf 'id,city\nC1,广州\nC1,深圳\n' > again.csv
err '... but two records of it in one import that disagree are a conflict' \
	"crm-add: again.csv:3: city: '深圳' disagrees with line 2 ('广州') for customer 'C1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d fill.db again.csv'
printf 'id,city\nC1,上海\nC1,深圳\n' > same.csv
err '... even when the first gives the value stored' \
	"crm-add: same.csv:3: city: '深圳' disagrees with line 2 ('上海') for customer 'C1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d fill.db same.csv'
printf 'id,level\nC1,gold\n' | crm-add -q -d attr.db > /dev/null
printf 'id,level\nC1,silver\nC1,gold\n' > attr.csv
err 'a custom attribute stored before, given two values by one import, is a conflict' \
	"crm-add: attr.csv:3: level: 'gold' disagrees with line 2 ('silver') for customer 'C1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d attr.db attr.csv'

printf 'phone,city\n13700000009,北京\n+86 137 0000 0009,上海\n' > byphone.csv
err 'records without an id are one customer by the field their id is made from' \
	"crm-add: byphone.csv:3: city: '上海' disagrees with line 2 ('北京') for customer 'chk28jrkc5qx9' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d p.db byphone.csv'
printf 'id,phone,city\nM1,13600000009,北京\n' | crm-add -q -d m.db > /dev/null
printf 'phone,city\n13600000009,广州\n13600000009,深圳\n' > match.csv
err '... and by --match' \
	"crm-add: match.csv:3: city: '深圳' disagrees with line 2 ('广州') for customer 'M1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d m.db --match phone match.csv'
printf 'id,city\nM1,苏州\n' > m1.csv
err 'a record of another file of the same import is named by its file' \
	"crm-add: m1.csv:2: city: '苏州' disagrees with match.csv:2 ('广州') for customer 'M1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"head -2 match.csv > match1.csv; mv match1.csv match.csv; crm-add -d m.db --match phone match.csv m1.csv"

printf 'id,city,tags\nT1,北京,VIP\nT1,北京,新客\nT1,上海,老客\n' > tags.csv
err 'tags are no conflict: each record tags the customer' \
	"crm-add: tags.csv:4: city: '上海' disagrees with line 2 ('北京') for customer 'T1' (--on-conflict first or last chooses)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 1 merged, 1 rejected
crm-add: 1 bad record written to tags.rej" 'crm-add -d t.db --reject tags.rej tags.csv > /dev/null'
out '... and the refused record defined no tag' 'T1|VIP;新客
新客
VIP' "crm-export -d t.db -f id,tags --all | sed 1d | tr , '|'; crm-tag -d t.db --list | sed 1d | cut -d, -f1 | sort -r"

# The bulk path (new customers one a line), then a record of the first
# far down the file; and a file of customers stored before, past a batch.
crm-gen customers 12000 > many.csv
field() { sed -n "$1p" many.csv | cut -d, -f"$2"; } # field LINE N of many.csv
{ cat many.csv; awk -F, -v OFS=, 'NR == 2 { $8 = "拉萨"; print }' many.csv; } > many-again.csv
err 'a bulk import: a record of the first customer at its end that disagrees is refused' \
	"crm-add: many-again.csv:12002: city: '拉萨' disagrees with line 2 ('$(field 2 8)') for customer 'C0000001' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d bulk.db many-again.csv > /dev/null'
{ cat many.csv; sed -n 2p many.csv; } > many-same.csv
err '... and one that agrees is merged' \
	'crm-add: customers: 12000 inserted, 0 updated, 0 unchanged, 1 merged, 0 rejected' \
	'crm-add -d bulk.db many-same.csv > /dev/null'
{ head -201 many.csv; awk -F, -v OFS=, 'NR == 150 { $10 = "x"; print }' many.csv; } > old.csv
err 'customers stored before, met again past a batch of them, are compared too' \
	"crm-add: old.csv:202: source: 'x' disagrees with line 150 ('$(field 150 10)') for customer '$(field 150 1)' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add -d bulk.db old.csv > /dev/null'

printf 'id,city,level,phone\nA1,北京,,\nA1,,gold,\nA1,北京,silver,13800000001\n' > adds.csv
err 'a field a later record gave first is named by that record' \
	"crm-add: adds.csv:4: level: 'silver' disagrees with line 3 ('gold') for customer 'A1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" 'crm-add -d adds.db adds.csv'
{ echo 'id,city'; echo 'A1,北京'; for i in $(seq 1 70); do echo "B$i,x"; done; } | crm-add -q -d adds.db > /dev/null
err '... of a customer stored before too' \
	"crm-add: adds.csv:4: level: 'silver' disagrees with line 3 ('gold') for customer 'A1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" 'crm-add -d adds.db adds.csv'
{ echo 'id,city,level'; echo 'A1,北京,'; for i in $(seq 1 70); do echo "B$i,x,"; done; echo 'A1,,gold'; echo 'A1,北京,silver'; } > far.csv
err '... and past a batch of others' \
	"crm-add: far.csv:74: level: 'silver' disagrees with line 73 ('gold') for customer 'A1' (--on-conflict first or last chooses)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" 'crm-add -d adds.db far.csv'

# ---- the option ----

err '--on-conflict takes reject, first or last' "crm-add: bad argument 'both' for --on-conflict
Try 'crm-add --help'." 'crm-add --on-conflict both twice.csv'
fails 2 '... a usage error' 'crm-add --on-conflict both twice.csv'
out '... that writes nothing to stdout' '' 'crm-add --on-conflict both twice.csv'
fails 2 '--on-conflict is for customers' 'crm-add -k events --on-conflict first good.csv'
out '--help names both options' '      --new-ids              add records with only a name as new customers, each time
      --on-conflict HOW      records of one customer that disagree: reject (default), first, last' \
	"crm-add --help | grep -E -- '--(new-ids|on-conflict)'"
done_testing
