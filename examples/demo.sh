#!/bin/sh
# The demo: the bundled sample into a fresh database, and a look at it.
# usage: examples/demo.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/${1:-build}
cd "$top"
export PATH="$bin:$PATH"
# The sample's events run to the end of 2024: look at it from there.
export CRM_NOW=2024-12-31
export CRM_DB="$top/demo.db"
rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"

say() { printf '\n\033[1m%s\033[0m\n' "$*" 2>/dev/null || printf '\n%s\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || say() { printf '\n== %s\n' "$*"; }

say "The sample as another tool exported it (examples/customers.csv):"
head -5 examples/customers.csv

say "crm-add examples/customers.csv    # phones, dates and genders normalized, duplicates merged"
crm-add examples/customers.csv >/dev/null
say "crm-add -k events examples/events.csv    # 2,000 purchases, visits, refunds, messages"
crm-add -k events examples/events.csv >/dev/null

say "crm-export -o table -f id,name,phone,gender,birthday,age,city,level | head -6"
crm-export --all -o table -f id,name,phone,gender,birthday,age,city,level | head -6

say "crm-segment --by stage -o chart    # where the customers are in their lifecycle"
crm-segment --all --by stage -o chart

say "Who in 上海 bought what, and when: one command selects, the next reads the pipe"
echo "crm-segment -w \"city = '上海'\" | crm-export -o table -f name,phone,first_purchase,last_purchase"
crm-segment -w "city = '上海'" | crm-export -o table -f name,phone,first_purchase,last_purchase

say "Big spenders gone quiet, saved as a segment for the nightly job"
echo "crm-segment --save 沉睡大客户 -w \"sum(purchase, 1y) > 3000 and since(purchase) > 90\""
crm-segment -q --save 沉睡大客户 -w "sum(purchase, 1y) > 3000 and since(purchase) > 90"
crm-segment -s 沉睡大客户 -o table -f name,city,last_purchase,stage | head -6

say "Tags by rule: 金卡 and 银卡 exclude each other; --apply writes what changed"
echo "crm-tag --define 金卡 --group 会员等级; crm-tag --define 银卡 --group 会员等级"
crm-tag -q --define 金卡 --category basic --group 会员等级
crm-tag -q --define 银卡 --category basic --group 会员等级
echo "crm-tag --rule 金卡 --tag 金卡 -w \"sum(purchase, 1y) > 6000\""
crm-tag -q --rule 金卡 --tag 金卡 -w "sum(purchase, 1y) > 6000"
crm-tag -q --rule 银卡 --tag 银卡 -w "sum(purchase, 1y) > 3000"
crm-tag -q --rule 沉睡 --tag 沉睡 -w "since(purchase) > 180"
echo "crm-tag --apply    # the changes, the first three here; a second run writes nothing"
changes=$(crm-tag -q --apply)
printf '%s\n' "$changes" | head -4
crm-segment --all --by tag -o chart

say "Grades (客户分级) by a model of points, examples/value.model:"
grep -v '^#' examples/value.model
echo "crm-score --define value examples/value.model; crm-score --all    # last month, then today"
crm-score -q --define value examples/value.model
crm-score -q --all --as-of 2024-11-30 > /dev/null
crm-score -q --all > /dev/null
crm-segment --all --by grade -o chart
say "The churn warning (流失预警): who fell from A or B to C or D in the last 30 days"
echo "crm-score --changes --since 30d --from A,B --to C,D -o table"
crm-score --changes --since 30d --from A,B --to C,D -o table
say "RFM as the R rfm package computes it, and why one customer is where it is"
echo "crm-score -m rfm --all; crm-segment --by rfm_segment -o chart"
crm-score -q -m rfm --all > /dev/null
crm-segment --all --by rfm_segment -o chart
echo "crm-score -m rfm --explain C0000005 -o table"
crm-score -m rfm --explain C0000005 -o table

say "Notes (备注) and follow-ups (回访): a complaint to call back on, a note for a segment"
echo "crm-note -c 投诉 --follow-up 3d C0000002 客户投诉物流太慢，要求补偿"
crm-note -q -c 投诉 --follow-up 3d C0000002 客户投诉物流太慢，要求补偿
echo "crm-segment -s 沉睡大客户 | crm-note 已发送唤醒优惠券"
crm-segment -s 沉睡大客户 | crm-note -q 已发送唤醒优惠券 > /dev/null
echo "crm-note --due --all --as-of 2025-01-05 -o table    # the calls owed, the most overdue first"
crm-note --due --all --as-of 2025-01-05 -o table
echo "crm-note -l --all --text 物流太慢 -o table    # Chinese found through a trigram index"
crm-note -l --all --text 物流太慢 -o table

say "A bad file changes nothing, and says why (examples/broken.csv):"
crm-add examples/broken.csv >/dev/null || true

say "A workbook as Excel or WPS saves it, Chinese headers and all (examples/客户.xlsx), in a database of its own"
echo "crm-add -d demo-客户.db examples/客户.xlsx; crm-export -d demo-客户.db -o table --all -f id,name,phone,gender,birthday,city,会员等级"
rm -f "$top/demo-客户.db"*
crm-add -d "$top/demo-客户.db" examples/客户.xlsx >/dev/null
crm-export -d "$top/demo-客户.db" -o table --all -f id,name,phone,gender,birthday,city,会员等级

say "The customer portrait (客户画像): one customer's page, and what sets a segment apart"
echo "crm-profile C0000002 -o table | sed -n '/^VALUE/,/^GRADE/p'    # the whole page has 12 sections"
crm-profile C0000002 -o table | sed -n '/^VALUE/,/^GRADE/p'
echo "crm-profile -s 沉睡大客户 --top 3 -o chart | sed -n '/^stage/,/^tags/p'    # against everyone"
crm-profile -s 沉睡大客户 --top 3 -o chart | sed -n '/^stage/,/^tags/p'

say "Everything, as one file that crm-add restores: crm-export --dump | wc -l"
crm-export --dump | wc -l

printf '\nThe demo database is %s. Try:\n  export CRM_DB=%s CRM_NOW=2024-12-31 PATH=%s:$PATH\n  crm-export -o table | less -S\n' \
	"$CRM_DB" "$CRM_DB" "$bin"
