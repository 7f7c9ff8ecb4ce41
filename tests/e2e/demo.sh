#!/bin/bash
# `make demo`: start one hardened and one violating busybox container through real runc with
# ocigate registered as a createRuntime hook, and show what runc printed and what ocigate sent to
# syslog. Builds nothing (the Makefile builds build/ocigate first). Needs root (runc).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
E2E_DEMO=1
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ocigate demo: runc needs root; run: sudo make demo" >&2
	exit 1
fi
missing=$(e2e_require_cmds runc jq python3 unshare logger)
if [ -n "$missing" ]; then
	echo "ocigate demo: missing $missing; run: make deps (packaging/install-deps.sh)" >&2
	exit 1
fi
e2e_init "$@"

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)
[ -t 1 ] || { bold=; plain=; }

# Syslog lines without the "<PRI>Mmm dd hh:mm:ss " prefix, indented.
show_log() { log_hook_lines | sed -E 's/^<[0-9]+>[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} //; s/^/    | /'; }
show_file() { sed 's/^/    | /' "$1"; }

policy=$POLICY_RESTRICTED
echo "${bold}ocigate demo${plain}: one hardened and one violating container, started by real runc"
echo "  hook:    $OCIGATE_BIN ($("$OCIGATE_BIN" version 2>/dev/null | head -n 1))"
echo "           registered in each bundle's config.json as a createRuntime hook"
echo "  policy:  restricted preset, enforce mode: $(jq -c . "$policy")"
echo "  syslog:  what the hook sent to /dev/log ($E2E_DEVLOG_HOW)"
echo

ok=1
allowed=$(new_bundle demo-allowed)
cfg_edit "$allowed" '.process.args = ["/bin/echo", "Hello from a container that ocigate let through."]'
refused=$(new_bundle demo-refused)
cfg_edit "$refused" '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
	| .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]
	| .process.args = ["/bin/echo", "If you read this, the violating container ran."]'

echo "${bold}[1/2] compliant container${plain}: read-only rootfs, no capabilities, seccomp, noNewPrivileges, uid 1000"
echo "  \$ runc run demo-allowed"
T_FAILS=()
run_container runc "$allowed" demo-allowed
show_file "$RUN_OUT"
show_file "$RUN_ERR"
if [ "$RC" -eq 0 ] && grep -q "let through" "$RUN_OUT"; then
	echo "  runc exit code 0: ${bold}ALLOWED${plain}, the container ran"
else
	echo "  runc exit code $RC: UNEXPECTED, the compliant container did not run"
	ok=0
fi
echo "  syslog:"
show_log
echo

echo "${bold}[2/2] violating container${plain}: writable rootfs + CAP_SYS_ADMIN"
echo "  \$ runc run demo-refused"
run_container runc "$refused" demo-refused
show_file "$RUN_OUT"
# runc prints the hook's stderr inside one long log line; cut it where runc put "\n".
sed 's/\\n"$/"/; s/\\n/\n/g' "$RUN_ERR" | fold -s -w 100 | sed 's/^/    | /'
if [ "$RC" -ne 0 ] && ! grep -q "ran\." "$RUN_OUT"; then
	echo "  runc exit code $RC: ${bold}REFUSED${plain} by the ocigate hook, the container never started"
else
	echo "  runc exit code $RC: UNEXPECTED, the violating container was not refused"
	ok=0
fi
echo "  syslog:"
show_log
T_FAILS=()
assert_nothing_left runc demo-refused
if [ ${#T_FAILS[@]} -eq 0 ]; then
	echo "  leftovers: none (runc list is empty, no state directory, no cgroup)"
else
	echo "  leftovers: ${T_FAILS[*]}"
	ok=0
fi
echo

echo "${bold}Dry run${plain} of the same violating bundle, as an operator would check it:"
echo "  \$ ocigate check --bundle BUNDLE --policy POLICY"
"$OCIGATE_BIN" check --bundle "$refused" --policy "$policy" 2>&1 | sed 's/^/    | /'
echo
if [ "$ok" -eq 1 ]; then
	echo "demo: OK (one container allowed, one refused; the decisions are in syslog)"
	exit 0
fi
echo "demo: FAILED (see above)"
exit 1
