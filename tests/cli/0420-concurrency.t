#!/bin/sh
# Concurrency: the nightly jobs and four writers at once for a while (`make
# concurrency` runs two minutes on more data); writers wait for each other
# (busy timeout) instead of failing, and say so clearly when they give up.
. "$(dirname "$0")/../lib.sh"

if ! plain; then
	skip 'the concurrent run is timed: once, on the plain pass'
else
	ok 'nightly jobs and four writers for 8 s: nothing fails, nothing is lost' \
		"'$TESTS/concurrency/run' '${CRM_BIN#"$TESTS/../"}' 8 2000 > run.log 2>&1 || { cat run.log; exit 1; }"
fi

printf 'id\nC1\n' | crm-add -q > /dev/null
# Another program holds the write lock for $1 s. SQLite's own: its lock,
# taken by another sqlite3, and what waiting on it looks like.
hold() { (echo "BEGIN IMMEDIATE; DELETE FROM settings;"; sleep "$1"; echo "ROLLBACK;") | sqlite3 crm.db & sleep 0.5; }
sqlite_only hold 2
sqlite_only ok 'a writer waits for another to finish' 'crm-tag -q -a 等待 C1'
wait
sqlite_only out '... and its change is there' '1' "crm-export --dump | grep -c '\"kind\":\"tagging\"'"
# long enough for a command to start under valgrind, then give up after 1 s
sqlite_only hold 4
sqlite_only err 'one that waits longer than CRM_BUSY_TIMEOUT gives up, saying why' \
	"crm-tag: $WORK/crm.db: another command kept the database busy for 1 s, the longest this one waits (CRM_BUSY_TIMEOUT sets it)" \
	'CRM_BUSY_TIMEOUT=1 crm-tag -q -a 放弃 C1'
wait
sqlite_only out '... changing nothing' '0' "crm-tag --list | grep -c '^放弃,'"
sqlite_only hold 4
sqlite_only fails 3 '... exit 3 (0: no waiting at all)' 'CRM_BUSY_TIMEOUT=0 crm-tag -q -a 放弃 C1'
wait
err 'CRM_BUSY_TIMEOUT is seconds' "crm-tag: CRM_BUSY_TIMEOUT: 'soon' is not a number of seconds" \
	'CRM_BUSY_TIMEOUT=soon crm-tag -q -a x C1'
done_testing
