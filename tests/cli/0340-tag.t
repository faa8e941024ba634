#!/bin/sh
# crm-tag: tagging by hand, the catalog, naming rules, rules and --apply,
# the audit, and tags everywhere else.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30 USER=tester
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null
# tags_of: the taggings as stored: id, tag, source, expires_on
printf '#!/bin/sh\nexec q "%s"\n' "SELECT c.id, t.name, ct.source, coalesce(ct.expires_on, '') \
FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid) ORDER BY c.id, t.name" \
	> "$WORK/bin/tags_of"
chmod +x "$WORK/bin/tags_of"

# ---- tagging by hand ----
err 'tags customers given as arguments' 'crm-tag: 2 taggings set, 0 removed' 'crm-tag -a 老客户 C1 C2'
out '... remembering who and when' 'C1|老客户|user:tester|2024-06-30T00:00:00
C2|老客户|user:tester|2024-06-30T00:00:00' \
	"q \"SELECT c.id, t.name, ct.source, ct.tagged_at FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid)\""
out 'a new tag is defined as custom' 'tag,category,group,description,customers
老客户,custom,,,2' 'crm-tag --list'
ok 'adds and removes in one go' 'crm-tag -q -a 北方 -a 会员 -r 老客户 C2'
out '... so' 'C1|老客户|user:tester|
C2|会员|user:tester|
C2|北方|user:tester|' 'tags_of'
out 'tags by -w' 'C3
C5' "crm-tag -q -a 华南 -w \"province = '广东'\" && crm-segment -o ids -w \"tag('华南')\""
ok 'tags --all' 'crm-tag -q -a 全员 --all'
out '... everyone' '5' "q \"SELECT count(*) FROM customer_tags JOIN tags USING (tid) WHERE name = '全员'\""
ok 'untags by -s' "crm-segment -q --save 南方 -w \"province in ('广东', '浙江')\" && crm-tag -q -r 全员 -s 南方"
out '... the segment only' 'C1
C2' "crm-segment -o ids -w \"tag('全员')\""
err 'an unknown customer changes nothing' "crm-tag: unknown customer 'C9'
crm-tag: nothing was tagged: fix the selection first" 'crm-tag -a 新 C1 C9'
out '... not even the catalog' '' "q \"SELECT name FROM tags WHERE name = '新'\""
fails 1 '... and says so in its exit status' 'crm-tag -q -a 新 C1 C9'
err 'removing a tag that does not exist is an error' "crm-tag: no tag '无此标签' (crm-tag --list)" 'crm-tag -r 无此标签 C1'
err 'an empty stream tags nobody' 'crm-tag: no customers on stdin: nothing to do (use --all for everyone)' \
	"printf '' | crm-tag -a x"
out '... nor defines the tag' '' "q \"SELECT name FROM tags WHERE name = 'x'\""


# ---- a stream passes through, with the tags ----
out 'a stream passes through with a tags column' 'id,note,tags
C1,first,全员;活动;老客户
C4,,活动' "printf 'id,note\nC1,first\nC4,\n' | crm-tag -q -a 活动"
out '... replacing a tags column it had' '{"customer_id":"C2","tags":["会员","全员","北方"]}' \
	"printf '{\"customer_id\":\"C2\",\"tags\":\"old\"}\n' | crm-tag -q -r 活动 -o ndjson"
out '... in the format asked for' 'C3' "printf 'id\nC3\n' | crm-tag -q -a 活动 -o ids"
out 'a stream with an unknown customer writes nothing, tags nothing' 'C1|活动' \
	"printf 'id\nC1\nC9\n' | crm-tag -q -a 坏; q \"SELECT c.id, t.name FROM customer_tags JOIN tags t USING (tid) JOIN customers c USING (cid) WHERE t.name IN ('坏', '活动') AND c.id = 'C1'\""
fails 1 '... and fails' "printf 'id\nC1\nC9\n' | crm-tag -q -a 坏"
out 'the pipeline goes on: select, tag, export' 'id,phone
C1,13800000001
C2,13900000002' "crm-segment -w \"city in ('上海', '北京')\" | crm-tag -q -a 京沪 | crm-export -f id,phone && crm-tag -q --delete 京沪 --force"
ok 'nothing to pass through when stdout is /dev/null' "printf 'id\nC1\n' | crm-tag -q -a 活动 > /dev/null"

# ---- naming rules ----
err 'a tag name must not start with a space' "crm-tag: tag ' VIP': no space at its start or end" "crm-tag -a ' VIP' C1"
err '... nor end with one' "crm-tag: tag 'VIP ': no space at its start or end" "crm-tag -a 'VIP ' C1"
fails 1 '... nor hold a control character' "crm-tag -a \"\$(printf 'a\tb')\" C1"
err '... nor a comma' "crm-tag: tag 'a,b': ',' is not allowed in a tag name" "crm-tag -a a,b C1"
err '... nor a semicolon' "crm-tag: tag 'a;b': ';' is not allowed in a tag name" "crm-tag -a 'a;b' C1"
err '... nor a bar' "crm-tag: tag 'a|b': '|' is not allowed in a tag name" "crm-tag -a 'a|b' C1"
err '... nor be empty' "crm-tag: a tag needs a name" "crm-tag -a '' C1"
err '... nor be invalid UTF-8' "crm-tag: tag '$(printf '\377')': invalid UTF-8" "crm-tag -a \"\$(printf '\\377')\" C1"
ok 'thirty characters are fine' 'crm-tag -q --define 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十'
err '... thirty-one are not' 'crm-tag: tag '"'"'一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一'"'"': longer than 30 characters' \
	'crm-tag --define 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一'
ok '... nor anywhere a tag is made: rules' "! crm-tag -q --rule r --tag 'a;b' -w 'age > 1' && ! crm-tag --rules | grep -q '^r,'"
ok '... nor renames' "! crm-tag -q --rename 老客户 'a|b'"
out 'nothing bad got into the catalog' '' "q \"SELECT name FROM tags WHERE name GLOB '*[,;|]*' OR name GLOB ' *' OR name = ''\""

# ---- near-duplicates ----
ok 'defines VIP' 'crm-tag -q --define VIP --category relationship --desc 重要客户'
err 'vip is refused, naming VIP' "crm-tag: tag 'vip' is too close to the existing tag 'VIP' (use that, or --force to keep both)" \
	'crm-tag --define vip'
err '... so is full-width ＶＩＰ' "crm-tag: tag 'ＶＩＰ' is too close to the existing tag 'VIP' (use that, or --force to keep both)" \
	'crm-tag --define ＶＩＰ'
err '... and V I P' "crm-tag: tag 'V I P' is too close to the existing tag 'VIP' (use that, or --force to keep both)" \
	"crm-tag --define 'V I P'"
fails 1 '... and tagging with one' 'crm-tag -q -a Vip C1'
fails 1 '... and a rule with one' "crm-tag -q --rule r --tag vip -w 'age > 1'"
ok '--force keeps both' 'crm-tag -q --define Vip --force'
out '... so' 'VIP
Vip' "q \"SELECT name FROM tags WHERE name IN ('VIP', 'Vip') ORDER BY name\""
ok 'a rename to a near-duplicate is refused' '! crm-tag -q --rename 北方 ｖｉｐ'
ok '... unless --force' 'crm-tag -q --rename Vip ｖｉｐ --force'
ok 'a tag may be renamed to a form of its own name' 'crm-tag -q --rename ｖｉｐ vip --force && crm-tag -q --rename vip VIP2'
ok 'defining an existing tag again changes only what is given' 'crm-tag -q --define VIP --group 等级'
out '... so' 'VIP|relationship|重要客户|等级' "q \"SELECT name, category, description, grp FROM tags WHERE name = 'VIP'\""
err 'an unknown category is a usage error' "crm-tag: 'gold' is not a category (basic, behavior, interest, relationship, custom)" \
	'crm-tag --define x --category gold'
fails 2 '... with status 2' 'crm-tag -q --define x --category gold'

# ---- groups ----
ok 'defines a group of levels' 'crm-tag -q --define 金卡 --category basic --group 会员等级 && crm-tag -q --define 银卡 --category basic --group 会员等级'
ok 'tags 银卡' 'crm-tag -q -a 银卡 C1 C2'
ok 'tagging 金卡 removes 银卡' 'crm-tag -q -a 金卡 C1'
out '... so' 'C1|金卡
C2|银卡' "q \"SELECT c.id, t.name FROM customer_tags JOIN tags t USING (tid) JOIN customers c USING (cid) WHERE t.grp = '会员等级' ORDER BY c.id\""
ok 'tagging two of a group at once leaves the last' 'crm-tag -q -a 银卡 -a 金卡 C2'
out '... so' 'C2|金卡' "q \"SELECT c.id, t.name FROM customer_tags JOIN tags t USING (tid) JOIN customers c USING (cid) WHERE t.grp = '会员等级' AND c.id = 'C2'\""

# ---- --strict ----
err '--strict refuses a tag not in the catalog' "crm-tag: no tag '临时' in the catalog (--strict): define it with crm-tag --define" \
	'crm-tag --strict -a 临时 C1'
ok '... and takes one that is' 'crm-tag -q --strict -a 银卡 C3'
out '... and nothing of the refused one stays' '' "q \"SELECT name FROM tags WHERE name = '临时'\""

# ---- expiry ----
ok 'a tagging may lapse after 30 days' 'crm-tag -q -a 618活动 --expires 30d C1 C2'
out '... stored as the first day it no longer counts' 'C1|618活动|user:tester|2024-07-30
C2|618活动|user:tester|2024-07-30' "tags_of | grep 618"
out '... counts on its last day' 'C1
C2' "crm-segment --as-of 2024-07-29 -o ids -w \"tag('618活动')\""
out '... and from then on nowhere: not in tag()' '' "crm-segment --as-of 2024-07-30 -o ids -w \"tag('618活动')\""
out '... nor in tags' 'id,tags
C1,全员;活动;老客户;金卡' 'crm-export --as-of 2024-07-30 -f id,tags C1'
out '... nor in --by tag' '' "crm-segment --as-of 2024-07-30 --all --by tag | grep 618"
out '... nor in the counts of --list' '618活动,custom,,,0' "crm-tag --as-of 2024-07-30 --list | grep 618"
ok 'or on a date' 'crm-tag -q -a 试用 --expires 2024-08-01 C3'
out '... stored as given' 'C3|试用|user:tester|2024-08-01' "tags_of | grep 试用"
err 'a date not after the day is refused' 'crm-tag: --expires 2024-06-30: the day must come after 2024-06-30' \
	'crm-tag -a 试用 --expires 2024-06-30 C3'
err 'so is a bad one' "crm-tag: --expires 'soon': give days (30d, 4w, 6m) or a date" 'crm-tag -a 试用 --expires soon C3'
fails 2 '... as a usage error' 'crm-tag -q -a 试用 --expires soon C3'
ok 'a lapsed tagging can be set again' 'crm-tag -q --as-of 2024-09-01 -a 试用 C3'
out '... and counts again, for good' 'C3|试用|user:tester|' "tags_of | grep 试用"

# ---- at most tags.max tags a customer ----
ok 'tags.max is a setting' 'crm-segment -q --config tags.max=5'
err 'a tagging that goes over it changes nothing' "crm-tag: customer 'C1' would have 7 tags (tags.max is 5: crm-segment --config tags.max=N)" \
	'crm-tag -a 多一个 -a 又一个 C1 C2'
out '... nothing at all' '' "q \"SELECT name FROM tags WHERE name IN ('多一个', '又一个')\""
ok '... lapsed taggings do not count' 'crm-tag -q --as-of 2024-08-01 -a 多一个 C1 && crm-tag -q -r 多一个 C1'
ok 'back to the default' 'crm-segment -q --config tags.max=20'

# ---- the catalog ----
ok 'merges one tag into another' 'crm-tag -q -a 老顾客 C3 C1 && crm-tag -q --merge 老顾客 老客户'
out '... its customers moved, one who had both kept once' 'C1|老客户|user:tester|
C3|老客户|user:tester|' "tags_of | grep 老"
err '... and reports how many moved' "crm-tag: merged '北方' into '华南': 1 tagging moved" 'crm-tag --merge 北方 华南'
err 'merging an unknown tag is an error' "crm-tag: no tag '无' (crm-tag --list)" 'crm-tag --merge 无 老客户'
err 'renaming onto an existing tag says to merge' "crm-tag: tag '老客户' exists: --merge-tags 老客户 会员 moves the customers of '会员' to it" \
	'crm-tag --rename 会员 老客户'
ok 'renames a tag, keeping its customers' 'crm-tag -q --rename 会员 正式会员'
out '... so' 'C2|正式会员|user:tester|' "tags_of | grep 会员"
err 'deleting a tag in use is refused' "crm-tag: tag '正式会员' is in use (1 customers, 0 rules): --force deletes it with them" \
	'crm-tag --delete 正式会员'
ok '... --force deletes it and its taggings' 'crm-tag -q --delete 正式会员 --force'
out '... so' '' "tags_of | grep 会员"
ok 'an unused tag is deleted at once' 'crm-tag -q --define 空的 && crm-tag -q --delete 空的'
fails 1 'deleting an unknown tag fails' 'crm-tag -q --delete 空的'
golden '--list: each tag with its customers now' tag-list.csv 'crm-tag --list'

# ---- rules ----
crm-tag -q --delete 全员 --force
crm-tag -q --define 沉睡 --category behavior
ok 'defines a rule' "crm-tag -q --rule 高消费 --tag 大客户 -w 'sum(purchase, 1y) > 500'"
ok '... and another' "crm-tag -q --rule 沉睡规则 --tag 沉睡 -w 'since(purchase) > 60'"
out '--rules lists them' 'rule,tag,expr,tagged
沉睡规则,沉睡,since(purchase) > 60,0
高消费,大客户,"sum(purchase, 1y) > 500",0' 'crm-tag --rules'
fails 2 'a rule needs --tag' "crm-tag -q --rule x -w 'age > 1'"
fails 2 '... and -w' 'crm-tag -q --rule x --tag y'
err 'a rule with a bad expression is not stored' "crm-tag: expression:1:6: expected a value after '>'" \
	"crm-tag --rule 坏 --tag y -w 'age >' 2>&1 | head -1 >&2; crm-tag --rules | grep -q '^坏,' && echo stored >&2"
out '--apply --dry-run writes the changes' 'customer_id,tag,change,rule
C2,沉睡,+,沉睡规则
C4,沉睡,+,沉睡规则
C1,大客户,+,高消费
C2,大客户,+,高消费' 'crm-tag --apply --dry-run'
out '... and stores nothing' '' "tags_of | grep -e 沉睡 -e 大客户"
out '--apply makes them, writing the same' 'customer_id,tag,change,rule
C2,沉睡,+,沉睡规则
C4,沉睡,+,沉睡规则
C1,大客户,+,高消费
C2,大客户,+,高消费' 'crm-tag --apply'
out '... remembering the rule' 'C1|大客户|rule:高消费|
C2|大客户|rule:高消费|
C2|沉睡|rule:沉睡规则|
C4|沉睡|rule:沉睡规则|' "tags_of | grep -e 沉睡 -e 大客户"
out 'a second run writes no change, the header alone' 'customer_id,tag,change,rule' 'crm-tag --apply'
err '... and says so' 'crm-tag: 0 changes' 'crm-tag --apply'
out '... in any format' '[]' 'crm-tag --apply -o json'
fails 3 'changes that cannot be written are not made' \
	"crm-add -q -k events --set customer_id=C2 --set type=purchase --set ts=2024-06-30T12:00:00 --set amount=10 < /dev/null > /dev/null; crm-tag -q --apply > /dev/full"
out 'a rule removes its own tagging where it no longer matches' 'customer_id,tag,change,rule
C2,沉睡,-,沉睡规则' 'crm-tag --apply'
ok 'a person tags C1 沉睡 by hand' 'crm-tag -q -a 沉睡 C1'
out '... which no rule ever removes' 'customer_id,tag,change,rule' 'crm-tag --apply --as-of 2024-07-01'
out '... even the rule that gives the tag' 'C1|沉睡|user:tester|' "tags_of | grep '^C1|沉睡'"
ok 'a person taking over a rule tagging makes it theirs' 'crm-tag -q -a 沉睡 C4'
out '... so the rule lets it be when it stops matching' 'customer_id,tag,change,rule' \
	"crm-add -q -k events --set customer_id=C4 --set type=purchase --set ts=2024-06-30T13:00:00 --set amount=5 < /dev/null > /dev/null; crm-tag --apply"
out '... and C4 keeps it' 'C4|沉睡|user:tester|' "tags_of | grep '^C4|沉睡'"
ok 'replacing a rule changes whom it tags at the next run' "crm-tag -q --rule 高消费 --tag 大客户 -w 'sum(purchase, 1y) > 5000'"
out '... so' 'customer_id,tag,change,rule
C1,大客户,-,高消费' 'crm-tag --apply'

# Two rules of one group: a customer moves from one to the other in one run.
ok 'rules of a group' "crm-tag -q --rule 一金 --tag 金卡 -w 'sum(purchase, 1y) >= 600' && crm-tag -q --rule 二银 --tag 银卡 -w 'sum(purchase, 1y) >= 80 and sum(purchase, 1y) < 600'"
out '... a customer with a level by hand gets none by rule' 'customer_id,tag,change,rule
C2,金卡,+,一金' 'crm-tag -q -r 金卡 C2; crm-tag --apply'
out '... C1 keeps the 金卡 a person gave, C3 the 银卡' 'C1|金卡|user:tester|
C2|金卡|rule:一金|
C3|银卡|user:tester|' "tags_of | grep -e 金卡 -e 银卡"
ok 'C2 spends less: a rule of the group takes over' \
	"crm-tag -q --rule 一金 --tag 金卡 -w 'sum(purchase, 1y) > 7000' && crm-tag -q --rule 二银 --tag 银卡 -w 'sum(purchase, 1y) >= 80 and sum(purchase, 1y) <= 7000'"
out '... in one run' 'customer_id,tag,change,rule
C2,金卡,-,一金
C2,银卡,+,二银' 'crm-tag --apply'
out '... and the next run finds nothing to do' 'customer_id,tag,change,rule' 'crm-tag --apply'
ok 'two rules of a group that both match: the first by name wins' \
	"crm-tag -q --define 铜卡 --group 会员等级 && crm-tag -q --define 铁卡 --group 会员等级 && crm-tag -q --rule b-iron --tag 铁卡 -w \"id <> ''\" && crm-tag -q --rule a-bronze --tag 铜卡 -w \"id <> ''\""
out '... so' 'customer_id,tag,change,rule
C4,铜卡,+,a-bronze
C5,铜卡,+,a-bronze' 'crm-tag --apply'
out '... and stays so' 'customer_id,tag,change,rule' 'crm-tag --apply'
err '--drop-rule drops its taggings with it' "crm-tag: dropped rule 'a-bronze' and its 2 taggings" 'crm-tag --drop-rule a-bronze'
out '... so' '' "tags_of | grep 铜卡"
ok '... and the rule is gone' "crm-tag -q --drop-rule b-iron && ! crm-tag --rules | grep -q -e a-bronze -e b-iron"
err 'an unknown rule is an error' "crm-tag: no rule 'a-bronze' (crm-tag --rules)" 'crm-tag --drop-rule a-bronze'
ok 'an --apply over tags.max fails and stores nothing' \
	"tags_of > before && crm-segment -q --config tags.max=1 && ! crm-tag -q --apply --as-of 2025-12-31 && tags_of | cmp - before"
crm-segment -q --config tags.max=20
out 'a rule whose field went missing names itself' "crm-tag: rule 'x': unknown field 'nope' (crm-export --list-fields lists them)" \
	"crm-tag -q --rule x --tag y -w \"level = 'a'\"; q \"UPDATE tag_rules SET expr = 'nope > 1' WHERE name = 'x'\"; crm-tag --apply 2>&1 | head -1; crm-tag -q --drop-rule x"

# ---- the audit ----
golden '--audit: counts, coverage, sources, flags' tag-audit.csv 'crm-tag --audit'
out '... flags a tag on almost everyone' '人人,custom,5,100.0,5,0,2024-06-30T00:00:00,everyone' \
	"crm-tag -q -a 人人 --all && crm-tag --audit | grep 人人"
out '... a rule that matches nobody' '无人,custom,0,0.0,0,0,,unused;idle-rule' \
	"crm-tag -q --rule 无人 --tag 无人 -w 'age > 200' && crm-tag --audit | grep 无人"
out '... near-duplicates, both ways' 'VIP2,custom,0,0.0,0,0,,unused;orphan;near:Vip2
Vip2,custom,0,0.0,0,0,,unused;orphan;near:VIP2' "crm-tag -q --define Vip2 --force && crm-tag --audit | grep -i vip2"

# ---- tags elsewhere ----
golden '--by tag counts each tag' tag-by.csv 'crm-segment --all --by tag'
out 'tag() and tags in expressions' 'C2' "crm-segment -o ids -w \"tag('银卡') and tags ~ '618'\""
ok 'the dump round-trips catalog, rules and taggings' \
	'crm-export --dump > d1 && crm-add -q -d r.db < d1 > /dev/null && crm-export -d r.db --dump | head -n -1 > d2 && cmp d1 d2'
out '... which holds every tag, tagging and rule' "$(q 'SELECT count(*) FROM tags; SELECT count(*) FROM customer_tags; SELECT count(*) FROM tag_rules')" \
	"grep -c '\"kind\":\"tag\"' d1; grep -c '\"kind\":\"tagging\"' d1; grep -c '\"kind\":\"tag_rule\"' d1"

# ---- concurrent writers wait for each other ----
crm-gen customers 3000 | crm-add -q -d c.db > /dev/null
crm-gen events 9000 --customers 3000 | crm-add -q -k events -d c.db > /dev/null
crm-tag -q -d c.db --rule 活跃规则 --tag 活跃 -w 'count(purchase, 90d) >= 1'
crm-tag -q -d c.db --rule 重庆 --tag 重庆 -w "city = '重庆'"
ok 'concurrent --apply and tagging by hand of the same customers all succeed' '
	(for i in 1 2 3 4 5; do crm-tag -q -d c.db --apply > /dev/null || exit 1; done) & a=$!
	(for i in 1 2 3 4 5; do crm-tag -q -d c.db -a 活跃 -a 手工$i --all || exit 1; done) & b=$!
	wait $a && wait $b'
out '... everyone carries what the person gave' '3000
3000' "crm-segment -d c.db --count -w \"tag('活跃')\"; crm-segment -d c.db --count -w \"tag('手工5')\""
out '... and a last --apply finds nothing to do' 'customer_id,tag,change,rule' 'crm-tag -d c.db --apply'

# ---- usage ----
fails 2 'one job at a time' 'crm-tag -q --list --audit'
fails 2 'a job is needed' 'crm-tag -q C1'
fails 2 '--dry-run goes with --apply' 'crm-tag -q --dry-run --list'
fails 2 '--expires goes with -a' 'crm-tag -q -r x --expires 30d C1'
fails 2 '--category goes with --define' 'crm-tag -q --list --category basic'
fails 2 'customers are chosen only for -a and -r' 'crm-tag -q --apply --all'
fails 2 '--rename needs the new name' 'crm-tag -q --rename a'
fails 2 '--tag goes with --rule' 'crm-tag -q --tag a -a b C1'
done_testing
