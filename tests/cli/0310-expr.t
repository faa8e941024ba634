#!/bin/sh
# The expression language: every case of tests/expr.cases, against a
# fixture whose events sit on the window edges.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null
sqlite3 crm.db "INSERT INTO tags (name, created_at) VALUES ('VIP', '2024-01-01'), ('活动', '2024-01-01');
INSERT INTO customer_tags SELECT cid, (SELECT tid FROM tags WHERE name = 'VIP'), 'user:test', '2024-01-01', NULL FROM customers WHERE id = 'C1';
INSERT INTO customer_tags SELECT cid, (SELECT tid FROM tags WHERE name = '活动'), 'user:test', '2024-01-01', '2024-06-30' FROM customers WHERE id = 'C2';"

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
done_testing
