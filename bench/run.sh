#!/bin/sh
# bench/run.sh [BUILD_DIR]: crm against the sqlite3 shell doing the same work
# on the same data, in one run, with the ratios and crm's peak memory.
#   CUSTOMERS=1000000 EVENTS=5000000 by default; data is kept in bench/data.
# Needs the sqlite3 shell and GNU time (Debian: apt-get install sqlite3 time).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/${1:-build}
customers=${CUSTOMERS:-1000000}
events=${EVENTS:-5000000}
for tool in sqlite3 /usr/bin/time; do
	command -v "$tool" > /dev/null || { echo "bench: $tool is needed (apt-get install sqlite3 time)" >&2; exit 2; }
done
export TZ=Asia/Shanghai LC_ALL=C.UTF-8 CRM_NOW=2024-12-31 PATH="$bin:$PATH"
data=$top/bench/data
mkdir -p "$data"
cd "$data"

# The same data twice: as a user's export for crm, and as rows of crm's
# tables for .import (cid and eid first, amounts in cents, attrs '{}' where
# crm stores NULL, since .import stores empty cells as '').
c=customers-$customers; e=events-$events-$customers
if [ ! -s "$c.csv" ] || [ ! -s "$c.sqlite.csv" ]; then
	crm-gen customers "$customers" > "$c.csv"
	crm-gen customers "$customers" --sqlite | sed 's/,$/,{}/' > "$c.sqlite.csv"
fi
if [ ! -s "$e.csv" ] || [ ! -s "$e.sqlite.csv" ]; then
	crm-gen events "$events" --customers "$customers" > "$e.csv"
	crm-gen events "$events" --customers "$customers" --sqlite | sed 's/,$/{}/' > "$e.sqlite.csv"
fi
rm -f ours.db* theirs.db*
crm-export -d ours.db --all > /dev/null   # the same schema, made by crm
crm-export -d theirs.db --all > /dev/null
# .import cannot store NULL: every empty ref would collide in this unique
# index, which holds nothing when refs are NULL, as crm's are.
sqlite3 theirs.db 'DROP INDEX events_ref'
sqlite3="sqlite3 -cmd 'PRAGMA cache_size = -16000'" # the page cache crm uses

run() { # run COMMAND: sets secs and mb (peak resident memory)
	/usr/bin/time -f '%e %M' -o time.out sh -c "$1" > /dev/null 2> run.err ||
		{ echo "bench: failed: $1" >&2; cat run.err >&2; exit 1; }
	read -r secs kb < time.out
	mb=$((kb / 1024))
}

printf '%-42s %9s %9s %7s %8s %8s\n' job crm sqlite3 ratio target 'crm peak'
report() { # label, crm seconds, crm MB, sqlite3 seconds, target
	ratio=$(echo "$2 $4" | awk '{ printf "%.2f", $1 / $2 }')
	printf '%-42s %8ss %8ss %6sx %7sx %6s MB\n' "$1" "$2" "$4" "$ratio" "$5" "$3"
}

run "crm-add -q -d ours.db $c.csv"
cs=$secs; cm=$mb
run "$sqlite3 theirs.db '.import --csv $c.sqlite.csv customers'"
report "crm-add $customers customers" "$cs" "$cm" "$secs" 1.5

run "crm-add -q -d ours.db -k events $e.csv"
cs=$secs; cm=$mb
run "$sqlite3 theirs.db '.import --csv $e.sqlite.csv events'"
report "crm-add $events events (indexed table)" "$cs" "$cm" "$secs" 0.5

fields=id,name,phone,email,wechat_id,gender,birthday,city,province,source,owner,created_at,updated_at
run "crm-export -d ours.db --all -f $fields > export.crm.csv"
cs=$secs; cm=$mb
run "$sqlite3 -csv -header ours.db 'SELECT $fields FROM customers' > export.sqlite3.csv"
report "crm-export $customers customers (csv)" "$cs" "$cm" "$secs" 1.5

[ "$(wc -l < export.crm.csv)" = "$(wc -l < export.sqlite3.csv)" ] ||
	{ echo "bench: the two exports differ in length" >&2; exit 1; }
sqlite3 ours.db 'PRAGMA integrity_check' | grep -qx ok || { echo "bench: integrity check failed" >&2; exit 1; }
echo "(same data and schema; sqlite3 with crm's 16 MB page cache; $(nproc) cores; $(date +%F))"
