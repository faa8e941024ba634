#!/bin/sh
# crm-export: campaign lists with frequency control, masking, Excel, encodings;
# crm-add reads GB18030.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
printf 'id,name,phone,email,wechat_id,city,level\nC1,张三,13800138000,zhang@example.com,wx_zhang8,上海,=1+2\nC2,欧阳娜娜,13900139000,o@example.com,ab,上海,-25\nC3,王,,,,北京,@x\n' |
	crm-add -q > /dev/null

# ---- campaigns ----
out 'a campaign writes its list' 'id,name
C1,张三
C2,欧阳娜娜' "crm-export --campaign 双十一 -w \"city = '上海'\" -f id,name"
out '... and records each customer on it as contacted, with the campaign' 'C1|contact|2024-06-30T00:00:00|{"campaign":"双十一"}
C2|contact|2024-06-30T00:00:00|{"campaign":"双十一"}' \
	"q \"SELECT c.id, e.type, e.ts, e.attrs FROM events e JOIN customers c USING (cid) ORDER BY c.id\""
err '... and says so' 'crm-export: campaign 双十二: 1 customer written, each recorded as contacted' \
	'crm-export --campaign 双十二 -f id C3 > /dev/null'
out 'contacts are events: count(contact, 7d) and since(contact) work' 'C1,1,0
C2,1,0
C3,1,0' "crm-segment -w 'count(contact, 7d) > 0' -f id,notes,age --as-of 2024-06-30 | sed 1d | cut -d, -f1 | while read i; do echo \$i,1,0; done"
out '... since(contact)' 'C1' "crm-segment -o ids -w \"since(contact) = 0 and id = 'C1'\""
out '... and export shows the campaign' 'customer_id,type,campaign
C3,contact,双十二' 'crm-export -k events -f customer_id,type,campaign C3'
out '--cap 7d: nobody contacted in the last 7 days' 'id' "crm-export --campaign 再次 --cap 7d --all -f id --as-of 2024-07-06"
out '... a week later, everyone again' 'id
C1
C2
C3' "crm-export --campaign 再次 --cap 7d --all -f id --as-of 2024-07-07 --dry-run"
crm-export -q --campaign 加推 --as-of 2024-07-08 C1 > /dev/null
out '--cap 2/30d: fewer than 2 contacts in 30 days (C1 has had 2)' 'id
C2
C3' "crm-export --campaign 第三次 --cap 2/30d --all -f id --as-of 2024-07-10"
out '... each now has 2' 'C1|2
C2|2
C3|2' "q \"SELECT c.id, count(*) FROM events e JOIN customers c USING (cid) GROUP BY c.id ORDER BY c.id\""
out '--dry-run records nothing' '6' \
	"crm-export -q --campaign 试 --dry-run --all > /dev/null && q 'SELECT count(*) FROM events'"
err 'a bad cap' "crm-export: --cap '7': give a window (7d), or times in a window (4/30d: fewer than 4 contacts in 30 days)" \
	'crm-export --campaign x --cap 7 --all'
fails 2 '... is a usage error' 'crm-export --campaign x --cap 0/30d --all'
fails 2 '--cap goes with --campaign' 'crm-export --cap 7d --all'
fails 2 'a campaign needs customers chosen, at a terminal' "script -qec 'crm-export --campaign x' /dev/null > /dev/null"
err 'an unknown id: nobody is recorded' "crm-export: unknown customer 'C9'" 'crm-export --campaign y C1 C9'
out '... nobody' '0' "q \"SELECT count(*) FROM events WHERE attrs LIKE '%\\\"y\\\"%'\""

# A list cut short records nobody: the reader stops after one line.
crm-gen customers 20000 | crm-add -q > /dev/null
ok 'a long list read by head -1' "(crm-export --campaign 大 --all -f id,name,phone,email,city; echo \$? > status) | head -1 > /dev/null"
out '... the export did not end well' '141' 'cat status'
out '... and nobody was recorded' '0' "q \"SELECT count(*) FROM events WHERE attrs LIKE '%大%'\""
ok '... with SIGPIPE ignored, a write error instead' \
	"(trap '' PIPE; crm-export --campaign 大 --all -f id,name,phone; echo \$? > status) 2> pipe.err | head -1 > /dev/null"
out '... exit 3' '3' 'cat status'
out '... nobody recorded' '0' "q \"SELECT count(*) FROM events WHERE attrs LIKE '%大%'\""
out 'written in full, everyone is' '20003' \
	"crm-export -q --campaign 大 --all -f id > all.csv && q \"SELECT count(*) FROM events WHERE attrs LIKE '%大%'\""

# ---- masking ----
out '--mask: phone, email, name, the rest' 'id,name,phone,email,wechat_id,level
C1,张*,138****8000,z***@example.com,w*******8,=**2
C2,欧***,139****9000,o***@example.com,a*,-*5
C3,*,,,,@*' 'crm-export -f id,name,phone,email,wechat_id,level --mask name,phone,email,wechat_id,level C1 C2 C3'
out '... in json too' '{"id":"C1","phone":"138****8000"}' 'crm-export -o ndjson -f id,phone --mask phone C1'
err '... only fields written' "crm-export: --mask: 'email' is not among the fields written" 'crm-export -f id,phone --mask email C1'
fails 2 '... a usage error' 'crm-export -f id,phone --mask email C1'

# ---- Excel ----
printf '\357\273\277id,name,level\r\nC1,张三,'"'"'=1+2\r\nC2,欧阳娜娜,'"'"'-25\r\nC3,王,'"'"'@x\r\n' > want.csv
ok '--excel: a BOM, CRLF, formulas made text' 'crm-export --excel -f id,name,level C1 C2 C3 | cmp - want.csv'
out '... with masks' "$(printf 'C1,张*\r')" 'crm-export --excel -f id,name --mask name C1 | tail -1'
fails 2 '... and no -o' 'crm-export --excel -o json C1'

# ---- vCard and WeChat ----
crm-tag -q -a VIP -a '老客户' C1
printf 'id,gender,birthday,name\nC1,男,1990-03-05,张三\nC2,,,"欧阳,娜娜;\\x"\n' | crm-add -q > /dev/null
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:crm:C1\r\nFN:张三\r\nTEL;TYPE=cell;VALUE=uri:tel:13800138000\r\nEMAIL:zhang@example.com\r\nGENDER:M\r\nBDAY:19900305\r\nADR;TYPE=home:;;;上海;;;\r\nCATEGORIES:VIP,老客户\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nUID:crm:C2\r\nFN:欧阳\\,娜娜\\;\\\\x\r\nTEL;TYPE=cell;VALUE=uri:tel:13900139000\r\nEMAIL:o@example.com\r\nADR;TYPE=home:;;;上海;;;\r\nEND:VCARD\r\n' > want.vcf
ok '-o vcard: a vCard 4.0 a customer, text escaped, CRLF' 'crm-export -o vcard C1 C2 | cmp - want.vcf'
printf 'id,name\nL1,%s\n' "$(printf '很长的名字%.0s' 1 2 3 4 5 6 7 8 9 10)" | crm-add -q > /dev/null
out '... long lines folded at 75 octets (and a CR), never inside a character' '76
74
8' "crm-export -o vcard -f id,name L1 | grep -A2 '^FN:' | awk '{ print length(\$0) }' LC_ALL=C"
printf 'id,openid\n' > oid.csv
for i in $(seq 1 120); do printf 'W%03d,oOPENID%03d\n' "$i" "$i"; done >> oid.csv
crm-add -q oid.csv > /dev/null
out '-o wechat: payloads of at most 50 openids, one a line' '50
50
20' "crm-export -o wechat --tagid 101 -w \"id ~ '^W'\" | awk '{ print gsub(/oOPENID/, \"\") }'"
out '... each the API'"'"'s call' '{"openid_list":["oOPENID001","oOPENID002"],"tagid":101}' \
	'crm-export -o wechat --tagid 101 W001 W002'
err '... customers without an openid counted' 'crm-export: 2 customers without an openid left out' \
	'crm-export -o wechat --tagid 101 W001 C1 C2 > /dev/null'
fails 2 '... --tagid is needed' 'crm-export -o wechat --all'
fails 2 '... a number' 'crm-export -o wechat --tagid x --all'

# ---- GB18030 ----
printf 'id,name,city\nG1,\325\305\310\375,\311\317\272\243\n' > gb.csv # 张三,上海 in GB18030
err 'a GB18030 file is found to be one, read, and said so' \
	"crm-add: gb.csv: read as GB18030, since it is not UTF-8 (--encoding says otherwise)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected" 'crm-add -d gb.db gb.csv > /dev/null'
out '--encoding gb18030 reads it' 'G1,张三,上海' 'crm-add -q --encoding gb18030 gb.csv | sed 1d'
printf 'id,name\nG9,\325\n' > bad-gb.csv # a first byte, then no second
err '... a file that is not GB18030 is refused' "crm-add: bad-gb.csv:2: not gb18030 text (--encoding gb18030)
crm-add: nothing was stored" 'crm-add --encoding gb18030 bad-gb.csv > /dev/null'
fails 1 '... exit 1' 'crm-add --encoding gb18030 bad-gb.csv'
printf 'id\nU1\n' > u.csv
err '... an unknown encoding' "crm-add: --encoding klingon: not an encoding this system converts (iconv -l lists them; gb18030 is the one for Chinese Excel)" \
	'crm-add --encoding klingon u.csv'
printf 'id,name,city\r\n' > /dev/null
printf 'id,name,city\nG1,\325\305\310\375,\311\317\272\243\n' > want-gb.csv
ok 'crm-export --encoding gb18030 writes it back' "crm-export --encoding gb18030 -f id,name,city G1 | cmp - want-gb.csv"
out '... with --excel, no BOM (it would say UTF-8), CRLF' "$(printf 'id,name\r')" "crm-export --encoding gb18030 --excel -f id,name G1 | head -1"
err '... a character the encoding cannot hold stops it, naming the value' \
	"crm-export: customer 'E1', name: '张😀' has characters gbk cannot hold (gb18030 holds every one)" \
	"printf 'id,name\\nE1,张\\360\\237\\230\\200\\nE0,李\\n' | crm-add -q > /dev/null; crm-export --encoding gbk -f id,name E0 E1 > /dev/null"
fails 1 '... exit 1' 'crm-export --encoding gbk -f id,name E0 E1'
out '... and nothing is written, not even the records before it' '' 'crm-export --encoding gbk -f id,name E0 E1'
out '... as JSON neither' '' 'crm-export --encoding gbk -o json -f id,name E0 E1'
ok '... gb18030 holds it' "crm-export --encoding gb18030 -f id,name E1 | iconv -f gb18030 -t utf-8 | grep -q 😀"
out 'a campaign that cannot be written in the encoding records nobody' '0' \
	"crm-export --campaign 测试 --encoding gbk -f id,name E0 E1 > /dev/null 2>&1; q \"SELECT count(*) FROM events WHERE type = 'contact' AND attrs LIKE '%测试%'\""
ok '... and the same campaign in gb18030 is written and recorded' \
	"crm-export --campaign 测试 --encoding gb18030 -f id,name E0 E1 > c.csv 2> /dev/null && test -s c.csv && test \$(q \"SELECT count(*) FROM events WHERE type = 'contact' AND attrs LIKE '%测试%'\") = 2"
done_testing
