#!/bin/sh
# The expression parser and compiler under libFuzzer for a bounded time
# (10 s; `make fuzz` runs an hour). Once a make check: on the plain pass.
. "$(dirname "$0")/../lib.sh"

FUZZ=$TESTS/../build-fuzz/fuzz-expr
case $CRM_BIN in
*/build-san)
	echo "ok 1 # skip the fuzzer runs once, on the plain pass"
	n=1 ;;
*)
	if [ -x "$FUZZ" ]; then
		ok 'no input crashes, leaks or hangs the parser and compiler (10 s)' \
			"'$TESTS/fuzz/run' build-fuzz ${FUZZ_CHECK_SECONDS:-10} > fuzz.log 2>&1 || { tail -40 fuzz.log; exit 1; }"
	else
		echo "not ok 1 - build-fuzz/fuzz-expr is missing: make check builds it with clang"
		n=1
	fi ;;
esac
done_testing
