#!/bin/sh
# Replay each target's seeds, corpus and regression inputs through its plain
# (non-libFuzzer) build.  usage: run-replay.sh REPLAY_BUILD_DIR TARGET...
set -u
dir=$1
shift
src=tests/fuzz
passed=0 failed=0
for t in "$@"; do
	bin=$dir/fuzz_$t log=$dir/fuzz_$t.log
	if [ ! -x "$bin" ]; then
		echo "fuzz-replay $t: FAILED (not built; see the build output above)"
		failed=$((failed + 1))
		continue
	fi
	if "$bin" "$src/seeds/$t" "$src/corpus/$t" "$src/regressions/$t" >"$log" 2>&1; then
		echo "fuzz-replay $t: ok ($(tail -n1 "$log" | sed 's/^replayed //'))"
		passed=$((passed + 1))
	else
		echo "fuzz-replay $t: FAILED (log $log)"
		grep -m3 -E 'ERROR: |runtime error:|fuzz property violated|replay: ' "$log" | sed 's/^/  /'
		# Name the input that failed: rerun verbosely, last name printed.
		REPLAY_VERBOSE=1 "$bin" "$src/seeds/$t" "$src/corpus/$t" "$src/regressions/$t" 2>&1 \
			| grep '^replay: ' | tail -n1 | sed 's/^replay: /  input: /'
		failed=$((failed + 1))
	fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ $failed -eq 0 ]
