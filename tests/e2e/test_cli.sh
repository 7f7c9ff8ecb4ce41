#!/bin/bash
# The operator-facing subcommands: version, --help, `check` (dry run, exit 0/1/2, text and json),
# `policy lint` (valid policies pass and describe what they enforce, invalid ones name the path).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
E2E_UNPRIVILEGED=1 # plain commands: runs as any user, no namespace, no syslog capture
. "$(dirname "$0")/lib.sh"
e2e_init "$@"

GOOD=$(new_bundle cli-good)
BAD=$(new_bundle cli-bad)
cfg_edit "$BAD" '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]'

t_begin "version prints a version"
run_ocigate version
assert_rc 0
grep -qE '[0-9]+\.[0-9]+' "$RUN_OUT" || fail "no version number in: $(head -c 200 "$RUN_OUT")"
t_end

for sub in "--help" "hook --help" "check --help" "policy lint --help" "version --help"; do
	t_begin "ocigate $sub exits 0 and prints usage"
	# shellcheck disable=SC2086 # the subcommand words are meant to split
	run_ocigate $sub
	assert_rc 0
	[ -s "$RUN_OUT" ] || fail "no usage text on stdout"
	t_end
done

t_begin "an unknown subcommand is a usage error (exit 2)"
run_ocigate no-such-command
assert_rc 2
assert_err_nonempty
t_end

t_begin "check: hardened bundle passes (exit 0)"
run_ocigate check --bundle "$GOOD" --policy "$POLICY_RESTRICTED"
assert_rc 0
t_end

t_begin "check: violating bundle is denied (exit 1) and every finding names its rule"
run_ocigate check --bundle "$BAD" --policy "$POLICY_RESTRICTED"
assert_rc 1
grep -q 'runtime.readonly-rootfs' "$RUN_OUT" "$RUN_ERR" || fail "runtime.readonly-rootfs not named"
grep -q 'runtime.capabilities' "$RUN_OUT" "$RUN_ERR" || fail "runtime.capabilities not named"
grep -q 'CAP_SYS_ADMIN' "$RUN_OUT" "$RUN_ERR" || fail "CAP_SYS_ADMIN not named"
t_end

t_begin "check --format json: valid JSON naming the violated rules"
run_ocigate check --bundle "$BAD" --policy "$POLICY_RESTRICTED" --format json
assert_rc 1
jq -e . "$RUN_OUT" >/dev/null 2>&1 || fail "stdout is not JSON"
for r in runtime.readonly-rootfs runtime.capabilities; do
	jq -e --arg r "$r" '[.. | strings | select(. == $r)] | length > 0' "$RUN_OUT" >/dev/null 2>&1 ||
		fail "JSON output does not name $r"
done
t_end

t_begin "check --format json on an allowed bundle is valid JSON too"
run_ocigate check --bundle "$GOOD" --policy "$POLICY_RESTRICTED" --format json
assert_rc 0
jq -e . "$RUN_OUT" >/dev/null 2>&1 || fail "stdout is not JSON"
t_end

t_begin "check: audit policy reports but allows (exit 0)"
run_ocigate check --bundle "$BAD" --policy "$POLICY_AUDIT"
assert_rc 0
grep -q 'runtime.readonly-rootfs' "$RUN_OUT" "$RUN_ERR" || fail "audit finding not reported"
t_end

EXEMPT=$(write_policy cli-exempt '{"version":1,"mode":"enforce","runtime":{"preset":"restricted"},
 "exemptions":[{"rules":["runtime.readonly-rootfs","runtime.capabilities"],"namespaces":["kube-system"]}]}')
t_begin "check --annotation: an engine namespace annotation selects an exemption"
run_ocigate check --bundle "$BAD" --policy "$EXEMPT" --annotation io.kubernetes.cri.sandbox-namespace=kube-system
assert_rc 0
run_ocigate check --bundle "$BAD" --policy "$EXEMPT" --annotation io.kubernetes.cri.sandbox-namespace=default
assert_rc 1
t_end

t_begin "check: errors exit 2 (missing bundle, missing relative bundle, broken policy)"
run_ocigate check --bundle "$E2E_WORK/no-such-bundle" --policy "$POLICY_RESTRICTED"
assert_rc 2
assert_err_nonempty
(cd "$E2E_WORK" && run_ocigate check --bundle no-such-bundle --policy "$POLICY_RESTRICTED" &&
	echo "$RC" >"$E2E_WORK/rel-missing.rc" && cp "$RUN_ERR" "$E2E_WORK/rel-missing.err")
[ "$(cat "$E2E_WORK/rel-missing.rc" 2>/dev/null)" = 2 ] ||
	fail "missing relative --bundle: exit $(cat "$E2E_WORK/rel-missing.rc" 2>/dev/null), expected 2"
grep -q 'bundle no-such-bundle: No such file' "$E2E_WORK/rel-missing.err" 2>/dev/null ||
	fail "missing relative --bundle: stderr does not name it: $(cat "$E2E_WORK/rel-missing.err" 2>/dev/null)"
run_ocigate check --bundle "$GOOD" --policy "$(write_policy cli-broken '{"version":1,"bogus":1}')"
assert_rc 2
assert_err_matches 'bogus'
t_end

t_begin "check: a relative --bundle is taken from the current directory and shown absolute"
(cd "$E2E_WORK" && run_ocigate check --bundle bundles/cli-good --policy "$POLICY_RESTRICTED" &&
	echo "$RC" >"$E2E_WORK/rel.rc" && cp "$RUN_OUT" "$E2E_WORK/rel.out")
[ "$(cat "$E2E_WORK/rel.rc" 2>/dev/null)" = 0 ] || fail "relative --bundle: exit $(cat "$E2E_WORK/rel.rc" 2>/dev/null), expected 0"
grep -qxF "bundle: $(realpath "$GOOD")" "$E2E_WORK/rel.out" 2>/dev/null ||
	fail "relative --bundle: output does not show bundle: $GOOD: $(head -c 300 "$E2E_WORK/rel.out" 2>/dev/null)"
(cd "$E2E_WORK/bundles" && run_ocigate check --bundle cli-bad --policy "$POLICY_RESTRICTED" && echo "$RC" >"$E2E_WORK/rel-bad.rc")
[ "$(cat "$E2E_WORK/rel-bad.rc" 2>/dev/null)" = 1 ] || fail "relative --bundle of a violating bundle: exit $(cat "$E2E_WORK/rel-bad.rc" 2>/dev/null), expected 1"
t_end

# --- policy lint ---
t_begin "policy lint: restricted preset is valid and expanded"
run_ocigate policy lint "$POLICY_RESTRICTED"
assert_rc 0
for r in runtime.readonly-rootfs runtime.capabilities runtime.no-new-privileges runtime.seccomp \
	runtime.host-namespaces runtime.mounts runtime.user; do
	grep -q "$r" "$RUN_OUT" || fail "lint output does not describe $r"
done
grep -q CAP_NET_BIND_SERVICE "$RUN_OUT" || fail "lint output does not show the allowed capability"
t_end

t_begin "policy lint: the issue's full example policy is valid"
run_ocigate policy lint "$(write_policy full '{"version":1,"mode":"enforce","on_error":"deny","log":{"facility":"auth"},
 "runtime":{"preset":"restricted","rules":{"readonly-rootfs":{"mode":"enforce"},
   "capabilities":{"allowed":["CAP_NET_BIND_SERVICE"]},"no-new-privileges":{},"seccomp":{"must_block":["ptrace"]},
   "privileged":{},"host-namespaces":{},"mounts":{"forbidden":["/etc/**"]},"user":{"mode":"off"},
   "masked-paths":{},"sysctls":{}}},
 "exemptions":[{"rules":["runtime.readonly-rootfs"],"namespaces":["kube-system"],"images":["registry.k8s.io/*"]}]}')"
assert_rc 0
t_end

if [ -f "$E2E_REPO/packaging/policy.json" ]; then
	t_begin "policy lint: the shipped packaging/policy.json is valid"
	run_ocigate policy lint "$E2E_REPO/packaging/policy.json"
	assert_rc 0
	t_end
else
	t_skip "policy lint: the shipped packaging/policy.json is valid" "packaging/policy.json not written yet"
fi

# The node's engine default: containers-common's profile (installed with Podman) passes the
# restricted preset and fails the hardened one, which lint says before any container is refused.
t_begin "policy lint: Podman's default seccomp profile against restricted and hardened"
if [ -f /usr/share/containers/seccomp.json ]; then
	run_ocigate policy lint "$POLICY_RESTRICTED"
	assert_rc 0
	assert_out_contains "seccomp.json (Podman, CRI-O): passes runtime.seccomp"
	run_ocigate policy lint "$(write_policy hardened '{"version":1,"runtime":{"preset":"hardened"}}')"
	assert_rc 0
	assert_out_contains "allows mount umount2 unshare setns keyctl unconditionally"
	assert_out_contains "containerd's RuntimeDefault is built into containerd"
else
	fail "no /usr/share/containers/seccomp.json: containers-common (podman) is not installed"
fi
t_end

t_begin "check: text output prints messages as written, not escaped for the log"
NSB=$(new_bundle cli-ns)
cfg_edit "$NSB" '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
run_ocigate check --bundle "$NSB" --policy "$POLICY_RESTRICTED"
assert_rc 1
assert_out_contains 'the network namespace path "/nonexistent/ns/net" cannot be checked'
t_end

# lint_bad DESC POLICY_JSON ERE: refused (1 or 2) with the JSON path / offending value named.
lint_bad() {
	t_begin "policy lint refuses: $1"
	run_ocigate policy lint "$(write_policy "lint-$(slug "$1")" "$2")"
	[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] || fail "exit code $RC, expected 1 or 2"
	assert_err_matches "$3"
	t_end
}
lint_bad "unknown top-level key" '{"version":1,"colour":"blue"}' 'colour'
lint_bad "unknown key inside a rule (path named)" \
	'{"version":1,"runtime":{"rules":{"seccomp":{"must_block":["ptrace"],"extra":1}}}}' 'seccomp.*extra|extra.*seccomp'
lint_bad "unknown capability name" '{"version":1,"runtime":{"rules":{"capabilities":{"allowed":["CAP_FLY"]}}}}' 'CAP_FLY'
lint_bad "unknown syscall name" '{"version":1,"runtime":{"rules":{"seccomp":{"must_block":["teleport"]}}}}' 'teleport'
lint_bad "wrong type" '{"version":1,"runtime":{"preset":7}}' 'preset'
lint_bad "unknown preset" '{"version":1,"runtime":{"preset":"lenient"}}' 'lenient|preset'
lint_bad "unknown rule mode" '{"version":1,"runtime":{"rules":{"readonly-rootfs":{"mode":"maybe"}}}}' 'maybe|mode'
lint_bad "unknown facility" '{"version":1,"log":{"facility":"nowhere"}}' 'nowhere|facility'
lint_bad "not JSON" 'version: 1' 'JSON|invalid'
