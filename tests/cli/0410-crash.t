#!/bin/sh
# Crash safety: SIGKILL at random moments leaves the state before or after,
# never a part (`make crash` kills 60 times on more data); a full disk, or
# the db.max_size limit, is a clear error and changes nothing.
. "$(dirname "$0")/../lib.sh"

for job in import tag score; do
	case $CRM_BIN in */build-vg) skip 'valgrind is too slow for the moments to mean anything'; continue ;; esac
	ok "crm-add, crm-tag --apply, crm-score killed at random moments: $job whole or not at all" \
		"CRASH_SEED=7 '$TESTS/crash/run' '${CRM_BIN#"$TESTS/../"}' 4 3000 30000 $job > crash.log 2>&1 || { cat crash.log; exit 1; }"
done

# ---- SQLite's own limit: the setting db.max_size ----
crm-gen customers 3000 > c.csv
crm-gen events 40000 --customers 3000 > e.csv
crm-add -q c.csv > /dev/null
crm-segment -q --config db.max_size=1M
crm-export --dump > before.ndjson
err 'an import past db.max_size: a clear error' \
	"crm-add: e.csv:16385: $WORK/crm.db: no room: the disk is full, or the database has reached db.max_size (crm-segment --config db.max_size)" \
	'crm-add -q -k events e.csv'
fails 3 '... exit 3' 'crm-add -q -k events e.csv'
ok '... and the database as it was' 'crm-export --dump | cmp - before.ndjson'
# SQLite's own: its integrity_check.
sqlite_only ok '... sound' "test \"\$(sqlite3 crm.db 'PRAGMA integrity_check')\" = ok"
ok 'without the limit the import goes in' 'crm-segment -q --config db.max_size= && crm-add -q -k events e.csv > /dev/null'
out 'db.max_size is a size' "crm-segment: db.max_size: '1T' is not a size (500M, 2G), or empty for none" \
	'crm-segment --config db.max_size=1T 2>&1'

# ---- a full file system (a 3 MiB tmpfs, where this machine lets us mount one) ----
mkdir small
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=3m tmpfs small 2> /dev/null; then
	trap 'umount "$WORK/small" 2> /dev/null; rm -rf "$WORK"' EXIT
	crm-add -q -d small/crm.db c.csv > /dev/null
	crm-export -d small/crm.db --dump > small-before.ndjson
	fails 3 'an import onto a full disk: exit 3' 'crm-add -q -d small/crm.db -k events e.csv'
	out '... saying so' "crm-add: small/crm.db: no room: the disk is full, or the database has reached db.max_size (crm-segment --config db.max_size)" \
		"crm-add -q -d small/crm.db -k events e.csv 2>&1 | sed 's/^crm-add: e.csv:[0-9]*: /crm-add: /'"
	ok '... and the database as it was' 'crm-export -d small/crm.db --dump | cmp - small-before.ndjson'
	# SQLite's own: its integrity_check.
	sqlite_only ok '... sound' "test \"\$(sqlite3 small/crm.db 'PRAGMA integrity_check')\" = ok"
	ok "... and usable: the log of what was rolled back gives its room back" 'crm-tag -q -d small/crm.db -a VIP C0000001'
	umount small
else
	for i in 1 2 3 4 5; do
		n=$((n + 1))
		echo "ok $n # skip this machine lets no tmpfs be mounted here (not root, or no CAP_SYS_ADMIN)"
	done
fi
done_testing
