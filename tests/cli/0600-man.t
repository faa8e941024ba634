#!/bin/sh
# The man pages: lint clean, and their EXAMPLES work when pasted.
. "$(dirname "$0")/../lib.sh"

MAN=$TESTS/../man
for page in "$MAN"/*.[157]; do
	name=$(basename "$page")
	ok "$name is mandoc -Tlint -Wwarning clean" "test -z \"\$(mandoc -Tlint -Wwarning '$page' 2>&1)\""
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
