#!/bin/sh
# The database: where it is, who may read it, and what it refuses.
. "$(dirname "$0")/../lib.sh"

unset CRM_DB
ok 'with no -d and no CRM_DB, the database is made under HOME' \
	"crm-export --all > /dev/null && test -f home/.local/share/crm/crm.db"
out '... readable by its owner only, in a folder for its owner only' '600 700' \
	'stat -c %a home/.local/share/crm/crm.db home/.local/share/crm | paste -sd" "'
ok 'XDG_DATA_HOME moves it' "XDG_DATA_HOME=\$PWD/xdg crm-export --all > /dev/null && test -f xdg/crm/crm.db"
ok 'CRM_DB names it' "CRM_DB=\$PWD/env.db crm-export --all > /dev/null && test -f env.db"
ok '-d wins over CRM_DB' "CRM_DB=\$PWD/env.db crm-export -d \$PWD/opt.db --all > /dev/null && test -f opt.db"
out 'a new database has mode 0600 even with a loose umask' '600' \
	"umask 000; crm-export -d loose.db --all > /dev/null; stat -c %a loose.db"
# SQLite's own: its journal mode.
sqlite_only out '... and is in WAL mode' 'wal' "sqlite3 loose.db 'PRAGMA journal_mode'"
export CRM_DB=$WORK/crm.db

echo 'just some text, not a database at all, long enough to be read as one' > text.db
err 'a file that is not a database is refused' 'crm-export: text.db: not a database' 'crm-export -d text.db --all'
fails 3 '... with exit status 3' 'crm-export -d text.db --all'
# SQLite's own: another program's SQLite file.
sqlite_only sqlite3 other.db 'CREATE TABLE accounts (x)'
sqlite_only err "another program's database is refused, untouched" \
	"crm-add: other.db: not a crm database (it holds another program's tables)" \
	"printf 'id\n1\n' | crm-add -d other.db"
sqlite_only out '... untouched' 'accounts' "sqlite3 other.db '.tables'"
# SQLite's own: the schema version is its user_version.
crm-export -d future.db --all > /dev/null
sqlite_only sqlite3 future.db 'PRAGMA user_version = 99'
sqlite_only err 'a database from a newer crm is refused' \
	'crm-export: future.db: schema version 99 is newer than this crm knows (5): upgrade crm' 'crm-export -d future.db --all'
# A database of schema 1, as crm made it before notes had a text index.
# SQLite's own: a file made by hand, its schema version its user_version.
sqlite_only sqlite3 v1.db < "$TESTS/../lib/store/migrations/001-base.sql"
sqlite_only sqlite3 v1.db "PRAGMA user_version = 1; PRAGMA application_id = $((0x43524d31));
	INSERT INTO customers (cid, id, created_at, updated_at) VALUES (1, 'C1', '2024-01-01', '2024-01-01');
	INSERT INTO notes (cid, body, category, author, created_at, updated_at)
	VALUES (1, '客户投诉物流太慢', '投诉', 'x', '2024-01-02', '2024-01-02');
	INSERT INTO note_deletions (nid, cid, deleted_by, deleted_at) VALUES (7, 1, 'x', '2024-01-03')"
sqlite_only out 'a database of schema 1 is upgraded, its notes indexed' '1' \
	"crm-note -d v1.db -l --all --text 物流太慢 --as-of 2024-06-01 | sed 1d | cut -d, -f1"
sqlite_only out '... to schema 5' '5' "sqlite3 v1.db 'PRAGMA user_version'"
sqlite_only out '... its deletions kept' '7|x|' \
	"crm-note -d v1.db --deleted -o tsv | sed 1d | cut -f1,6,8 | tr '\t' '|'"
sqlite_only out '... and new ids come after them' 'crm-note: note 8 added' 'crm-note -d v1.db C1 hello 2>&1'
fails 3 'a database in a folder that does not exist is an error' 'crm-export -d no/such/dir/x.db --all'

printf 'id,name\n1,a\n' | crm-add -q -d ro.db > /dev/null
mkdir rodir && cp ro.db rodir/ && chmod 0400 rodir/ro.db
runas=''
if [ "$(id -u)" = 0 ]; then # root writes anything: be nobody for this
	chmod 755 "$WORK"
	chown -R 65534:65534 rodir
	runas='setpriv --reuid=65534 --regid=65534 --clear-groups'
fi
out 'a read-only database can be read' '1' "$runas crm-export -d rodir/ro.db --all -o ids"
err '... but not written' 'crm-add: rodir/ro.db: database is read-only (its file is not writable): this command would change it' \
	"printf 'id\n2\n' | $runas crm-add -d rodir/ro.db"
fails 3 '... exit status 3' "printf 'id\n2\n' | $runas crm-add -d rodir/ro.db"

# Writers wait for each other: four imports at once all succeed.
for w in 1 2 3 4; do
	awk -v w=$w 'BEGIN { print "id,name"; for (i = 0; i < 2000; i++) printf "W%d-%d,n\n", w, i }' > w$w.csv
done
ok 'four writers at once all succeed, none refused for a lock' \
	'pids=; for w in 1 2 3 4; do crm-add -q w$w.csv > /dev/null 2> e$w & pids="$pids $!"; done; for p in $pids; do wait $p || { cat e1 e2 e3 e4; exit 1; }; done; ! grep -l locked e1 e2 e3 e4'
out '... and every record is there' '8000' "crm-segment --count -w \"id ~ '^W'\""
done_testing
