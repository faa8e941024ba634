#!/bin/sh
# Files as people have them: from Excel, WPS, WeChat and other CRMs. Each is
# read as it is, or refused with a reason that says what to do, storing
# nothing.
. "$(dirname "$0")/../lib.sh"

XLSX=$TESTS/data/xlsx

# ---- separators ----
printf 'id;name;phone\r\nX1;Anna;13800138000\r\n' > semi.csv
out 'a file separated by semicolons is read without options' 'X1,Anna,13800138000' \
	'crm-add -q semi.csv | sed 1d'
out '... one customer, not two' '1' "q 'SELECT count(*) FROM customers'"
out 'a tab-separated file too' 'X2,Bob' "printf 'id\tname\nX2\tBob\n' | crm-add -q | sed 1d"
out '... and one separated by |' 'X3,Cai' "printf 'id|name\nX3|Cai\n' | crm-add -q | sed 1d"
out '... the one outside quotes counts' 'X4,a;b' "printf 'id,note\nX4,\"a;b\"\n' | crm-add -q | sed 1d"
out '--delimiter forces one' 'X5,Dan' "printf 'id:name\nX5:Dan\n' | crm-add -q --delimiter : | sed 1d"
out '--delimiter tab reads CSV quoting between tabs' 'X6,a	b' \
	"printf 'id\tnote\nX6\t\"a\tb\"\n' | crm-add -q --delimiter tab | sed 1d"
err 'a header that is one column holding a separator is refused, naming it' \
	"crm-add: semi.csv:1: the header is one column, 'id;name;phone', which holds ';': is the file separated by ';'? (--delimiter says which)
crm-add: nothing was stored" 'crm-add -d other.db -i tsv semi.csv'
fails 1 '... exit 1' 'crm-add -d other.db --delimiter , semi.csv'
fails 2 'a --delimiter of two characters is a usage error' 'crm-add --delimiter ab semi.csv'

# ---- column names ----
printf '客户姓名,手机号,所在城市,性别\n张伟,13800138000,北京,先生\n' > zh.csv
out 'Chinese headers are the fields they name' '张伟|13800138000|北京|男' \
	"crm-add -q -d zh.db zh.csv > /dev/null; dumped -d zh.db customer name phone city gender"
out '... and make no custom attributes' '0' "crm-export -d zh.db --dump | grep -c '\"kind\":\"custom_field\"'"
out 'English ones too, any case, with the marks of templates' 'E1|Eve|13800138001|e@x.com|上海|1990-01-02' \
	"printf 'Customer ID,Full Name,Phone Number*,E-mail Address,CITY,Date of Birth\nE1,Eve,13800138001,e@x.com,上海,1990-01-02\n' | crm-add -q > /dev/null; q \"SELECT id, name, phone, email, city, birthday FROM customers WHERE id = 'E1'\""
printf '手机,电话\n13800000031,13800000032\n' > two.csv
err 'two columns that give one field are refused, naming both' \
	"crm-add: two.csv:1: columns '手机' and '电话' both give phone: keep one (--map '电话=' leaves it out) or store it apart (--map '电话=phone2')
crm-add: nothing was stored" 'crm-add two.csv'
out '--map SRC= leaves one out' '13800000031' "crm-add -q --map 电话= -d two.db two.csv > /dev/null; dumped -d two.db customer phone"
out '--map SRC=FIELD gives it a field of its own' '13800000032' \
	"crm-add -q --map 电话=phone2 -d two2.db two.csv > /dev/null; dumped -d two2.db customer attrs.phone2"
err 'a --map for a column the header does not have is a usage error' \
	"crm-add: two.csv:1: --map 电舌=phone2: the header has no column '电舌'" 'crm-add --map 电舌=phone2 two.csv'
fails 2 '... exit 2' 'crm-add --map 电舌=phone2 two.csv'
fails 2 '--map without = is a usage error' 'crm-add --map 电话 two.csv'
out 'a column only refused records filled is no custom attribute' '0' \
	"printf 'id,phone,hobby\nZ1,13800138000,\nZ2,123,x\n' | crm-add -q -d lazy.db --reject lazy.rej > /dev/null; crm-export -d lazy.db --list-fields | grep -c hobby"
err 'a column that makes a new custom attribute is said, once' \
	"crm-add: new custom attribute: 'levl' (if it means a field, say which with --map SRC=FIELD)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected" \
	"printf 'id,levl\nN1,gold\n' | crm-add > /dev/null"
err '... and not again' 'crm-add: customers: 0 inserted, 0 updated, 1 unchanged, 0 merged, 0 rejected' \
	"printf 'id,levl\nN1,gold\n' | crm-add > /dev/null"
printf '客户编号,备注内容,分类,回访日期\nX1,客户想要发票,需求,2024-06-05\n' > notes.csv
out 'crm-note --import knows the same names' 'X1|客户想要发票|需求|2024-06-05' \
	"crm-note -q --import notes.csv && q \"SELECT c.id, n.body, n.category, n.follow_up FROM notes n JOIN customers c USING (cid)\""
out 'and so does a selection on stdin' 'X1,Anna,VIP' \
	"printf '客户编号,姓名\nX1,Anna\n' | crm-tag -a VIP | sed 1d"

# ---- values as people write them ----
out 'forms of address are genders, and 未知/保密/不详 are none' 'G1|男
G2|女
G3|
G4|' "printf 'id,性别\nG1,先生\nG2,女士\nG3,未知\nG4,保密\n' | crm-add -q > /dev/null; q \"SELECT id, gender FROM customers WHERE id LIKE 'G%' ORDER BY id\""
err 'a date whose order does not show is refused, saying how to tell' \
	"crm-add: stdin:2: birthday: '05.01.2024' is day-month or month-day: say which with --date-format DMY or MDY
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'id,birthday\nD1,05.01.2024\n' | crm-add"
out '--date-format DMY reads it' '2024-01-05' \
	"printf 'id,birthday\nD1,05.01.2024\n' | crm-add -q --date-format DMY | sed 1d | cut -d, -f2"
out '... MDY the other way' '2024-01-05' "printf 'id,birthday\nD2,1/5/2024\n' | crm-add -q --date-format MDY | sed 1d | cut -d, -f2"
out 'one whose order shows needs nothing' '2024-12-25' "printf 'id,birthday\nD3,25/12/2024\n' | crm-add -q | sed 1d | cut -d, -f2"
fails 2 'a --date-format that is none of them is a usage error' "printf 'id\n1\n' | crm-add --date-format DDMM"
err 'a phone Excel shortened is refused, saying the digits were lost and what to do' \
	"crm-add: stdin:2: phone: '1.38001E+10' is a number Excel shortened: its last digits were lost when the file was saved (in Excel, format the column as Text, or save the sheet as .xlsx, and export it again)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'id,phone\nP1,1.38001E+10\n' | crm-add"

# ---- what spreadsheets leave behind ----
err 'empty columns without a name and empty rows are skipped, and counted' \
	'crm-add: stdin: 1 empty row and 2 empty columns without a name skipped
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'id,name,phone,,\nA1,李雷,13800138000,,\n,,,,\n' | crm-add > /dev/null"
out '... and the customer is stored' 'A1|李雷|13800138000' "q \"SELECT id, name, phone FROM customers WHERE id = 'A1'\""
printf 'id,name,city,\nK1,张三,北京,VIP\n' > unnamed.csv
err 'a column without a name that holds a value is refused, naming where it is' \
	"crm-add: unnamed.csv:2: column 4 (D) has no name in the header, but holds 'VIP' here: name it in the header, or give it a field with --map 4=FIELD (--map 4= leaves it out)
crm-add: nothing was stored" 'crm-add unnamed.csv'
out '... --map 4=FIELD names it' 'VIP' "crm-add -q --map 4=level unnamed.csv > /dev/null; q \"SELECT attrs ->> 'level' FROM customers WHERE id = 'K1'\""

# ---- encodings ----
printf 'id,name,city\nB1,\325\305\310\375,\311\317\272\243\n' > gb.csv # 张三,上海 in GB18030
err 'a GB18030 file is found to be one, and said so' \
	"crm-add: gb.csv: read as GB18030, since it is not UTF-8 (--encoding says otherwise)
crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected" 'crm-add gb.csv > /dev/null'
out '... and read right' '张三|上海' "q \"SELECT name, city FROM customers WHERE id = 'B1'\""
printf '\377\376' > u16.txt; printf 'id\tname\nU1\t王五\n' | iconv -f UTF-8 -t UTF-16LE >> u16.txt
out 'UTF-16 with a BOM, as Excel saves Unicode text, is read' 'U1,王五' 'crm-add -q u16.txt | sed 1d'
err '--encoding forces one' "crm-add: gb.csv:2: name: invalid UTF-8 (give the file's encoding with --encoding, such as gb18030)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	'crm-add --encoding utf-8 gb.csv'

# ---- workbooks ----
out 'a workbook with Chinese headers imports as it is' '1001|王芳|13812345678|女|1988-03-05|杭州
1002|李强|13912345679|男|2024-01-05|上海
1003|赵磊|18612345681|||北京' \
	"crm-add -q -d wb.db '$XLSX/customers-zh.xlsx' > /dev/null; dumped -d wb.db customer id name phone gender birthday city | sort"
out '... numbers and booleans stay numbers and booleans' '{"积分":80.5,"已关注":false}' \
	'dumped -d wb.db customer id=1002 attrs'
out '... and come back so in JSON' '{"id":"1001","积分":120,"已关注":true}' \
	"crm-export -d wb.db -o ndjson -f id,积分,已关注 1001"
err '... its empty row counted' "crm-add: $XLSX/customers-zh.xlsx: 1 empty row skipped
crm-add: customers: 0 inserted, 0 updated, 3 unchanged, 0 merged, 0 rejected" \
	"crm-add -d wb.db '$XLSX/customers-zh.xlsx' > /dev/null"
out '--sheet reads another sheet' 'O-1|1001|purchase|2024-05-01T10:30:00|129950' \
	"crm-add -q -d wb.db -k events --sheet 订单 '$XLSX/customers-zh.xlsx' > /dev/null; dumped -d wb.db event id=O-1 id customer_id type ts amount | tr -d ."
err '... and one it does not have is refused, naming those it has' \
	"crm-add: $XLSX/customers-zh.xlsx: no sheet 'orders' in the workbook (its sheets: '客户', '订单')" \
	"crm-add -d wb.db --sheet orders '$XLSX/customers-zh.xlsx'"
fails 2 '... a usage error' "crm-add -d wb.db --sheet orders '$XLSX/customers-zh.xlsx'"
out 'a workbook is found by its content, from a pipe too' '3' \
	"cat '$XLSX/customers-zh.xlsx' | crm-add -q -d pipe.db > /dev/null; crm-segment -d pipe.db --count --all"
err 'a column without a name in a workbook is refused too' \
	"crm-add: $XLSX/unnamed.xlsx:2: column 4 (D) has no name in the header, but holds 'VIP' here: name it in the header, or give it a field with --map 4=FIELD (--map 4= leaves it out)
crm-add: nothing was stored" "crm-add -d wb.db '$XLSX/unnamed.xlsx'"
err 'an .xls is refused, saying what to do' "crm-add: stdin: an .xls workbook (Excel 97-2003): save it as .xlsx or CSV and try again
crm-add: nothing was stored" "crm-add -d wb.db < '$XLSX/fake.xls'"
crm-export -q -d wb.db --all -f id,name,phone,gender,birthday,city,积分,已关注 -o xlsx > out.xlsx
out 'what crm-export -o xlsx writes, crm-add reads back the same' '' \
	"crm-add -q -d back.db out.xlsx > /dev/null; crm-export -d wb.db --all -f id,name,phone,gender,birthday,city,积分,已关注 -o json > a.json; crm-export -d back.db --all -f id,name,phone,gender,birthday,city,积分,已关注 -o json > b.json; diff a.json b.json"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import openpyxl' 2> /dev/null; then
	out 'a workbook another program wrote, after crm-export wrote it, reads back the same' '' \
		"/usr/bin/python3 -c 'import openpyxl, sys; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])' out.xlsx resaved.xlsx && crm-add -q -d resaved.db resaved.xlsx > /dev/null && crm-export -d resaved.db --all -f id,name,phone,gender,birthday,city,积分,已关注 -o json | diff a.json -"
else
	skip 'openpyxl (Debian: python3-openpyxl) is not installed'
fi

# ---- WeChat and other systems ----
WX=$EXAMPLES/wechat-users.json
out "WeChat's user list imports as its API gives it" '小明|男|广州|oABC123|uXYZ789|2024-01-05T10:00:00|[128,2]
Lily|女||oDEF456||2024-03-10T00:00:00|' \
	"crm-add -q -d wx.db '$WX' > /dev/null; dumped -d wx.db customer name gender city attrs.openid attrs.unionid attrs.subscribe_time attrs.tagid_list | sed 's/\"//g'"
out '... again, nothing changes' 'crm-add: customers: 0 inserted, 0 updated, 2 unchanged, 0 merged, 0 rejected' \
	"crm-add -d wx.db '$WX' 2>&1 > /dev/null"
out '--match openid finds customers by it' '金卡' \
	"printf 'openid,level\noABC123,金卡\n' | crm-add -q -d wx.db --match openid > /dev/null; dumped -d wx.db customer attrs.openid=oABC123 attrs.level"
out '... and --match unionid' '1' \
	"printf 'unionid,city\nuXYZ789,深圳\n' | crm-add -d wx.db --match unionid 2>&1 > /dev/null | grep -c '1 updated'"
# SQLite's own: how its query planner finds them.
sqlite_only out '... through their index' 'SEARCH customers USING INDEX customers_openid (<expr>=?)' \
	"sqlite3 wx.db \"EXPLAIN QUERY PLAN SELECT id FROM customers WHERE attrs IS NOT NULL AND json_extract(attrs, '\\\$.openid') = 'x'\" | sed -n 's/^.*\\(SEARCH.*\\)/\\1/p'"
out '-o wechat uses the openids' '{"openid_list":["oABC123","oDEF456"],"tagid":7}' \
	"crm-export -d wx.db -o wechat --tagid 7 --all"
out 'its CSV export too, with sex in its codes' 'o1|小红|女|2024-01-05T10:00:00' \
	"printf 'openid,nickname,sex,subscribe_time\no1,小红,2,1704420000\n' | crm-add -q -d wxcsv.db > /dev/null; dumped -d wxcsv.db customer attrs.openid name gender attrs.subscribe_time"
err '... codes that only a column named sex has' "crm-add: stdin:2: 性别: '2' is not a gender (男 or 女)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'id,性别\nS1,2\n' | crm-add"
out '... or one --map gives gender' '女' "printf 'id,sex\nS1,2\n' | crm-add -q --map sex=gender | sed 1d | cut -d, -f2"
fails 1 '... but not another column given gender' "printf 'id,xb\nS1,2\n' | crm-add -q --map xb=gender"
err 'a nested JSON object is refused with its name' \
	"crm-add: stdin:1: headimg: a nested object or list, which crm does not keep: flatten it first (jq can), or leave it out with --map 'headimg='
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf '{\"id\": \"J1\", \"headimg\": {\"url\": \"x\"}}\n' | crm-add"
out '... --map leaves it out' 'J1' "printf '{\"id\": \"J1\", \"headimg\": {\"url\": \"x\"}}\n' | crm-add -q --map headimg= -o ids"
err '... a list where one value belongs too' \
	"crm-add: stdin:1: phone: a list, which only tags and tagid_list can be: give one value, or leave it out with --map 'phone='
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf '{\"id\": \"J2\", \"phone\": [\"13800138000\", \"13900139000\"]}\n' | crm-add"

# ---- tags ----
out 'a tags column tags as an import, by the person importing' 'T1|VIP|import:root
T1|上海|import:root' \
	"printf 'id,tags\nT1,VIP;上海\n' | USER=root crm-add -q > /dev/null; q \"SELECT c.id, t.name, ct.source FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid) WHERE c.id = 'T1' ORDER BY t.name\""
out '... as JSON, an array' 'T2,VIP' "printf '{\"id\": \"T2\", \"tags\": [\"VIP\"]}\n' | crm-add -q > /dev/null; crm-export -f id,tags T2 | sed 1d"
out 'crm-export -f id,tags | crm-add moves them to another database' 'T1,VIP;上海
T2,VIP' "crm-export -f id,tags T1 T2 | crm-add -q -d moved.db > /dev/null; crm-export -d moved.db -f id,tags T1 T2 | sed 1d"
out '... and into the same one changes nothing' 'crm-add: customers: 0 inserted, 0 updated, 2 unchanged, 0 merged, 0 rejected' \
	"crm-export -f id,tags T1 T2 | crm-add 2>&1 > /dev/null"
err 'a bad tag name is a bad record' "crm-add: stdin:2: tags: tag 'a|b': '|' is not allowed in a tag name
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf 'id,tags\nT3,a|b\n' | crm-add"
out 'tags typed with commas or 、 between them are tags' 'T3,VIP;上海;新客' \
	"printf 'id,tags\nT3,\"VIP, 上海、新客\"\n' | crm-add -q > /dev/null; crm-export -f id,tags T3 | sed 1d"
out '--replace takes away the tags by hand it leaves out' 'T1,VIP' \
	"printf 'id,tags\nT1,VIP\n' | crm-add -q --replace > /dev/null; crm-export -f id,tags T1 | sed 1d"

# ---- what goes back out ----
printf '\357\273\277id;name;phone\r\nR1;好;13800138000\r\nR2;坏;123\r\n' > bom.csv
out 'a reject file keeps the BOM, CRLF and the separator of its input' \
	"$(printf '\357\273\277id;name;phone;error\r\nR2;坏;123;phone: '"'"'123'"'"' is not a mobile number\r')" \
	'crm-add -q --reject r.csv bom.csv > /dev/null; cat r.csv'
printf 'id,name,phone\nR3,\325\305\310\375,123\n' > gb-bad.csv
out '... and its encoding' "$(printf 'id,name,phone,error\nR3,\325\305\310\375,123,phone: '"'"'123'"'"' is not a mobile number')" \
	'crm-add -q --reject r-gb.csv gb-bad.csv > /dev/null; cat r-gb.csv'
out "a workbook's rejects are CSV that Excel opens: a BOM and CRLF" \
	"$(printf '\357\273\277客户编号,手机号,error\r\nW2,123,手机号: '"'"'123'"'"' is not a mobile number\r')" \
	"crm-add -q -d r.db --reject r-x.csv '$XLSX/bad.xlsx' > /dev/null; cat r-x.csv"
# ---- what a second look found ----
out 'a record refused for its tags leaves no tag behind for the next' 'B,新客
X,VIP
Z,老客;黑名单' \
	"printf 'id,tags\nX,VIP\n' | crm-add -q -d g.db > /dev/null; printf 'id,tags\nZ,老客\nA,新客;vip\nB,新客\n' | crm-add -q -d g.db --reject g.rej > /dev/null; crm-tag -q -d g.db -a 黑名单 Z > /dev/null; crm-export -d g.db -f id,tags --all | sed 1d | sort"
out '... the refused one in the reject file, with why' "A,新客;vip,\"tags: tag 'vip' is too close to the tag 'VIP' (use that, or define it first with crm-tag --define --force)\"" 'sed 1d g.rej'
out 'tags.max refuses the record that passes it, not the file' 'A,t1;t2
C,t1;t4
D,t3' \
	"crm-segment -q -d max.db --config tags.max=2; printf 'id,tags\nA,t1;t2\nB,t1;t2;t3\nC,t1;t4\nD,t3\n' | crm-add -q -d max.db --reject max.rej > /dev/null; crm-export -d max.db -f id,tags --all | sed 1d"
out '... and the tag only it named is not in the catalog after it' '4' 'crm-tag -d max.db --list | sed 1d | wc -l'
out 'a customer_id column names customers when there is no id' 'K100|张三' \
	"printf 'customer_id,name\nK100,张三\n' | crm-add -q -d cid.db > /dev/null; dumped -d cid.db customer id name"
out 'tab-separated text that quotes its cells, as Excel and WPS save it, is read with the quotes' '北京市, 朝阳区' \
	"printf '姓名\t手机\t地址\r\n张三\t13800138000\t\"北京市, 朝阳区\"\r\n' | crm-add -q -d tsvq.db > /dev/null; dumped -d tsvq.db customer attrs.地址"
printf 'name,phone,city\n张伟,13800000001,北京\n' > mixed.csv; printf '王芳,13800000002,杭州\n' | iconv -t GB18030 >> mixed.csv
err 'a file of UTF-8 with GB18030 lines added is not read as GB18030' \
	"crm-add: mixed.csv:3: name: invalid UTF-8 (give the file's encoding with --encoding, such as gb18030)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" 'crm-add -d mixed.db mixed.csv'
out 'a column named *日期 is a date, *时间 a time' '2024-01-05|2024-01-05T10:30:00' \
	"printf 'id,注册日期,到店时间\nR1,2024/1/5,2024-01-05 10:30\n' | crm-add -q -d cn.db > /dev/null; dumped -d cn.db customer attrs.注册日期 attrs.到店时间"
out "关注时间 is WeChat's subscribe_time, Unix seconds and all" '2024-01-05T10:00:00' \
	"printf 'openid,关注时间\no9,1704420000\n' | crm-add -q -d gz.db > /dev/null; dumped -d gz.db customer attrs.subscribe_time"
/usr/bin/python3 -c "
import json
users = [{'openid': 'o%d' % i, 'nickname': '用户%d' % i, 'sex': 1 + i % 2} for i in range(60000)]
print(json.dumps({'user_info_list': users}, ensure_ascii=False))" > big-wx.json 2> /dev/null
if [ -s big-wx.json ]; then
	out "a WeChat user list larger than a record's limit is read a user at a time" '60000' \
		"crm-add -q -d bigwx.db big-wx.json > /dev/null; crm-segment -d bigwx.db --count --all"
else
	skip 'no python to write a large user list'
fi
out "--map 性别=sex reads WeChat's codes in a Chinese column" '男' \
	"printf '姓名,性别,openid\n张三,1,oX1\n' | crm-add -q -d sx.db --map 性别=sex | sed 1d | cut -d, -f3"
out '--reject FILE.xlsx writes the rejects as a workbook' 'PK' \
	"crm-add -q -d rx.db --reject rejects.xlsx '$XLSX/bad.xlsx' > /dev/null; head -c 2 rejects.xlsx; echo"
out '... which crm-add reads back' 'W2|123' \
	"crm-add -q -d rx2.db --map 手机号=bad_phone rejects.xlsx > /dev/null; dumped -d rx2.db customer id attrs.bad_phone"
printf 'id;phone\nA;123\n' > a1.csv; printf 'id,phone\nB,124\n' > b1.csv
err 'files of other shapes do not share one reject file' \
	"crm-add: a1.csv:2: phone: '123' is not a mobile number
crm-add: b1.csv:2: phone: '124' is not a mobile number
crm-add: b1.csv: its bad records cannot go in ab.rej with those of a file of other columns or encoding: give each file its own --reject" \
	'crm-add -d ab.db --reject ab.rej a1.csv b1.csv'
out 'an id like 1E1234 is an id' '1E1234' "printf 'id\n1E1234\n' | crm-add -q -d e.db -o ids"
out 'a title above the table is skipped, and said so' 'crm-add: stdin:1: a title above the table, skipped: the header is the next row' \
	"printf '客户名单,,\n姓名,手机,城市\n张三,13800138000,北京\n' | crm-add -d title.db 2>&1 > /dev/null | grep title"
out '... its table read' '张三|13800138000|北京' 'dumped -d title.db customer name phone city'
out 'empty lines of commas above the header are skipped' 'T1' "printf ',,,\nid,name\nT1,x\n' | crm-add -q -d blank.db -o ids"
out 'a row that stops before the unnamed columns at the end is whole' 'A1' \
	"printf 'id,name,,\nA1,李雷\n' | crm-add -q -d short.db -o ids"
out '-i csv still finds the separator' 'Q1,x' "printf 'id;name\nQ1;x\n' | crm-add -q -d icsv.db -i csv | sed 1d"
out 'UTF-16 is said, as GB18030 is' 'crm-add: u16.txt: read as UTF-16LE, as its byte-order mark says' 'crm-add -d u16.db u16.txt 2>&1 > /dev/null | grep UTF-16'
out 'a number attribute compares with a string as the text it reads as' 'N1' \
	"printf '[{\"id\": \"N1\", \"zip\": 100080, \"vip\": true, \"price\": 19.99}]' | crm-add -q -d typed.db > /dev/null; crm-segment -d typed.db -w \"zip = '100080'\" -o ids"
out '... a boolean is true or false' 'N1' "crm-segment -d typed.db -w 'vip = true and price > 19' -o ids"
out '... and 19.99 stays 19.99' 'N1,100080,true,19.99' "crm-export -d typed.db -f id,zip,vip,price N1 | sed 1d"
out '... an export piped back changes nothing, nor the types' 'crm-add: customers: 0 inserted, 0 updated, 1 unchanged, 0 merged, 0 rejected
{"zip":100080,"vip":true,"price":19.99}' \
	"crm-export -d typed.db -f id,zip,vip,price N1 | crm-add -d typed.db 2>&1 > /dev/null; dumped -d typed.db customer attrs"
out "an event's attributes keep their types too" '{"qty":3}' \
	"printf '[{\"id\": \"V1\"}]' | crm-add -q -d ev.db > /dev/null; printf '[{\"customer_id\": \"V1\", \"type\": \"purchase\", \"ts\": \"2024-05-01\", \"qty\": 3}]' | crm-add -q -d ev.db -k events > /dev/null; dumped -d ev.db event attrs"
err "... and a nested one is refused" "crm-add: stdin:1: items: a nested object or list, which crm does not keep: flatten it first (jq can), or leave it out with --map 'items='
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)" \
	"printf '[{\"customer_id\": \"V1\", \"type\": \"purchase\", \"ts\": \"2024-05-01\", \"items\": [{\"sku\": \"a\"}]}]' | crm-add -d ev.db -k events"
err 'an emoji in a column name the encoding cannot hold is named too' \
	"crm-export: column '爱好😀' has characters gbk cannot hold (gb18030 holds every one)" \
	"printf 'id,爱好😀\nH1,x\n' | crm-add -q -d emo.db > /dev/null; crm-export -d emo.db --encoding gbk --all > /dev/null"
done_testing
