#!/bin/sh
# crm-add of many new customers: the indexes on phone, email and wechat_id
# are set aside and built again at the end, inside the same transaction.
. "$(dirname "$0")/../lib.sh"

# SQLite's own: the indexes as its catalog holds them (and its integrity_check).
indexes="SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'customers' AND type = 'index' AND sql IS NOT NULL ORDER BY name"
crm-add -q -d empty.db --set id=X > /dev/null
sqlite_only sqlite3 empty.db "$indexes" > indexes.expected
crm-gen customers 12000 > many.csv
ok 'a bulk import of 12,000 customers goes through the bulk path' 'crm-add -q many.csv > /dev/null'
out '... stores them all' '12000' 'crm-segment --count --all'
sqlite_only out '... leaves the indexes as they were, and the database whole' "$(cat indexes.expected)
ok" "sqlite3 crm.db \"$indexes; PRAGMA integrity_check\""
out '... and the audit trail counts the customers, not the indexes' '{"customers":{"added":12000}}' \
	"dumped audit changes | tail -1"
err 'the same file again changes nothing' \
	'crm-add: customers: 0 inserted, 0 updated, 12000 unchanged, 0 merged, 0 rejected' 'crm-add many.csv > /dev/null'

# Two smaller imports, neither large enough for the bulk path.
head -5001 many.csv > first.csv
{ head -1 many.csv; sed -n '5002,$p' many.csv; } > rest.csv
crm-add -q -d pieces.db first.csv > pieces.out
crm-add -q -d pieces.db rest.csv | sed 1d >> pieces.out
crm-export -d pieces.db --dump | grep '^{"kind":"customer"' > pieces.rows
out 'what it writes out is what two smaller imports write' '' \
	'crm-add -q -d whole.db many.csv | cmp - pieces.out'
out '... and what it stores, too' '' \
	"crm-export -d whole.db --dump | grep '^{\"kind\":\"customer\"' | cmp - pieces.rows"

{ cat many.csv; echo 'C9999999,坏人,12345,,,,,,,,,'; } > bulk-bad.csv
fails 1 'a bulk import with one bad record at its end fails' 'crm-add -q -d bad.db bulk-bad.csv > /dev/null'
sqlite_only out '... stores nothing, and the indexes are still there' "0
$(cat indexes.expected)" "crm-segment -d bad.db --count --all; sqlite3 bad.db \"$indexes\""
sqlite_only out '--dry-run of a bulk import stores nothing, and keeps the indexes' "0
$(cat indexes.expected)" \
	"crm-add -q -d dry.db --dry-run many.csv > /dev/null; crm-segment -d dry.db --count --all; sqlite3 dry.db \"$indexes\""
sqlite_only out '--match keeps the indexes as they are: it looks customers up by them' \
	"$(sqlite_only sqlite3 empty.db 'SELECT name FROM sqlite_schema')" \
	"cut -d, -f2- many.csv | crm-add -q -d match.db --match phone > /dev/null; sqlite3 match.db 'SELECT name FROM sqlite_schema'"
done_testing
