#!/bin/sh
# The README's tour, run as written: every command of its sessions in order,
# at a terminal, in a fresh copy of the source folder, as the user the tour
# names; each must print what the README shows under it. How a session reads
# is said at the top of README.md's "A tour": in its indented blocks, a line
# "$ command" is typed, and the lines under it, up to the next "$ ", are all
# it prints, stderr included; nothing under it means it prints nothing.
. "$(dirname "$0")/../lib.sh"

README=$TESTS/../README.md
TOUR=$WORK/tour
mkdir tree "$TOUR"
cp -r "$EXAMPLES" tree/examples
ln -s "$CRM_BIN" tree/build
# The tour mails its nightly reports; here mail(1) keeps them.
printf '#!/bin/sh\ncat >> "%s/mailbox"\n' "$WORK" > "$WORK/bin/mail"
chmod +x "$WORK/bin/mail"

# The session to type (session.sh: a marker on the terminal before each
# command, its stderr to err.N) and what the README shows (want.N), from the
# blocks between "## A tour" and the next "## ". A blank line is output only
# when more output follows it in the same block.
cat > "$TOUR/extract.awk" <<'EOF'
function to(name) { return tour "/" name }
/^## / { on = $0 == "## A tour"; block = 0; next }
!on { next }
/^    / {
	line = substr($0, 5)
	if (substr(line, 1, 2) == "$ ") {
		n++
		printf "printf \"\\036%d\\036\\n\"\n{ %s\n} 2> %s\n", n, substr(line, 3), to("err." n) > to("session.sh")
		print NR ": $ " substr(line, 3) > to("cmd." n)
		printf "" > to("want." n)
		block = 1; blanks = 0; next
	}
	if (!block) { print "README.md:" NR ": no command above this line: " line; bad = 1; next }
	for (; blanks > 0; blanks--) print "" > to("want." n)
	print line > to("want." n)
	next
}
/^[ \t]*$/ { if (block) blanks++; next }
{ block = 0 }
END {
	printf "printf \"\\036end\\036\\n\"\n" > to("session.sh")
	print n > to("count")
	exit bad || !n
}
EOF
# The typescript cut at the markers: out.N, what command N wrote to stdout.
cat > "$TOUR/split.awk" <<'EOF'
index($0, "\036") {
	split($0, a, "\036")
	if (a[1] != "" && f) print a[1] > f
	f = tour "/out." a[2]
	printf "" > f
	next
}
f { print > f }
EOF
ok "README.md's tour is sessions of commands and what they print" \
	"awk -v tour='$TOUR' -f '$TOUR/extract.awk' '$README'"

# A terminal for stdin and stdout, as the reader has; stderr goes to a file
# of its own, so that a message and a pipeline's output, which a terminal
# shows in whatever order they come, are compared each in its own order.
ok 'the tour runs to its end at a terminal, typed by 小张' \
	"cd tree && USER=小张 LOGNAME=小张 script -qec 'sh $TOUR/session.sh' /dev/null > '$TOUR/typescript';
	 tr -d '\\r' < '$TOUR/typescript' | awk -v tour='$TOUR' -f '$TOUR/split.awk' && test -e '$TOUR/out.end'"

# What command N printed, stdout and stderr interleaved as the README shows
# them where they can be; the rest of stdout, then of stderr, after the first
# line that differs.
cat > "$TOUR/printed" <<'EOF'
#!/bin/sh
t=$(dirname "$0")
touch "$t/out.$1" "$t/err.$1"
awk 'FILENAME == ARGV[1] { w[++nw] = $0; next }
	FILENAME == ARGV[2] { o[++no] = $0; next }
	{ e[++ne] = $0 }
	END {
		i = 1; j = 1
		for (k = 1; k <= nw; k++)
			if (j <= ne && w[k] == e[j]) print e[j++]
			else if (i <= no && w[k] == o[i]) print o[i++]
			else break
		for (; i <= no; i++) print o[i]
		for (; j <= ne; j++) print e[j]
	}' "$t/want.$1" "$t/out.$1" "$t/err.$1"
EOF
# Each check is named by its command, as the README has it (an echo that
# reads backslashes as escapes, as dash's does, is given them doubled).
[ "$(echo 'a\\b')" = 'a\\b' ] && keep='' || keep='s/\\/\\\\/g'
i=1
while [ "$i" -le "$(cat "$TOUR/count" 2>/dev/null || echo 0)" ]; do
	out "README.md:$(sed "$keep" "$TOUR/cmd.$i")" "$(cat "$TOUR/want.$i")" "sh $TOUR/printed $i"
	i=$((i + 1))
done
done_testing
