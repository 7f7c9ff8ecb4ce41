#!/bin/sh
# Run every tests/e2e/test_*.sh (each in its own private mount namespace) and print exactly one
# summary line: "e2e: N passed, M failed[, K skipped]". Exit non-zero on any failure; with
# CI=true a skipped test is a failure too (CI must really run everything).
#
# usage: tests/e2e/run.sh [test_name.sh ...]     (default: all)
# env:   OCIGATE_BIN (default build/ocigate), OCIGATE_E2E_KEEP=1 keeps work dirs,
#        OCIGATE_E2E_VERBOSE=1 shows passing lines too.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
: "${OCIGATE_BIN:=$(cd "$dir/../.." && pwd)/build/ocigate}"
export OCIGATE_BIN

if [ $# -gt 0 ]; then
	tests=
	for t in "$@"; do tests="$tests $dir/$(basename "$t")"; done
else
	tests=$(ls "$dir"/test_*.sh)
fi

# One busybox rootfs for the whole run, shared by the scripts.
cache=$(mktemp -d "${TMPDIR:-/tmp}/ocigate-e2e-cache.XXXXXX") || exit 2
trap 'rm -rf --one-file-system "$cache"' EXIT
trap 'exit 130' INT TERM HUP
export OCIGATE_E2E_CACHE="$cache"

pass=0 fail=0 skip=0
for t in $tests; do
	name=$(basename "$t")
	out="$cache/$name.out"
	start=$(date +%s)
	bash "$t" >"$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	p=$(grep -c '^ok ' "$out" | tr -d ' ')
	s=$(grep -c '^ok .* # SKIP' "$out" | tr -d ' ')
	f=$(grep -c '^not ok ' "$out" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A script that died without reporting a failure (syntax error, crash, timeout).
		echo "not ok - $name exited $rc without reporting a failure" >>"$out"
		f=$((f + 1))
	fi
	if [ $((p + s + f)) -eq 0 ]; then
		echo "not ok - $name reported no test at all" >>"$out"
		f=1
	fi
	echo "# $name: $p passed, $f failed, $s skipped (${secs}s)"
	if [ -n "${OCIGATE_E2E_VERBOSE:-}" ]; then
		sed 's/^/    /' "$out"
	else
		# Failures with their diagnostics, skips with their reasons.
		awk '/^not ok/ { show = 1; print "    " $0; next }
		     /^ok .* # SKIP/ { show = 0; print "    " $0; next }
		     /^ok/ { show = 0; next }
		     show && /^#/ { print "    " $0 }' "$out"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
done

ci=false
case "${CI:-}" in true | 1 | yes) ci=true ;; esac
if [ "$skip" -gt 0 ] && [ "$ci" = true ]; then
	echo "# CI=true: the $skip skipped tests count as failures"
	fail=$((fail + skip))
	skip=0
fi
if [ "$skip" -gt 0 ]; then
	echo "e2e: $pass passed, $fail failed, $skip skipped"
else
	echo "e2e: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
