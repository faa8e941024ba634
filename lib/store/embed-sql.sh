#!/bin/sh
# Turns lib/store/migrations/NNN-*.sql into C byte arrays, so that the schema ships
# inside the library. Bytes, not string literals: ISO C limits a literal to
# 4095 characters, and a migration can be longer.
set -eu
echo "/* Made from the files in lib/store/migrations by lib/store/embed-sql.sh: do not edit. */"
n=0
for f in "$@"; do
	echo "static const unsigned char migration_$n[] = {"
	od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
	echo "0};"
	n=$((n + 1))
done
echo "const char *const crm_migrations[] = {"
i=0
while [ "$i" -lt "$n" ]; do
	echo "	(const char *)migration_$i,"
	i=$((i + 1))
done
echo "};"
echo "const int crm_migrations_count = $n;"
