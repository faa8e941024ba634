#!/bin/sh
# Options mean one thing (crm(7), Options mean one thing): a value given
# twice is a usage error but for the lists, -w repeats with and, values are
# checked, and an event type never seen gets a note.
. "$(dirname "$0")/../lib.sh"

printf 'id,name,city,email,level,spend\nC1,张三,上海,a@example.com,gold,120\nC2,李四,北京,,silver,80.5\nC3,王五,上海,,gold,\n' |
	crm-add -q > /dev/null
printf 'customer_id,type,ts,amount\nC1,purchase,2024-05-20,100\nC2,visit,2024-05-21,\n' | crm-add -q -k events > /dev/null

usage() { # usage COMMAND MESSAGE: the message and Try line on stderr
	printf "%s: %s\nTry '%s --help'." "$1" "$2" "$1"
}

# ---- a single-valued option given twice ----
err 'crm-export -f twice is a usage error naming it' "$(usage crm-export '--fields is given twice: it takes one value')" \
	'crm-export --all -f id -f name'
fails 2 '... exit status 2' 'crm-export --all -f id -f name'
out '... and writes nothing' '' 'crm-export --all -f id -f name'
err '... whichever way it is spelled' "$(usage crm-export '--fields is given twice: it takes one value')" \
	'crm-export --all -f id --fields=name'
err '... even with the same value' "$(usage crm-export '--fields is given twice: it takes one value')" \
	'crm-export --all -f id -f id'
err 'a common option twice: -d' "$(usage crm-segment '--db is given twice: it takes one value')" \
	'crm-segment -d a.db -d b.db --all'
out '... and neither database is made' 'none' 'ls a.db b.db 2>/dev/null; echo none'
err '-o twice' "$(usage crm-tag '--output is given twice: it takes one value')" 'crm-tag --list -o csv -o json'
err '--as-of twice' "$(usage crm-score '--as-of is given twice: it takes one value')" \
	'crm-score --models --as-of 2024-01-01 --as-of 2024-02-01'
err 'crm-add -k twice' "$(usage crm-add '--kind is given twice: it takes one value')" 'crm-add -k events -k customers x.csv'
err 'crm-segment -s twice' "$(usage crm-segment '--segment is given twice: it takes one value')" 'crm-segment -s a -s b'
err 'crm-tag --expires twice' "$(usage crm-tag '--expires is given twice: it takes one value')" \
	'crm-tag -a x --expires 30d --expires 60d C1'
out '... and tags nobody' '0' "q 'SELECT count(*) FROM customer_tags'"
err 'crm-note -c twice' "$(usage crm-note '--category is given twice: it takes one value')" 'crm-note -c 投诉 -c 回访 C1 hello'
out '... and adds no note' '0' "q 'SELECT count(*) FROM notes'"
err 'crm-rm --merge-into twice' "$(usage crm-rm '--merge-into is given twice: it takes one value')" \
	'crm-rm --merge-into C1 --merge-into C2 C7'
out '... and merges nothing' '3' "q 'SELECT count(*) FROM customers'"
err 'crm-score -m twice' "$(usage crm-score '--model is given twice: it takes one value')" 'crm-score -m a -m b --all'
err 'an input option twice' "$(usage crm-add '--encoding is given twice: it takes one value')" \
	'crm-add --encoding gbk --encoding utf-8 x.csv'

# ---- what may be given again ----
ok 'a flag given twice means it once' 'crm-export --all --all -q -q -o ids > /dev/null'
out 'crm-tag -a and -r are lists' 'C1|a
C1|b' "crm-tag -q -a a -a b C1 > /dev/null && q \"SELECT c.id || '|' || t.name FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid) ORDER BY 1\""
ok '... and so is -r' 'crm-tag -q -r a -r b C1'
out 'crm-add --set is a list' 'C9|周八' \
	"crm-add -q --set id=C9 --set name=周八 > /dev/null && q \"SELECT id || '|' || name FROM customers WHERE id = 'C9'\""
out '--map is a list' 'C8|吴九|杭州' \
	"printf 'no,nm,place\nC8,吴九,杭州\n' | crm-add -q --map no=id --map nm=name --map place=city > /dev/null && q \"SELECT id || '|' || name || '|' || city FROM customers WHERE id = 'C8'\""
ok '--max-missing is a list, a field each' 'crm-segment --all --quality --max-missing email=100% --max-missing name=0% > /dev/null'

# ---- -w again: and ----
out '-w twice: the customers both match' 'C3' "crm-segment -o ids -w \"city = '上海'\" -w \"level = 'gold'\" -w 'spend is null'"
out '... the same as one expression with and' 'C3' "crm-segment -o ids -w \"city = '上海' and level = 'gold' and spend is null\""
out '... in crm-export too' 'C1' "crm-export -o ids -w \"email is not null\" -w \"city = '上海' or city = '北京'\""
out '... with -s as well: all of them' 'C1' \
	"crm-segment -q --save 上海 -w \"city = '上海'\" && crm-export -o ids -s 上海 -w 'spend > 100' -w \"level = 'gold' or level = 'silver'\""
out 'an or inside one -w stays inside it' 'C1' \
	"crm-segment -o ids -w 'spend > 100' -w \"city = '北京' or city = '上海'\""
out 'a comment in a -w ends with its line, not with the and' 'C1' \
	"crm-segment -o ids -w 'spend > 100 # 大客户' -w \"city = '北京' or city = '上海'\""
err 'an error in the second -w points into it' "crm-segment: expression:1:8: expected a value after '='
  city = 
         ^" "crm-segment -o ids -w 'spend > 1' -w 'city = '"
fails 1 '... exit status 1' "crm-segment -o ids -w 'spend > 1' -w 'city = '"
ok '--save stores the and of its -w' "crm-segment -q --save 两个 -w \"city = '上海'\" -w 'spend > 100'"
out '... as one expression' "(city = '上海') and (spend > 100)" "q \"SELECT expr FROM segments WHERE name = '两个'\""
out '... which selects the same' 'C1' 'crm-segment -o ids -s 两个'
ok 'a tag rule takes the and of its -w' "crm-tag -q --rule 沪金 --tag 沪金 -w \"city = '上海'\" -w \"level = 'gold'\""
out '... and tags those' 'C1
C3' 'crm-tag -q --apply > /dev/null && crm-export -o ids -w "tag(沪金)"'

# ---- numbers and percentages ----
for bad in email=abc email=-5% email=150% email= =5% email email=5%% email=inf 'email= 5' email=0x10 email=1e1 email=. email=5.5.5; do
	err "--max-missing '$bad' is a usage error" \
		"$(usage crm-segment "--max-missing '$bad': give FIELD=N%, N a percentage from 0 to 100")" \
		"crm-segment --all --quality --max-missing '$bad'"
	fails 2 '... exit status 2' "crm-segment --all --quality --max-missing '$bad'"
	out '... with nothing on stdout' '' "crm-segment --all --quality --max-missing '$bad'"
done
for bad in abc -1 101% '' 5%% nan +5 100.01; do
	err "--max-duplicates '$bad' is a usage error" \
		"$(usage crm-segment "--max-duplicates '$bad': give N%, a percentage from 0 to 100")" \
		"crm-segment --all --quality --max-duplicates '$bad'"
	fails 2 '... exit status 2' "crm-segment --all --quality --max-duplicates '$bad'"
done
ok 'percentages from 0 to 100, with or without %, and with decimals' \
	'crm-segment --all --quality --max-missing email=100 --max-missing name=0% --max-missing city=20.0 --max-duplicates 12.5% > /dev/null'
err 'a field given twice to --max-missing' "$(usage crm-segment '--max-missing email is given twice')" \
	'crm-segment --all --quality --max-missing email=5% --max-missing email=10%'
err '--as-of with no date' "$(usage crm-export '--as-of needs a date (YYYY-MM-DD), or a date and a time')" \
	"crm-export --all --as-of ''"
fails 2 '... exit status 2' "crm-export --all --as-of ''"
err '... in every command' "$(usage crm-add '--as-of needs a date (YYYY-MM-DD), or a date and a time')" \
	"crm-add --as-of= x.csv"

# ---- --bins and --edges cut numbers ----
for field in city level stage birthday; do
	err "--bins on $field, text, is a usage error" \
		"crm-segment: --bins and --edges cut numbers into bands: $field is text (--by $field alone counts its values)" \
		"crm-segment --all --by $field --bins 3"
	fails 2 '... exit status 2' "crm-segment --all --by $field --bins 3"
	out '... with nothing on stdout' '' "crm-segment --all --by $field --bins 3"
	err "--edges on $field too" \
		"crm-segment: --bins and --edges cut numbers into bands: $field is text (--by $field alone counts its values)" \
		"crm-segment --all --by $field --edges 1,2"
done
out '--edges on an attribute of numbers' 'spend,count,share
<100,1,20.0
>=100,1,20.0
,3,60.0' 'crm-segment --all --by spend --edges 100'
out '--bins on a computed number' 'notes,count,share
>=0,5,100.0' 'crm-segment --all --by notes --bins 2'
for bad in nan inf 1, ,1 1,,2 ' 5' 0x10 5,3; do
	err "--edges '$bad' is a usage error" "crm-segment: --edges '$bad': numbers in rising order$([ "$bad" = 5,3 ] || echo ', such as 18,25,35')" \
		"crm-segment --all --by spend --edges '$bad'"
done
for bad in 0 51 3.5 abc ''; do
	err "--bins '$bad' is a usage error" "$(usage crm-segment "bad argument '$bad' for --bins")" "crm-segment --all --by spend --bins '$bad'"
done
err "--edges '' is a usage error" 'crm-segment: --edges needs numbers' "crm-segment --all --by spend --edges ''"
err 'an unknown field is said so' 'crm-segment: unknown field '"'nope'" 'crm-segment --all --by nope --bins 2'

# ---- --config KEY=VALUE ----
err 'an unknown key is refused' "crm-segment: unknown setting 'stage.old'" 'crm-segment --config stage.old=30d'
fails 2 '... exit status 2' 'crm-segment --config stage.old=30d'
err 'score.model must name a model there is' "crm-segment: score.model: no model 'nosuch' (crm-score --models lists them)" \
	'crm-segment --config score.model=nosuch'
fails 2 '... exit status 2' 'crm-segment --config score.model=nosuch'
out '... and is left as it was' '' "q \"SELECT value FROM settings WHERE key = 'score.model'\""
ok '... rfm is always there' 'crm-segment -q --config score.model=rfm'
printf "grade A 10\ngrade B 0\nrule 10 city = '上海'\n" > m1.model
crm-score -q --define m1 m1.model > /dev/null
ok '... and a model once defined' 'crm-segment -q --config score.model=m1'
ok '... and empty: no default' 'crm-segment -q --config score.model='
err 'a value that does not fit its key' "crm-segment: tags.max: '0' is not a number from 1 to 10000" 'crm-segment --config tags.max=0'
fails 2 '... exit status 2' 'crm-segment --config tags.max=0'

# ---- an event type never seen ----
note="crm-segment: no 'purchse' events in the database; its event types: purchase, visit"
err 'an event type never seen: a note listing the types there are' "$note" \
	"crm-segment -o ids -w 'count(purchse, 30d) > 0'"
ok '... and the expression runs' "crm-segment -o ids -w 'count(purchse, 30d) > 0'"
out '... matching as if there were none' 'C1
C2
C3
C9
C8' "crm-segment -o ids -w 'count(purchse, 30d) = 0' 2>/dev/null"
err '... said once a command, however often it is named' "$note" \
	"crm-segment -o ids -w 'count(purchse, 30d) > 0 or sum(purchse) > 1' -w 'since(PURCHSE) < 9 or age is null'"
err '... each type that is not there' "$note
crm-segment: no '退款' events in the database; its event types: purchase, visit" \
	"crm-segment -o ids -w \"count(purchse) > 0 or count('退款') > 0\""
err '... in a saved segment named by -s too' "crm-export: no 'purchse' events in the database; its event types: purchase, visit" \
	"crm-segment -q --save 错 -w 'count(purchse) > 0' 2>/dev/null; crm-export -o ids -s 错"
err '... and in a tag rule' "crm-tag: no 'purchse' events in the database; its event types: purchase, visit" \
	"crm-tag --rule 错 --tag 错 -w 'count(purchse) > 0'"
err 'a type there is: no note' '' "crm-segment -o ids -w 'count(purchase, 30d) > 0 and since(visit) > 0'"
err '-q silences it' '' "crm-segment -q -o ids -w 'count(purchse, 30d) > 0'"
err 'a database with no events says so' "crm-export: no 'purchase' events in the database; it has no events yet" \
	"crm-export -d new.db -o ids -w 'count(purchase) > 0'"
done_testing
