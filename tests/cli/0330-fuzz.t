#!/bin/sh
# The expression parser and compiler, the record readers, the score-model
# parser, the normalizers and the .xlsx reader under libFuzzer for a bounded
# time (5 s each; `make fuzz` runs 15 minutes each). Once a make check: on the
# plain pass.
. "$(dirname "$0")/../lib.sh"

for target in expr records model normalize xlsx; do
	if ! plain; then
		skip 'the fuzzer runs once, on the plain pass'
	elif [ -x "$TESTS/../build-fuzz/fuzz-$target" ]; then
		ok "no input crashes, leaks or hangs fuzz-$target (${FUZZ_CHECK_SECONDS:-5} s)" \
			"'$TESTS/fuzz/run' build-fuzz ${FUZZ_CHECK_SECONDS:-5} $target > fuzz.log 2>&1 || { tail -40 fuzz.log; exit 1; }"
	else
		n=$((n + 1))
		echo "not ok $n - build-fuzz/fuzz-$target is missing: make check builds it with clang"
	fi
done
done_testing
