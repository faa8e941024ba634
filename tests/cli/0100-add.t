#!/bin/sh
# crm-add: customers in, normalized, merged, and nothing lost.
. "$(dirname "$0")/../lib.sh"

cat > people.csv <<'CSV'
id,name,phone,email,gender,birthday,city,level
1,张三,+86 138-0013-8000, Zhang@Example.COM ,M,1990年3月5日,上海,gold
2,李四,0086 139 0013 9000,li@example.com,女,1985/12/1,北京,
3,"王,五",021-1234 5678,,female,20000229,广州,silver
CSV

golden 'stores customers and writes them out normalized' add-people.csv 'crm-add people.csv'
err 'says what it stored' 'crm-add: customers: 0 inserted, 0 updated, 3 unchanged, 0 merged, 0 rejected' \
	'crm-add people.csv'
out 'keeps custom columns as attributes' '{"level":"gold"}' 'dumped customer id=1 attrs'
out 'stores no empty strings, only NULLs' '0' "crm-export --dump | grep '^{\"kind\":\"customer\"' | grep -c '\":\"\"'"

printf 'id,city,level\n1,,platinum\n1,杭州,\n' > update.csv
err 'an update with a duplicate in the same input is counted as merged' \
	'crm-add: customers: 0 inserted, 1 updated, 0 unchanged, 1 merged, 0 rejected' 'crm-add update.csv'
out 'an empty cell never blanks a stored value' '杭州|{"level":"platinum"}|13800138000' \
	'dumped customer id=1 city attrs phone'
printf 'id,city,level\n1,,\n' > blank.csv
ok '--replace blanks stored values from empty cells' 'crm-add --replace blank.csv'
out '... the ones the input has a column for' '||13800138000|张三' \
	'dumped customer id=1 city attrs phone name'

out 'a customer without an id gets a stable id from the phone' 'cs6z7jrkcxpx9' \
	"printf 'name,phone\n赵六,13700000001\n' | crm-add -q -o ids"
out '... the same id the next time' 'cs6z7jrkcxpx9' \
	"printf 'name,phone\n赵六,+86 137 0000 0001\n' | crm-add -q -o ids"
out '--match phone finds the stored customer' '2,13900139000,苏州' \
	"printf 'phone,city\n13900139000,苏州\n' | crm-add -q --match phone | sed 1d"
printf 'id,phone\n8,13600000000\n9,13600000000\n' | crm-add -q > /dev/null
err '--match refuses a phone that two customers share' \
	"crm-add: stdin:2: phone: '13600000000' matches more than one customer ('8', '9')
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'phone,city\n13600000000,苏州\n' | crm-add --match phone"
err 'a record that names nobody is rejected' \
	"crm-add: stdin:2: no id, phone, email, wechat_id, openid or unionid to tell who this is
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'city\n上海\n' | crm-add"

cat > bad.csv <<'CSV'
id,name,phone,email,birthday
10,好人,13800000010,ok@example.com,1990-01-01
11,坏人,12345,bad@,2023-02-29
12,也好,13800000012,,
CSV
err 'every bad field of every bad record is reported' \
	"crm-add: bad.csv:3: phone: '12345' is not a mobile number
crm-add: bad.csv:3: email: 'bad@' is not an email address
crm-add: bad.csv:3: birthday: '2023-02-29' is not a real date
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" 'crm-add bad.csv'
fails 1 'a bad record makes the import fail' 'crm-add bad.csv'
out '... and nothing of it is stored' '0' "crm-segment --count -w \"id in ('10', '12')\""
fails 1 '--reject stores the good ones and exits 1' 'crm-add -q --reject rejects.csv bad.csv > /dev/null'
out '... the good ones are stored' '2' "crm-segment --count -w \"id in ('10', '12')\""
out '... the bad ones are written out in full, with the reason' \
	"id,name,phone,email,birthday,error
11,坏人,12345,bad@,2023-02-29,phone: '12345' is not a mobile number; email: 'bad@' is not an email address; birthday: '2023-02-29' is not a real date" \
	'cat rejects.csv'
out '... and once fixed, they import' '11,坏人,13812345678,bad@example.com,2023-02-28' \
	"sed -e 's/12345,bad@,2023-02-29/13812345678,bad@example.com,2023-02-28/' -e 's/,[^,]*\$//' rejects.csv | crm-add -q | sed 1d"

out '--dry-run reports and stores nothing' '0' \
	"printf 'id,name\n20,新人\n' | crm-add -q --dry-run > /dev/null; crm-segment --count -w \"id = '20'\""
err '--dry-run says what would happen' 'crm-add: customers: 1 to insert, 0 to update, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'id,name\n20,新人\n' | crm-add --dry-run > /dev/null"
out '--set adds one customer' 'cp240k70s1g2s,张三丰,13800138999,上海' \
	"crm-add -q --set name=张三丰 --set phone='138 0013 8999' --set city=上海 | sed 1d"
fails 2 '--set without a value is a usage error' 'crm-add --set name'
fails 1 'a computed field cannot be imported' "printf 'id,age\n30,20\n' | crm-add"
err '... and says so' "crm-add: stdin:2: column 'age' is a computed field and cannot be imported" \
	"printf 'id,age\n30,20\n' | crm-add"
err '... days_to_birthday too' "crm-add: stdin:2: column 'days_to_birthday' is a computed field and cannot be imported" \
	"printf 'id,days_to_birthday\n30,20\n' | crm-add"
err 'two columns for one field are refused' "crm-add: stdin:1: columns 'phone' and '手机' both give phone: keep one (--map '手机=' leaves it out) or store it apart (--map '手机=phone2')
crm-add: nothing was stored" \
	"printf 'id,phone,手机\n31,13800000031,13800000032\n' | crm-add"
out 'Chinese headers are understood' '32,孙七,13800000033,深圳' \
	"printf '客户编号,姓名,手机,城市\n32,孙七,13800000033,深圳\n' | crm-add -q"" | sed 1d"
out 'created_at and updated_at are the as-of time' '2024-06-01T00:00:00|2024-06-01T00:00:00' \
	'dumped customer id=32 created_at updated_at'
out '--as-of sets them' '2024-07-02T09:30:00' \
	"printf 'id,city\n32,珠海\n' | crm-add -q --as-of '2024-07-02 09:30' > /dev/null; dumped customer id=32 updated_at"
done_testing
