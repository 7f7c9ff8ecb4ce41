#!/bin/bash
# Podman end to end: a private Podman 4.3 (own storage, containers.conf, runc) runs a busybox image
# loaded from an OCI archive, with ocigate registered through an oci-hooks(5) directory
# (`podman --hooks-dir`), exactly as the packaged hooks.d file registers it. A hardened container
# starts and is allowed; each violation class is refused by Podman (exit 126) with the rule id in
# syslog; Podman's own per-container binds are not flagged; nothing is left behind.
#
# Cases are functions (case_*): add one per new scenario (signed image allowed, unsigned refused,
# over the verdict threshold refused ...) with pm_case_allowed / pm_case_refused and a policy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_engines.sh"
eng_trap
eng_snapshot_binary || e2e_skip_all "cannot copy $OCIGATE_BIN into the work dir"

if ! why=$(engine_available podman); then e2e_skip_all "$why"; fi
command -v runc >/dev/null 2>&1 || e2e_skip_all "runc is not installed (the private Podman runs containers with runc)"
e2e_note "ocigate: $ENG_OCIGATE_SRC (run from a copy); syslog: $E2E_DEVLOG_HOW; $(podman --version 2>/dev/null)"

GREETING="hello from a hardened podman container"
IMAGE=localhost/ocigate-e2e-bb:1

pm_setup || e2e_skip_all "cannot prepare the private podman configuration"
eng_build_image "$IMAGE" "$E2E_WORK/bb-oci.tar" --cmd /bin/echo "$GREETING" ||
	e2e_skip_all "cannot build the OCI image archive"
IMAGE_CONFIG_DIGEST=$IMG_CONFIG_DIGEST
SECCOMP_PROFILE=$E2E_WORK/seccomp.json
eng_seccomp_profile "$SECCOMP_PROFILE"

# Identity from containers/storage. ocigate resolves the identity only when a check needs the
# digest (trust or scan configured): a scan section that requires nothing, over an empty verdict
# cache, turns the lookup on without adding a finding, so the decision line must carry the config
# digest.
VERDICTS=$E2E_WORK/verdicts
mkdir -p "$VERDICTS"
IMAGE_SECTION=$(jq -cn --arg g "$E2E_WORK/podman/graph" '{"identity":[{"source":"podman","graphroot":$g}]}')
IDENTITY_EXTRA=$(jq -cn --arg d "$VERDICTS" '{"scan":{"required":false,"cache_dir":$d}}')
eng_require_identity "$IMAGE_SECTION"

POLICY=$(eng_policy podman-restricted '{"preset":"restricted"}' "$IMAGE_SECTION" "$IDENTITY_EXTRA") ||
	e2e_skip_all "the test policy does not lint"
HOOKS=$E2E_WORK/hooks.d
eng_hooks_dir "$HOOKS" "$POLICY" || e2e_skip_all "cannot write the hooks.d file"
e2e_note "hooks.d: $ENG_HOOKS_HOW"

# The hardened flags every case starts from.
HARDENED=(--read-only --cap-drop=all --security-opt no-new-privileges
	--security-opt "seccomp=$SECCOMP_PROFILE" --user 1000)
# The same with Podman's own default seccomp profile (containers-common's seccomp.json, what
# Podman and CRI-O mean by RuntimeDefault) in place of the test's.
ENGINE_DEFAULT=(--read-only --cap-drop=all --security-opt no-new-privileges --user 1000)
POLICY_HARDENED=$(eng_policy podman-hardened '{"preset":"hardened"}' "$IMAGE_SECTION" "$IDENTITY_EXTRA") ||
	e2e_skip_all "the hardened test policy does not lint"
HOOKS_HARDENED=$E2E_WORK/hooks-hardened.d
eng_hooks_dir "$HOOKS_HARDENED" "$POLICY_HARDENED" || e2e_skip_all "cannot write the hooks.d file"

# pm_case_allowed DESC HOOKS_DIR PODMAN_ARGS...: the container runs, prints its greeting, the hook
# logs decision=allow for its id (with the image's config digest when identity is on), no
# violation at all (so none of Podman's own binds is flagged), nothing left. $PM_CHECK, when set,
# names a function of more assertions (this applies to pm_case_refused too).
pm_case_allowed() {
	local desc=$1 hooks=$2
	shift 2
	t_begin "podman: allowed: $desc"
	pm_run "$desc" "$hooks" "$@"
	assert_rc 0
	assert_out_contains "$GREETING"
	if [ -n "$PM_CID" ]; then
		assert_decision allow "$PM_CID"
		eng_assert_log_not_contains "violation container=\"$(re_quote "$PM_CID")\"" \
			"a violation was logged for an allowed container"
		eng_assert_log_not_contains "rule=runtime\\.mounts" "one of Podman's own binds was flagged by runtime.mounts"
		assert_decision_digest "$PM_CID" "$IMAGE_CONFIG_DIGEST"
	fi
	"${PM_CHECK:-true}"
	assert_log_clean
	assert_pm_nothing_left
	t_end
}

# pm_case_refused DESC HOOKS_DIR "RULE..." PODMAN_ARGS...: Podman exits 126 (a createRuntime
# hook failed), the container never printed, the decision line lists every RULE with a deny
# violation for each, Podman relays ocigate's message, nothing left.
pm_case_refused() {
	local desc=$1 hooks=$2 rules=$3 r
	shift 3
	t_begin "podman: refused: $desc ($rules)"
	pm_run "$desc" "$hooks" "$@"
	assert_rc 126
	assert_out_lacks "$GREETING"
	if [ -n "$PM_CID" ]; then
		# shellcheck disable=SC2086
		assert_decision deny "$PM_CID" $rules
		for r in $rules; do eng_assert_violation "$PM_CID" "$r" deny; done
		assert_decision_digest "$PM_CID" "$IMAGE_CONFIG_DIGEST"
	fi
	"${PM_CHECK:-true}"
	assert_err_matches "hook"
	assert_err_matches "ocigate"
	assert_log_clean
	assert_pm_nothing_left
	t_end
}

case_image_loaded() {
	t_begin "podman: the OCI archive loads and its image ID is the config digest"
	RUN_OUT="" E2E_NEW_LOG=""
	if pm_load_image "$E2E_WORK/bb-oci.tar" "$IMAGE"; then
		[ "sha256:$PM_IMAGE_ID" = "$IMAGE_CONFIG_DIGEST" ] ||
			fail "podman image ID $PM_IMAGE_ID is not the config digest $IMAGE_CONFIG_DIGEST"
	else
		fail "podman load of the OCI archive failed: $(tail -n 3 "$PM_DIR/load.out" 2>/dev/null | tr '\n' ' ')"
	fi
	t_end || e2e_skip_all "no image to run"
}

case_hardened_allowed() {
	pm_case_allowed "hardened (read-only, no caps, no-new-privileges, seccomp, uid 1000)" "$HOOKS" \
		"${HARDENED[@]}" "$IMAGE"
}

# The hardened case's "no runtime.mounts violation" only means something if Podman did add its
# per-container binds: create (not start) the same container, let Podman write its config.json
# (podman init, without our hooks), and check the binds below Podman's own directories are there.
case_podman_binds_present() {
	t_begin "podman: a hardened container's config carries Podman's own binds (hosts, hostname, shm ...)"
	RUN_OUT="" E2E_NEW_LOG=""
	local cid cfg binds
	cid=$(pm create --network=none "${HARDENED[@]}" "$IMAGE" 2>"$E2E_WORK/out/pm-binds.err") ||
		fail "podman create failed: $(head -c 300 "$E2E_WORK/out/pm-binds.err")"
	if [ -n "$cid" ]; then
		pm init "$cid" >/dev/null 2>>"$E2E_WORK/out/pm-binds.err" || fail "podman init failed: $(head -c 300 "$E2E_WORK/out/pm-binds.err")"
		cfg=$(find "$PM_DIR" -path "*$cid*/userdata/config.json" 2>/dev/null | head -n 1)
		if [ -z "$cfg" ]; then
			fail "no config.json for $cid below $PM_DIR"
		else
			binds=$(jq -r --arg d "$PM_DIR/" '.mounts[] | select(.type == "bind" and (.source | startswith($d))) | .destination' "$cfg" | sort | tr '\n' ' ')
			case " $binds" in *" /etc/hosts "*) ;; *) fail "no Podman bind of /etc/hosts (binds from its dirs: $binds)" ;; esac
			case " $binds" in *" /etc/hostname "*) ;; *) fail "no Podman bind of /etc/hostname (binds from its dirs: $binds)" ;; esac
			e2e_note "Podman's own binds in the hardened config: $binds"
		fi
		pm rm -f -t 0 "$cid" >/dev/null 2>&1
	fi
	assert_pm_nothing_left
	t_end
}

# PSS restricted asks pods for RuntimeDefault: the restricted preset accepts Podman's (which
# allows mount, umount2, unshare, setns and keyctl; the kernel still wants CAP_SYS_ADMIN for
# most of it) ...
case_engine_default_restricted_allowed() {
	[ -f /usr/share/containers/seccomp.json ] || fail "no containers-common profile installed"
	pm_case_allowed "Podman's default seccomp profile, restricted preset" "$HOOKS" \
		"${ENGINE_DEFAULT[@]}" "$IMAGE"
}

# ... and the opt-in hardened preset refuses it, naming what it allows.
case_engine_default_hardened_refused() {
	local sc
	t_begin "podman: refused: Podman's default seccomp profile, hardened preset (runtime.seccomp)"
	pm_run "engine default, hardened" "$HOOKS_HARDENED" "${ENGINE_DEFAULT[@]}" "$IMAGE"
	assert_rc 126
	assert_out_lacks "$GREETING"
	[ -z "$PM_CID" ] || assert_decision deny "$PM_CID" runtime.seccomp
	for sc in mount umount2 unshare setns keyctl; do
		eng_assert_log_contains "rule=runtime\\.seccomp .*allows $sc unconditionally" \
			"no runtime.seccomp violation naming $sc"
	done
	assert_log_clean
	assert_pm_nothing_left
	t_end
}

case_writable_root_refused() {
	local args=("${HARDENED[@]:1}") # everything but --read-only
	pm_case_refused "no --read-only" "$HOOKS" "runtime.readonly-rootfs" "${args[@]}" "$IMAGE"
}

case_added_capability_refused() {
	pm_case_refused "--cap-add=SYS_ADMIN" "$HOOKS" "runtime.capabilities" \
		"${HARDENED[@]}" --cap-add=SYS_ADMIN "$IMAGE"
}

case_privileged_refused() {
	pm_case_refused "--privileged" "$HOOKS" "runtime.privileged runtime.capabilities" \
		"${HARDENED[@]}" --privileged "$IMAGE"
}

case_etc_bind_refused() {
	pm_case_refused "bind of the host's /etc" "$HOOKS" "runtime.mounts" \
		"${HARDENED[@]}" -v /etc:/host-etc:ro "$IMAGE"
}

# Image trust through Podman: containers/storage records the name the container was run as (its
# record's metadata image-name), and signatures are matched with it. Signatures are over the image
# ID itself (a signed digest may be the image's), made with `ocigate sig sign`.
. "$E2E_DIR/lib_image.sh"
img_init
img_key root ec && img_key ci ec || e2e_skip_all "openssl cannot generate EC keys"
IMAGE_REPO=${IMAGE%:*}

# pm_trust_hooks NAME SIGNED_REPO KEY_SCOPE: a trust environment whose store trusts keys/ci.pub for
# KEY_SCOPE, the image ID signed by it for SIGNED_REPO, a policy with identity from containers/storage,
# and a hooks.d directory for it in PM_HOOKS. Runs outside a case: setup failures are returned.
pm_trust_hooks() {
	local pol
	PM_HOOKS=$E2E_WORK/hooks-$1.d
	img_trust_signed "$1" "$IMAGE_CONFIG_DIGEST" "$2" "$3" &&
		pol=$(eng_policy "podman-$1" '{"preset":"restricted"}' "$IMAGE_SECTION" "{\"trust\":$(img_trust_json)}") &&
		eng_hooks_dir "$PM_HOOKS" "$pol"
}

check_named_allowed() { eng_assert_image_named "$PM_CID" "$IMAGE"; }
check_named_refused() { eng_assert_other_repository "$PM_CID" localhost/other-app "$IMAGE" containers/storage; }

case_signed_for_its_name_allowed() {
	if ! pm_trust_hooks signed-name "$IMAGE_REPO" "$IMAGE_REPO"; then
		t_begin "podman: trust environment"; fail "cannot set up the trust environment"; t_end; return
	fi
	PM_CHECK=check_named_allowed pm_case_allowed "signed for $IMAGE_REPO, the name containers/storage records" \
		"$PM_HOOKS" "${HARDENED[@]}" "$IMAGE"
}

case_signed_for_another_name_refused() {
	if ! pm_trust_hooks signed-other localhost/other-app 'localhost/*'; then
		t_begin "podman: trust environment"; fail "cannot set up the trust environment"; t_end; return
	fi
	PM_CHECK=check_named_refused pm_case_refused "signed for localhost/other-app, run as $IMAGE" "$PM_HOOKS" \
		trust.signature "${HARDENED[@]}" "$IMAGE"
}

case_image_loaded
case_hardened_allowed
case_signed_for_its_name_allowed
case_signed_for_another_name_refused
case_podman_binds_present
case_engine_default_restricted_allowed
case_engine_default_hardened_refused
case_writable_root_refused
case_added_capability_refused
case_privileged_refused
case_etc_bind_refused
