#!/bin/sh
# make layering's own test: the check passes on the tree as it is, and fails
# on a copy of the tree with each kind of violation planted in turn (an
# upward include, a sibling include, an include cycle, a function declared
# by another module's header, a command outside hook/cmd).  A check that
# cannot fail would pass here too, so this runs with every `make layering`.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
check="python3 $root/tests/layering/check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$check "$root" >/dev/null || { $check "$root"; exit 1; }

plant() { # NAME FILE TEXT: copy the sources, append TEXT to FILE, expect a failure
	rm -rf "$tmp/t" && mkdir "$tmp/t"
	(cd "$root" && tar cf - hook policy verify) | (cd "$tmp/t" && tar xf -)
	printf '%s\n' "$3" >>"$tmp/t/$2"
	if out=$($check "$tmp/t" 2>&1); then
		echo "layering selftest: the check missed $1 ($2)" >&2
		exit 1
	fi
	echo "layering selftest: caught $1: $(echo "$out" | grep -v 'problem(s) in' | head -n 1)"
}
plant "an upward include" hook/base/log.c '#include "verify/trust/trust_store.h"'
plant "a sibling include" verify/sig/cosign.c '#include "verify/scan/verdict.h"'
plant "an include cycle" verify/common/digest.h '#include "verify/common/reference.h"'
plant "a function declared by another module" verify/common/digest.h \
	'void og_ref_name(const char *ref, char *out, size_t size);'
plant "a command outside hook/cmd" policy/policy.h 'int og_cmd_lint(int argc, char **argv);'
