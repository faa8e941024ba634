# tests/lib.sh: sourced by tests/cli/*.t. Each check is one line that reads
# like a sentence and prints one TAP line; a failure shows what differed.
#
#   ok 'what it proves' COMMAND              exit status 0
#   fails N 'what it proves' COMMAND         exit status N
#   out 'what it proves' 'EXPECTED' COMMAND  stdout exactly (status ignored)
#   err 'what it proves' 'EXPECTED' COMMAND  stderr exactly
#   golden 'what it proves' NAME COMMAND     stdout equals tests/cli/golden/NAME
#                                            (UPDATE_GOLDEN=1 rewrites it)
# COMMAND is a string run by sh in the test's own directory, stdin /dev/null.
set -u
: "${CRM_BIN:?CRM_BIN must name the build directory}"
TESTS=$(cd "$(dirname "$0")/.." && pwd)
GOLDEN=$TESTS/cli/golden
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crm-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
mkdir home
export PATH="$CRM_BIN:$PATH" HOME="$WORK/home" CRM_DB="$WORK/crm.db" CRM_NOW=2024-06-01
export TZ=Asia/Shanghai LC_ALL=C.UTF-8 NO_COLOR=1
unset XDG_DATA_HOME
EXAMPLES=$(cd "$TESTS/../examples" && pwd)
n=0

_run() {
	sh -c "$1" </dev/null >"$WORK/.out" 2>"$WORK/.err"
	status=$?
}

_pass() {
	n=$((n + 1))
	echo "ok $n - $1"
}

_fail() { # description; the diagnostics are in $WORK/.diag
	n=$((n + 1))
	echo "not ok $n - $1"
	sed 's/^/#   /' "$WORK/.diag" | head -40
}

_diag() {
	echo "command: $1"
	echo "exit status: $status"
	echo "--- stdout"; head -20 "$WORK/.out"
	echo "--- stderr"; head -20 "$WORK/.err"
}

ok() {
	_run "$2"
	if [ "$status" -eq 0 ]; then _pass "$1"; else _diag "$2" >"$WORK/.diag"; _fail "$1"; fi
}

fails() {
	_run "$3"
	if [ "$status" -eq "$1" ]; then _pass "$2"
	else { echo "expected exit status $1"; _diag "$3"; } >"$WORK/.diag"; _fail "$2"; fi
}

out() { # an empty EXPECTED means no output at all
	_run "$3"
	if [ -n "$2" ]; then printf '%s\n' "$2" >"$WORK/.want"; else : >"$WORK/.want"; fi
	if cmp -s "$WORK/.want" "$WORK/.out"; then _pass "$1"
	else { echo "stdout differs (- expected, + got):"; diff "$WORK/.want" "$WORK/.out"; _diag "$3"; } >"$WORK/.diag"; _fail "$1"; fi
}

err() {
	_run "$3"
	if [ -n "$2" ]; then printf '%s\n' "$2" >"$WORK/.want"; else : >"$WORK/.want"; fi
	if cmp -s "$WORK/.want" "$WORK/.err"; then _pass "$1"
	else { echo "stderr differs (- expected, + got):"; diff "$WORK/.want" "$WORK/.err"; _diag "$3"; } >"$WORK/.diag"; _fail "$1"; fi
}

golden() {
	_run "$3"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$WORK/.out" "$GOLDEN/$2"; fi
	if cmp -s "$GOLDEN/$2" "$WORK/.out"; then _pass "$1"
	else { echo "stdout differs from golden/$2 (- golden, + got):"; diff "$GOLDEN/$2" "$WORK/.out"; _diag "$3"; } >"$WORK/.diag"; _fail "$1"; fi
}

# q SQL, in a test's COMMAND: a plain sqlite3 read of the test database, for
# checking contents (a command on PATH, since COMMAND runs in its own sh).
mkdir "$WORK/bin"
printf '#!/bin/sh\nexec sqlite3 "$CRM_DB" "$1"\n' > "$WORK/bin/q"
chmod +x "$WORK/bin/q"
PATH="$WORK/bin:$PATH"

# skip REASON: a check this build does not make.
skip() {
	n=$((n + 1))
	echo "ok $n # skip $1"
}
# plain: true on the plain build, where times and memory are the program's
# own (not under ASan or valgrind).
plain() {
	case $CRM_BIN in */build) return 0 ;; *) return 1 ;; esac
}

# Ends a test file: without this line, tests/run counts the file as failed.
done_testing() {
	echo "1..$n"
}
