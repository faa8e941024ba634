#!/bin/sh
# Standard input under cron, systemd, ssh -n and shell loops: a record stream
# only when it is a pipe, a file or a socket (crm(7), SELECTING CUSTOMERS).
# Every command here runs with stdin /dev/null, as lib.sh gives it, unless it
# says otherwise.
. "$(dirname "$0")/../lib.sh"

printf 'id,name,city,email\nC1,张三,上海,a@example.com\nC2,李四,北京,\nC3,王五,上海,\nC4,赵六,深圳,d@example.com\n' |
	crm-add -q > /dev/null
crm-note -q C1 第一次来电

# ---- /dev/null is no stream: the commands that only read take everyone ----
out 'crm-export with stdin /dev/null takes everyone' 'C1
C2
C3
C4' 'crm-export -o ids < /dev/null'
err '... without a note' '' 'crm-export -o ids < /dev/null'
out '... and so does any character device: /dev/zero is not read' 'C1
C2
C3
C4' 'timeout 20 crm-export -o ids < /dev/zero'
out 'crm-segment with no selection takes everyone' '4' 'crm-segment -o ids | wc -l'
out 'crm-segment --by takes everyone' 'city,count,share
上海,2,50.0
北京,1,25.0
深圳,1,25.0' 'crm-segment --by city'
out 'crm-note -l takes everyone' 'C1' 'crm-note -l | cut -d, -f2 | sed 1d'

# ---- the issue's example: the nightly gate under cron ----
err 'crm-segment --quality --max-missing < /dev/null checks everyone, and fails on them' \
	'crm-segment: email is missing for 50.0% of customers (at most 5%)' \
	'crm-segment --quality --max-missing email=5% < /dev/null > /dev/null'
fails 1 '... exit status 1' 'crm-segment --quality --max-missing email=5% < /dev/null > /dev/null'
ok '... and passes on them under its limit' 'crm-segment --quality --max-missing email=50% < /dev/null > /dev/null'

# ---- an empty stream selects nobody, and a gate over nobody fails ----
err 'an empty pipe: nobody checked, the gate fails saying so' \
	'crm-segment: no customers on stdin: nothing to do (use --all for everyone)
crm-segment: the selection is empty: --max-missing checked nobody, so it fails' \
	"printf '' | crm-segment --quality --max-missing email=5% > /dev/null"
fails 1 '... exit status 1' "printf '' | crm-segment --quality --max-missing email=5% > /dev/null"
: > empty.csv
err 'an empty file on stdin is an empty stream too' \
	'crm-segment: no customers on stdin: nothing to do (use --all for everyone)
crm-segment: the selection is empty: --max-duplicates checked nobody, so it fails' \
	'crm-segment --quality --max-duplicates 5% < empty.csv > /dev/null'
fails 1 '... exit status 1' 'crm-segment --quality --max-duplicates 5% < empty.csv > /dev/null'
err 'a header without records is an empty stream' \
	'crm-segment: no customers on stdin: nothing to do (use --all for everyone)
crm-segment: the selection is empty: --max-missing and --max-duplicates checked nobody, so they fail' \
	"printf 'id\n' | crm-segment --quality --max-missing email=5% --max-duplicates 5% > /dev/null"
err 'an expression that matches nobody fails the gate' \
	'crm-segment: the selection is empty: --max-missing checked nobody, so it fails' \
	"crm-segment --quality -w \"city = '广州'\" --max-missing email=5% > /dev/null"
fails 1 '... exit status 1' "crm-segment --quality -w \"city = '广州'\" --max-missing email=5% > /dev/null"
err 'an empty database fails the gate' \
	'crm-segment: the selection is empty: --max-duplicates checked nobody, so it fails' \
	'crm-segment -d new.db --all --quality --max-duplicates 5% > /dev/null'
ok '--quality without a gate over nobody is no failure' "printf '' | crm-segment -q --quality > /dev/null"
out 'an empty pipe selects nobody for crm-export' '' "printf '' | crm-export -o ids"
out '... a file of ids on stdin selects them' 'C2' "printf 'id\nC2\n' > some.csv; crm-export -o ids < some.csv"
mkfifo fifo
out '... and so does a named pipe' 'C3' "printf 'id\nC3\n' > fifo & crm-export -o ids < fifo"

# ---- the commands that change customers refuse without a stream ----
err 'crm-tag -a with stdin /dev/null refuses' "crm-tag: which customers? give ids, -s, -w, --all, or pipe records in
Try 'crm-tag --help'." 'crm-tag -a x < /dev/null'
fails 2 '... exit status 2' 'crm-tag -a x < /dev/null'
out '... and tags nobody' '0' "q 'SELECT count(*) FROM customer_tags'"
printf "grade A 10\ngrade B 0\nrule 10 city = '上海'\n" > m1.model
crm-score -q --define m1 m1.model > /dev/null
err 'crm-score refuses' "crm-score: which customers? give ids, -s, -w, --all, or pipe records in
Try 'crm-score --help'." 'crm-score -m m1'
fails 2 '... exit status 2' 'crm-score -m m1'
out '... and scores nobody' '0' "q 'SELECT count(*) FROM scores'"
err 'crm-note with a text and no customer refuses' "crm-note: which customer? crm-note ID TEXT..., or -s, -w, --all, or pipe records in
Try 'crm-note --help'." 'crm-note 回访过了'
fails 2 '... exit status 2' 'crm-note 回访过了'
err 'crm-rm refuses' "crm-rm: which customers? give ids, -s, -w, or pipe records in
Try 'crm-rm --help'." 'crm-rm'
fails 2 '... exit status 2' 'crm-rm'
out '... and erases nobody' '4' "q 'SELECT count(*) FROM customers'"
err 'crm-export --campaign refuses' "crm-export: which customers? give ids, -s, -w, --all, or pipe records in
Try 'crm-export --help'." 'crm-export --campaign 双十一'
err 'crm-add with no file and stdin /dev/null says it needs a file or a pipe' \
	"crm-add: no input: give FILEs, pipe records in, or use --set
Try 'crm-add --help'." 'crm-add'
fails 2 '... exit status 2' 'crm-add'
fails 2 '... and with a character device that never ends, at once' 'timeout 20 crm-add < /dev/zero'
out '... and stores nothing' '4' "q 'SELECT count(*) FROM customers'"
err 'crm-note --import with stdin /dev/null refuses too' "crm-note: no input: give FILEs or pipe records in
Try 'crm-note --help'." 'crm-note --import'
err "crm-add reads a file given as stdin" 'crm-add: customers: 1 inserted, 0 updated, 0 unchanged, 0 merged, 0 rejected' \
	"printf 'id,name\nC5,孙七\n' > c5.csv; crm-add < c5.csv > /dev/null"
ok 'scripts say --all' 'crm-tag -q -a 全部 --all < /dev/null'
out '... which tags everyone' '5' "q 'SELECT count(*) FROM customer_tags'"

# ---- the while-read pitfall of crm(7), and its cure ----
printf 'C1\nC2\nC3\n' > ids.txt
out 'in a while-read loop a command reads the loop'"'"'s input: the loop ends early' 'C1' \
	'while read id; do echo "$id"; crm-segment -q --by city > /dev/null; done < ids.txt'
out '... < /dev/null gives it its own: every line is read' 'C1
C2
C3' 'while read id; do echo "$id"; crm-segment -q --by city < /dev/null > /dev/null; done < ids.txt'
out '... and so does --all' 'C1
C2
C3' 'while read id; do echo "$id"; crm-segment -q --all --by city > /dev/null; done < ids.txt'
done_testing
