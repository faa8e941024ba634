#!/bin/sh
# crm-segment: select, save and compose, group and count, diff, audit, settings.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null

out 'selects with -w, writing the chosen fields' 'id,name,city
C1,张三,上海
C2,李四,北京' "crm-segment -w \"city in ('上海', '北京')\" -f id,name,city"
out 'filters ids given as arguments' 'C2' "crm-segment -o ids -w \"gender = '女'\" C1 C2"
out 'filters a stream of ids by -w? no: -w chooses by itself' 'C3
C4
C5' "printf 'id\nC1\n' | crm-segment -o ids -w \"province in ('广东', '浙江')\""
out 'a stream alone is the selection' 'C4' "printf 'id\nC4\n' | crm-segment -o ids"
err 'an empty stream selects nobody, with a note' 'crm-segment: no customers on stdin: nothing to do (use --all for everyone)' \
	"printf '' | crm-segment -o ids"

ok 'saves a segment' "crm-segment --save 高价值 -w 'sum(purchase, 365d) > 500' --desc 'big spenders'"
ok '... and another' "crm-segment --save 已流失 -w \"stage = 'churned'\""
ok '... and one made of both' "crm-segment --save 重点 -w \"segment('高价值') and not segment('已流失')\""
out '-s selects its customers' 'C1' 'crm-segment -s 重点 -o ids'
out 'segments compose: union' 'C1
C2' "crm-segment -o ids -w \"segment('高价值') or segment('已流失')\""
out 'intersection' 'C2' "crm-segment -o ids -w \"segment('高价值') and segment('已流失')\""
out '-s and -w together: both' 'none' "crm-segment -s 高价值 -w \"city = '深圳'\" -o ids; echo none"
out 'crm-export takes -s and -w too' 'C1,13800000001' "crm-export -s 重点 -f id,phone | sed 1d"
out '--list shows them with their counts now' 'name,description,expr,customers,snapshot_at
已流失,,stage = '"'churned'"',1,
重点,,segment('"'高价值'"') and not segment('"'已流失'"'),1,
高价值,big spenders,"sum(purchase, 365d) > 500",2,' 'crm-segment --list'
ok 'saving again replaces the expression, keeps the description' \
	"crm-segment --save 高价值 -w 'sum(purchase, 365d) > 100' && crm-segment --list | grep -q '^高价值,big spenders,\"sum(purchase, 365d) > 100\"'"
err 'a segment cannot use itself' "crm-segment: 自己:1:1: segment '自己' refers to itself
  segment('自己')
  ^" "crm-segment --save 自己 -w \"segment('自己')\""
err 'a bad expression is not saved' "crm-segment: expression:1:6: expected a value after '>'" \
	"crm-segment --save bad -w 'age >' 2>&1 | sed -n 1p >&2; crm-segment --list | grep -q '^bad,' && echo saved >&2"
err 'deleting a segment in use is refused' "crm-segment: segment '高价值' is used by '重点': delete or change those first" \
	'crm-segment --delete 高价值'
ok 'deleting one nobody uses' 'crm-segment -q --delete 重点 && ! crm-segment --list | grep -q ^重点'
err 'an unknown segment' "crm-segment: no saved segment 'nope' (crm-segment --list)" 'crm-segment -s nope'
fails 2 '--save needs -w' 'crm-segment --save x'
fails 2 'two jobs at once is a usage error' 'crm-segment --list --quality'

out '--by counts and shares, largest first' 'province,count,share
广东,2,40.0
上海,1,20.0
北京,1,20.0
浙江,1,20.0' 'crm-segment --all --by province'
out '--by two fields: ties in order of value' 'province,gender,count,share
上海,男,1,20.0
北京,女,1,20.0' "crm-segment --all --by province,gender | head -3"
out '--by stage' 'stage,count,share
active,1,20.0
churned,1,20.0
dormant,1,20.0
new,1,20.0
potential,1,20.0' 'crm-segment --all --by stage'
out '--by over a selection' 'gender,count,share
女,2,100.0' "crm-segment -w \"gender = '女'\" --by gender"
out '--by over ids on stdin' 'city,count,share
上海,1,50.0
杭州,1,50.0' "printf 'C1\nC4\n' | crm-segment --by city"
out '--by a number with --edges: bands in rising order, missing last' 'age,count,share
<18,1,20.0
18-40,2,40.0
>=40,1,20.0
,1,20.0' 'crm-segment --all --by age --edges 18,40'
out '--bins: round bands' 'age,count,share
<20,1,20.0
20-40,2,40.0
>=40,1,20.0
,1,20.0' 'crm-segment --all --by age --bins 3'
out '--by a custom attribute' 'level,count,share
gold,2,40.0
,2,40.0
silver,1,20.0' 'crm-segment --all --by level'
USER=t crm-tag -q --as-of 2024-01-01 -a VIP -a 老客 C1 C2
out '--by tag: a customer in each of its tags, largest first' 'tag,count,share
,3,60.0
VIP,2,40.0
老客,2,40.0' 'crm-segment --all --by tag'
golden '-o chart draws bars, CJK labels aligned' segment-chart.txt 'crm-segment --all --by province -o chart'
fails 2 '-o chart is for --by' 'crm-segment --all -o chart'
fails 2 '--bins with two fields' 'crm-segment --all --by age,city --bins 3'
err '--by an unknown field' "crm-segment: unknown field 'nope'" 'crm-segment --all --by nope'

crm-segment --save 深圳 -w "city = '深圳'" 2>/dev/null
out '--diff: the first run reports everyone entering' 'change,id,name,phone,city
+,C5,钱七,,深圳' 'crm-segment --diff 深圳'
out '... the next, nobody' 'change,id,name,phone,city' 'crm-segment --diff 深圳'
printf 'id,city\nC5,广州\nC4,深圳\n' | crm-add -q > /dev/null
out '... then who entered and who left' 'change,id,name,phone,city
+,C4,赵六,13500000004,深圳
-,C5,钱七,,广州' 'crm-segment --diff 深圳'
out '... and the snapshot moved on' 'C4' 'dumped segment_member segment=深圳 id'
printf 'id,city\nC5,深圳\n' | crm-add -q > /dev/null
fails 3 'a --diff that cannot write its output fails' 'crm-segment --diff 深圳 > /dev/full'
out '... and leaves the snapshot where it was' '+,C5,钱七,,深圳' 'crm-segment --diff 深圳 | sed 1d'
out '--diff of a segment whose members are found again later' 'change,id' 'crm-segment --diff 深圳 -f id'

printf 'id,name,phone,email\nD1,甲,13800000001,\nD2,乙,13800000001,dup@example.com\nD3,丙,,dup@example.com\n' | crm-add -q > /dev/null
# values no command stores, as another program could leave them
q "UPDATE customers SET phone = '12345', gender = 'x' WHERE id = 'C5'" 2>/dev/null ||
	q "UPDATE customers SET phone = '12345' WHERE id = 'C5'"
golden '--quality reports per field, as a table' segment-quality.txt 'crm-segment --all --quality -o table'
out '--quality in csv is the same report' 'field,filled,missing,missing_pct,invalid,duplicates,duplicate_pct
name,8,0,0.0,,,
phone,7,1,12.5,1,2,25.0
email,4,4,50.0,0,1,12.5' 'crm-segment --all --quality -o csv | head -4'
out '--duplicates lists the customers who share a value, a group after another' 'group,id,phone
1,C1,13800000001
1,D1,13800000001
1,D2,13800000001' 'crm-segment --all --duplicates phone'
out '... of any key' 'group,id,email
1,D2,dup@example.com
1,D3,dup@example.com' 'crm-segment --all --duplicates email'
err '--max-missing fails when more are missing, saying which' \
	'crm-segment: email is missing for 50.0% of customers (at most 40%)' \
	'crm-segment --all --quality --max-missing email=40% > /dev/null'
fails 1 '... exit status 1' 'crm-segment --all --quality --max-missing email=40% > /dev/null'
ok '... and passes at the limit' 'crm-segment --all --quality --max-missing email=50% --max-missing name=0% > /dev/null'
err '--max-duplicates' 'crm-segment: 25.0% of customers repeat another'"'"'s phone (at most 10%)
crm-segment: 12.5% of customers repeat another'"'"'s email (at most 10%)' \
	'crm-segment --all --quality --max-duplicates 10% > /dev/null'
out '--quality over a selection' 'name,1,0,0.0,,,' \
	"crm-segment --quality -w \"city = '上海'\" -o csv | sed -n 2p"
out '--duplicates over a selection' 'group,id,phone' \
	"crm-segment --duplicates phone -w \"city = '上海'\""
fails 2 '--max-missing of an unknown field' 'crm-segment --all --quality --max-missing nope=5%'

out '--config shows the settings' 'key,value,default,about
stage.new,30d,30d,first purchase fewer than this ago: stage new
stage.active,90d,90d,last purchase fewer than this ago: stage active
stage.dormant,180d,180d,last purchase at most this ago: dormant; longer: churned
rfm.window,365d,365d,"purchases RFM looks at: a window, or all"
score.model,,,the model that the fields score and grade read
tags.max,20,20,a customer carries at most this many tags
db.max_size,,,"the database file grows no bigger (500M, 2G; empty: no limit)"' 'crm-segment --config'
ok '--config KEY=VALUE changes one' 'crm-segment -q --config stage.dormant=100d'
out '... which the stages follow: 120 days is churned now' 'C2
C4' "crm-segment -o ids -w \"stage = 'churned'\""
err '... checked' "crm-segment: stage.dormant: '9x' is not a number of days (30d, 12w, 6m, 1y)" 'crm-segment --config stage.dormant=9x'
err '... and kept in order' 'crm-segment: stage.active (120d) must not be longer than stage.dormant (100d)' \
	'crm-segment --config stage.active=120d'
err 'an unknown setting' "crm-segment: unknown setting 'nope'" 'crm-segment --config nope=1'
out '--explain shows the SQL and its parameters' 'what,value
sql,(c.city = ?1)
?1,上海' "crm-segment --explain -w \"city = '上海'\""
done_testing
