#!/bin/sh
# Run every Check test binary given as an argument; print one summary line.
# OCIGATE_UNIT_WRAPPER=valgrind runs each under valgrind memcheck (leaks and
# errors fail the binary).
set -u
pass=0 fail=0
for t in "$@"; do
	if [ "${OCIGATE_UNIT_WRAPPER:-}" = valgrind ]; then
		# valgrind does not know openat2 (the code falls back); its warnings about it are noise.
		CK_FORK=no valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$t" >"$t.valgrind.log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAILED under valgrind (exit $rc): $t"
			grep -v -e 'unhandled amd64-linux syscall' -e README_MISSING -e 'Nevertheless we consider' \
				-e bug_reports -e 'write your own handler' "$t.valgrind.log" | tail -n 40
		fi
		continue
	fi
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit test binaries${OCIGATE_UNIT_WRAPPER:+ (under $OCIGATE_UNIT_WRAPPER)}: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
