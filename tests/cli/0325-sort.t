#!/bin/sh
# --sort and --limit (crm(7), Order and number), and crm-segment --count.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null

# ages: C1 34, C2 17, C3 54, C4 none, C5 39; spent in a year: C2 6000, C1 600, C3 80, C4 50
out 'a number field from the largest, the customer without one last' 'id,age
C3,54
C5,39
C1,34
C2,17
C4,' 'crm-export -f id,age --sort -age'
out '... and from the smallest: still last' 'C2 C1 C5 C3 C4' 'crm-export -o ids --sort age | xargs'
out 'two fields: text by code point (女 before 男), then age down' 'C3 C2 C1 C4 C5' \
	'crm-segment -o ids --sort gender,-age | xargs'
out 'ties keep the order stored' 'C1 C4 C2 C3 C5' 'crm-export -o ids --sort level | xargs'
out 'an attribute imported as text sorts its numbers by value: 12 after 5' 'id,visits
C2,12
C1,5
C4,3
C3,
C5,' 'crm-export -f id,visits --sort -visits'
out 'a computed field' 'C1' "crm-segment -o ids --sort -notes,-age --limit 1 -w \"city = '上海'\""
out 'an aggregate, with --limit: the top two spenders' 'id,name
C2,李四
C1,张三' "crm-segment -f id,name --sort '-sum(purchase, 1y)' --limit 2"
out 'arithmetic: net of refunds, commas inside parentheses do not split' 'C2 C1 C3 C4 C5' \
	"crm-export -o ids --sort '-(sum(purchase, 1y) - sum(refund, 1y)),id' | xargs"
out 'a condition with --sort and --limit' 'C3' \
	"crm-segment -o ids -w \"gender = '女'\" --sort -age --limit 1"

out '--limit alone: the first N stored' 'C1 C2' 'crm-export -o ids --limit 2 | xargs'
out '--limit 0: nobody, the header alone' 'id,name' 'crm-export -f id,name --limit 0'
out '--limit alone on a stream: the first N given, the rest read and left alone' 'C3 C1' \
	"printf 'id\nC3\nC1\nC9\nC2\n' | crm-export -o ids --limit 2 | xargs"
ok '... with exit 0: the unknown id after them was not looked at' \
	"printf 'id\nC3\nC1\nC9\nC2\n' | crm-export -o ids --limit 2"
out 'ids as arguments, sorted' 'C2 C1 C3' 'crm-export -o ids --sort age C3 C1 C2 | xargs'
out 'a sorted stream is written in that order' 'C2 C1 C3' \
	"printf 'id\nC3\nC1\nC2\n' | crm-segment -o ids --sort age | xargs"
fails 1 'an unknown id in a sorted stream: exit 1' "printf 'id\nC3\nC9\nC2\n' | crm-export -o ids --sort age"
out '... the others still written, sorted' 'C2 C3' \
	"printf 'id\nC3\nC9\nC2\n' | crm-export -o ids --sort age 2>/dev/null | xargs"
err '... the unknown one said' "crm-export: stdin:3: unknown customer 'C9'" \
	"printf 'id\nC3\nC9\nC2\n' | crm-export -o ids --sort age > /dev/null"
out 'events: --limit takes the first N as they happened' 'customer_id,type
C1,purchase
C1,purchase' 'crm-export -k events -f customer_id,type --limit 2'

out '--count: a bare number' '5' 'crm-segment --count'
out '--count of an expression' '2' "crm-segment --count -w \"gender = '女'\""
out '--count with --limit: at most N' '3' 'crm-segment --count --limit 3'
out '--count of a stream' '2' "printf 'id\nC1\nC3\n' | crm-segment --count"
out '--count of nobody is 0' '0' "crm-segment --count -w 'age > 100'"
out '--count is the number in every format' '2' "crm-segment --count -o json -w \"gender = '女'\""

# bad input
fails 2 '--limit -1 is a usage error' 'crm-export --limit -1'
fails 2 '--limit 1.5 too' 'crm-export --limit 1.5'
fails 2 '--limit abc too' 'crm-segment --limit abc'
fails 2 '--limit of more digits than a number holds' 'crm-segment --limit 99999999999999999999999'
err '--sort with an empty term' "crm-export: --sort 'age,,id': a field or expression is missing" \
	"crm-export --sort 'age,,id'"
fails 2 '... is a usage error' "crm-export --sort 'age,,id'"
fails 2 '--sort - alone too' "crm-export --sort -"
fails 1 '--sort of an unknown field: exit 1, as in -w' 'crm-export --sort nmae'
err '... saying which' "crm-export: expression:1:1: unknown field 'nmae' (crm-export --list-fields lists them)" \
	'crm-export --sort nmae 2>&1 >/dev/null | head -1 >&2'
fails 1 '--sort of a condition' "crm-export --sort \"city = '上海'\""
fails 1 '--sort of an expression that does not parse' "crm-export --sort 'sum(purchase,'"
fails 2 '--sort with -k events' 'crm-export -k events --sort ts'
fails 2 '--limit with --dump' 'crm-export --dump --limit 1'
fails 2 '--sort with --by' 'crm-segment --by city --sort city'
fails 2 '--limit with --quality' 'crm-segment --quality --limit 3'
fails 2 '--count with -f' 'crm-segment --count -f id'
fails 2 '--count with --sort' 'crm-segment --count --sort age'
fails 2 '--count with --by' 'crm-segment --count --by city'
fails 2 'crm-tag --list takes no --limit' 'crm-tag --list --limit 3'
fails 2 'crm-note -l takes no --sort' 'crm-note -l --sort age'
fails 2 'crm-score --models takes no --sort' 'crm-score --models --sort age'

# commands that change customers: the first N are the ones changed
ok 'crm-tag -a the two oldest' "crm-tag -a 年长 -w 'age > 0' --sort -age --limit 2"
out '... only they carry it' 'C3 C5' "crm-export -o ids -w \"tag('年长')\" | xargs"
out 'a stream, sorted and limited: the records of those tagged, in the order they came' 'id,tags
C2,X
C1,X' "printf 'id\nC4\nC2\nC1\nC3\n' | crm-tag -a X --sort age --limit 2"
out '... they carry it' 'C1 C2' "crm-export -o ids -w \"tag('X')\" | xargs"
out 'a stream with --limit alone: the first N given' 'id,tags
C4,Y
C2,X;Y' "printf 'id\nC4\nC2\nC1\nC3\n' | crm-tag -a Y --limit 2"
out '... only they carry it' 'C2 C4' "crm-export -o ids -w \"tag('Y')\" | xargs"
out '--limit 0 on a stream: nobody tagged, the header passed through' 'id,name,tags' \
	"printf 'id,name\nC1,a\n' | crm-tag -q -a Z --limit 0"
out '... nobody carries it' '' "crm-export -o ids -w \"tag('Z')\""
ok 'crm-note to the oldest one' "crm-note -w 'age > 0' --sort -age --limit 1 '生日问候'"
out '... C3 has it, nobody else' 'C3' "crm-export -o ids -w 'notes > 0'"
ok 'crm-score the youngest two' "crm-score -m rfm --all --sort age --limit 2 > /dev/null"
out '... only they have an rfm code' 'C1 C2' "crm-export -o ids -w 'rfm is not null' | xargs"

# a campaign's list: those written, and only they, recorded as contacted
out 'a campaign of the two oldest' 'C3 C5' "crm-export -q --campaign 敬老 --all --sort -age --limit 2 -o ids | xargs"
out '... contacts recorded for those two' 'C3 C5' "crm-export -o ids -w 'count(contact, 1d) > 0' | xargs"
done_testing
