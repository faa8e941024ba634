#!/bin/sh
# crm-profile: one customer's page, every section, in every format; a
# group's portrait against everyone or another group, compared with a
# computation of its own on generated data; bad input.
. "$(dirname "$0")/../lib.sh"

export USER=小张
at() { # at TIME COMMAND...: COMMAND as of TIME, so that the changes have an order
	t=$1
	shift
	CRM_NOW=$t "$@"
}

# ---- one customer: a page built by hand ----
# P1 has events on each edge of the windows (30d from 06-01, 90d from
# 04-02, a year from 2023-07-02) and one after the day, which does not exist.
cat > customers.csv <<'EOF'
id,name,phone,email,gender,birthday,city,province,source,owner,level,tags
P1,张三,13800138000,zs@example.com,男,1990-07-04,上海,上海,wechat,小王,gold,老客户
P2,李四,13900139000,,女,1985-01-02,北京,北京,store,小李,silver,
P3,李四,13900139001,,女,,北京,北京,store,,,
P4,赵六,13700137000,,女,,上海,上海,douyin,小王,,VIP
EOF
cat > events.csv <<'EOF'
customer_id,type,ts,amount,product,channel
P1,purchase,2024-06-30T23:59:59,100,面霜,wechat
P1,purchase,2024-06-01T00:00:00,50.50,精华,store
P1,purchase,2024-05-31T23:59:59,200,面霜,wechat
P1,purchase,2024-04-02T08:00:00,300,口红,tmall
P1,purchase,2024-04-01T20:00:00,80,面霜,store
P1,purchase,2023-07-02T10:00:00,120,香水,store
P1,purchase,2023-07-01T10:00:00,60,面霜,wechat
P1,purchase,2024-07-01T00:00:00,999,未来,wechat
P1,visit,2024-06-20T10:00:00,,,wechat
P1,visit,2024-03-01T10:00:00,,,app
P1,refund,2024-05-20T10:00:00,50,精华,store
P2,purchase,2024-06-10T10:00:00,20,口红,store
P4,purchase,2024-06-15T10:00:00,30,精华,store
P4,visit,2024-06-16T10:00:00,,,app
EOF
cat > m.model <<'EOF'
grade A 100
grade B 0
rule 100 sum(purchase, 30d) >= 150
EOF
at 2024-04-01T09:00:00 crm-add -q customers.csv > /dev/null
at 2024-04-01T09:05:00 crm-add -q -k events events.csv > /dev/null
at 2024-05-01T10:00:00 crm-tag -q -a 短期 --expires 10d P1 # lapsed on 05-11
at 2024-06-02T10:00:00 crm-tag -q -a VIP P1
at 2024-06-03T10:00:00 crm-tag -q -a 长期 --expires 2024-12-31 P1
at 2024-06-04T10:00:00 crm-tag -q --rule 大客户 --tag 高消费 -w 'sum(purchase, 365d) > 500'
at 2024-06-04T10:01:00 crm-tag -q --apply > /dev/null
at 2024-05-24T10:00:00 crm-score -q --define m m.model
for day in 2024-05-25 2024-06-29; do # B, then A
	at $day crm-score -q --all > /dev/null
	at $day crm-score -q -m rfm --all > /dev/null
done
at 2024-06-10T11:00:00 crm-note -q -c 投诉 --follow-up 2024-06-15 P1 物流太慢
at 2024-06-20T11:00:00 crm-note -q -c 回访 --follow-up 2024-07-10 P1 下月回访
at 2024-06-21T11:00:00 crm-note -q --follow-up 2024-06-25 P1 已处理
at 2024-06-22T11:00:00 crm-note -q --done 3
at 2024-06-25T11:00:00 crm-note -q --follow-up 2024-06-30 P1 今天回电
at 2024-07-02T11:00:00 crm-note -q P1 以后的事 # after the day: not there yet
at 2024-06-18T12:00:00 crm-export -q --campaign 618大促 P1 > /dev/null
at 2024-06-26T12:00:00 crm-export -q --campaign 夏季 P1 P2 > /dev/null
at 2024-06-27T12:00:00 crm-rm -q --merge-into P2 P3 > /dev/null
export CRM_NOW=2024-06-30

cat > "$WORK/bin/record" <<'EOF'
#!/bin/sh
# record SECTION [ROW]: of a page's csv on stdin, the records of SECTION
# (or its record ROW), a line each: field=value ...
awk -F, -v s="$1" -v r="${2:-}" '
$1 == s && (r == "" || $2 == r) {
	if ($2 != row && row != "") print line
	if ($2 != row) line = sep = ""
	line = line sep $3 "=" $4
	sep = " "
	row = $2
}
END { if (row != "") print line }'
EOF
chmod +x "$WORK/bin/record"

golden 'a page on a terminal: every section, in order' profile-page.txt 'crm-profile -o table P1'
out 'on a terminal, a table by default' 'CUSTOMER
id          P1' "script -qec 'crm-profile P1' /dev/null | tr -d '\\r' | head -2"
out 'piped, a page is csv: section, row, field, value' 'section,row,field,value
customer,1,id,P1
customer,1,name,张三' 'crm-profile P1 | head -3'
out 'customer: every stored field and custom attribute, null ones too' \
	'id=P1 name=张三 phone=13800138000 email=zs@example.com wechat_id= gender=男 birthday=1990-07-04 city=上海 province=上海 source=wechat owner=小王 created_at=2024-04-01T09:00:00 updated_at=2024-04-01T09:00:00 level=gold' \
	'crm-profile P1 | record customer 1'
out 'value: every computed field but tags, then last_contact' \
	'age=33 days_to_birthday=4 stage=active first_purchase=2023-07-01 last_purchase=2024-06-30 notes=4 last_note=今天回电 next_follow_up=2024-06-15 score=100 grade=A rfm=155 rfm_segment=At Risk last_contact=2024-06-26T12:00:00' \
	'crm-profile P1 | record value 1'
out 'scores: each model, rfm last with its code and segment' 'model=m score=100 grade=A as_of=2024-06-29
model=rfm score=155 grade=At Risk as_of=2024-06-29' \
	'crm-profile P1 | record scores'
out 'grade_changes: newest first, none as an empty from' 'model=m as_of=2024-06-29 from=B to=A
model=rfm as_of=2024-05-25 from= to=Potential Loyalist' \
	'crm-profile P1 | record grade_changes | sed -n "1p;4p"'
out 'tags: by hand, by a rule, by the tags column of crm-add; the lapsed one left out' \
	'tag=VIP category=custom how=hand by=小张 tagged_at=2024-06-02T10:00:00 expires_on=
tag=老客户 category=custom how=import by=小张 tagged_at=2024-04-01T09:00:00 expires_on=
tag=长期 category=custom how=hand by=小张 tagged_at=2024-06-03T10:00:00 expires_on=2024-12-31
tag=高消费 category=custom how=rule by=大客户 tagged_at=2024-06-04T10:01:00 expires_on=' \
	'crm-profile P1 | record tags'
out 'events: each window holds the day and the days before it; nothing after the day' \
	'type=purchase count_30d=2 sum_30d=150.50 count_90d=4 sum_90d=650.50 count_1y=6 sum_1y=850.50 count=7 sum=910.50 first=2023-07-01T10:00:00 last=2024-06-30T23:59:59' \
	'crm-profile P1 | record events 1'
out '... types without amounts have no sums; a window with none counts 0' \
	'type=visit count_30d=1 sum_30d= count_90d=1 sum_90d= count_1y=2 sum_1y= count=2 sum= first=2024-03-01T10:00:00 last=2024-06-20T10:00:00
type=refund count_30d=0 sum_30d= count_90d=1 sum_90d=50.00 count_1y=1 sum_1y=50.00 count=1 sum=50.00 first=2024-05-20T10:00:00 last=2024-05-20T10:00:00' \
	'crm-profile P1 | record events | sed -n 3,4p'
out '... seen as of an earlier day, the later events do not exist' \
	'type=purchase count_30d=2 sum_30d=380.00 count_90d=2 sum_90d=380.00 count_1y=4 sum_1y=560.00 count=4 sum=560.00 first=2023-07-01T10:00:00 last=2024-04-02T08:00:00' \
	'crm-profile --as-of 2024-04-30 P1 | record events 1'
out 'products: purchases only, the most bought first' 'product=面霜 purchases=4 amount=440.00 last=2024-06-30T23:59:59
product=口红 purchases=1 amount=300.00 last=2024-04-02T08:00:00
product=香水 purchases=1 amount=120.00 last=2023-07-02T10:00:00
product=精华 purchases=1 amount=50.50 last=2024-06-01T00:00:00' \
	'crm-profile P1 | record products'
out 'channels: every type of event' 'channel=store events=4 last=2024-06-01T00:00:00
channel=wechat events=4 last=2024-06-30T23:59:59
channel=app events=1 last=2024-03-01T10:00:00
channel=tmall events=1 last=2024-04-02T08:00:00' \
	'crm-profile P1 | record channels'
out 'notes: the latest first, the one written after the day not yet' '4 3 2 1' \
	"crm-profile P1 | awk -F, '\$1 == \"notes\" && \$3 == \"note_id\" { printf \"%s%s\", s, \$4; s = \" \" } END { print \"\" }'"
out 'follow_ups: the open ones, soonest first: overdue, today, later' \
	'note_id=1 follow_up=2024-06-15 due=overdue category=投诉 body=物流太慢
note_id=4 follow_up=2024-06-30 due=today category=其他 body=今天回电
note_id=2 follow_up=2024-07-10 due=later category=回访 body=下月回访' \
	'crm-profile P1 | record follow_ups'
out 'campaigns: from the contacts crm-export --campaign records, the latest first' \
	'campaign=夏季 contacts=1 first=2024-06-26T12:00:00 last=2024-06-26T12:00:00
campaign=618大促 contacts=1 first=2024-06-18T12:00:00 last=2024-06-18T12:00:00' \
	'crm-profile P1 | record campaigns'
out 'changes: the rows'"'"' own times and the commands that named the id, newest first' \
	'2024-06-29|graded|m: B -> A|
2024-06-29|graded|rfm: Potential Loyalist -> At Risk|
2024-06-26T12:00:00|command|crm-export -q --campaign 夏季 P1 P2|小张
2024-06-26T12:00:00|contacted|夏季|
2024-06-25T11:00:00|command|crm-note -q --follow-up 2024-06-30 P1 今天回电|小张
2024-06-25T11:00:00|note|#4 其他|小张
2024-06-22T11:00:00|follow-up done|#3|
2024-06-21T11:00:00|command|crm-note -q --follow-up 2024-06-25 P1 已处理|小张
2024-06-21T11:00:00|note|#3 其他|小张
2024-06-20T11:00:00|command|crm-note -q -c 回访 --follow-up 2024-07-10 P1 下月回访|小张' \
	"crm-profile -o json P1 | python3 -c 'import json, sys
for r in json.load(sys.stdin)[\"changes\"]: print(*(r[k] or \"\" for k in (\"at\", \"what\", \"detail\", \"by\")), sep=\"|\")'"
out '... tagged by whom, as the tags section says it; the first change is its creation' \
	'2024-06-04T10:01:00|tagged|高消费|大客户
2024-06-03T10:00:00|tagged|长期|小张
2024-06-02T10:00:00|tagged|VIP|小张
2024-05-01T10:00:00|tagged|短期|小张
2024-04-01T09:00:00|created||
2024-04-01T09:00:00|tagged|老客户|小张' \
	"crm-profile -o json --changes 100 P1 | python3 -c 'import json, sys
for r in json.load(sys.stdin)[\"changes\"]:
    if r[\"what\"] in (\"tagged\", \"created\"): print(*(r[k] or \"\" for k in (\"at\", \"what\", \"detail\", \"by\")), sep=\"|\")'"

# ---- the same page as json and tsv ----
cat > "$WORK/bin/long" <<'EOF'
#!/bin/sh
# long: a page's json on stdin written as its csv is: section,row,field,value
python3 -c '
import csv, json, sys
page = json.load(sys.stdin, parse_float=str, parse_int=str)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["section", "row", "field", "value"])
for section, records in page.items():
    for row, record in enumerate([records] if isinstance(records, dict) else records, 1):
        for field, value in record.items():
            w.writerow([section, row, field, "" if value is None else value])
'
EOF
chmod +x "$WORK/bin/long"
out '-o json: one object, its members the sections in order, one-record sections objects' \
	'customer:dict value:dict scores:list grade_changes:list tags:list events:list products:list channels:list notes:list follow_ups:list campaigns:list changes:list' \
	"crm-profile -o json P1 | python3 -c 'import json, sys
print(*(k + \":\" + type(v).__name__ for k, v in json.load(sys.stdin).items()))'"
ok '... holding exactly what the csv holds, value for value' 'crm-profile -o json P1 | long > j.csv && crm-profile P1 | cmp - j.csv'
out '... numbers as numbers, money to the cent, a null as null' '150.50 float 155 int None None' \
	"crm-profile -o json P1 | python3 -c 'import json, sys
text = sys.stdin.read()
p, q = json.loads(text, parse_float=str), json.loads(text)
print(p[\"events\"][0][\"sum_30d\"], type(q[\"events\"][0][\"sum_30d\"]).__name__, q[\"scores\"][1][\"score\"],
      type(q[\"scores\"][1][\"score\"]).__name__, q[\"customer\"][\"wechat_id\"], q[\"grade_changes\"][3][\"from\"])'"
ok '-o tsv: the same records' "crm-profile -o tsv P1 > p1.tsv && crm-profile P1 | tr , '\t' | cmp - p1.tsv"

# ---- options of a page ----
out '--mask phone,name: masked, as csv' 'name=张* phone=138****8000' \
	"crm-profile --mask phone,name P1 | awk -F, '\$3 == \"name\" || \$3 == \"phone\"' | record customer 1"
out '... as json' '张*|138****8000|zs@example.com' \
	"crm-profile -o json --mask phone,name P1 | python3 -c 'import json, sys
c = json.load(sys.stdin)[\"customer\"]; print(c[\"name\"], c[\"phone\"], c[\"email\"], sep=\"|\")'"
out '... on a terminal' 'name        张*
phone       138****8000' "crm-profile -o table --mask name,phone P1 | grep -E '^(name|phone) '"
out '--notes 2: the latest two' '4 3' \
	"crm-profile --notes 2 P1 | awk -F, '\$1 == \"notes\" && \$3 == \"note_id\" { printf \"%s%s\", s, \$4; s = \" \" } END { print \"\" }'"
out '--notes 0: none' 'NOTES
(none)' "crm-profile -o table --notes 0 P1 | sed -n '/^NOTES/,/^\$/p' | grep ."
out '--changes 0: none' 'GRADE CHANGES
(none)
CHANGES
(none)' "crm-profile -o table --changes 0 P1 | sed -n '/^GRADE CHANGES/,/^\$/p;/^CHANGES/,/^\$/p' | grep ."
out '--changes 3: three changes, three grade changes' '3 3' \
	"crm-profile --changes 3 P1 | awk -F, '\$3 == \"at\" { c++ } \$1 == \"grade_changes\" && \$3 == \"model\" { g++ } END { print c, g }'"
out '--top 2: two products, two channels' 'products: 面霜 口红 channels: store wechat' \
	"crm-profile --top 2 P1 | awk -F, '\$3 == \"product\" { p = p \" \" \$4 } \$3 == \"channel\" { c = c \" \" \$4 } END { print \"products:\" p \" channels:\" c }'"
out '--top 0: all of them' 'products: 面霜 口红 香水 精华 channels: store wechat app tmall' \
	"crm-profile --top 0 P1 | awk -F, '\$3 == \"product\" { p = p \" \" \$4 } \$3 == \"channel\" { c = c \" \" \$4 } END { print \"products:\" p \" channels:\" c }'"
out 'a merged id shows the customer it went into' 'P2' 'crm-profile P3 | record customer 1 | cut -d" " -f1 | cut -d= -f2'
ok '... the very page of that customer' 'crm-profile -o json P3 > p3.json && crm-profile -o json P2 | cmp - p3.json'
err 'an unknown id' "crm-profile: unknown customer 'P9'" 'crm-profile P9'
fails 1 '... exit 1' 'crm-profile P9'
out '... writes nothing on stdout, not even the start of json' 'exit 1' 'crm-profile -o json P9 > o 2> /dev/null; echo exit $?; cat o'

# ---- --page: the one customer chosen ----
ok '--page -w choosing one: its page' "crm-profile --page -w \"name = '张三'\" > w.csv && crm-profile P1 | cmp - w.csv"
ok '... or a stream of one' "printf 'id\nP1\n' | crm-profile --page > s.csv && crm-profile P1 | cmp - s.csv"
err '--page choosing nobody' "crm-profile: nobody is chosen: a page is one customer's (--portrait draws them together)" \
	"crm-profile --page -w \"city = '广州'\""
fails 1 '... exit 1' "crm-profile --page -w \"city = '广州'\""
err '--page choosing several' "crm-profile: more than one customer is chosen: a page is one customer's (--portrait draws them together)" \
	"crm-profile --page -w \"city = '上海'\""
fails 1 '... exit 1' "crm-profile --page -w \"city = '上海'\""
err '--page with an id and -w: the id must be chosen by -w too' \
	"crm-profile: nobody is chosen: a page is one customer's (--portrait draws them together)" \
	"crm-profile --page -w \"city = '上海'\" P2"
fails 2 '--page with two ids' 'crm-profile --page P1 P2'
err '... says why' "crm-profile: --page shows one customer: give one id
Try 'crm-profile --help'." 'crm-profile --page P1 P2'
fails 2 '--page --portrait' 'crm-profile --page --portrait P1'
err '... says why' "crm-profile: --page and --portrait: choose one
Try 'crm-profile --help'." 'crm-profile --page --portrait P1'
for f in ndjson chart ids; do
	fails 2 "a page is not written as $f" "crm-profile -o $f P1"
done
err '... says what it is written as' "crm-profile: a page is written as table, json, csv or tsv
Try 'crm-profile --help'." 'crm-profile -o ndjson P1'
err '--mask of an unknown field' "crm-profile: --mask: unknown field 'bogus'" 'crm-profile --mask phone,bogus P1'
fails 2 '... exit 2' 'crm-profile --mask phone,bogus P1'
out '... and nothing on stdout, in any format' 'exit 2
exit 2
exit 2' \
	'for f in json csv table; do crm-profile -o $f --mask bogus P1 > o 2> /dev/null; echo "exit $?"; cat o; done'

# ---- a portrait of this small database, as a person reads it ----
golden 'a portrait on a terminal: size, fields, tags, numbers, products' profile-portrait.txt \
	"crm-profile -o table -w \"city = '上海'\" --measure 'count(visit, 365d)'"
golden '-o chart: a bar a value, as long as its share of the group' profile-portrait-chart.txt \
	"crm-profile -o chart -w \"city = '上海'\" --measure 'count(visit, 365d)'"
out '... a value as wide as its column still has room before its bar' '' \
	"crm-profile -o chart -w \"city = '上海'\" | grep '[^ █]█'"
out '... a table on a terminal' 'SIZE
customers   3' "script -qec 'crm-profile --all' /dev/null | tr -d '\\r' | head -2"
out '--portrait: one id drawn as a group of one' 'size,customers,,0.333333,1.000000,,1,3,3,3,,,,,,' \
	'crm-profile --portrait P1 | sed -n 2p'
out 'the lapsed tag is not in the portrait either' 'VIP 老客户 长期 高消费 (none)' \
	"crm-profile -o json --all | python3 -c 'import json, sys
print(*(r[\"value\"] or \"(none)\" for r in json.load(sys.stdin) if r[\"section\"] == \"tags\"))'"

# ---- a portrait of generated data, against a computation of its own ----
export CRM_DB="$WORK/gen.db"
cat > portrait.py <<'PY'
# portrait.py generate: customers.csv and events.csv, seeded.
# portrait.py portrait GROUP_IDS [BASE_IDS|-] [TOP] [MAX_VALUES] [MEASURE...]:
# the portrait crm-profile should write, from the CSV files alone.
import csv, datetime, random, sys
from fractions import Fraction

D = datetime.date(2024, 6, 30)
cities = {'上海': '上海', '北京': '北京', '广州': '广东', '深圳': '广东', '杭州': '浙江', '': ''}
fields = ['gender', 'city', 'province', 'source', 'owner', 'stage']
custom = ['level', 'tier', 'shop', 'code']
numbers = ['age', 'sum(purchase, 365d)', 'count(purchase, 365d)', 'since(purchase)']
measures = {'age * 2': lambda r: None if r['age'] is None else 2 * r['age'],
            'since(refund)': lambda r: None}


def generate():
    """Owner 小王 (100 of 300) holds planted ties: level 金 (20 of 100, 30
    of 300) and 银 (30 of 100, 60 of 300) are both 10 points above the base;
    tier x and y are alike. shop has 12 values; G0001 has none."""
    rng = random.Random(17)
    n = 300
    order = list(range(n))
    rng.shuffle(order)
    owner, level, tier = [''] * n, [''] * n, [''] * n
    for rank, i in enumerate(order):
        inside = rank < 100
        k = rank if inside else rank - 100
        owner[i] = '小王' if inside else '小李' if rank < 250 else ''
        level[i] = (['金'] * 20 + ['银'] * 30 + ['铜'] * 25 + [''] * 25 if inside else
                    ['金'] * 10 + ['银'] * 30 + ['铜'] * 110 + [''] * 50)[k]
        tier[i] = (['x'] * 10 + ['y'] * 10 + ['z'] * 80 if inside else
                   ['x'] * 20 + ['y'] * 20 + ['z'] * 160)[k]
    with open('customers.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'name', 'gender', 'birthday', 'city', 'province', 'source', 'owner',
                    'level', 'tier', 'shop', 'code', 'tags'])
        for i in range(n):
            city = rng.choice(list(cities))
            birthday = ''
            if rng.random() < 0.85:
                day = datetime.date(1960, 1, 1) + datetime.timedelta(rng.randrange(16800))
                birthday = '' if (day.month, day.day) == (2, 29) else day.isoformat()
            shop = '' if i == 0 or rng.random() < 0.1 else 's%02d' % rng.randint(1, 12)
            tags = ';'.join(t for t in ['VIP', '新客', '复购', '沉睡'] if rng.random() < 0.3)
            w.writerow(['G%04d' % (i + 1), '客户%d' % (i + 1), rng.choice(['男', '女', '男', '女', '']),
                        birthday, city, cities[city], rng.choice(['wechat', 'store', 'tmall', 'douyin']),
                        owner[i], level[i], tier[i], shop, 'K%d' % (i * 7), tags])
    with open('events.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['customer_id', 'type', 'ts', 'amount', 'product', 'channel'])
        for i in range(n):
            seen = set()
            for kind, k in (('purchase', rng.choice([0, 0, 1, 2, 3, 4, 6])), ('visit', rng.randint(0, 3))):
                for _ in range(k):
                    day = D + datetime.timedelta(rng.randint(-700, 5))  # a few after D
                    ts = '%sT%02d:%02d:%02d' % (day, rng.randrange(24), rng.randrange(60), rng.randrange(60))
                    if ts in seen:
                        continue
                    seen.add(ts)
                    amount = '%.1f' % (rng.randint(20, 1000) / 2) if kind == 'purchase' else ''
                    product = '' if kind != 'purchase' or rng.random() < 0.1 else \
                        rng.choice(['面霜', '精华', '口红', '香水', '眼霜'])
                    w.writerow(['G%04d' % (i + 1), kind, ts, amount, product,
                                rng.choice(['wechat', 'store', 'app'])])


def load():
    people = {r['id']: r for r in csv.DictReader(open('customers.csv'))}
    for r in people.values():
        r['purchases'] = []
    for e in csv.DictReader(open('events.csv')):
        day = datetime.date.fromisoformat(e['ts'][:10])
        if e['type'] == 'purchase' and day <= D:
            people[e['customer_id']]['purchases'].append((day, Fraction(e['amount']), e['product']))
    for r in people.values():
        days = [p[0] for p in r['purchases']]
        since = (D - max(days)).days if days else None
        r['since(purchase)'] = since
        r['stage'] = ('potential' if not days else 'new' if (D - min(days)).days < 30 else
                      'active' if since < 90 else 'dormant' if since <= 180 else 'churned')
        year = [p for p in r['purchases'] if (D - p[0]).days < 365]
        r['sum(purchase, 365d)'] = sum((p[1] for p in year), Fraction(0))
        r['count(purchase, 365d)'] = len(year)
        b = datetime.date.fromisoformat(r['birthday']) if r['birthday'] else None
        r['age'] = None if b is None else D.year - b.year - ((D.month, D.day) < (b.month, b.day))
        for name, f in measures.items():
            r[name] = f(r)
        r['tags'] = [t for t in r['tags'].split(';') if t]
        r['products'] = {p[2] for p in r['purchases'] if p[2]}
    return people


class Records:
    """The portrait's columns: the shares and the index, then the counts, then the quartiles."""
    columns = ['section', 'field', 'value', 'group_share', 'base_share', 'index', 'group_count',
               'group_total', 'base_count', 'base_total', 'group_q1', 'group_median', 'group_q3',
               'base_q1', 'base_median', 'base_q3']

    def __init__(self, out):
        self.w = csv.writer(out, lineterminator='\n')
        self.w.writerow(self.columns)

    def writerow(self, row):  # row: section, field, value, gc, gt, gs, bc, bt, bs, index, quartiles
        self.w.writerow(row[:3] + [row[5], row[8], row[9], row[3], row[4], row[6], row[7]] + row[10:])


def share(count, total):
    return '%.6f' % float(Fraction(count, total)) if total else ''


def index(gc, gt, bc, bt):
    return '%.1f' % float(Fraction(100 * gc * bt, gt * bc)) if bc and gt and bt else ''


def values(w, section, field, group, base, of, top, totals=None):
    """of(person): the values it is counted under (None: it has none)."""
    gt, bt = totals or (len(group), len(base))
    counts = {}
    for who, k in ((group, 0), (base, 1)):
        for r in who:
            for v in of(r):
                counts.setdefault(v, [0, 0])[k] += 1
    if list(counts) == [None]:  # nobody has a value: the field says nothing
        return
    # what sets the group apart first, exactly: what it has more of, the most
    # points more first, then what it has less of, the most points fewer
    # first; then the larger count, the missing last
    def apart(gc, bc):
        d = Fraction(gc, gt) - Fraction(bc, bt)
        return (d <= 0, -abs(d))
    rows = sorted(counts.items(), key=lambda kv: (*apart(kv[1][0], kv[1][1]),
                                                  -kv[1][0], kv[0] is None, kv[0] or ''))
    for v, (gc, bc) in rows[:top] if top else rows:
        w.writerow([section, field, v or '', gc, gt, share(gc, gt), bc, bt, share(bc, bt),
                    index(gc, gt, bc, bt)] + [''] * 6)


def quartiles(xs):
    """R's type 7: h = (n - 1)p + 1, between the order statistics floor(h) and the next."""
    if not xs:
        return [''] * 3
    xs = sorted(xs)
    out = []
    for p in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)):
        h = (len(xs) - 1) * p + 1
        j = int(h)
        lo = xs[j - 1]
        hi = xs[j] if j < len(xs) else lo
        out.append('%.15g' % float(lo + (h - j) * (hi - lo)))
    return out


def portrait(group_ids, base_ids, top, max_values, asked):
    people = load()
    group = [people[i] for i in group_ids]
    base = list(people.values()) if base_ids is None else [people[i] for i in base_ids]
    counted = {r['id'] for r in group} | {r['id'] for r in base}
    w = Records(sys.stdout)
    everyone = len(people)  # each set's share of everyone
    w.writerow(['size', 'customers', '', len(group), everyone, share(len(group), everyone),
                len(base), everyone, share(len(base), everyone), ''] + [''] * 6)
    if not group or not base:
        return
    for f in fields:
        values(w, 'fields', f, group, base, lambda r: [r[f] or None], top)
    for f in custom:
        if 0 < len({people[i][f] for i in counted if people[i][f]}) <= max_values:
            values(w, 'fields', f, group, base, lambda r: [r[f] or None], top)
    values(w, 'tags', 'tags', group, base, lambda r: r['tags'] or [None], top)
    for f in numbers + asked:
        g = [r[f] for r in group if r[f] is not None]
        b = [r[f] for r in base if r[f] is not None]
        if g or b or f in asked:
            w.writerow(['numbers', f, '', len(g), len(group), share(len(g), len(group)), len(b),
                        len(base), share(len(b), len(base)), ''] + quartiles(g) + quartiles(b))
    group_buyers = [r for r in group if r['purchases']]
    base_buyers = [r for r in base if r['purchases']]
    if group_buyers and base_buyers:
        values(w, 'products', 'product', group_buyers, base_buyers, lambda r: sorted(r['products']),
               top, (len(group_buyers), len(base_buyers)))


if sys.argv[1] == 'generate':
    generate()
else:
    ids = lambda name: [line.strip() for line in open(name) if line.strip()]
    args = sys.argv[2:]
    args += ['-', '10', '30'][len(args) - 1:] if len(args) < 4 else []
    portrait(ids(args[0]), None if args[1] == '-' else ids(args[1]), int(args[2]), int(args[3]), args[4:])
PY
python3 portrait.py generate
crm-add -q customers.csv > /dev/null
crm-add -q -k events events.csv > /dev/null
crm-segment -q --save 上海客户 -w "city = '上海'"
# The groups, chosen from the CSV files by awk, not by crm
chosen() { # chosen FILE COLUMN VALUE: the ids of customers.csv whose COLUMN is VALUE
	awk -F, -v c="$2" -v v="$3" 'NR > 1 && $c == v { print $1 }' customers.csv > "$1"
}
chosen wang.ids 8 小王
chosen shanghai.ids 5 上海
chosen women.ids 3 女
chosen wechat.ids 7 wechat
awk -F, 'NR > 1 && NR % 7 == 0 { print $1 }' customers.csv > some.ids
: > nobody.ids
expect() { # expect NAME ARGS...: portrait.py's portrait into NAME
	name=$1
	shift
	python3 portrait.py portrait "$@" > "$name"
}
expect wang.csv wang.ids
expect shanghai.csv shanghai.ids
expect some.csv some.ids
expect women.csv women.ids
expect shanghai-wechat.csv shanghai.ids wechat.ids
expect women-shanghai.csv women.ids shanghai.ids
expect top0.csv shanghai.ids - 0
expect top2.csv shanghai.ids - 2
expect max12.csv shanghai.ids - 10 12
expect max11.csv shanghai.ids - 10 11
expect max3.csv shanghai.ids - 10 3
expect max2.csv shanghai.ids - 10 2
expect nobody.csv nobody.ids
expect measures.csv shanghai.ids - 10 30 'age * 2' 'since(refund)'

same() { # same 'what' EXPECTED COMMAND: COMMAND's stdout is the file EXPECTED
	ok "$1" "$3 > got.csv 2> /dev/null; diff $2 got.csv"
}
same '-w: every count, share, index and quartile as computed from the files' wang.csv "crm-profile -w \"owner = '小王'\""
out '... more common first, then rarer (铜, 11.7 points fewer); exact ties (金 2/10 against 3/30, 银 3/10 against 6/30): the larger count first' '银 金 铜 (none)' \
	"crm-profile -w \"owner = '小王'\" | awk -F, '\$2 == \"level\" { printf \"%s%s\", s, (\$3 == \"\" ? \"(none)\" : \$3); s = \" \" } END { print \"\" }'"
out '... ties of equal counts go by value' 'z x y' \
	"crm-profile -w \"owner = '小王'\" | awk -F, '\$2 == \"tier\" { printf \"%s%s\", s, \$3; s = \" \" } END { print \"\" }'"
same '-s SEGMENT' shanghai.csv 'crm-profile -s 上海客户'
same 'ids as arguments' some.csv 'crm-profile $(cat some.ids)'
same 'a stream of ids' women.csv "(echo id; cat women.ids) | crm-profile"
same '--vs -w: against another group' shanghai-wechat.csv "crm-profile -s 上海客户 --vs -w \"source = 'wechat'\""
same '--vs -s' women-shanghai.csv "crm-profile -w \"gender = '女'\" --vs -s 上海客户"
same '--top 0: every value' top0.csv 'crm-profile -s 上海客户 --top 0'
same '--top 2' top2.csv 'crm-profile -s 上海客户 --top 2'
same '--max-values 12: shop, of 12 values, is in' max12.csv 'crm-profile -s 上海客户 --max-values 12'
same '--max-values 11: shop is left out' max11.csv 'crm-profile -s 上海客户 --max-values 11'
same '--max-values 3: tier and level, of 3 values, are in' max3.csv 'crm-profile -s 上海客户 --max-values 3'
same '--max-values 2: they are left out' max2.csv 'crm-profile -s 上海客户 --max-values 2'
same '--measure: number expressions, always shown' measures.csv \
	"crm-profile -s 上海客户 --measure 'age * 2' --measure 'since(refund)'"
out 'a custom attribute of a value a customer (code) is left out' '' "crm-profile --top 0 -s 上海客户 | grep ',code,'"
out '... unless --max-values lets it in' '300' "crm-profile --top 0 --max-values 300 -s 上海客户 | grep -c ',code,'"
err '--measure of text' 'crm-profile: expression:1:1: city is text: expected a number
  city
  ^' 'crm-profile -s 上海客户 --measure city'
fails 1 '... exit 1' 'crm-profile -s 上海客户 --measure city'
fails 1 '--measure that does not parse: exit 1' "crm-profile -s 上海客户 --measure 'age +'"
out '... nothing on stdout' '' "crm-profile -o json -s 上海客户 --measure 'age +' 2> /dev/null"

header='section,field,value,group_share,base_share,index,group_count,group_total,base_count,base_total,group_q1,group_median,group_q3,base_q1,base_median,base_q3'
out 'an empty group: the size row alone' "$header
size,customers,,0.000000,1.000000,,0,300,300,300,,,,,," "crm-profile -w \"city = '火星'\""
err '... and a note' 'crm-profile: the group is empty: nobody to draw' "crm-profile -w \"city = '火星'\""
ok '... exit 0' "crm-profile -w \"city = '火星'\""
same '... as computed' nobody.csv "crm-profile -w \"city = '火星'\""
out 'an empty base: the size row alone' "$header
size,customers,,0.156667,0.000000,,47,300,0,300,,,,,," "crm-profile -s 上海客户 --vs -w \"city = '火星'\""
err '... and a note' 'crm-profile: the base is empty: there is nothing to compare with' \
	"crm-profile -s 上海客户 --vs -w \"city = '火星'\""
ok '... exit 0' "crm-profile -s 上海客户 --vs -w \"city = '火星'\""
out 'an empty stream: nobody' "$header
size,customers,,0.000000,1.000000,,0,300,300,300,,,,,," "printf '' | crm-profile"
err '... with the notes' 'crm-profile: no customers on stdin: nothing to do (use --all for everyone)
crm-profile: the group is empty: nobody to draw' "printf '' | crm-profile"
awk -F, 'NR > 1 { print $1 }' customers.csv > customers.ids
expect all.csv customers.ids
same "stdin of cron (/dev/null) and no selection: everyone" all.csv 'crm-profile < /dev/null'
out '... against everyone: every index is 100.0, every share the base'"'"'s' '0' \
	"crm-profile < /dev/null | python3 -c 'import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(sum(r[\"index\"] not in (\"\", \"100.0\") or r[\"group_share\"] != r[\"base_share\"] for r in rows[1:]))'"
same '--all is the same' all.csv 'crm-profile --all'

# ---- the portrait in its other formats ----
cat > "$WORK/bin/records" <<'EOF'
#!/bin/sh
# records: a portrait's json (an array) or ndjson on stdin, as its csv
python3 -c '
import csv, json, sys
text = sys.stdin.read()
rows = json.loads(text, parse_float=str) if text.startswith("[") else \
    [json.loads(line, parse_float=str) for line in text.splitlines()]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(rows[0].keys())
for r in rows:
    w.writerow(["" if v is None else v for v in r.values()])
'
EOF
chmod +x "$WORK/bin/records"
same '-o json: the same records' shanghai.csv 'crm-profile -o json -s 上海客户 | records'
same '-o ndjson' shanghai.csv 'crm-profile -o ndjson -s 上海客户 | records'
out '... numbers are numbers, the missing value null' 'int float float None' \
	"crm-profile -o json -s 上海客户 | python3 -c 'import json, sys
r = [r for r in json.load(sys.stdin) if r[\"field\"] == \"gender\" and r[\"value\"] is None][0]
print(*(type(r[k]).__name__ for k in (\"group_count\", \"group_share\", \"index\")), r[\"value\"])'"
same '-o tsv' shanghai.csv "crm-profile -o tsv -s 上海客户 | python3 -c 'import csv, sys
w = csv.writer(sys.stdout, lineterminator=\"\\n\")
for r in csv.reader(sys.stdin, delimiter=\"\\t\", quoting=csv.QUOTE_NONE): w.writerow(r)'"
out '-o table: percentages, quartiles to two places' 'SIZE
customers   47
share       15.7%
base        300
base_share  100.0%' 'crm-profile -o table -s 上海客户 | head -5'

# ---- a read-only database ----
runas=''
if [ "$(id -u)" = 0 ]; then # root writes any file: the reader is nobody
	chmod 755 "$WORK" "$WORK/bin"
	runas='setpriv --reuid=65534 --regid=65534 --clear-groups'
	$runas "$CRM_BIN/crm-profile" --version > /dev/null 2>&1 || runas=unable
fi
if [ "$runas" = unable ]; then
	skip "nobody cannot run $CRM_BIN/crm-profile: no read-only checks as root"
else
	mkdir ro
	cp gen.db ro/gen.db
	cp crm.db ro/crm.db
	chmod 444 ro/gen.db ro/crm.db
	chmod 555 ro
	same 'a write-protected database in a write-protected folder: a portrait' shanghai.csv \
		"$runas crm-profile -d ro/gen.db -s 上海客户"
	ok '... and a page' "$runas crm-profile -d ro/crm.db P1 > ro.csv && crm-profile -d crm.db P1 | cmp - ro.csv"
	out '... writing nothing beside them' 'crm.db gen.db' 'echo $(ls -A ro)'
	chmod 755 ro
fi

# ---- bad input ----
while IFS='|' read -r what cmd msg; do
	err "$what" "crm-profile: $msg
Try 'crm-profile --help'." "$cmd"
	out "... exit 2, nothing on stdout" 'exit 2' "$cmd > o 2> /dev/null; echo exit \$?; cat o"
done <<'EOF'
--top that is no number|crm-profile --top x -s 上海客户|bad argument 'x' for --top
--top below 0|crm-profile --top -1 -s 上海客户|bad argument '-1' for --top
--top empty|crm-profile --top '' -s 上海客户|bad argument '' for --top
--max-values 0|crm-profile --max-values 0 -s 上海客户|bad argument '0' for --max-values
--max-values that is no number|crm-profile --max-values 3x -s 上海客户|bad argument '3x' for --max-values
--notes that is no number|crm-profile --notes x G0001|bad argument 'x' for --notes
--notes below 0|crm-profile --notes -3 G0001|bad argument '-3' for --notes
--changes that is no number|crm-profile --changes many G0001|bad argument 'many' for --changes
--vs with nothing after it|crm-profile -s 上海客户 --vs|--vs needs -s NAME or -w EXPR after it: the base to compare with
--vs whose -w comes before it|crm-profile -w "age > 30" --vs|--vs needs -s NAME or -w EXPR after it: the base to compare with
--vs --all|crm-profile -s 上海客户 --vs --all|--vs --all is the base without --vs: everyone
--notes with a portrait|crm-profile -s 上海客户 --notes 3|--notes, --changes and --mask go with a customer's page
--notes 0 with a portrait|crm-profile -s 上海客户 --notes 0|--notes, --changes and --mask go with a customer's page
--changes with a portrait|crm-profile -s 上海客户 --changes 3|--notes, --changes and --mask go with a customer's page
--mask with a portrait|crm-profile -s 上海客户 --mask phone|--notes, --changes and --mask go with a customer's page
--vs with a page|crm-profile G0001 --vs -w "age > 30"|--vs, --measure and --max-values go with a portrait
--measure with a page|crm-profile G0001 --measure age|--vs, --measure and --max-values go with a portrait
--max-values with a page|crm-profile G0001 --max-values 3|--vs, --measure and --max-values go with a portrait
--measure with --page|crm-profile --page -w "id = 'G0001'" --measure age|--vs, --measure and --max-values go with a portrait
-o ids for a portrait|crm-profile -s 上海客户 -o ids|'ids' is not an output format of crm-profile (csv tsv json ndjson table chart)
-o ids for everyone|crm-profile -o ids|'ids' is not an output format of crm-profile (csv tsv json ndjson table chart)
EOF
fails 2 '--all after --vs -w' "crm-profile -s 上海客户 --vs -w 'age > 30' --all"
err 'a -w that does not parse, at its column' "crm-profile: expression:1:13: expected a condition after 'and'
  age > 30 and
              ^" "crm-profile -w 'age > 30 and'"
fails 1 '... exit 1' "crm-profile -w 'age > 30 and'"
err 'an unknown field' "crm-profile: expression:1:1: unknown field 'agee' (crm-export --list-fields lists them)
  agee > 3
  ^" "crm-profile -w 'agee > 3'"
err '--vs -w that does not parse, at its column' "crm-profile: expression:1:6: expected a value after '>'
  age >
       ^" "crm-profile -s 上海客户 --vs -w 'age >'"
err 'an unknown segment' "crm-profile: no saved segment 'nope' (crm-segment --list)" 'crm-profile -s nope'
fails 1 '... exit 1' 'crm-profile --vs -s nope'
err 'an unknown id among ids' "crm-profile: unknown customer 'BOGUS'" 'crm-profile G0001 BOGUS'
fails 1 '... exit 1' 'crm-profile G0001 BOGUS'

# ---- found by a review ----
crm-segment -q --save 女客户 -w "gender = '女'"
crm-profile -s 上海客户 --vs -w "gender = '女'" > women-base.csv
ok '-s A --vs -s B: the base has a -s of its own' 'crm-profile -s 上海客户 --vs -s 女客户'
same '... the same as --vs -w with its expression' women-base.csv "crm-profile -s 上海客户 --vs -s 女客户"
fails 2 '... but -s twice on one side is refused' 'crm-profile -s 上海客户 -s 女客户'
fails 2 '--page with nothing to choose from (cron)' 'crm-profile --page'
err '... says what it needs' "crm-profile: --page needs an id, -w, -s or a record stream on stdin
Try 'crm-profile --help'." 'crm-profile --page'
page_db="$WORK/crm.db"
out '--mask: the commands of the changes by their names alone' 'crm-export crm-note crm-tag' \
	"crm-profile -d '$page_db' --mask name -o json --changes 100 P1 | python3 -c 'import json, sys
print(*sorted({r[\"detail\"] for r in json.load(sys.stdin)[\"changes\"] if r[\"what\"] == \"command\"}))'"
out 'as of a day: no scoring or tagging after it' 'scores 0 tags 1' \
	"crm-profile -d '$page_db' --as-of 2024-05-15 -o json P1 | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(\"scores\", len(d[\"scores\"]), \"tags\", len([t for t in d[\"tags\"] if t[\"tagged_at\"] < \"2024-05-16\"]) if all(t[\"tagged_at\"] < \"2024-05-16\" for t in d[\"tags\"]) else \"late\")'"
err 'a portrait of one customer points at its page' \
	'crm-profile: a group of one customer: crm-profile --page shows its page' \
	"crm-profile -d '$page_db' --portrait P1"
done_testing
