#!/bin/sh
# Output that a script can trust: a usage error writes nothing; tags, numbers
# and empty results are the same in every format; the audit in every format;
# a restore says what it restored.
. "$(dirname "$0")/../lib.sh"

printf 'id,name,phone,email,city,tags\nC1,张三,13800138000,a@example.com,上海,VIP\nC2,李四,13800138000,,北京,\nC3,王五,13900139000,a@example.com,上海,\n' |
	crm-add -q > /dev/null
printf 'customer_id,type,ts,amount\nC1,purchase,2024-05-01,20\nC1,purchase,2024-05-02,19.99\nC2,purchase,2024-05-03,20.50\n' |
	crm-add -q -k events > /dev/null
printf '{"id":"C3","visits":20,"ratio":19.99,"big":20.0}\n' | crm-add -q > /dev/null
printf 'grade A 30\ngrade B 0\nrule 20 count(purchase) >= 1\nrule 12.5 tag('"'"'VIP'"'"')\n' > m.model
crm-score -q --define m m.model
crm-segment -q --save 上海 -w "city = '上海'"
crm-note -q C1 first note

# ---- a usage error writes nothing to stdout ----
# Each: exit status 2, and nothing on stdout (not a header, not "[]").
while IFS='|' read -r what cmd; do
	out "usage error, nothing on stdout: $what" 'exit 2' "$cmd > o 2> /dev/null; echo exit \$?; cat o"
done <<'EOF'
crm-export --mask of a field not written|crm-export --all --mask nosuch
crm-export --mask, as json|crm-export --all --mask nosuch -o json
crm-export --mask, as a table|crm-export --all --mask nosuch -o table
crm-export --mask, as tsv|crm-export --all --mask nosuch -o tsv
crm-export --campaign with a bad --cap|crm-export --all --campaign c --cap soon
crm-export --campaign with a bad --cap, from a stream|printf 'id\nC1\n' | crm-export --campaign c --cap 0/0d
crm-export -f of an unknown field|crm-export --all -f nosuch
crm-export an unknown option|crm-export --all --bogus
crm-segment --max-missing of an unknown field|crm-segment --all --quality --max-missing nosuch=5%
crm-segment --max-missing, second of two|crm-segment --all --quality --max-missing phone=5% --max-missing nosuch=1% -o json
crm-segment --config of an unknown key|crm-segment --config nosuch
crm-segment --duplicates of a field that is no key|crm-segment --all --duplicates city
crm-segment --duplicates with --quality|crm-segment --all --duplicates phone --quality
crm-segment --by of an unknown field|crm-segment --all --by nosuch
crm-segment -f of an unknown field|crm-segment --all -f nosuch
crm-score --changes --since that is no date|crm-score --changes --since soon
crm-score --changes --matrix --since that is no date|crm-score --changes --matrix --since soon
crm-score two jobs|crm-score --models --changes
crm-tag --expires that is no date|crm-tag -a x --expires soon C1
crm-tag --expires from a stream|printf 'id\nC1\n' | crm-tag -a x --expires soon
crm-tag two jobs|crm-tag --list --audit
crm-note -l --since that is no date|crm-note -l --all --since soon
crm-note --history of no note id|crm-note --history abc
crm-note two jobs|crm-note -l --due
crm-rm --all without --force|crm-rm --all
crm-rm --merge-into without duplicates|crm-rm --merge-into C1
crm-add --set given twice|crm-add --set id=9 --set id=8
crm-export --all and ids, a selection that is wrong|crm-export --all C1
crm-segment --by, --all and ids|crm-segment --by city --all C1
crm-score --all and ids|crm-score -m m --all C1
crm-tag --all and -w|crm-tag -a x --all -w "city = '上海'"
crm-note --all and ids|crm-note -l --all C1
crm-rm --all --force and ids|crm-rm --all --force C1
crm-add --match for events|printf 'customer_id,type,ts\nC1,visit,2024-05-01\n' | crm-add -k events --match phone
EOF

# ---- tags: [] for none ----
out 'crm-export -o json: no tags is []' '[
{"id":"C1","tags":["VIP"]},
{"id":"C2","tags":[]}
]' 'crm-export -f id,tags C1 C2 -o json'
out 'crm-export -o ndjson: no tags is []' '{"id":"C2","tags":[]}' 'crm-export -f id,tags C2 -o ndjson'
out 'crm-segment: the same' '{"id":"C3","tags":[]}' "crm-segment -w \"id = 'C3'\" -f id,tags -o ndjson"
out 'crm-segment --diff: the same' '{"change":"+","id":"C3","tags":[]}' \
	"crm-segment --diff 上海 -f id,tags -o ndjson | grep C3"
out 'crm-export --campaign: the same' '{"id":"C2","tags":[]}' \
	'crm-export --campaign c --dry-run -f id,tags C2 -o ndjson'
out 'crm-tag, the stream again once the last tag is gone' '{"id":"C1","tags":[]}' \
	"printf 'id\nC1\n' | crm-tag -q -r VIP -o ndjson && crm-tag -q -a VIP C1"
out 'crm-add, the records stored, with a tags column left empty' '{"id":"C2","name":"李四","tags":[]}
{"id":"C1","name":"张三","tags":["VIP"]}' \
	"printf 'id,name,tags\nC2,李四,\nC1,张三,\n' | crm-add -q -o ndjson"
out '... and without a tags column, none' '{"id":"C2","name":"李四"}' \
	"printf 'id,name\nC2,李四\n' | crm-add -q -o ndjson"
out 'in csv no tags is an empty cell, as before' 'id,tags
C1,VIP
C2,' 'crm-export -f id,tags C1 C2'
out 'crm-tag --audit: no flags is [] too' '"flags":[]' 'crm-tag --audit -o json | grep -o "\"flags\":\[\]" | head -1'

# ---- numbers: the same digits in every format ----
crm-score -q -m m --all > /dev/null
out 'scores: 20 in csv' 'C2,20' 'crm-export -f id,score C2 | sed 1d'
out '... and 20 in json, not 20.0' '{"id":"C2","score":20}' 'crm-export -f id,score C2 -o ndjson'
out '... 32.5 both ways' 'C1,32.5
{"id":"C1","score":32.5}' 'crm-export -f id,score C1 | sed 1d; crm-export -f id,score C1 -o ndjson'
out 'crm-score writes them so too' '{"id":"C2","score":20,"grade":"B","previous_grade":"B"}' \
	'crm-score -m m C2 -o ndjson 2> /dev/null'
out 'amounts: csv' '20.00
19.99
20.50' 'crm-export -k events --all -f amount | sed 1d'
out '... json, the same digits' '{"amount":20.00}
{"amount":19.99}
{"amount":20.50}' 'crm-export -k events --all -f amount -o ndjson'
out '... and a table' '20.00
19.99
20.50' 'crm-export -k events --all -f amount -o table | sed 1d | tr -d " "'
out '... which read back as they were' '20.50' \
	'crm-export -k events C2 -o json | crm-add -q -d rt.db -k events --create-missing > /dev/null && crm-export -d rt.db -k events --all -f amount | sed 1d'
out 'custom numbers: csv' 'C3,20,19.99,20.0' 'crm-export -f id,visits,ratio,big C3 | sed 1d'
out '... json' '{"id":"C3","visits":20,"ratio":19.99,"big":20.0}' 'crm-export -f id,visits,ratio,big C3 -o ndjson'
out 'counts and shares of --by' '{"city":"上海","count":2,"share":66.7}' \
	'crm-segment --all --by city -o ndjson | head -1'
out '--explain: points of a rule, 12.5 in json as in csv' '12.5
{"rule":"tag('"'"'VIP'"'"')","label":null,"points":12.5,"matched":"yes"}' \
	"crm-score -m m --explain C1 | sed -n 3p | cut -d, -f3; crm-score -m m --explain C1 -o ndjson | sed -n 2p"
out '--explain of rfm: its values are numbers' '{"part":"recency","value":30,"score":5,"cut_points":"30.2;30.4;30.6;30.8"}
{"part":"monetary","value":39.99,"score":5,"cut_points":"25.398;29.296;33.194;37.092"}' \
	'crm-score -m rfm --explain C1 -o ndjson | grep -e recency -e monetary'
out '... as in csv' 'recency,30,5,30.2;30.4;30.6;30.8' 'crm-score -m rfm --explain C1 | sed -n 2p'

# ---- --quality in every format; --duplicates ----
out '--quality as csv' 'field,filled,missing,missing_pct,invalid,duplicates,duplicate_pct
name,3,0,0.0,,,
phone,3,0,0.0,0,1,33.3
email,2,1,33.3,0,1,33.3
wechat_id,0,3,100.0,,0,0.0' 'crm-segment --all --quality | head -5'
out '... tsv' 'phone	3	0	0.0	0	1	33.3' 'crm-segment --all --quality -o tsv | sed -n 3p'
out '... ndjson, a record a field' '{"field":"phone","filled":3,"missing":0,"missing_pct":0.0,"invalid":0,"duplicates":1,"duplicate_pct":33.3}' \
	'crm-segment --all --quality -o ndjson | sed -n 2p'
out '... json: one object, a member a field' '{
"name":{"filled":3,"missing":0,"missing_pct":0.0,"invalid":null,"duplicates":null,"duplicate_pct":null},
"phone":{"filled":3,"missing":0,"missing_pct":0.0,"invalid":0,"duplicates":1,"duplicate_pct":33.3},' \
	'crm-segment --all --quality -o json | head -3'
out '... which a JSON parser reads as one object' '33.3 13' \
	"crm-segment --all --quality -o json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d[\"email\"][\"missing_pct\"], len(d))'"
out '... a table' 'phone           3        0          0.0        0           1           33.3' \
	'crm-segment --all --quality -o table | sed -n 3p'
out '... of nobody, in json: the same object, of zeros' '"phone":{"filled":0,"missing":0,"missing_pct":0.0,"invalid":0,"duplicates":0,"duplicate_pct":0.0},' \
	"crm-segment --quality -w \"city = '广州'\" -o json | grep '^.phone'"
out '... the gate still judges it' 'exit 1' \
	'crm-segment --all --quality --max-missing email=10% -o json > /dev/null 2>&1; echo exit $?'
out '--duplicates phone: a record a customer, by group' 'group,id,phone
1,C1,13800138000
1,C2,13800138000' 'crm-segment --all --duplicates phone'
out '--duplicates email' 'group,id,email
1,C1,a@example.com
1,C3,a@example.com' 'crm-segment --all --duplicates email'
printf 'id,openid\nC1,oX1\nC2,oX2\nC3,oX1\n' | crm-add -q > /dev/null
out '--duplicates openid: a WeChat id kept as an attribute' 'group,id,openid
1,C1,oX1
1,C3,oX1' 'crm-segment --all --duplicates openid'
out '--duplicates in json' '[
{"group":1,"id":"C1","phone":"13800138000"},
{"group":1,"id":"C2","phone":"13800138000"}
]' 'crm-segment --all --duplicates phone -o json'
out '... of a selection' 'group,id,email
1,C1,a@example.com
1,C3,a@example.com' "crm-segment --duplicates email -s 上海"
out '... of nobody, its header' 'group,id,phone' "crm-segment --duplicates phone -w \"city = '上海'\""
out '... its ids pipe on' 'id,name
C1,张三
C2,李四' 'crm-segment --all --duplicates phone -o ids | crm-export -f id,name'
err '--duplicates of another field says which there are' \
	"crm-segment: --duplicates city: give phone, email, wechat_id, openid or unionid
Try 'crm-segment --help'." 'crm-segment --all --duplicates city'

# ---- an empty result has its header ----
crm-tag -q --rule 有钱 --tag 有钱 -w 'sum(purchase) > 1000'
for f in csv tsv; do
	sep=,; [ $f = tsv ] && sep='	'
	while IFS='|' read -r what header cmd; do
		out "$what, nobody: its header ($f)" "$(printf '%s' "$header" | tr , "$sep")" "$cmd -o $f"
	done <<'EOF'
crm-score --changes|customer_id,model,as_of,from_grade,to_grade|crm-score --changes --since 2030-01-01
crm-tag --apply|customer_id,tag,change,rule|crm-tag --apply --dry-run
crm-note --due|note_id,customer_id,name,phone,follow_up,days_overdue,category,author,body|crm-note --due --all
crm-note -l|note_id,customer_id,name,category,author,created_at,follow_up,done_at,body|crm-note -l --all --since 2030-01-01
crm-note --deleted|note_id,customer_id,category,author,created_at,deleted_by,deleted_at,body|crm-note --deleted
crm-export|id,name|crm-export -f id,name -w "city = '广州'"
crm-export -k events|customer_id,amount|crm-export -k events -f customer_id,amount C3
crm-export -k audit|id,at,user,command_line,changes,erased|crm-export -k audit --since 2030-01-01
crm-segment --by|city,count,share|crm-segment --by city -w "city = '广州'"
crm-segment --duplicates|group,id,wechat_id|crm-segment --all --duplicates wechat_id
crm-segment --list|name,description,expr,customers,snapshot_at|crm-segment -d empty.db --list
crm-tag --list|tag,category,group,description,customers|crm-tag -d empty.db --list
crm-tag --rules|rule,tag,expr,tagged|crm-tag -d empty.db --rules
crm-rm --dry-run|customer_id,events,tags,notes,scores,grade_changes,segments|crm-rm --dry-run -w "city = '广州'"
crm-tag, a stream of none|id,name,tags|printf 'id,name\n' | crm-tag -q -a x
crm-score, a stream of none|id,score,grade,previous_grade|printf 'id\n' | crm-score -q -m m
crm-note, a stream of none|id,note_id|printf 'id\n' | crm-note -q hello
EOF
done
out 'crm-score --changes of nobody in json: []' '[]' 'crm-score --changes --since 2030-01-01 -o json'
out '... in ndjson: nothing' '' 'crm-score --changes --since 2030-01-01 -o ndjson'
out '... as a table: the header line' 'customer_id  model  as_of  from_grade  to_grade' \
	'crm-score --changes --since 2030-01-01 -o table'
out 'crm-tag, a stream of none in json: []' '[]' "printf 'id\n' | crm-tag -q -a x -o json"
out '... and nothing was tagged' '0' "q \"SELECT count(*) FROM customer_tags ct JOIN tags t USING (tid) WHERE t.name = 'x'\""

# ---- a restore names every table it restored ----
crm-note -q --add-category 售后
crm-export --dump > dump.ndjson
kind_of() { sed -n 's/^{"kind":"\([a-z_]*\)".*/\1/p' dump.ndjson; } # the dump's first key
kinds=$(kind_of | grep -v -e '^customer$' -e '^event$' | sort -u)
restored=$(crm-add -d restored.db dump.ndjson 2>&1 > /dev/null | sed -n 's/^crm-add: restored: //p')
for k in custom_field setting segment segment_member tag tag_rule tagging model score grade_change \
	note_category note note_revision note_deletion audit; do
	want=$(kind_of | grep -c "^$k\$")
	out "the restore's summary names $k, with its records" "$(echo "$k" | tr _ ' ') $want" \
		"echo '$restored' | tr , '\n' | sed 's/^ //' | grep '^$(echo "$k" | tr _ ' ') [0-9]'"
done
out '... every kind the dump has is among them' '' \
	"for k in $(echo $kinds); do echo '$restored' | grep -q \"\$(echo \$k | tr _ ' ') [1-9]\" || echo \$k; done"
out '... and a dry run says what it would restore' 'to restore: custom field' \
	'crm-add -d dry.db --dry-run dump.ndjson 2>&1 >/dev/null | sed -n "s/^crm-add: //p" | grep -o "^to restore: custom field"'
done_testing
