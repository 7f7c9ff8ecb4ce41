#!/bin/sh
# Run every Check test binary given as an argument; print one summary line.
set -u
pass=0 fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit test binaries: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
