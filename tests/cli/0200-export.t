#!/bin/sh
# crm-export: fields, formats, selections, events.
. "$(dirname "$0")/../lib.sh"

cat > people.csv <<'CSV'
id,name,phone,gender,birthday,city,level
1,张三,13800138000,男,1990-06-01,上海,gold
2,李四,13900139000,女,1985-12-01,北京,
3,"王,五",,女,2010-06-02,广州,silver
CSV
crm-add -q people.csv > /dev/null
printf 'customer_id,type,ts,amount\n1,purchase,2024-01-05,100\n1,purchase,2024-05-31 23:59,50\n1,purchase,2024-06-02,70\n2,visit,2024-03-01,\n' |
	crm-add -q -k events > /dev/null

golden 'writes every stored field and custom attribute by default' export-all.csv 'crm-export --all'
golden 'a table lines up Chinese text' export-table.txt 'crm-export --all -o table -f id,name,city,level,age'
golden 'json has numbers as numbers and nulls' export.json 'crm-export --all -o json -f id,name,age,level'
out 'ndjson is an object a line' '{"id":"1","name":"张三"}' 'crm-export -o ndjson -f id,name 1'
out 'tsv' 'id	name
3	王,五' 'crm-export -o tsv -f id,name 3'
out 'ids' '1
2
3' 'crm-export --all -o ids'
out 'age is in completed years on the as-of day' '34,38,13' \
	"crm-export --all -f age | sed 1d | paste -sd,"
out '... a day earlier, the birthday has not come' '33,38,13' \
	"crm-export --all -f age --as-of 2024-05-31 | sed 1d | paste -sd,"
# days_to_birthday: 0 on the day, and 29 February on the 28th in other years
printf 'id,name,birthday\nB1,张三,2000-03-10\nB2,李四,2000-02-29\nB3,王五,1990-01-01\nB4,赵六,\nB5,钱七,1999-12-31\nB6,孙八,2030-01-01\n' |
	crm-add -q -d bd.db > /dev/null
# to_birthday DAY: everyone's days_to_birthday as of DAY, on one line
printf '#!/bin/sh\ncrm-export -d bd.db --all -f id,days_to_birthday --as-of "$1" | sed 1d | tr , = | paste -sd" " -\n' \
	> "$WORK/bin/to_birthday"
chmod +x "$WORK/bin/to_birthday"
out 'days_to_birthday with the other fields' 'name,birthday,days_to_birthday
张三,2000-03-10,0
李四,2000-02-29,355
王五,1990-01-01,297
赵六,,
钱七,1999-12-31,296
孙八,2030-01-01,' 'crm-export -d bd.db --all -f name,birthday,days_to_birthday --as-of 2024-03-10'
out '... tomorrow is 1' '1' "crm-export -d bd.db -f days_to_birthday B1 --as-of 2024-03-09 | sed 1d"
out '... yesterday is 364 when no 29 February comes between' '364' \
	"crm-export -d bd.db -f days_to_birthday B1 --as-of 2024-03-11 | sed 1d"
out '... and 365 when one does' '365' "crm-export -d bd.db -f days_to_birthday B1 --as-of 2023-03-11 | sed 1d"
out '29 February: on 28 February in a year without one' 'B1=10 B2=0 B3=307 B4= B5=306 B6=' 'to_birthday 2023-02-28'
out '... so 1 the day before' 'B1=11 B2=1 B3=308 B4= B5=307 B6=' 'to_birthday 2023-02-27'
out '... and 365 the day after, to the next 29 February' 'B1=9 B2=365 B3=306 B4= B5=305 B6=' 'to_birthday 2023-03-01'
out '... on the day itself in a leap year' 'B1=10 B2=0 B3=307 B4= B5=306 B6=' 'to_birthday 2024-02-29'
out '... 1 the day before it' 'B1=11 B2=1 B3=308 B4= B5=307 B6=' 'to_birthday 2024-02-28'
out '... and 364 the day after, to 28 February' 'B1=9 B2=364 B3=306 B4= B5=305 B6=' 'to_birthday 2024-03-01'
out '31 December: 1 January is tomorrow, 31 December today' 'B1=69 B2=59 B3=1 B4= B5=0 B6=' 'to_birthday 2024-12-31'
out '... and a year less a day from 1 January' 'B1=68 B2=58 B3=0 B4= B5=364 B6=' 'to_birthday 2025-01-01'
out 'in JSON a number; without a birthday, or before it, null' '{"id":"B1","days_to_birthday":0}
{"id":"B4","days_to_birthday":null}
{"id":"B6","days_to_birthday":null}' 'crm-export -d bd.db -o ndjson -f id,days_to_birthday --as-of 2024-03-10 B1 B4 B6'
out 'birthdays in the next 7 days, in one line' 'id,name,days_to_birthday
B3,王五,7
B5,钱七,6' "crm-segment -d bd.db -w 'days_to_birthday <= 7' -f id,name,days_to_birthday --as-of 2024-12-25"
out 'first and last purchase, and events after the as-of day do not exist' 'first_purchase,last_purchase
2024-01-05,2024-05-31
,' 'crm-export -f first_purchase,last_purchase 1 2'
out 'ids as arguments, in their order' '3
1' 'crm-export -o ids 3 1'
err 'an unknown id is reported, the others written' "crm-export: unknown customer 'nobody'" 'crm-export 1 nobody > /dev/null'
fails 1 '... with exit status 1' 'crm-export 1 nobody'
out 'the customers named on stdin, by id' '张三
李四' "printf 'id\n1\n2\n' | crm-export -f name | sed 1d"
out '... or by customer_id' '李四' "printf 'customer_id,type\n2,x\n' | crm-export -f name | sed 1d"
out '... or as a bare list of ids' '王,五' "printf '3\n' | crm-export -f name -o tsv | sed 1d"
err 'an empty stream selects nobody, with a note' 'crm-export: no customers on stdin: nothing to do (use --all for everyone)' \
	"printf '' | crm-export"
err 'a stream without ids says what it read' "crm-export: stdin:1: records need an id or customer_id column; the names read were:
crm-export: stdin:1:   '1'
crm-export: stdin:1:   '上海'
crm-export: stdin:1: (the first line is the header: was it cut off, by grep perhaps?)" \
	"crm-export --all -f id,city | grep ',上海$' | crm-export > /dev/null"
out 'pipelines go on: select with one export, write with another' '张三,13800138000' \
	"crm-export --all -f id,city | awk -F, 'NR == 1 || \$2 == \"上海\"' | crm-export -f name,phone | sed 1d"
err 'an unknown field is a usage error that lists the fields' "crm-export: unknown field 'nmae'
crm-export: fields: id,name,phone,email,wechat_id,gender,birthday,city,province,source,owner,created_at,updated_at,level,age,days_to_birthday,stage,first_purchase,last_purchase,tags,notes,last_note,next_follow_up,score,grade,rfm,rfm_segment" \
	'crm-export --all -f id,nmae'
fails 2 '... exit status 2' 'crm-export --all -f nmae'
fails 2 'a field twice is a usage error' 'crm-export --all -f id,id'
out '--list-fields lists them' 'id
name
phone
email
wechat_id
gender
birthday
city
province
source
owner
created_at
updated_at
level
age
days_to_birthday
stage
first_purchase
last_purchase
tags
notes
last_note
next_follow_up
score
grade
rfm
rfm_segment' 'crm-export --list-fields'
golden 'events of everyone, as of the day' export-events.csv 'crm-export --all -k events'
out 'events of one customer' '1,purchase,100.00
1,purchase,50.00' 'crm-export -k events -f customer_id,type,amount 1 | sed 1d'
out 'events as json: amounts are numbers, with the digits of csv' '{"customer_id":"1","amount":100.00}' \
	'crm-export -k events -o ndjson -f customer_id,amount 1 | head -1'
fails 2 '--all and ids together are a usage error' 'crm-export --all 1'
fails 2 '--dump takes no -f' 'crm-export --dump -f id'
done_testing
