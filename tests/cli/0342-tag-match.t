#!/bin/sh
# crm-tag --match: lists of phones, emails and WeChat ids from other systems
# tag the customers they name, each value read as crm-add stores it; the
# ones nobody has, that do not read, or that several customers share are
# reported by line and tag nothing.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30 USER=tester
printf '%s\n' 'id,name,phone,email,wechat_id,openid,unionid' \
	'M1,张三,13800000001,zhang@example.com,wx_zhang,oAAA111,uAAA111' \
	'M2,李四,13900000002,li@example.com,wx_li,oBBB222,' \
	'M3,王五,13600000003,,,,' \
	'M4,赵六,13600000003,,,,' \
	'M5,钱七,13500000005,qian@example.com,,,' \
	'M6,孙八,13700000006,,,,' > customers.csv
crm-add -q customers.csv > /dev/null
crm-rm -q M6 > /dev/null # erased: their phone names nobody now
# tags_of TAG: the customers carrying it, as stored: id and source
printf '#!/bin/sh\nexec q "%s"\n' "SELECT c.id, ct.source FROM customer_tags ct JOIN customers c USING (cid) \
JOIN tags t USING (tid) WHERE t.name = '\$1' ORDER BY c.id" > "$WORK/bin/tags_of"
chmod +x "$WORK/bin/tags_of"

# ---- phones, however they are written ----
printf '%s\n' '手机号,备注' '+86 138 0000 0001,展会' '0086-139-0000-0002,' '(135) 0000.0005,回访' > phones.csv
out 'phones in several spellings tag their customers, passing the records through' 'phone,备注,tags
+86 138 0000 0001,展会,回访名单
0086-139-0000-0002,,回访名单
(135) 0000.0005,回访,回访名单' 'crm-tag -q -a 回访名单 --match phone < phones.csv'
out '... stored as a person'"'"'s tagging' 'M1|user:tester
M2|user:tester
M5|user:tester' 'tags_of 回访名单'
err '... and says how many' 'crm-tag: 3 taggings set, 0 removed' 'crm-tag -a 回访名单2 --match phone < phones.csv > /dev/null'
out 'a bare list is values of the key, passed through as that column' 'phone,tags
138 0000 0001,回访名单;回访名单2;热线' "printf '138 0000 0001\n' | crm-tag -q -a 热线 --match phone"
out '... and as JSON' '{"phone":13800000001,"tags":["回访名单","回访名单2","热线"]}' \
	"printf '{\"phone\":13800000001}\n' | crm-tag -q -a 热线 --match phone -o ndjson"
out '-r untags by a key too' 'M2|user:tester
M5|user:tester' "printf '13800000001\n' | crm-tag -q -r 回访名单 --match phone > /dev/null; tags_of 回访名单"
fails 1 'a record whose id is another customer than its phone names is refused' \
	"printf 'id,phone\nM1,13500000005\n' | crm-tag -q -a 只认手机 --match phone > /dev/null"

# ---- emails, wechat_id, openid, unionid ----
out 'emails in upper case find their customers' 'M1|user:tester
M5|user:tester' "printf 'email\n ZHANG@EXAMPLE.COM\nQian@Example.Com\n' | crm-tag -q -a 邮件 --match email > /dev/null; tags_of 邮件"
out 'wechat_id, from a column 微信号' 'M2|user:tester' "printf '微信号\nwx_li\n' | crm-tag -q -a 微信 --match wechat_id > /dev/null; tags_of 微信"
printf '%s\n' 'openid,nickname,subscribe_time' 'oAAA111,小张,1704420000' 'oBBB222,Lee,1710000000' > followers.csv
out 'openids of a WeChat follower list (read as crm-add reads it)' 'openid,name,subscribe_time,tags
oAAA111,小张,2024-01-05T10:00:00,公众号;回访名单2;热线;邮件
oBBB222,Lee,2024-03-10T00:00:00,公众号;回访名单;回访名单2;微信' 'crm-tag -q -a 公众号 --match openid < followers.csv'
out '... a bare list of them, headed openid' 'M1|user:tester
M2|user:tester' "printf 'openid\noAAA111\noBBB222\n' | crm-tag -q -a 粉丝 --match openid > /dev/null; tags_of 粉丝"
out '... or not headed' 'M2|user:tester' "printf 'oBBB222\n' | crm-tag -q -a 粉丝2 --match openid > /dev/null; tags_of 粉丝2"
out '... in a column OpenID' 'M1|user:tester' "printf 'OpenID\noAAA111\n' | crm-tag -q -a 粉丝3 --match openid > /dev/null; tags_of 粉丝3"
out '... which keep their case' '' "printf 'oaaa111\n' | crm-tag -q -a 粉丝4 --match openid; tags_of 粉丝4"
out 'unionids' 'M1|user:tester' "printf 'unionid\nuAAA111\n' | crm-tag -q -a 开放平台 --match unionid > /dev/null; tags_of 开放平台"
out 'the sample WeChat user list (its user_info_list) is read as it is' 'customers: 2 inserted' \
	"crm-add -d wx.db '$EXAMPLES/wechat-users.json' 2>&1 > /dev/null | grep -o 'customers: 2 inserted'; crm-tag -q -d wx.db -a 粉丝 --match openid < '$EXAMPLES/wechat-users.json' > /dev/null"
out '... its followers tagged' '2' "crm-export -d wx.db --dump | grep -c '\"kind\":\"tagging\"'"

# ---- values that name nobody, do not read, or name several ----
tags_of 回访名单 > before
printf '%s\n' 'phone,备注' '13800000001,好' '13800000009,无人' '12345,坏号' '13600000003,两人' '13700000006,已删除' ',空' > mixed.csv
err 'each bad value is reported on its line, and nothing is tagged' "crm-tag: stdin:3: no customer has phone '13800000009'
crm-tag: stdin:4: phone: '12345' is not a mobile number
crm-tag: stdin:5: phone: '13600000003' matches more than one customer ('M3', 'M4'): name them by id (crm-segment --duplicates phone lists them)
crm-tag: stdin:6: no customer has phone '13700000006'
crm-tag: stdin:7: the record has an empty phone
crm-tag: nothing was tagged: fix the selection first" 'crm-tag -a 回访名单 --match phone < mixed.csv'
fails 1 '... exit status 1, as for unknown ids' 'crm-tag -q -a 回访名单 --match phone < mixed.csv'
out '... nothing passes through' '' 'crm-tag -q -a 回访名单 --match phone < mixed.csv'
out '... and the database is as it was' "$(cat before)" 'tags_of 回访名单'
out '... not even the catalog has the tag' '' "crm-tag -q -a 新标签 --match phone < mixed.csv; q \"SELECT name FROM tags WHERE name = '新标签'\""
err 'an unknown email' "crm-tag: stdin:1: no customer has email 'nobody@example.com'
crm-tag: nothing was tagged: fix the selection first" "printf 'NOBODY@example.com\n' | crm-tag -a x --match email"
err 'a bad email' "crm-tag: stdin:1: email: 'not-an-email' is not an email address
crm-tag: nothing was tagged: fix the selection first" "printf 'not-an-email\n' | crm-tag -a x --match email"
err 'an openid nobody has' "crm-tag: stdin:2: no customer has openid 'oZZZ999'
crm-tag: nothing was tagged: fix the selection first" "printf 'openid\noZZZ999\n' | crm-tag -a x --match openid"
err 'records without the key'"'"'s column say so once' "crm-tag: stdin:1: records need a column openid (--match openid); the names read were:
crm-tag: stdin:1:   'id'
crm-tag: stdin:1:   'name'
crm-tag: stdin:1: (the first line is the header: was it cut off, by grep perhaps?)
crm-tag: nothing was tagged: fix the selection first" "printf 'id,name\nM1,张三\n' | crm-tag -a x --match openid"
fails 1 '... exit status 1' "printf 'id,name\nM1,张三\n' | crm-tag -q -a x --match openid"
err 'an empty stream tags nobody' 'crm-tag: no customers on stdin: nothing to do (use --all for everyone)' \
	"printf 'phone\n' | crm-tag -a x --match phone"

# ---- usage ----
err '--match takes no ids' "crm-tag: --match phone reads the customers from records on stdin: it takes no ids, -s, -w or --all
Try 'crm-tag --help'." "printf '13800000001\n' | crm-tag -a x --match phone M1"
fails 2 '... nor -w' "printf '13800000001\n' | crm-tag -q -a x --match phone -w 'age > 1'"
fails 2 '... nor -s' "crm-segment -q --save 全部 -w \"id <> ''\"; printf '13800000001\n' | crm-tag -q -a x --match phone -s 全部"
fails 2 '... nor --all' "printf '13800000001\n' | crm-tag -q -a x --match phone --all"
err '... and needs records on stdin' "crm-tag: --match phone reads the customers from records on stdin: pipe them in
Try 'crm-tag --help'." 'crm-tag -a x --match phone'
fails 2 '... with status 2' 'crm-tag -q -a x --match phone'
err '--match goes with -a and -r' "crm-tag: --match goes with -a and -r
Try 'crm-tag --help'." 'crm-tag --list --match phone'
err 'an unknown key is a usage error' "crm-tag: bad argument 'name' for --match
Try 'crm-tag --help'." "printf '张三\n' | crm-tag -a x --match name"
fails 2 '--match once only' "printf '13800000001\n' | crm-tag -q -a x --match phone --match email"
out 'none of these tagged anyone' '' "q \"SELECT name FROM tags WHERE name = 'x'\""
# ---- a record with an id too: the two must name one customer ----
err 'an id column naming someone else than the phone does: refused' \
	"crm-tag: stdin:2: phone '13800000001' is customer M1's, but the record names M2: drop one of the two columns
crm-tag: nothing was tagged: fix the selection first" \
	"printf 'id,phone\nM2,13800000001\n' | crm-tag -a 冲突 --match phone > /dev/null"
out '... nobody tagged' '' 'tags_of 冲突'
out 'an id column that agrees is fine' 'M1' \
	"printf 'id,phone\nM1,13800000001\n' | crm-tag -q -a 一致 --match phone -o ids"
done_testing
