#!/bin/bash
# Run libFuzzer targets for a fixed time each, FUZZ_JOBS at a time.
# usage: run-fuzz.sh FUZZ_BUILD_DIR SECONDS TARGET...
# Inputs: tests/fuzz/{corpus,seeds,regressions}/<target>/ (read only); new
# inputs go to FUZZ_BUILD_DIR/work/<target>/, findings (crash-, leak-,
# timeout-, oom- files) to FUZZ_BUILD_DIR/crashes/<target>/, logs to
# FUZZ_BUILD_DIR/logs/<target>.log.  Exit 1 when any target found anything
# or could not run.
set -u
fz=$1 secs=$2
shift 2
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
src=tests/fuzz
mkdir -p "$fz/work" "$fz/crashes" "$fz/logs" "$fz/status"

run_one() {
	t=$1
	bin=$fz/fuzz_$t crashes=$fz/crashes/$t log=$fz/logs/$t.log
	if [ -d "$crashes" ] && [ -n "$(ls -A "$crashes")" ]; then
		rm -rf "$crashes.prev" && mv "$crashes" "$crashes.prev"
	fi
	mkdir -p "$crashes" "$fz/work/$t"
	if [ ! -x "$bin" ]; then
		echo "fuzz_$t: FAILED (not built; see the build output above)" >"$fz/status/$t"
		return
	fi
	# The parser's input limit, from the target's "fuzz-max-len:" comment.
	maxlen=$(sed -n 's/.*fuzz-max-len: *\([0-9][0-9]*\).*/\1/p' "$src/fuzz_$t.c" | head -n1)
	dirs=("$fz/work/$t")
	for d in "$src/corpus/$t" "$src/seeds/$t" "$src/regressions/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -max_len="${maxlen:-1048576}" -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
	found=$(ls -A "$crashes")
	if [ $rc -eq 0 ] && [ -z "$found" ]; then
		echo "fuzz_$t: ok (${took}s, ${execs:-?} runs, ${cov:-cov: ?})" >"$fz/status/$t"
	else
		{
			echo "fuzz_$t: FAILED (exit $rc; log $log)"
			for f in $found; do echo "  $crashes/$f"; done
			grep -m3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz property violated' "$log" | sed 's/^/  /'
		} >"$fz/status/$t"
	fi
}

rm -f "$fz"/status/*
running=0
for t in "$@"; do
	run_one "$t" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
for t in "$@"; do
	cat "$fz/status/$t"
	grep -q ': FAILED' "$fz/status/$t" && failed=$((failed + 1))
done
echo "fuzz: $(($# - failed)) passed, $failed failed (${secs}s per target)"
[ $failed -eq 0 ]
