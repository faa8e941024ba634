#!/bin/sh
# What every command shares: help, version, usage errors, terminals, and
# output that does not reach its reader.
. "$(dirname "$0")/../lib.sh"

# A terminal for stdin and stdout: util-linux's script runs the command in one.
tty() {
	printf "script -qec '%s' /dev/null | tr -d '\\015'" "$1"
}

for c in crm-add crm-export crm-tag; do
	case $c in crm-add) args=x.csv ;; crm-export) args=--all ;; crm-tag) args=--list ;; esac
	out "$c --help starts with its usage line" "usage: $c" "$c --help | head -1 | cut -d' ' -f1,2"
	ok "$c -h exits 0 and names the man page" "$c -h | grep -q '$c(1)'"
	out "$c --version" "$c (crm) 0.1.0" "$c --version"
	err "$c: an unknown option is a usage error" "$c: unknown option '--bogus'
Try '$c --help'." "$c --bogus"
	fails 2 "$c: ... exit status 2" "$c --bogus"
	err "$c: an option without its argument" "$c: option '--db' needs an argument
Try '$c --help'." "$c --db"
	formats=$($c --complete | awk -F '\t' '$2 == "--output" { print $4 }')
	err "$c: a bad output format, saying the ones it writes" "$c: 'xml' is not an output format of $c ($formats)
Try '$c --help'." "$c -o xml"
	err "$c: a bad --as-of" "$c: --as-of: 'someday' is not a date or time (use YYYY-MM-DD)
Try '$c --help'." "$c --as-of someday $args"
done
err 'a bad CRM_NOW is a usage error' "crm-export: CRM_NOW: 'soon' is not a date or time (use YYYY-MM-DD)" \
	'CRM_NOW=soon crm-export --all'
err 'a bad --kind' "crm-add: bad argument 'people' for --kind
Try 'crm-add --help'." 'crm-add -k people x.csv'

printf 'id,name\n1,张三\n2,李四\n' | crm-add -q > /dev/null
out 'crm-add with stdin a terminal and no input refuses' \
	'crm-add: no input: give FILEs, pipe records in, or use --set
Try '"'crm-add --help'"'.' "$(tty crm-add)"
out 'crm-tag with stdin a terminal and no customers refuses' \
	'crm-tag: which customers? give ids, -s, -w, --all, or pipe records in
Try '"'crm-tag --help'"'.' "$(tty 'crm-tag -a x')"
golden 'crm-export with stdin a terminal takes everyone, as a table' tty-table.txt "$(tty crm-export)"
out '... and csv when stdout is not a terminal' '3' "$(tty 'crm-export | wc -l') | tr -d ' '"

err 'a full disk is a write error, exit 3' 'crm-export: write error: No space left on device' 'crm-export --all > /dev/full'
fails 3 '... exit status 3' 'crm-export --all > /dev/full'
fails 3 'crm-add: a full disk for its output is exit 3' "printf 'id\n9\n' | crm-add > /dev/full"
out 'a reader that closes the pipe early stops the writer quietly' '1
0' \
	"crm-export --all -o ids | head -1 | wc -l | tr -d ' '; crm-export --all 2>&1 >/dev/null | wc -l | tr -d ' '"
ok '-q silences the summary' "test -z \"\$(printf 'id\n3\n' | crm-add -q 2>&1 >/dev/null)\""
done_testing
