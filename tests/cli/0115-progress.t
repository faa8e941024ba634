#!/bin/sh
# The progress line of an import, on a terminal (util-linux's script gives
# stderr one): the records so far, and how far along a regular file is.
. "$(dirname "$0")/../lib.sh"

awk 'BEGIN { print "id,name,phone"; for (i = 1; i <= 10000; i++) printf "C%05d,客户%d,138%08d\n", i, i, i }' > big.csv
awk 'BEGIN { print "customer_id,body"; for (i = 1; i <= 20000; i++) printf "C%05d,第%d次回访：客户想了解新品\n", 1 + i % 10000, i }' > notes.csv

# The first progress line COMMAND shows at a terminal, a percentage from 1 to
# 99 as NN; records are counted by 4096, and shown at most once a second.
progress() {
	printf '%s\n' "rm -f p.db*; CRM_DB=p.db env -u NO_COLOR TERM=xterm script -qec '$1' /dev/null |
		tr '\\r' '\\n' | sed 's/$(printf '\033')\\[K//g' | grep ' records' | head -1 |
		sed 's/, [1-9][0-9]\\{0,1\\}% of /, NN% of /'"
}
out 'a file named: the records, and the share of its bytes read' 'crm-add: 4096 records, NN% of big.csv' \
	"$(progress 'crm-add big.csv > /dev/null')"
ESC=$(printf '\033')
ok '... the line wiped before the summary' \
	"CRM_DB=w.db env -u NO_COLOR TERM=xterm script -qec 'crm-add big.csv > /dev/null' /dev/null |
	 tr -d '\\n' | grep -q \"records, [0-9]*% of big.csv$ESC\\[K.$ESC\\[Kcrm-add: customers: 10000 inserted\""
out 'a file on stdin: its size is known too' 'crm-add: 4096 records, NN% of stdin' \
	"$(progress 'crm-add < big.csv > /dev/null')"
out 'a pipe: the records only' 'crm-add: 4096 records' "$(progress 'cat big.csv | crm-add > /dev/null')"
crm-export -d w.db --all -o xlsx -f id,name,phone > big.xlsx
out 'a workbook, read out of order: the records only' 'crm-add: 4096 records' \
	"$(progress 'crm-add big.xlsx > /dev/null')"
out 'notes imported: the same line' 'crm-note: 4096 records, NN% of notes.csv' \
	"$(progress 'crm-add -q big.csv > /dev/null; crm-note --import notes.csv')"
out 'quiet: no progress' '' "$(progress 'crm-add -q big.csv > /dev/null')"
out 'stderr not a terminal: no progress' '0' \
	"env -u NO_COLOR TERM=xterm crm-add -d q.db big.csv 2>&1 > /dev/null | grep -c records"
done_testing
