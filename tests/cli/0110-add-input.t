#!/bin/sh
# crm-add: every input format, and every kind of bad input.
. "$(dirname "$0")/../lib.sh"

printf 'id,name\n1,张三\n' > a.csv
printf 'id\tname\n2\t李四\n' > b.tsv
printf '[{"id": "3", "name": "王五", "visits": 4}]' > c.json
printf '{"id": "4", "name": "赵六"}\n{"id": 5, "name": "钱七"}\n' > d.ndjson
printf '6\n 7 \n\n' > e.ids
out 'reads csv, tsv, json, ndjson and ids, detected' '1 张三
2 李四
3 王五
4 赵六
5 钱七
6 
7 ' 'crm-add -q a.csv b.tsv c.json d.ndjson e.ids > /dev/null && crm-export --all -f id,name -o tsv | sed 1d | tr "\t" " "'
out 'a JSON number is kept as text' '4' "crm-export -f visits 3 | sed 1d"
out '-i says the format when detection cannot' 'phone' \
	"printf 'phone\n' > f.txt; crm-add -q -i ids f.txt -o ids"
out 'a BOM and CRLF line ends are fine' '8,八' \
	"printf '\357\273\277id,name\r\n8,八\r\n' | crm-add -q"" | sed 1d"
out 'quoted fields hold commas, quotes and line breaks' '"a, ""b""
c"' \
	"printf 'id,note\n9,\"a, \"\"b\"\"\nc\"\n' | crm-add -q > /dev/null; crm-export -f note 9 | sed 1d"

err 'broken quoting stops the import, at its line' 'crm-add: stdin:3: malformed CSV: a quoted field is not closed
crm-add: nothing was stored' "printf 'id,name\n10,ok\n11,\"open\n12,x\n' | crm-add"
fails 1 '... with exit status 1' "printf 'id,name\n10,ok\n11,\"open\n' | crm-add"
out '... and nothing stored' '0' "crm-segment --count -w \"id = '10'\""
err 'a quote inside an unquoted field is malformed' 'crm-add: stdin:2: malformed CSV: error parsing data while strict checking enabled
crm-add: nothing was stored' "printf 'id,name\n10,a\"b\n' | crm-add"
err 'ragged rows are bad records' 'crm-add: stdin:3: expected 2 fields, found 3
crm-add: stdin:4: expected 2 fields, found 1
crm-add: 2 bad records: nothing was stored (fix them, or store the good ones with --reject FILE)' \
	"printf 'id,name\n13,ok\n14,x,extra\n15\n' | crm-add"
out '... written out in full with --reject' 'id,name,error
14,x,extra,"expected 2 fields, found 3"
15,,"expected 2 fields, found 1"' \
	"printf 'id,name\n13,ok\n14,x,extra\n15\n' | crm-add -q --reject r.csv > /dev/null; cat r.csv"
err 'invalid UTF-8 is a bad record, with a hint' \
	'crm-add: stdin:2: name: invalid UTF-8 (give the file'"'"'s encoding with --encoding, such as gb18030)
crm-add: 1 bad record: nothing was stored (fix it, or store the good ones with --reject FILE)' \
	"printf 'id,name\n16,\377\376\n' | crm-add"
ok 'a GB18030 file converted with iconv imports' \
	"printf 'id,name\n16,中文\n' | iconv -f UTF-8 -t GB18030 | iconv -f GB18030 -t UTF-8 | crm-add -q > /dev/null"
err 'empty input stores nothing, and says so' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf '' | crm-add"
err 'a header alone stores nothing' 'crm-add: customers: 0 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'id,name\n' | crm-add"
ok 'a 1 MB field is stored whole' \
	"awk 'BEGIN { printf \"id,note\n17,\"; for (i = 0; i < 1048576; i++) printf \"x\"; print \"\" }' | crm-add -q > /dev/null && test \"\$(crm-export -f note 17 | sed 1d | tr -d '\\n' | wc -c)\" = 1048576"
err 'JSON that is not an array of objects is refused' \
	"crm-add: stdin:1: expected an object, found a number (JSON input is an array of objects, or one object a line)
crm-add: nothing was stored" "printf '[1, 2]' | crm-add -i json"
err 'a JSON array of arrays is refused' \
	'crm-add: stdin:1: expected an object, found an array (JSON input is an array of objects, or one object a line)
crm-add: nothing was stored' "printf '[[\"id\"], [\"1\"]]' | crm-add"
err 'malformed JSON says where' \
	"crm-add: stdin:3: malformed JSON: unexpected token near '}'
crm-add: nothing was stored" "printf '[\n{\"id\": \"18\"},\n{\"id\": }\n]' | crm-add"
err 'a duplicate header is refused' "crm-add: stdin:1: column 'id' appears twice in the header
crm-add: nothing was stored" "printf 'id,id\n1,2\n' | crm-add"
err 'an input file that is missing is an I/O error' 'crm-add: nope.csv: No such file or directory' 'crm-add nope.csv'
fails 3 '... exit status 3' 'crm-add nope.csv'
out 'a hundred bad records are shown, the rest counted' '100
crm-add: 50 more bad records not shown' \
	"awk 'BEGIN { print \"id,phone\"; for (i = 0; i < 150; i++) print i \",123\" }' | crm-add 2>&1 | grep -c 'not a mobile'; awk 'BEGIN { print \"id,phone\"; for (i = 0; i < 150; i++) print i \",123\" }' | crm-add 2>&1 | grep 'not shown'"
done_testing
