#!/bin/sh
# crm CMD ARGS runs crm-CMD in its place (arguments, stdin, output, exit
# status and signals are the command's); crm help lists the commands with
# their own summaries, or opens a manual; typos get a suggestion.
. "$(dirname "$0")/../lib.sh"

CRM=$CRM_BIN/crm
printf 'id,name\nC1,张三\nC2,李四\n' | crm-add -q > /dev/null
crm-tag -q -a 金卡 C1 > /dev/null

# ---- running a command ----
out 'crm export runs crm-export with the arguments' 'id,name
C1,张三' 'crm export -f id,name C1'
out 'crm tag --list writes what crm-tag --list does' "$(crm-tag --list)" 'crm tag --list'
out 'stdin goes through to the command' 'id
C1' "printf 'id\nC1\n' | crm export -f id"
err "the command's errors are its own" "crm-export: unknown field 'nosuch'" 'crm export -f nosuch C1 2>&1 >/dev/null | head -1 >&2'
fails 2 "... and so is its exit status: a usage error, 2" 'crm export -f nosuch C1'
fails 1 '... a bad expression, 1' "crm segment -w 'age >'"
out "options after the command are the command's" 'crm-tag (crm) 0.1.0' 'crm tag --version'

# Commands of crm's shape found in PATH: one that answers the summary
# query, one that does not, one that cannot run.
mkdir more
cat > more/crm-hello <<'EOF'
#!/bin/sh
[ "$*" = --crm-summary ] && { echo 'Say hello to each argument.'; exit 0; }
printf '<%s>\n' "$@"
EOF
printf '#!/bin/sh\n[ "$1" = pid ] && echo $$\n[ "$1" = term ] && kill -TERM $$\nexit 7\n' > more/crm-quiet
printf 'not a program\n' > more/crm-broken
chmod +x more/crm-hello more/crm-quiet more/crm-broken
MORE="PATH=$WORK/more:\$PATH"
out 'the arguments pass as given, empty and spaced ones too' '<a>
<>
<b c>' "$MORE crm hello a '' 'b c'"
fails 7 "a command's exit status passes straight through" "$MORE crm quiet"
fails 143 '... and the signal that ends it' "$MORE crm quiet term"
if [ "${CRM_BIN##*/}" != build-vg ]; then # valgrind's wrapper is a process of its own
	out 'the command runs in the place of crm: the same process' '1' \
		"$MORE sh -c 'echo \$\$; exec crm quiet pid' | uniq | wc -l | tr -d ' '"
else
	skip "valgrind's wrapper runs crm in a process of its own"
fi
out 'a command in PATH that gives its summary is listed' '  hello    Say hello to each argument.' \
	"$MORE crm help | grep hello"
out '... one that does not is not' '' "$MORE crm help | grep -e quiet -e broken"
err 'a command that cannot run: exit 3, saying why' "crm: cannot run $WORK/more/crm-broken: Exec format error" \
	"$MORE crm broken"
fails 3 '... exit status 3' "$MORE crm broken"

# ---- unknown commands ----
err 'an unknown command is a usage error, with a suggestion' "crm: 'segmnt' is not a crm command (crm help lists them)
crm: did you mean 'crm segment'?" 'crm segmnt'
fails 2 '... exit status 2' 'crm segmnt'
err '... two letters swapped' "crm: 'tga' is not a crm command (crm help lists them)
crm: did you mean 'crm tag'?" 'crm tga'
err '... the beginning of a name' "crm: 'seg' is not a crm command (crm help lists them)
crm: did you mean 'crm segment'?" 'crm seg'
err '... the beginning of two' "crm: 's' is not a crm command (crm help lists them)
crm: did you mean 'crm score' or 'crm segment'?" 'crm s'
err "... the command's full name is the name without crm-" "crm: 'crm-tag' is not a crm command (crm help lists them)
crm: did you mean 'crm tag'?" 'crm crm-tag'
err '... nothing close: no suggestion' "crm: 'xyzzy' is not a crm command (crm help lists them)" 'crm xyzzy'
err '... a path is no command name' "crm: '../build/crm-tag' is not a crm command (crm help lists them)" \
	'crm ../build/crm-tag'
err '... nor is an empty one' "crm: '' is not a crm command (crm help lists them)" "crm ''"
err "crm-gen, the bench's generator beside the commands, is not suggested" \
	"crm: 'gne' is not a crm command (crm help lists them)" 'crm gne'

# ---- the list ----
# PATH without this test's commands: the list is of those beside crm.
golden 'crm alone lists the commands, each with its own summary' crm-help.txt "PATH=/usr/bin:/bin '$CRM'"
ok '... and exits 0' "PATH=/usr/bin:/bin '$CRM' > /dev/null"
golden 'crm help lists the same' crm-help.txt "PATH=/usr/bin:/bin '$CRM' help"
out "crm-gen, beside the commands, is not listed" '' 'crm help | grep gen'
for c in crm-add crm-export crm-note crm-profile crm-rm crm-score crm-segment crm-tag; do
	out "$c's line in the list is its --help summary" "$($c --help | sed -n 2p)" \
		"crm help | sed -n 's/^  ${c#crm-}  *//p'"
done
err "the summary query is hidden: with other arguments it is an unknown option" \
	"crm-tag: unknown option '--crm-summary'
Try 'crm-tag --help'." 'crm-tag --crm-summary --list'
err 'a full disk for the list is a write error, exit 3' 'crm: write error: No space left on device' 'crm > /dev/full'
fails 3 '... exit status 3' 'crm help > /dev/full'

# ---- manuals ----
# No man in PATH: a folder of what the valgrind wrappers need, and no man.
mkdir noman emptyman
for p in valgrind grep; do
	command -v $p > /dev/null && printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v $p)" > noman/$p
done
chmod +x noman/*
NOMAN="PATH=$WORK/noman '$CRM'"
out 'crm help tag without man: crm-tag --help instead' "$(crm-tag --help)" "$NOMAN help tag"
err '... saying so' 'crm: man is not installed: here is crm-tag --help instead' "$NOMAN help tag"
ok '... exit status 0' "$NOMAN help tag"
out 'crm help crm without man: crm --help instead' "$(crm --help)" "$NOMAN help crm 2>/dev/null"
err 'crm help expr without man says it cannot' 'crm: man is not installed: crm-expr(7) cannot be shown' \
	"$NOMAN help expr"
fails 3 '... exit status 3' "$NOMAN help expr"
err 'crm help with an unknown command' "crm: 'nope' is not a crm command (crm help lists them)
crm: did you mean 'crm note'?" 'crm help nope'
fails 2 '... exit status 2' 'crm help nope'
err 'crm help takes one command' "crm: help takes one command, or none
Try 'crm --help'." 'crm help tag rm'
if command -v man > /dev/null; then
	out 'crm help tag opens crm-tag(1), beside the command in the source tree' '1' \
		"MANPATH=$WORK/emptyman crm help tag | grep -c '^NAME'"
	out '... its page' '1' "MANPATH=$WORK/emptyman crm help tag | grep -c 'crm-tag — tag customers'"
	out 'crm help expr opens crm-expr(7)' '1' "MANPATH=$WORK/emptyman crm help expr | grep -c '^CRM-EXPR(7)'"
	out 'crm help crm opens crm(1)' '1' "MANPATH=$WORK/emptyman crm help crm | grep -c '^CRM(1)'"
	if [ "${CRM_BIN##*/}" != build-vg ]; then # a copy of a wrapper would find the build's pages
		mkdir lone
		cp "$CRM" "$CRM_BIN/crm-tag" lone/
		out 'no page beside it nor where man looks: crm-tag --help instead' "$(crm-tag --help)" \
			"MANPATH=$WORK/emptyman lone/crm help tag 2>/dev/null"
		err '... saying so' 'crm: man has no page crm-tag(1) (is MANPATH right?): here is crm-tag --help instead' \
			"MANPATH=$WORK/emptyman lone/crm help tag"
		err 'no crm-expr(7) where man looks' 'crm: man has no page crm-expr(7) (is MANPATH right?)' \
			"MANPATH=$WORK/emptyman lone/crm help expr"
		fails 3 '... exit status 3' "MANPATH=$WORK/emptyman lone/crm help expr"
	else
		skip 'a copy of a valgrind wrapper finds the pages beside the build'
	fi
else
	skip 'man is not installed: no pages to open'
fi

# ---- crm's own options ----
out 'crm --version' 'crm (crm) 0.1.0' 'crm --version'
out 'crm -h: the usage' "usage: crm CMD [ARGS...] | help [CMD]
Run crm-CMD with ARGS; 'crm help' lists the commands, 'crm help CMD' opens CMD's manual.

  -h, --help                 show this help
      --version              show the version

See crm(1) and crm(7)." 'crm -h'
out 'crm --help: the same' "$(crm -h)" 'crm --help'
err "an option crm has not got is a usage error" "crm: unknown option '--db'
Try 'crm --help'." 'crm --db x.db tag --list'
fails 2 '... exit status 2' 'crm -x'
done_testing
