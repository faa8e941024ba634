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
crm-export: fields: id,name,phone,email,wechat_id,gender,birthday,city,province,source,owner,created_at,updated_at,level,age,stage,first_purchase,last_purchase,tags,notes,last_note,next_follow_up,score,grade,rfm,rfm_segment" \
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
