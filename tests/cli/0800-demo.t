#!/bin/sh
# The README's first command ends with the demo: it must run, and show the data.
. "$(dirname "$0")/../lib.sh"

mkdir tree
cp -r "$TESTS/../examples" tree/
ln -s "$CRM_BIN" tree/build
ok 'the demo runs' 'tree/examples/demo.sh build > demo.out 2> demo.err'
out '... imports the sample, merging its duplicates' \
	'crm-add: customers: 200 inserted, 0 updated, 0 unchanged, 4 merged, 0 rejected
crm-add: events: 2000 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	'grep "^crm-add: .*inserted" demo.err | head -2'
out '... shows customers of 上海 with their purchases' '9' "sed -n '/Who in/,/Big spenders/p' demo.out | grep -c ' 1[3-9][0-9]\\{9\\} '"
out '... draws the stages' '5' "sed -n '/by stage/,/Who in/p' demo.out | grep -c '█'"
out '... and saves a segment' '5' "sed -n '/Big spenders/,/bad file/p' demo.out | grep -c -e dormant -e churned"
out '... tags by rule, showing the changes' 'customer_id,tag,change,rule' "sed -n '/Tags by rule/,/Grades/p' demo.out | grep '^customer_id'"
out '... and draws the tags' '4' "sed -n '/Tags by rule/,/Grades/p' demo.out | grep -c '█'"
out '... grades the customers, last month and today' '4' "sed -n '/Grades/,/churn warning/p' demo.out | grep -c '█'"
out '... lists who fell' 'C0000017     value  2024-12-31  B           D' "sed -n '/churn warning/,/RFM/p' demo.out | grep C0000017"
out '... draws the rfm segments' '9' "sed -n '/RFM as/,/crm-score -m rfm --explain/p' demo.out | grep -c '█'"
out '... and explains one' 'segment    Loyal Customers' "sed -n '/--explain/,/Notes (备注)/p' demo.out | grep '^segment'"
out '... notes a complaint and lists the call due, 2 days overdue' '1' \
	"sed -n '/Notes (备注)/,/--text/p' demo.out | grep -c 'C0000002 .* 2025-01-03  *2  *投诉'"
out '... and finds it by words' '1' "sed -n '/--text/,/bad file/p' demo.out | grep -c 'C0000002 .*物流太慢'"
out '... reads a workbook with Chinese headers' 'K002  李强  13912345679  男      1979-11-23  杭州  银卡' \
	"sed -n '/A workbook as Excel/,/Everything/p' demo.out | grep K002"
out '... shows the bad file refused, with reasons' "crm-add: examples/broken.csv:3: phone: '12345' is not a mobile number" \
	"grep 12345 demo.err"
out "... shows one customer's page" 'grade             D' \
	"sed -n '/portrait (客户画像)/,/^== Everything/p' demo.out | grep '^grade '"
out '... and draws a segment against everyone: dormant first' '  dormant  ' \
	"sed -n '/portrait (客户画像)/,/^== Everything/p' demo.out | grep -A1 '^stage' | tail -1 | cut -c1-11"
done_testing
