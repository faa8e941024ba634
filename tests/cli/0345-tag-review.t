#!/bin/sh
# A tag's life (定期审查): the review flags stale and orphan tags, and
# --rename and --merge-tags act on what it finds, each in one transaction,
# in the audit trail, leaving nothing changed when they fail.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30 USER=tester
printf '%s\n' 'id,name,city' 'C1,张三,上海' 'C2,李四,北京' 'C3,王五,广州' 'C4,赵六,上海' 'C5,钱七,深圳' |
	crm-add -q > /dev/null
# taggings: the taggings of some tags as stored
printf '#!/bin/sh\nexec q "%s"\n' "SELECT c.id, t.name, ct.source, ct.tagged_at, coalesce(ct.expires_on, '') \
FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid) \
WHERE t.name IN ('重点客户', '核心客户', '大客户', 'VIP客户', '金卡', '银卡', '普通金卡') ORDER BY c.id, t.name" \
	> "$WORK/bin/taggings"
# tables: everything a tag change could touch, to compare before and after
printf '#!/bin/sh\nexec q -d "${1:-$CRM_DB}" "%s"\n' "SELECT * FROM tags ORDER BY tid; \
SELECT * FROM customer_tags ORDER BY cid, tid; SELECT * FROM tag_rules ORDER BY name; \
SELECT count(*) FROM audit" > "$WORK/bin/tables"
chmod +x "$WORK/bin/taggings" "$WORK/bin/tables"
trail() { # the last row of the audit trail: user, command line, changes
	echo "crm-export -k audit -o tsv | tail -1 | cut -f 3-5"
}

# ---- the review ----
crm-tag -q --as-of 2024-01-01 -a 年货节 C1 C2 # 181 days before the day
crm-tag -q --as-of 2024-05-20 -a 端午 C3     # 41 days before
crm-tag -q -a 新客 C4 C5
crm-tag -q --define 待定
crm-tag -q --rule 大户规则 --tag 大户 -w 'age > 200'
crm-tag -q --rule 北京规则 --tag 北京客户 -w "city = '北京'"
out '--audit flags a stale tag (180 days), an orphan, and a rule'"'"'s tag that covers nobody' \
'tag,category,customers,coverage_pct,by_hand,by_rule,last_change,flags
年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,stale
新客,custom,2,40.0,2,0,2024-06-30T00:00:00,
端午,custom,1,20.0,1,0,2024-05-20T00:00:00,
北京客户,custom,0,0.0,0,0,,unused
大户,custom,0,0.0,0,0,,unused;idle-rule
待定,custom,0,0.0,0,0,,unused;orphan' 'crm-tag --audit'
out '--stale 30d flags the one given 41 days ago too' \
'tag,category,customers,coverage_pct,by_hand,by_rule,last_change,flags
年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,stale
新客,custom,2,40.0,2,0,2024-06-30T00:00:00,
端午,custom,1,20.0,1,0,2024-05-20T00:00:00,stale
北京客户,custom,0,0.0,0,0,,unused
大户,custom,0,0.0,0,0,,unused;idle-rule
待定,custom,0,0.0,0,0,,unused;orphan' 'crm-tag --audit --stale 30d'
out '... a window holds the day and the days before it: 42d holds 41 days ago' '端午,custom,1,20.0,1,0,2024-05-20T00:00:00,' \
	'crm-tag --audit --stale 42d | grep 端午'
out '... 41d does not' '端午,custom,1,20.0,1,0,2024-05-20T00:00:00,stale' 'crm-tag --audit --stale 41d | grep 端午'
out '... weeks, months and years as everywhere' '年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,
年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,stale
年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,' \
	'crm-tag --audit --stale 1y | grep 年货; crm-tag --audit --stale 6m | grep 年货; crm-tag --audit --stale 26w | grep 年货'
out '... as of the command'"'"'s day' '年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,' \
	'crm-tag --audit --as-of 2024-02-01 | grep 年货'
out '... CRM_NOW included' '年货节,custom,2,40.0,2,0,2024-01-01T00:00:00,' \
	'CRM_NOW=2024-06-28 crm-tag --audit | grep 年货'
out 'an --apply that tags Beijing takes the rule'"'"'s tag off the unused' '北京客户,custom,1,20.0,0,1,2024-06-30T00:00:00,' \
	'crm-tag -q --apply > /dev/null; crm-tag --audit | grep 北京客户'
out 'deleting the orphan leaves no orphan' '' 'crm-tag -q --delete 待定; crm-tag --audit | grep orphan'
err 'a bad --stale is a usage error' "crm-tag: --stale 'soon': give days (90d, 12w, 6m, 1y)
Try 'crm-tag --help'." 'crm-tag --audit --stale soon'
fails 2 '... exit status 2' 'crm-tag -q --audit --stale soon'
fails 2 '... so are 0d' 'crm-tag -q --audit --stale 0d'
fails 2 '... a number without its unit' 'crm-tag -q --audit --stale 90'
fails 2 '... and a date' 'crm-tag -q --audit --stale 2024-01-01'
err '--stale goes with --audit' "crm-tag: --stale goes with --audit
Try 'crm-tag --help'." 'crm-tag --list --stale 90d'

# ---- --merge-tags: taggings of both join ----
USER=小王 crm-tag -q --as-of 2024-03-01 -a 重点客户 --expires 2024-09-01 C1
crm-tag -q --as-of 2024-01-15 -a 大客户 C1
USER=小李 crm-tag -q --as-of 2023-12-01 -a VIP客户 C1
crm-tag -q --rule 重点规则 --tag 重点客户 -w "id = 'C2'" && crm-tag -q --apply > /dev/null
crm-tag -q --as-of 2024-02-01 -a 大客户 --expires 2024-12-31 C2
crm-tag -q -a 大客户 --expires 2024-08-01 C3
crm-tag -q --as-of 2024-05-01 -a 重点客户 --expires 2024-06-01 C4 # lapsed on the day
crm-tag -q --as-of 2024-06-10 -a 大客户 C4
crm-tag -q -a VIP客户 C5
crm-tag -q --rule 大客户规则 --tag 大客户 -w "city = '深圳'"
crm-segment -q --save 大客户名单 -w "tag('大客户')"
out 'the fixture' 'C1|VIP客户|user:小李|2023-12-01T00:00:00|
C1|大客户|user:tester|2024-01-15T00:00:00|
C1|重点客户|user:小王|2024-03-01T00:00:00|2024-09-01
C2|大客户|user:tester|2024-02-01T00:00:00|2024-12-31
C2|重点客户|rule:重点规则|2024-06-30T00:00:00|
C3|大客户|user:tester|2024-06-30T00:00:00|2024-08-01
C4|大客户|user:tester|2024-06-10T00:00:00|
C4|重点客户|user:tester|2024-05-01T00:00:00|2024-06-01
C5|VIP客户|user:tester|2024-06-30T00:00:00|' 'taggings'
tables > before
cp crm.db old.db # for the older spelling, below
err 'merges two tags into one, saying what moved and what still names them' \
"crm-tag: merged '大客户', 'VIP客户' into '重点客户': 2 taggings moved, 4 joined with one the customer had; 1 rule now gives '重点客户'
crm-tag: segment '大客户名单' still says tag('大客户'), which no customer has now: change it to tag('重点客户')" \
	'crm-tag --merge-tags 重点客户 大客户 VIP客户'
out '... a customer keeps one tagging: the earliest, the longer-lasting, a person'"'"'s over a rule'"'"'s' \
'C1|重点客户|user:小王|2023-12-01T00:00:00|
C2|重点客户|user:tester|2024-02-01T00:00:00|
C3|重点客户|user:tester|2024-06-30T00:00:00|2024-08-01
C4|重点客户|user:tester|2024-06-10T00:00:00|
C5|重点客户|user:tester|2024-06-30T00:00:00|' 'taggings'
out '... the merged tags are gone from the catalog' '' "q \"SELECT name FROM tags WHERE name IN ('大客户', 'VIP客户')\""
out '... their rules give the tag kept' 'rule,tag,expr,tagged
北京规则,北京客户,city = '"'北京'"',1
大客户规则,重点客户,city = '"'深圳'"',0
大户规则,大户,age > 200,0
重点规则,重点客户,id = '"'C2'"',0' 'crm-tag --rules'
out '... so --apply finds nothing to do: everyone the rules give it has it' 'customer_id,tag,change,rule' 'crm-tag --apply'
out '... in the audit trail, as one change' "tester	crm-tag --merge-tags 重点客户 大客户 VIP客户	customer_tags: 6 changed, 4 removed; tag_rules: 1 changed; tags: 2 removed" "$(trail)"
ok 'the older spelling --merge FROM INTO does the same, a tag at a time' \
	"crm-tag -q -d old.db --merge 大客户 重点客户 && crm-tag -q -d old.db --merge VIP客户 重点客户 && tables old.db | head -n -1 > a && tables | head -n -1 > b && cmp a b"

# the tag kept takes its group's place, as when tagging by hand
crm-tag -q --define 金卡 --group 会员等级 && crm-tag -q --define 银卡 --group 会员等级
crm-tag -q -a 银卡 C3 C4 && crm-tag -q -a 普通金卡 C3
out 'a customer of a tag merged into a tag of a group loses the others of the group' 'C3|金卡|user:tester|2024-06-30T00:00:00|
C4|银卡|user:tester|2024-06-30T00:00:00|' \
	"crm-tag -q --merge-tags 金卡 普通金卡; taggings | grep -e 金卡 -e 银卡"

# ---- --merge-tags that fail change nothing ----
tables > before
err 'an unknown tag' "crm-tag: no tag '无此标签' (crm-tag --list)" 'crm-tag --merge-tags 重点客户 新客 无此标签'
fails 1 '... exit status 1' 'crm-tag -q --merge-tags 重点客户 新客 无此标签'
out '... and the tag before it in the list is not merged either' "$(cat before)" 'tables'
err 'an unknown tag to keep' "crm-tag: no tag '无此标签' (crm-tag --list)" 'crm-tag --merge-tags 无此标签 新客'
err 'a tag given twice' "crm-tag: tag '新客' is given twice" 'crm-tag --merge-tags 重点客户 新客 新客'
fails 2 '... is a usage error' 'crm-tag -q --merge-tags 重点客户 新客 新客'
err 'a tag into itself' "crm-tag: a tag cannot be merged into itself ('重点客户')" 'crm-tag --merge-tags 重点客户 重点客户'
fails 2 '... is a usage error' 'crm-tag -q --merge-tags 重点客户 新客 重点客户'
err 'nothing to merge' "crm-tag: --merge-tags 重点客户 needs the tags to merge into it after it
Try 'crm-tag --help'." 'crm-tag --merge-tags 重点客户'
fails 2 '--merge FROM needs INTO' 'crm-tag -q --merge 新客'
fails 2 '... one INTO' 'crm-tag -q --merge 新客 重点客户 端午'
out 'none of these changed anything' "$(cat before)" 'tables'

# ---- --rename ----
crm-tag -q --rule 升级 --tag 年货节 -w "tag('重点客户') and city = '上海'"
crm-segment -q --save 重点名单 -w "tag('重点客户') or tag(\"重点客户\")"
crm-segment -q --save 不相干 -w "tag('重点客户们') or city = '重点客户'"
printf 'grade A 10\ngrade B 0\nrule 10 tag("重点客户")   # 重点\n' > 价值.model
crm-score -q --define 价值 价值.model
tables > before
err 'renames a tag, naming what still says the old name (not what only looks like it)' \
"crm-tag: renamed '重点客户' to '核心客户'
crm-tag: segment '重点名单' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')
crm-tag: rule '升级' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')
crm-tag: model '价值' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')" \
	'crm-tag --rename 重点客户 核心客户'
out '... its taggings keep it' 'C1|核心客户|user:小王|2023-12-01T00:00:00|
C2|核心客户|user:tester|2024-02-01T00:00:00|
C3|核心客户|user:tester|2024-06-30T00:00:00|2024-08-01
C4|核心客户|user:tester|2024-06-10T00:00:00|
C5|核心客户|user:tester|2024-06-30T00:00:00|' 'taggings | grep 核心'
out '... and its rules give it' '大客户规则,核心客户
重点规则,核心客户' 'crm-tag --rules | grep 核心 | cut -d, -f1,2'
out '... changing one row, in the audit trail' "tester	crm-tag --rename 重点客户 核心客户	tags: 1 changed" "$(trail)"
out '... the row of the tag, and nothing else' "$(head -n -1 before | sed 's/|重点客户|/|核心客户|/')" 'tables | head -n -1'
err '... back: what says the name again is fine, and nothing is said' '' 'crm-tag -q --rename 核心客户 重点客户'
err '... the warnings come even with -q' \
"crm-tag: segment '重点名单' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')
crm-tag: rule '升级' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')
crm-tag: model '价值' still says tag('重点客户'), which no customer has now: change it to tag('核心客户')" \
	'crm-tag -q --rename 重点客户 核心客户'
tables > before
err 'a name that exists is refused, pointing at --merge-tags' \
	"crm-tag: tag '新客' exists: --merge-tags 新客 核心客户 moves the customers of '核心客户' to it" 'crm-tag --rename 核心客户 新客'
fails 1 '... exit status 1' 'crm-tag -q --rename 核心客户 新客'
err 'so is a name that breaks the naming rules' "crm-tag: tag '核心;客户': ';' is not allowed in a tag name" "crm-tag --rename 核心客户 '核心;客户'"
fails 1 '... exit status 1' "crm-tag -q --rename 核心客户 '核心;客户'"
err 'an unknown tag' "crm-tag: no tag '无此标签' (crm-tag --list)" 'crm-tag --rename 无此标签 有'
err 'a tag to its own name' "crm-tag: --rename 新客 新客: that is its name already" 'crm-tag --rename 新客 新客'
fails 2 '... is a usage error' 'crm-tag -q --rename 新客 新客'
fails 2 'one new name' 'crm-tag -q --rename 新客 甲 乙'
out 'none of these changed anything' "$(cat before)" 'tables'

# ---- a read-only database: exit 3, nothing changed ----
runas=''
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$WORK" "$WORK/bin"
	runas='setpriv --reuid=65534 --regid=65534 --clear-groups'
	if ! $runas "$CRM_BIN/crm-tag" --version > /dev/null 2>&1; then
		runas=none
	fi
fi
if [ "$runas" = none ]; then
	skip 'nobody cannot run crm-tag: no read-only checks as root'
else
	mkdir -m 777 ro && cp crm.db ro/crm.db && chmod 444 ro/crm.db
	[ -n "$runas" ] && chown 65534:65534 ro/crm.db
	tables ro/crm.db > before
	ro='ro/crm.db: database is read-only (its file is not writable): this command would change it'
	err '--merge-tags on a read-only database says so' "crm-tag: $ro" "$runas crm-tag -d ro/crm.db --merge-tags 核心客户 新客"
	fails 3 '... exit status 3' "$runas crm-tag -q -d ro/crm.db --merge-tags 核心客户 新客"
	fails 3 '--rename too' "$runas crm-tag -q -d ro/crm.db --rename 新客 老新客"
	fails 3 '--merge too' "$runas crm-tag -q -d ro/crm.db --merge 新客 核心客户"
	ok '--audit reads it' "$runas crm-tag -d ro/crm.db --audit --stale 90d > /dev/null"
	out '... and nothing changed' "$(cat before)" 'tables ro/crm.db'
fi
done_testing
