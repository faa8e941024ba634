#!/bin/sh
# The library's layers (lib/README), read from the built objects' symbols by
# tests/layers.sh: no file calls a folder above its own, no two files of a
# folder call each other, only store/ calls SQLite, and the commands use
# libcrm through crm.h alone. The checker is shown catching each breach on
# a small build of its own first, so that a clean result means something.
. "$(dirname "$0")/../lib.sh"

LAYERS=$TESTS/layers.sh
SRC=$TESTS/..

# A fake tree and its build: sources that break each rule once.
mkdir -p fake/lib/base fake/lib/store fake/lib/domain fake/cmd
cp "$SRC/lib/crm.h" fake/lib/
obj() { # PATH (without .c/.o) SOURCE
	printf '%s\n' "$2" > "fake/$1.c" && cc -c -o "fake/$1.o" "fake/$1.c"
}
obj lib/store/db 'int crm_db_open(void) { return 0; } int crm_db_close(void) { return 0; }'
obj lib/base/up 'int crm_db_open(void); int crm_up(void) { return crm_db_open(); }'
obj lib/domain/a 'int crm_b(void); int crm_a(void) { return crm_b(); }'
obj lib/domain/b 'int crm_a(void); int crm_b(void) { return crm_a(); }'
obj lib/domain/raw 'int sqlite3_open(void); int crm_raw(void) { return sqlite3_open(); }'
: > fake/lib/store/db.h
obj cmd/crm-x '#include "../lib/store/db.h"
int crm_db_close(void); int crm_sql_add(void); int main(void) { return crm_sql_add() + crm_db_close(); }'
obj lib/base/gone 'int crm_db_open(void); int crm_gone(void) { return crm_db_open(); }'
rm fake/lib/base/gone.c

fails 1 'the checker fails on a fake build that breaks every rule' "sh '$LAYERS' fake fake"
out 'it names each breach, and not an object whose source is gone' 'base/up: calls crm_db_open of store/db, a layer above
cmd/crm-x.c:1:#include "../lib/store/db.h" (cmd/ includes crm.h alone of lib/)
cmd/crm-x: calls crm_sql_add (not in crm.h)
domain/a and domain/b call each other
domain/raw: calls sqlite3_open (only store/ talks to SQLite)' "sh '$LAYERS' fake fake"

# The real build.
ok 'the build has objects in every layer' \
	"for l in base records store expr domain import; do ls '$CRM_BIN'/lib/\$l/*.o; done"
out 'lib/ keeps its layers, SQLite stays in store/, cmd/ uses crm.h alone' '' \
	"sh '$LAYERS' '$CRM_BIN' '$SRC'"
out 'no file of lib/ outside store/ names sqlite3_' '' \
	"grep -rl sqlite3_ '$SRC/lib' | grep -v '/lib/store/'"
out 'no header outside store/ includes <sqlite3.h>' '' \
	"grep -rl 'include <sqlite3.h>' '$SRC/lib' '$SRC/cmd' | grep -v '/lib/store/'"

done_testing
