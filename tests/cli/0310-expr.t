#!/bin/sh
# The expression language: every case of tests/expr.cases, against a
# fixture whose events sit on the window edges.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null
USER=test crm-tag -q --as-of 2024-01-01 -a VIP C1
USER=test crm-tag -q --as-of 2024-01-01 -a 活动 --expires 2024-06-30 C2 # lapsed as of the day

run_case() { # expression file, expected line
	expr=$(cat "$1")
	name=$(printf '%s' "$expr" | tr '\n' ' ')
	case $2 in
	'! '*)
		want=${2#! }
		err "refuses: $name" "$want" "crm-segment -o ids -w \"\$(cat '$1')\" 2>&1 >/dev/null | head -1 >&2"
		;;
	*)
		want=$(printf '%s\n' "$2" | tr ' ' '\n' | sed 's/^none$//')
		out "$name" "$want" "crm-segment -o ids -w \"\$(cat '$1')\""
		;;
	esac
}

i=0
state=between
: > expr.txt
while IFS= read -r line; do
	case $state in
	between)
		case $line in '' | '#'*) continue ;; esac
		printf '%s\n' "$line" > expr.txt
		state=expr ;;
	expr)
		# a result ends the case; any other line continues the expression
		case $line in
		'=>') state=want ;;
		'') echo "not ok - tests/expr.cases: a case without its result"; state=between ;;
		'! '* | C[0-9]* | none) i=$((i + 1)); cp expr.txt "case$i"; run_case "case$i" "$line"; state=between ;;
		*) printf '%s\n' "$line" >> expr.txt ;;
		esac ;;
	want)
		i=$((i + 1))
		cp expr.txt "case$i"
		run_case "case$i" "$line"
		state=between ;;
	esac
done < "$TESTS/expr.cases"

# ---- arithmetic wherever expressions go ----
ok 'a saved segment of arithmetic' "crm-segment -q --save 净额高 -w 'sum(purchase, 1y) - sum(refund, 1y) > 3000'"
out '... chooses by it' 'C2' 'crm-segment -o ids -s 净额高'
ok 'a tag rule of arithmetic' "crm-tag -q --rule 退货多 --tag 退货率高 -w 'count(refund, 1y) / count(purchase, 1y) > 0.3'"
out '... tags by it' 'customer_id,tag,change,rule
C4,退货率高,+,退货多' 'crm-tag --apply'
cat > net.model <<'EOF'
grade A 10
grade B 0
rule 10 sum(purchase, 1y) - sum(refund, 1y) > 3000  # net spend
rule  5 count(refund, 1y) / count(purchase, 1y) > 0.3 # refunds
rule  1 visits * 2 - 1 > 8
EOF
ok 'a score model of arithmetic' 'crm-score -q --define net net.model && crm-score -q -m net --all > /dev/null'
out '... scores by it, each aggregate computed once for everyone' 'id,score,grade
C1,1,B
C2,11,A
C3,0,B
C4,5,B
C5,0,B' 'crm-export --all -f id,score,grade'
out '... and explains it, customer by customer' 'rule,label,points,matched
"sum(purchase, 1y) - sum(refund, 1y) > 3000",net spend,10,yes
"count(refund, 1y) / count(purchase, 1y) > 0.3",refunds,5,no
visits * 2 - 1 > 8,,1,yes
score,,11,
grade,A,,' 'crm-score -m net --explain C2'
out 'arithmetic is SQL arithmetic, / over decimals, every number a parameter' 'what,value
sql,"(crm_decimal(crm_decimal((SELECT coalesce(sum(e.amount_cents), 0) / 100.0 FROM events e WHERE e.cid = c.cid AND e.type = ?1 AND e.ts < ?2) - ?3) * 1.0 / ?4) > ?5)"
?1,purchase
?2,2024-07-01T00:00:00
?3,-1
?4,2
?5,3' "crm-segment --explain -o csv -w '(sum(purchase) - -1) / 2 > 3'"
out 'in an and, arithmetic over the row runs before arithmetic over events' 'sql,"((crm_decimal(crm_number(json_extract(c.attrs, ?1)) - ?2) > ?3) AND' \
	"crm-segment --explain -o csv -w 'count(refund, 1y) / count(purchase, 1y) > 0.3 and visits - 1 > 3' | sed -n 2p | cut -d' ' -f1-7"

# ---- expressions that nest deep, in arithmetic too ----
sum30=$(awk 'BEGIN { for (i = 0; i < 30; i++) printf "1 + "; print "1 > 0" }') # 31 levels with the >
err 'a sum of 31 terms is 30 levels of arithmetic in a comparison: too deep' \
	"crm-segment: expression:1:3: the expression nests deeper than 30 levels" \
	"crm-segment -o ids -w '$sum30' 2>&1 >/dev/null | head -1 >&2"
ok '... 30 terms are fine' "crm-segment -o ids -w '${sum30#1 + }' > /dev/null"
paren=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "("; printf "1"; for (i = 0; i < 2000; i++) printf " + 1)"; print " > 0" }')
err '2000 parentheses of sums: refused as the parser reads them' 'crm-segment: expression:1:91: the expression nests deeper than 30 levels' \
	"crm-segment -q -w '$paren' 2>&1 >/dev/null | head -1 >&2"
minus=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "-"; print " 1 > 0" }')
fails 1 '2000 minus signs: refused before the stack could matter' "crm-segment -q -w '$minus'"
chain=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "1/"; print "1 > 0" }')
fails 1 'a chain of 20000 divisions: refused before SQLite could choke on it' "crm-segment -q -w '$chain'"
done_testing
