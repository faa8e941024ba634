#!/bin/sh
# crm-note: adding, listing, searching, follow-ups, edits, deletions, imports.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30 USER=小张
printf 'id,name,phone,city\nC1,张三,13800138000,上海\nC2,李四,13900139000,北京\nC3,王五,,上海\n' |
	crm-add -q > /dev/null

# ---- adding ----
err 'a note for one customer, its words joined' 'crm-note: note 1 added' 'crm-note C1 客户说 物流太慢，要求补偿'
out '... stored with its author, category, time' '1|C1|客户说 物流太慢，要求补偿|其他|小张|2024-06-30T00:00:00|' \
	"q \"SELECT n.nid, c.id, n.body, n.category, n.author, n.created_at, n.follow_up FROM notes n JOIN customers c USING (cid)\""
ok 'a category, an author and a follow-up in 3 days' 'crm-note -q -c 投诉 -a 小王 --follow-up 3d C2 快递破损'
out '... the follow-up is a date' '2024-07-03' "q 'SELECT follow_up FROM notes WHERE nid = 2'"
ok '... or a date given as people write it' 'crm-note -q --follow-up 2024年7月15日 C3 约了下月再谈'
out '... stored normalized' '2024-07-15' "q 'SELECT follow_up FROM notes WHERE nid = 3'"
err 'a follow-up in the past is refused' 'crm-note: --follow-up 2024-06-01: the day must come on or after 2024-06-30' \
	'crm-note --follow-up 2024-06-01 C1 x'
fails 2 '... as a usage error' 'crm-note --follow-up soon C1 x'
err 'an unknown category lists the known ones' \
	"crm-note: unknown category '闲聊' (known: 沟通, 回访, 投诉, 需求, 其他; add one with crm-note --add-category)" \
	'crm-note -c 闲聊 C1 x'
fails 1 '... exit 1' 'crm-note -c 闲聊 C1 x'
err 'an unknown customer' "crm-note: unknown customer 'C9'
crm-note: no note was added: fix the selection first" 'crm-note C9 hello'
err 'a note needs text' 'crm-note: a note needs text' "crm-note C1 '   '"
fails 2 'an id and no text, at a terminal' "script -qec 'crm-note C1' /dev/null > /dev/null"
err '... with records piped in, the one argument is the text for the customers on it' \
	'crm-note: no customers on stdin: nothing to do (use --all for everyone)' "printf '' | crm-note C1"
err 'control characters are refused' 'crm-note: control character 0x07 in the note' "crm-note C1 \"\$(printf 'a\\007b')\""
head -c 70000 /dev/zero | tr '\0' x > long.txt
err 'at most 64 KiB' 'crm-note: a note is at most 65536 bytes (this one has 70000)' 'crm-note C1 - < long.txt'
out 'nothing bad was stored' '3' "q 'SELECT count(*) FROM notes'"
printf '电话回访：\n1. 物流已补偿 "引号", 逗号\n2. 送小样 😀\n' > call.txt
ok 'text from stdin, line breaks, quotes and emoji kept' 'crm-note -q -c 回访 C1 - < call.txt'
out '... exactly' "$(cat call.txt)" "q 'SELECT body FROM notes WHERE nid = 4'"
out '... and they survive json' '"body":"电话回访：\n1. 物流已补偿 \"引号\", 逗号\n2. 送小样 😀"}' \
	"crm-note -l C1 -o ndjson | grep '\"note_id\":4,' | grep -o '\"body\".*'"
err 'the same note for a selection' 'crm-note: 2 notes added (5 to 6)' "crm-note -w \"city = '上海'\" 已发送双十一优惠券"
out 'a stream passes through, with the notes'"'"' ids' 'id,name,note_id
C2,李四,7' "printf 'id,name\nC2,李四\n' | crm-note 已发送双十一优惠券"
out '... or with - for the id' 'id,note_id
C3,8' "printf 'id\nC3\n' | crm-note -q - 回访提醒"
out 'ids are never reused' '9' "crm-note -q --delete 8 --force && crm-note -q C3 again && q 'SELECT max(nid) FROM notes'"
fails 2 'with no customer and a terminal-less empty stdin... no text' 'crm-note'

# ---- listing ----
out '-l lists the notes of the customers given, newest first' 'note_id,customer_id,name,category,author,created_at,follow_up,done_at,body
7,C2,李四,其他,小张,2024-06-30T00:00:00,,,已发送双十一优惠券
2,C2,李四,投诉,小王,2024-06-30T00:00:00,2024-07-03,,快递破损' 'crm-note -l C2'
out '... notes written after the day are not there yet' '0' "crm-note -l --all --as-of 2024-06-29 | sed 1d | wc -l"
CRM_NOW=2024-07-10 crm-note -q -c 需求 C2 想要发票
out '--since: written in the last 7 days' '10' "crm-note -l --all --since 7d --as-of 2024-07-10 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '-c and -a narrow it' '2' "crm-note -l --all -c 投诉 -a 小王 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '--text finds Chinese words through the trigram index' '1' "crm-note -l --all --text 物流太慢 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... every word, in any order' '1' "crm-note -l --all --text '要求补偿 物流太慢' -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... words of two characters too' '4
1' "crm-note -l --all --text 物流 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... English ignoring case' '' "crm-note -l --all --text HELLO -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... a quote in the words is only text' '' "crm-note -l --all --text '\"物流 OR x' -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '--search: a PCRE2 pattern, UTF mode' '4
1' "crm-note -l --all --search '补偿|物流已' -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... (?i) for any case, and . is one character' '4' "crm-note -l --all --search '(?i)^电话回访.' -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
err '... a bad pattern says where' 'crm-note: bad regular expression: missing closing parenthesis (at character 4 of the pattern)' \
	"crm-note -l --all --search '(ab'"
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' > aaa.txt
crm-note -q C1 - < aaa.txt
err '... one that backtracks without end is stopped' \
	'crm-note: the regular expression takes too long (it backtracks without end)' \
	"crm-note -l --all --search '^(a|aa)+\$'"
fails 1 '... exit 1' "crm-note -l --all --search '^(a|aa)+\$'"
out '--text, --search and --since together, with a selection' '4
1' \
	"crm-note -l C1 C2 --text 物流 --search '补偿' --since 2024-06-30 --as-of 2024-07-10 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out 'a selection by expression' '9
6
3' "crm-note -l -w \"city = '上海' and id = 'C3'\" -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out 'notes, last_note and next_follow_up in expressions and export' 'id,notes,last_note,next_follow_up
C2,3,想要发票,2024-07-03' "crm-segment -w \"notes > 2 and id = 'C2'\" -f id,notes,last_note,next_follow_up --as-of 2024-07-10"

# ---- follow-ups ----
out '--due: due or overdue, the most overdue first, with days' 'note_id,customer_id,name,phone,follow_up,days_overdue,category,author,body
2,C2,李四,13900139000,2024-07-03,12,投诉,小王,快递破损
3,C3,王五,,2024-07-15,0,其他,小张,约了下月再谈' 'crm-note --due --all --as-of 2024-07-15'
out '... nothing due: the header alone' 'note_id,customer_id,name,phone,follow_up,days_overdue,category,author,body' \
	'crm-note --due --all --as-of 2024-07-01'
out '... it pipes into the other commands by customer_id' 'id,phone
C2,13900139000
C3,' 'crm-note --due --all --as-of 2024-07-15 | crm-export -f id,phone'
err '--done closes one' 'crm-note: note 2: follow-up done' 'crm-note --done 2 --as-of 2024-07-15'
out '... it is no longer due' '3' 'crm-note --due --all --as-of 2024-07-15 | cut -d, -f1 | sed 1d'
err '... closing it again says so' 'crm-note: note 2: its follow-up was done already, on 2024-07-15' 'crm-note --done 2'
err '... a note without a follow-up' 'crm-note: note 1 has no follow-up' 'crm-note --done 1'
err '... an unknown note' 'crm-note: no note 99' 'crm-note --done 99'
fails 2 '... not a note id' 'crm-note --done abc'

# ---- edits and history ----
err '--edit replaces the text' 'crm-note: note 1 changed; crm-note --history 1 shows the earlier text' \
	'crm-note --edit 1 --as-of 2024-07-01 客户说物流太慢，已补偿20元'
USER=小王 crm-note -q --edit 1 --as-of 2024-07-02 客户说物流太慢，已补偿30元
err '... the same text changes nothing' 'crm-note: note 1 already says that: nothing changed' \
	'crm-note --edit 1 客户说物流太慢，已补偿30元'
out '--history: every text, who wrote it and when' 'version,author,at,body
1,小张,2024-06-30T00:00:00,客户说 物流太慢，要求补偿
2,小张,2024-07-01T00:00:00,客户说物流太慢，已补偿20元
3,小王,2024-07-02T00:00:00,客户说物流太慢，已补偿30元' 'crm-note --history 1'
out '... the index follows the edit' '1' "crm-note -l --all --text 已补偿30 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... and forgets the old words' '' "crm-note -l --all --text 要求补偿 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"

# ---- deletion ----
err 'deleting needs --force' "crm-note: deleting a note needs --force (crm-note --edit changes one instead)
Try 'crm-note --help'." 'crm-note --delete 1'
ok '... with it, the note goes' 'crm-note -q --delete 1 --force --as-of 2024-07-03'
out '... from the lists and the index' '' "crm-note -l --all --text 已补偿30 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
out '... and is kept, whole, with who and when' 'note_id,customer_id,category,author,created_at,deleted_by,deleted_at,body
1,C1,其他,小张,2024-06-30T00:00:00,小张,2024-07-03T00:00:00,客户说物流太慢，已补偿30元
8,C3,其他,小张,2024-06-30T00:00:00,小张,2024-06-30T00:00:00,回访提醒' 'crm-note --deleted'
out '... its earlier texts too' '["客户说 物流太慢，要求补偿","客户说物流太慢，已补偿20元"]' \
	"q \"SELECT json_group_array(value ->> 'body') FROM note_deletions, json_each(revisions) WHERE nid = 1\""
err '... and it is named as deleted' 'crm-note: note 1 was deleted by 小张 on 2024-07-03 (crm-note --deleted)' 'crm-note --history 1'

# ---- categories ----
ok '--add-category' 'crm-note --add-category 售后'
err '... once' "crm-note: category '售后' is already there" 'crm-note --add-category 售后'
err '... by the rules of tag names' "crm-note: category 'a,b': ',' is not allowed in a tag name" 'crm-note --add-category a,b'
out '--categories, in order, with their notes' 'category,notes
沟通,0
回访,1
投诉,1
需求,1
其他,6
售后,0' 'crm-note --categories --as-of 2024-07-10'

# ---- import ----
cat > notes.csv <<'EOF'
customer_id,body,category,author,follow_up,created_at,old_id
C1,"第一行
第二行 ""引号""",需求,小李,2024/7/20,2024-05-01 10:00,77
C2,回访完成,回访,,,2024-05-02,78
C9,不存在的客户,其他,,,,79
C3,,其他,,,,80
C3,坏分类,闲聊,,,,81
C3,坏日期,其他,,2024-02-30,,82
EOF
err 'a bad import stores nothing and says why, line by line' "crm-note: notes.csv: column 'old_id' is not a note's: it is not stored
crm-note: notes.csv:5: customer_id: no customer 'C9'
crm-note: notes.csv:6: body: a note needs text
crm-note: notes.csv:7: category: unknown category '闲聊' (known: 沟通, 回访, 投诉, 需求, 其他, 售后; add one with crm-note --add-category)
crm-note: notes.csv:8: follow_up: '2024-02-30' is not a real date
crm-note: 4 bad records: nothing was stored (fix them, or store the good ones with --reject FILE)" \
	'crm-note --import notes.csv'
out '... nothing' '9' "q 'SELECT count(*) FROM notes'"
ok '--dry-run counts' 'crm-note --import --dry-run --reject bad.csv notes.csv 2> dry.err; test $? = 1'
out '... and stores nothing' 'crm-note: notes: 2 to add, 0 unchanged, 4 rejected' 'grep to.add dry.err'
fails 1 '--reject stores the good ones (exit 1: some were bad)' 'crm-note -q --import --reject bad.csv notes.csv'
out '... the bad ones are written back, with why' 'customer_id,body,category,author,follow_up,created_at,old_id,error
C9,不存在的客户,其他,,,,79,customer_id: no customer '"'"'C9'"'"'
C3,,其他,,,,80,body: a note needs text
C3,坏分类,闲聊,,,,81,"category: unknown category '"'"'闲聊'"'"' (known: 沟通, 回访, 投诉, 需求, 其他, 售后; add one with crm-note --add-category)"
C3,坏日期,其他,,2024-02-30,,82,follow_up: '"'"'2024-02-30'"'"' is not a real date' 'cat bad.csv'
out '... stored as given, the author defaulting to the user' '12|C1|需求|小李|2024-05-01T10:00:00|2024-07-20
13|C2|回访|小张|2024-05-02T00:00:00|' \
	"q \"SELECT n.nid, c.id, n.category, n.author, n.created_at, n.follow_up FROM notes n JOIN customers c USING (cid) WHERE nid > 11\""
err 'importing again adds nothing' "crm-note: stdin: column 'old_id' is not a note's: it is not stored
crm-note: notes: 0 added, 2 unchanged, 0 rejected" \
	"grep -v -e C9 -e ',,其他' -e 闲聊 -e 02-30 notes.csv | crm-note --import"
out 'json in, Chinese headers' '14|C3|沟通' \
	"echo '[{\"客户编号\":\"C3\",\"内容\":\"微信聊过\",\"分类\":\"沟通\"}]' | crm-note -q --import && q \"SELECT n.nid, c.id, n.category FROM notes n JOIN customers c USING (cid) WHERE nid = 14\""
out 'imports are indexed, and the index still follows new notes after them' '15
14' "crm-note -q C2 微信聊过了 && crm-note -l --all --text 微信聊过 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"
fails 2 '--import needs input' 'crm-note --import < /dev/tty 2>/dev/null || exit 2'

# ---- the dump ----
crm-note -q --edit 12 '第一行
第二行 "引号"，改过'
ok 'the dump holds notes, revisions, deletions and categories' 'crm-export --dump > d1.ndjson'
out '... of each kind' '13 "kind":"note"
6 "kind":"note_category"
2 "kind":"note_deletion"
1 "kind":"note_revision"' "grep -o '\"kind\":\"note[a-z_]*\"' d1.ndjson | sort | uniq -c | sed 's/^ *//'"
ok '... restores' 'crm-add -q -d r.db d1.ndjson > /dev/null'
ok '... into the same bytes' 'crm-export -d r.db --dump | head -n -1 | cmp - d1.ndjson'
out '... with a working text index' '12' "crm-note -d r.db -l --all --text 第二行 -o ndjson | grep -o 'note_id.:[0-9]*' | cut -d: -f2"

# ---- usage ----
err 'one job at a time' "crm-note: give one job: a note to add, -l, --due, --done, --edit, --history, --delete, --deleted, --categories, --add-category or --import
Try 'crm-note --help'." 'crm-note -l --due'
fails 2 '--search goes with -l' 'crm-note --search x C1 hi'
fails 2 '--reject goes with --import' 'crm-note --reject x C1 hi'
fails 2 '--force goes with --delete' 'crm-note --force C1 hi'
ok '--help' 'crm-note --help | grep -q -- --due'
done_testing
