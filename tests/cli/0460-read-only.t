#!/bin/sh
# A database the user may only read (crm(7), Read-only databases): the
# commands that read work without writing a byte, the ones that write say
# it is read-only, exit 3.
#
# root may write any file, so file modes bind only another user: run as
# root (as in CI), the reader here is nobody (setpriv). A read-only mount
# binds root too: tried in a mount namespace of its own (unshare), and
# skipped where the system allows none.
. "$(dirname "$0")/../lib.sh"
# SQLite's own, the whole file: its files (the -wal and -shm beside them),
# their modes and their mounts.
sqlite_only || { skip 'read-only databases: these are SQLite files'; done_testing; exit 0; }

printf 'id,name,city\n1,张三,上海\n2,李四,北京\n' | crm-add -q > /dev/null
crm-note -q 1 第一次来电

runas=''
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$WORK" "$WORK/bin"
	runas='setpriv --reuid=65534 --regid=65534 --clear-groups'
	if ! $runas "$CRM_BIN/crm-export" --version > /dev/null 2>&1; then
		skip "nobody cannot run $CRM_BIN/crm-export: no read-only checks as root"
		done_testing
		exit 0
	fi
fi
files() { # files DIR: a command that lists what the folder holds, on one line
	printf 'echo $(ls -A %s)' "$1"
}

# ---- a 0444 file in a folder the reader may write ----
mkdir -m 777 open
cp crm.db open/crm.db && chmod 444 open/crm.db
[ -n "$runas" ] && chown 65534:65534 open/crm.db
out 'crm-export reads a 0444 database' '1
2' "$runas crm-export -d open/crm.db --all -o ids"
err '... and says nothing of it' '' "$runas crm-export -d open/crm.db --all -o ids"
err '... but with -v' 'crm-export: open/crm.db: opened read-only: you may not write it, and this command only reads' \
	"$runas crm-export -v -d open/crm.db --all -o ids"
out '... leaving no -wal or -shm file behind, which would be the reader'"'"'s' 'crm.db' "$(files open)"
out 'a stream of ids on stdin works read-only too' '2' "printf 'id\n2\n' | $runas crm-export -d open/crm.db -o ids"
out 'crm-segment --by' 'city,count,share
上海,1,50.0
北京,1,50.0' "$runas crm-segment -d open/crm.db --all --by city"
ok 'crm-segment --quality' "$runas crm-segment -d open/crm.db --all --quality -o table > /dev/null"
out 'crm-note -l' '1' "$runas crm-note -d open/crm.db -l --all | sed 1d | cut -d, -f2"
ok 'crm-tag --list, crm-score --models, crm-segment --config' \
	"$runas crm-tag -d open/crm.db --list && $runas crm-score -d open/crm.db --models && $runas crm-segment -d open/crm.db --config > /dev/null"
ok 'crm-export --dump' "$runas crm-export -d open/crm.db --dump > /dev/null"
ok 'crm-export --campaign --dry-run' "$runas crm-export -d open/crm.db --campaign 双十一 --dry-run --all > /dev/null"
out '... and still nothing written beside it' 'crm.db' "$(files open)"

ro='open/crm.db: database is read-only (its file is not writable): this command would change it'
err 'crm-tag -a says the database is read-only, naming it' "crm-tag: $ro" "$runas crm-tag -d open/crm.db -a x 1"
fails 3 '... exit status 3' "$runas crm-tag -d open/crm.db -a x 1"
err 'crm-add' "crm-add: $ro" "printf 'id\n3\n' | $runas crm-add -d open/crm.db"
fails 3 '... exit status 3' "printf 'id\n3\n' | $runas crm-add -d open/crm.db"
err 'crm-note' "crm-note: $ro" "$runas crm-note -d open/crm.db 1 再来电"
err 'crm-score' "crm-score: $ro" "$runas crm-score -d open/crm.db --all"
err 'crm-segment --config KEY=VALUE' "crm-segment: $ro" "$runas crm-segment -d open/crm.db --config tags.max=5"
err 'crm-segment --save' "crm-segment: $ro" "$runas crm-segment -d open/crm.db --save s -w 'age > 1'"
err 'crm-segment --diff' "crm-segment: $ro" "$runas crm-segment -d open/crm.db --diff s"
err 'crm-rm' "crm-rm: $ro" "$runas crm-rm -d open/crm.db 1 > rm.out"
out '... before it writes a report of what would go' '' 'cat rm.out'
ok 'crm-rm --dry-run reads' "$runas crm-rm -d open/crm.db --dry-run 1 > /dev/null"
err 'crm-export --campaign' "crm-export: $ro" "$runas crm-export -d open/crm.db --campaign 双十一 --all"
fails 3 'crm-rm: exit status 3' "$runas crm-rm -d open/crm.db 1"
# sqlite3 reads the file as it lies (immutable): the check writes nothing beside it
out '... and nothing changed, nor written beside it' '2|0|1
crm.db' \
	"sqlite3 'file:open/crm.db?immutable=1' 'SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM customer_tags), (SELECT count(*) FROM notes)'; $(files open)"
if [ -n "$runas" ]; then
	chmod 644 open/crm.db
	other='setpriv --reuid=65533 --regid=65533 --clear-groups'
	out 'its owner writes it after a read by another user' 'crm-tag: 1 tagging set, 0 removed' \
		"$other crm-export -d open/crm.db --all > /dev/null; $runas crm-tag -d open/crm.db -a y 1 2>&1"
	chmod 444 open/crm.db
	chown 0:0 open/crm.db
	ok 'root may write a 0444 file: it is not read-only for root' 'crm-tag -q -d open/crm.db -a root 1'
else
	skip 'not root: no other user to own the database'
	skip 'not root: root may write a 0444 file'
fi

# ---- a folder the reader may not write ----
mkdir closed
cp crm.db closed/crm.db
chmod 644 closed/crm.db
[ -n "$runas" ] || chmod 444 closed/crm.db
chmod 555 closed
out 'a database in a read-only folder is read' '1
2' "$runas crm-export -d closed/crm.db --all -o ids"
if [ -n "$runas" ]; then
	chown 65534:65534 closed/crm.db
	err 'a writable file in a folder without room for its -wal is read-only' \
		'crm-tag: closed/crm.db: database is read-only (its folder is not writable, and SQLite keeps its -wal and -shm files there): this command would change it' \
		"$runas crm-tag -d closed/crm.db -a x 1"
	fails 3 '... exit status 3' "$runas crm-tag -d closed/crm.db -a x 1"
else
	skip 'not root: no other user to own the database'
	skip 'not root: no other user to own the database'
fi

# ---- another command has it open: read through its -wal ----
mkdir held
cp crm.db held/crm.db
chmod 644 held/crm.db
mkfifo hold
sqlite3 held/crm.db < hold > /dev/null & # another program, which keeps its -wal and -shm
exec 3> hold
echo 'SELECT count(*) FROM customers;' >&3
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ -e held/crm.db-shm ] && break
	sleep 0.5
done
crm-tag -q -d held/crm.db -a 新 2
[ -n "$runas" ] || chmod 444 held/crm.db held/crm.db-wal held/crm.db-shm
chmod 555 held
out 'a database another command has open is read through its -wal: the latest change shows' '新' \
	"$runas crm-export -d held/crm.db -f tags 2 | sed 1d"
out '... and its files are left as they were' 'crm.db crm.db-shm crm.db-wal' "$(files held)"
exec 3>&-
wait
chmod 755 held
rm -f held/crm.db-shm held/crm.db-wal
: > held/crm.db-wal
chmod 555 held
err 'a -wal without its -shm cannot be read without writing: said so' \
	'crm-export: held/crm.db: cannot be read without writing: its -wal file has no -shm file beside it (the next command of its owner puts that right)' \
	"$runas crm-export -d held/crm.db --all"
fails 3 '... exit status 3' "$runas crm-export -d held/crm.db --all"
chmod 755 closed held # for the clean-up

# ---- a read-only mount binds root too ----
mkdir mnt
cp crm.db mnt/crm.db
ns='unshare -m'
[ "$(id -u)" = 0 ] || ns='unshare -rm'
rom() { # rom COMMAND: COMMAND with mnt mounted read-only over itself
	printf "%s sh -c 'mount --bind mnt mnt && mount -o remount,ro,bind mnt && %s'" "$ns" "$1"
}
if sh -c "$(rom true)" 2> /dev/null; then
	out 'on a read-only mount a reader works, as root too' '1
2' "$(rom 'crm-export -v -d mnt/crm.db --all -o ids')"
	err '... saying so with -v' 'crm-export: mnt/crm.db: opened read-only: you may not write it, and this command only reads' \
		"$(rom 'crm-export -v -d mnt/crm.db --all -o ids')"
	err '... and a writer is refused' \
		'crm-tag: mnt/crm.db: database is read-only (on a read-only file system): this command would change it' \
		"$(rom 'crm-tag -d mnt/crm.db -a x 1')"
	fails 3 '... exit status 3' "$(rom 'crm-tag -d mnt/crm.db -a x 1')"
else
	for i in 1 2 3 4; do skip 'no mount namespace here (unshare -m): no read-only mount to try'; done
fi
done_testing
