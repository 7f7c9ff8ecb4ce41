#!/bin/bash
# The hook's self-confinement, as the real binary applies it for a policy (`ocigate
# confinement-test` runs exactly the hook's two phases): the kernel's view of the process
# afterwards (Seccomp: 2, no capability in any set, no_new_privs) and calls the confined hook
# must not make, each of which must fail. Then the hook itself under the same policy still
# decides (its confined phases read, verify and log as they should).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
[ -z "$IMG_NEED" ] || img_abort "missing commands: $IMG_NEED (run packaging/install-deps.sh)"

# A policy with every section, so that every path confinement allows is in play.
img_trust_env confinement
img_key root ec && img_key ci ed25519 || fail "cannot make keys"
img_store_write 1 "2099-01-01T00:00:00Z" "[$(img_store_key ci 'registry.example.com/*')]"
img_store_sign root
CACHE=$(mktemp -d "$IMG_DIR/verdicts.XXXXXX")
POL=$(img_policy confinement enforce "$(img_trust_json)" \
	"$(jq -cn --arg c "$CACHE" '{required: false, cache_dir: $c}')")

t_begin "confinement-test: Seccomp 2, every capability set empty, no_new_privs, Landlock applied"
run_ocigate confinement-test --policy "$POL"
assert_rc 0
for want in 'Seccomp:[[:space:]]+2' 'NoNewPrivs:[[:space:]]+1' 'CapEff:[[:space:]]+0+$' 'CapPrm:[[:space:]]+0+$' \
	'CapInh:[[:space:]]+0+$' 'CapBnd:[[:space:]]+0+$' 'CapAmb:[[:space:]]+0+$' '^confinement: in force$'; do
	grep -qE -- "$want" "$RUN_OUT" || fail "no line matching /$want/ in: $(tr '\n' ' ' <"$RUN_OUT" | head -c 600)"
done
if [ "$(cat /sys/kernel/security/lsm 2>/dev/null)" != "" ] && ! grep -q landlock /sys/kernel/security/lsm; then
	e2e_note "the kernel has no Landlock: the open() case is not asserted"
else
	grep -q '^Landlock: applied' "$RUN_OUT" || fail "Landlock was not applied: $(grep Landlock "$RUN_OUT")"
fi
t_end

t_begin "confinement-test: every forbidden call fails (execve, sockets, ptrace, mount, fork, a file outside the policy)"
for what in 'execve\(/bin/true\)' 'socket\(AF_INET\)' 'socket\(AF_UNIX\)' 'ptrace\(PTRACE_TRACEME\)' \
	'mount\(tmpfs\)' 'fork\(\)' 'open\(/etc/passwd\)'; do
	grep -qE "^forbidden $what .* refused$" "$RUN_OUT" ||
		fail "'$what' was not refused: $(grep -E "^forbidden $what" "$RUN_OUT")"
done
if grep -q SUCCEEDED "$RUN_OUT"; then fail "a forbidden call succeeded: $(grep SUCCEEDED "$RUN_OUT")"; fi
t_end

t_begin "the confined hook still reads the policy's files, verifies and logs: a signed image is allowed"
img_make confined
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
b=$(img_bundle confined "$POL" "$IMG_CONFIG_HEX")
img_expect_allowed "$b" "$(new_id confined)"
t_end

t_begin "the confined hook refuses an unsigned image with trust.signature"
img_make unsigned
b=$(img_bundle unsigned "$POL" "$IMG_CONFIG_HEX")
img_expect_denied "$b" "$(new_id confined-unsigned)" trust.signature "unsigned"
t_end
