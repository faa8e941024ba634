#!/bin/sh
# The man pages: lint clean, rendered without a macro's artefacts, and their
# EXAMPLES work when pasted.
. "$(dirname "$0")/../lib.sh"

MAN=$TESTS/../man
# What a page renders in bold with a leading dash is what Fl made: it must be
# an option of a command. A word that is not, such as "-default:", is prose
# that an Fl swallowed (".Pq Fl f ; default: ..." where "No default:" was meant).
for c in crm crm-add crm-export crm-segment crm-tag crm-score crm-note crm-rm crm-profile; do
	$c --help
done 2>&1 | grep -o -- '--\{0,1\}[A-Za-z][A-Za-z0-9-]*' | sort -u > options
B=$(printf '\b') S=$(printf '\001') E=$(printf '\002')
cat > bold-dashes <<EOF
mandoc -Tutf8 "\$1" | sed 's/\\(.\\)$B\\1/$S\\1$E/g; s/$E$S//g; s/_$B//g' |
	grep -o -- '$S-[^$E]*' | tr -d '$S' | tr ' ' '\\n' | grep -- '^--\\{0,1\\}[A-Za-z]' | sort -u |
	comm -23 - options
EOF
for page in "$MAN"/*.[157]; do
	name=$(basename "$page")
	ok "$name is mandoc -Tlint -Wwarning clean" "test -z \"\$(mandoc -Tlint -Wwarning '$page' 2>&1)\""
	out "$name renders, every word in bold with a dash an option" '' "sh bold-dashes '$page'"
	# The EXAMPLES as a reader sees them: lines that start with "$ ".
	mandoc -Tutf8 "$page" | sed 's/.\x08//g' |
		awk '/^EXAMPLES/ { on = 1; next } /^[A-Z]/ { on = 0 } on && /^ *\$ / { sub(/^ *\$ /, ""); print }' \
			> "examples-$name.sh"
	ok "$name has examples" "test -s examples-$name.sh"
	# Each page in a directory of its own with the sample files, as a user
	# in the source tree would have them, and a database of its own.
	mkdir "run-$name"
	cp -r "$EXAMPLES" "run-$name/examples"
	ok "$name's EXAMPLES run, each command succeeding" \
		"cd run-$name && CRM_DB=\$PWD/crm.db sh -e ../examples-$name.sh > out 2> err"
done
done_testing
