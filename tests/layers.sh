#!/bin/sh
# tests/layers.sh BUILD_DIR: checks from the objects' symbols (nm) that lib/
# keeps its layers (lib/README): a file calls only its own folder and the
# folders below it, no two files of a folder call each other, only store/
# calls SQLite, and the commands use libcrm through crm.h alone. Prints one
# line per breach and exits 1 when there is any.
set -u
build=${1:?usage: tests/layers.sh BUILD_DIR}
src=${2:-$(cd "$(dirname "$0")/.." && pwd)}
layers="base records store expr domain import"
rank() { # the folder's place, lowest first
	i=0
	for l in $layers; do
		i=$((i + 1))
		[ "$l" = "$1" ] && echo $i && return
	done
	echo 0
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/defs"
: > "$tmp/uses"
for layer in $layers; do
	r=$(rank "$layer")
	for o in "$build"/lib/"$layer"/*.o; do
		f=$layer/$(basename "$o" .o)
		[ -e "$src/lib/$f.c" ] || continue # left from a source since gone
		nm --defined-only "$o" | awk -v f="$f" -v r="$r" '$2 ~ /^[TDBRC]$/ {print $3, f, r}' >> "$tmp/defs"
		nm -u "$o" | awk -v f="$f" -v r="$r" '{print $2, f, r}' >> "$tmp/uses"
	done
done
sort -o "$tmp/defs" "$tmp/defs"
sort -o "$tmp/uses" "$tmp/uses"
# symbol user user_rank definer definer_rank
join "$tmp/uses" "$tmp/defs" > "$tmp/calls"
{
	awk '$3 < $5 {print $2 ": calls " $1 " of " $4 ", a layer above"}' "$tmp/calls"
	awk '$2 != $4 {print $2, $4}' "$tmp/calls" | sort -u > "$tmp/pairs"
	awk '{print $2, $1}' "$tmp/pairs" | sort | comm -12 - "$tmp/pairs" |
		awk '$1 < $2 {print $1 " and " $2 " call each other"}'
	awk '$1 ~ /^sqlite3_/ && $2 !~ /^store\// {print $2 ": calls " $1 " (only store/ talks to SQLite)"}' "$tmp/uses"
	grep -o 'crm_[a-z0-9_]*' "$src/lib/crm.h" | sort -u > "$tmp/public"
	for o in "$build"/cmd/*.o; do
		[ -e "$o" ] || continue
		f=cmd/$(basename "$o" .o)
		nm -u "$o" | awk '{print $2}' | grep '^crm_' | sort | comm -23 - "$tmp/public" |
			sed "s|^|$f: calls |; s|\$| (not in crm.h)|"
		nm -u "$o" | awk -v f="$f" '$2 ~ /^sqlite3_/ {print f ": calls " $2}'
	done
	grep -Hn '#include "' "$src"/cmd/*.[ch] 2>/dev/null | grep -v '"\(crm\|cli\|select\)\.h"' |
		sed 's|^.*/cmd/|cmd/|; s|$| (cmd/ includes crm.h alone of lib/)|'
} | sort -u > "$tmp/breaches"
cat "$tmp/breaches"
[ ! -s "$tmp/breaches" ]
