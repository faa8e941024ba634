#!/bin/sh
# rfm against the R rfm package's own data and published results
# (../shared/data/rfm, when it is here): 4,906 orders by 995 customers, scored
# over all time as of 2006-12-31.
. "$(dirname "$0")/../lib.sh"

DATA=$TESTS/../../shared/data/rfm/rfm_data_orders.csv
if [ ! -f "$DATA" ]; then
	echo "ok 1 # skip ../shared/data/rfm is not here (a user's clone does not have it)"
	n=1
	done_testing
	exit 0
fi

export CRM_NOW=2006-12-31
# customer_id,order_date,revenue,...: each order a purchase
awk -F, 'NR == 1 { print "customer_id,type,ts,amount"; next } { print $1 ",purchase," $2 "," $3 }' \
	"$DATA" > orders.csv
ok 'loads the orders as purchases' 'crm-add -q -k events --create-missing orders.csv > /dev/null'
ok 'rfm over all time' 'crm-segment -q --config rfm.window=all && crm-score -q -m rfm --all > scored.csv'

out 'the cut points (quantile + 1)' 'recency,115;181;297.4;482
frequency,4;5;6;8
monetary,255.8;382;506.4;666' "crm-score -m rfm --explain \"Abbey O'Reilly\" | sed -n '2,4p' | cut -d, -f1,4"
score_counts() { # position of the digit in the code: 1 R, 2 F, 3 M
	sed 1d scored.csv | cut -d, -f2 | cut -c"$1" | sort | uniq -c | awk '{ printf "%s%s", sep, $1; sep = "/" } END { print "" }'
}
out 'recency scores 1..5: 197/200/199/199/200' '197/200/199/199/200' "echo $(score_counts 1)"
out 'frequency scores: 268/187/176/244/120' '268/187/176/244/120' "echo $(score_counts 2)"
out 'monetary scores: 200/200/198/202/195' '200/200/198/202/195' "echo $(score_counts 3)"
out 'the published customers' "Abbey O'Reilly,343
Add Senger,412
Aden Lesch,323
Aden Murphy,544
Admiral Senger,433" \
	"grep -E \"^(Abbey O'Reilly|Add Senger|Aden Lesch|Aden Murphy|Admiral Senger),\" scored.csv | cut -d, -f1,2"
out "... with their values: Abbey O'Reilly 205 days, 6 orders, 472" 'recency,205
frequency,6
monetary,472' "crm-score -m rfm --explain \"Abbey O'Reilly\" | sed -n '2,4p' | cut -d, -f1,2"
out 'customers / orders / revenue per segment' 'Loyal Customers|278|1708|166712
Potential Loyalist|229|801|65873
Champions|158|1234|120178
Lost|111|244|20955
At Risk|86|438|44178
About To Sleep|50|127|10914
Others|48|210|22061
Need Attention|35|144|13287' \
	"q \"SELECT s.grade, count(DISTINCT s.cid), count(*), sum(e.amount_cents) / 100 FROM scores s
	   JOIN events e ON e.cid = s.cid WHERE s.model = 'rfm' GROUP BY s.grade ORDER BY count(DISTINCT s.cid) DESC\""
out 'New Customers, Promising and Can'"'"'t Lose Them are empty' '0' \
	"q \"SELECT count(*) FROM scores WHERE model = 'rfm' AND grade IN ('New Customers', 'Promising', 'Can''t Lose Them')\""
out 'customers by number of orders, 1 to 14' '42 83 143 187 176 150 94 51 38 20 3 5 2 1' \
	"q \"SELECT n, count(*) FROM (SELECT count(*) AS n FROM events GROUP BY cid) GROUP BY n ORDER BY n\" | cut -d'|' -f2 | paste -s -d' '"
done_testing
