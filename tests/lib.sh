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

# ---- what is stored ----
# A check reads what is stored through a command wherever one shows it
# (crm-export -f, --dump or -k audit, crm-segment --count, crm-tag --list,
# crm-note -l, crm-score --changes). What none shows (internal tables,
# indexes, the schema version), and data no command makes, go through q, the
# one place that knows which database the tests run on: CRM_TEST_BACKEND
# names it (default sqlite, the only one so far); another backend, such as
# PostgreSQL, is added here, to the case below and to q. A check of SQLite
# itself (integrity_check, its catalog, a file made by hand, the bytes of the
# file) says so with sqlite_only, and may run sqlite3 as it needs to.
#
#   q [-d DB] [SQL]      runs SQL (else the SQL on stdin) on $CRM_DB, or DB,
#                        with the backend; prints the rows, a line each,
#                        columns joined by |, NULL as empty
#   dumped [-d DB] KIND [FIELD=VALUE...] FIELD...
#                        the records of KIND in crm-export --dump whose
#                        FIELDs hold those VALUEs: the FIELDs asked, joined
#                        by | as q joins them (an object or a list as compact
#                        JSON, an absent field empty); attrs.NAME is one
#                        custom attribute
#   sqlite_only CHECK... a check (ok, out, ...) or a command about SQLite
#                        itself: run on SQLite; on another backend the check
#                        is a skip, the command is not run, and the status 1
#                        (alone, sqlite_only is true on SQLite only)
# q and dumped are commands on PATH, since COMMAND runs in its own sh.
case ${CRM_TEST_BACKEND:=sqlite} in
sqlite) ;;
*)
	echo "Bail out! CRM_TEST_BACKEND=$CRM_TEST_BACKEND: no such test backend (tests/lib.sh knows sqlite)"
	exit 1
	;;
esac
export CRM_TEST_BACKEND
mkdir "$WORK/bin"
cat > "$WORK/bin/q" <<'EOF'
#!/bin/sh
# q [-d DB] [SQL]: see tests/lib.sh
db=$CRM_DB
if [ "${1:-}" = -d ]; then db=$2; shift 2; fi
case $CRM_TEST_BACKEND in
sqlite) exec sqlite3 "$db" "$@" ;;
esac
echo "q: CRM_TEST_BACKEND=$CRM_TEST_BACKEND: no such test backend" >&2
exit 3
EOF
cat > "$WORK/bin/dumped" <<'EOF'
#!/bin/sh
# dumped [-d DB] KIND [FIELD=VALUE...] FIELD...: see tests/lib.sh
db=$CRM_DB
if [ "${1:-}" = -d ]; then db=$2; shift 2; fi
crm-export -q -d "$db" --dump | python3 -c '
import json, sys
kind, args = sys.argv[1], sys.argv[2:]
want = dict(a.split("=", 1) for a in args if "=" in a)
fields = [a for a in args if "=" not in a]
def get(record, path):
    for name in path.split(".", 1):
        record = record.get(name) if isinstance(record, dict) else None
    return record
def text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
for line in sys.stdin:
    record = json.loads(line)
    if record.get("kind") == kind and all(get(record, f) == v for f, v in want.items()):
        print("|".join(text(get(record, f)) for f in fields))
' "$@"
EOF
chmod +x "$WORK/bin/q" "$WORK/bin/dumped"
PATH="$WORK/bin:$PATH"

sqlite_only() {
	if [ "$CRM_TEST_BACKEND" = sqlite ]; then "$@"; return; fi
	case ${1:-} in
	ok | out | err | golden) skip "$2: a check of SQLite itself" ;;
	fails) skip "$3: a check of SQLite itself" ;;
	esac
	return 1
}

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
