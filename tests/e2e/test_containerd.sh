#!/bin/bash
# containerd end to end: a private containerd 1.6 with its CRI plugin (own root, state and socket,
# cgroupfs, base_runtime_spec carrying ocigate as createRuntime hook), driven through the CRI API
# by cri_client.py as a kubelet would: RunPodSandbox, CreateContainer, StartContainer,
# ContainerStatus, Stop/Remove. A compliant container runs and is allowed; a violating one fails
# at StartContainer with ocigate's reason; pod annotations that imitate the engine's own keys
# change neither the decision nor the image identity.
#
# Cases are functions (case_*); ctd_case_allowed / ctd_case_refused take a container spec, so
# trust and scan cases (signed image allowed, unsigned refused, over the threshold refused) are one
# policy and one function each.
#
# Pod network: with Debian's containernetworking-plugins (a Podman dependency: bridge, host-local,
# loopback in /usr/lib/cni) containerd runs in a network namespace of its own and gives each pod a
# CNI bridge network there, so pods have real network and UTS namespaces and the restricted
# preset's runtime.host-namespaces (network, pid, ipc, uts) applies unchanged; nothing of it is
# visible on the host. Without the plugins, a pod sandbox cannot get a network namespace ("cni
# plugin not initialized"), so the pods share the node's (namespace_options.network = NODE), with it
# containerd gives them the node's UTS namespace too, and the policy then requires only pid and ipc
# (the containers' own pid namespace and the pod's ipc, checked by comparing the namespace paths
# with /proc/1/ns/*).
#
# Seccomp: containerd's RuntimeDefault profile (what PSS restricted asks for) allows ptrace, as
# Docker's does on kernels >= 4.8; the restricted preset's must_block list leaves ptrace out for
# that reason. These policies spell the list out.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_engines.sh"
eng_trap
eng_snapshot_binary || e2e_skip_all "cannot copy $OCIGATE_BIN into the work dir"

for c in containerd ctr; do
	if ! why=$(engine_available "$c"); then e2e_skip_all "$why"; fi
done
command -v runc >/dev/null 2>&1 || e2e_skip_all "runc is not installed (containerd's runc shim needs it)"
eng_python || e2e_skip_all "no python3 with grpc and grpc_tools (apt-get install python3-grpcio python3-grpc-tools)"
e2e_note "ocigate: $ENG_OCIGATE_SRC (run from a copy); syslog: $E2E_DEVLOG_HOW; $(containerd --version 2>/dev/null); python: $ENG_PY"

GREETING="hello from a compliant CRI container"
IMAGE=localhost/ocigate-e2e-bb:1
SANDBOX_IMAGE=localhost/ocigate-e2e-pause:1
FAKE_DIGEST_HEX=$(printf 'forged' | sha256sum | cut -c1-64)

eng_build_image "$IMAGE" "$E2E_WORK/app.tar" --cmd /bin/echo "$GREETING" || e2e_skip_all "cannot build the app image"
IMAGE_CONFIG_DIGEST=$IMG_CONFIG_DIGEST
IMAGE_MANIFEST_DIGEST=$IMG_MANIFEST_DIGEST
eng_build_image "$SANDBOX_IMAGE" "$E2E_WORK/pause.tar" --entrypoint /bin/sleep --cmd 3600 ||
	e2e_skip_all "cannot build the sandbox image"

# One policy file, named in the base runtime spec that containerd reads once at start; each case
# rewrites it (the hook reads it at every container start).
CTD_POLICY=$E2E_WORK/policies/containerd.json
VERDICTS=$E2E_WORK/verdicts
mkdir -p "$VERDICTS"
# The hardened preset (the strictest must_block): containerd's RuntimeDefault passes it.
CNI_BIN=${OCIGATE_E2E_CNI_BIN:-/usr/lib/cni} # override (e.g. /nonexistent) to exercise host-network pods
if [ -x "$CNI_BIN/bridge" ] && [ -x "$CNI_BIN/host-local" ] && [ -x "$CNI_BIN/loopback" ]; then
	POD_NET=pod
	export CTD_CNI=1 CTD_CNI_BIN=$CNI_BIN
	RUNTIME='{"preset":"hardened"}'
	e2e_note "pods on a CNI bridge in containerd's private network namespace (plugins from $CNI_BIN)"
else
	POD_NET=node
	RUNTIME='{"preset":"hardened","rules":{"host-namespaces":{"required":["pid","ipc"]}}}'
	e2e_note "no CNI plugins in $CNI_BIN: host-network pods, runtime.host-namespaces requires pid and ipc only"
fi

# Identity from containerd's own record (Containers.Get, CRI metadata ImageRef), in the order of
# the example in issue 5: engines first, the CRI-O annotation last. It is resolved only when a
# check needs the digest, so a scan section that requires nothing (empty verdict cache) turns it on.
IMAGE_SECTION=$(jq -cn --arg s /run/containerd/containerd.sock --arg g "$E2E_WORK/no-podman-here" '
	{"identity":[{"source":"podman","graphroot":$g},
	             {"source":"containerd","socket":$s,"timeout_ms":500},
	             {"annotation":"io.kubernetes.cri-o.ImageRef","kind":"config"}]}')
IDENTITY_EXTRA=$(jq -cn --arg d "$VERDICTS" '{"scan":{"required":false,"cache_dir":$d}}')
eng_require_identity "$IMAGE_SECTION"

# set_policy EXTRA_JSON [IMAGE_SECTION]: the containerd policy = restricted runtime + identity +
# EXTRA (top level). IMAGE_SECTION defaults to the explicit list above; "null" leaves the section
# out, i.e. ocigate's built-in default identity sources.
set_policy() {
	local p
	p=$(eng_policy containerd-next "$RUNTIME" "${2:-$IMAGE_SECTION}" \
		"$(jq -cn --argjson a "$IDENTITY_EXTRA" --argjson b "${1:-{\}}" '$a + $b')") ||
		{ fail "the test policy does not lint"; return 1; }
	mv "$p" "$CTD_POLICY"
}
set_policy '{}' || e2e_skip_all "the containerd test policy does not lint"

ctd_start "$CTD_POLICY" "$SANDBOX_IMAGE" >"$E2E_WORK/ctd-start.err" 2>&1 ||
	e2e_skip_all "containerd with the CRI plugin did not start: $(tail -n 5 "$E2E_WORK/ctd-start.err" | tr '\n' ' ')"
e2e_note "base runtime spec from: $CTD_SPEC_HOW"
ctd_import "$E2E_WORK/pause.tar" && ctd_import "$E2E_WORK/app.tar" ||
	e2e_skip_all "ctr images import failed: $(tail -n 3 "$CTD_DIR/import.out" | tr '\n' ' ')"

# pod_spec NAMESPACE ANNOTATIONS_JSON CONTAINER_JSON -> a cri_client scenario ($POD_NET network), with a
# pod name, uid and log directory of its own (new_id keeps its counter in a file: this runs in $()).
pod_spec() {
	local id
	id=$(new_id pod)
	jq -cn --arg ns "$1" --argjson ann "$2" --argjson c "$3" --arg logs "$CTD_DIR/pods/$id" \
		--arg name "$id" --arg uid "uid-$id" --arg greeting "$GREETING" --arg net "$POD_NET" '
		{"pod": {"name": $name, "namespace": $ns, "uid": $uid, "annotations": $ann,
		         "log_directory": $logs, "network": $net},
		 "container": $c, "wait_exit_seconds": 20, "wait_for_log": $greeting}'
}

# compliant_container [JQ_FILTER [jq args...]]: the PSS-restricted container, edited by JQ_FILTER.
compliant_container() {
	local f=${1:-.}
	[ $# -eq 0 ] || shift
	jq -cn --arg img "$IMAGE" '
		{"name": "app", "image": $img, "readonly_rootfs": true, "drop": ["ALL"], "no_new_privs": true,
		 "seccomp": "runtime/default", "run_as_user": 1000}' | jq -c "$@" "$f"
}

# ctd_case_allowed DESC SPEC_JSON [CHECK_FN]: StartContainer succeeds, the container ran and printed its
# greeting (read from its CRI log), the hook allowed it by its CRI container id, no violation,
# the digest is the image's config digest; nothing left in containerd afterwards. CHECK_FN, when
# given, runs before the verdict with the scenario's results ($CRI_RES, $CRI_CID, $E2E_NEW_LOG).
ctd_case_allowed() {
	local check=${3:-}
	t_begin "containerd: allowed: $1"
	cri_scenario "$1" "$2"
	[ "$CRI_START_OK" = true ] || fail "StartContainer failed: $CRI_START_ERR"
	case $CRI_LOG in *"$GREETING"*) ;; *) fail "the container log lacks the greeting: $CRI_LOG" ;; esac
	# containerd may not have reported the exit yet (the scenario stops waiting once the greeting
	# is logged); when it has, the exit code is 0.
	if [ "$(jq -r .state "$CRI_RES")" = CONTAINER_EXITED ]; then
		[ "$(jq -r .exit_code "$CRI_RES")" = 0 ] || fail "the container exited $(jq -r .exit_code "$CRI_RES")"
	fi
	if [ -n "$CRI_CID" ]; then
		assert_decision allow "$CRI_CID"
		eng_assert_log_not_contains "violation container=\"$(re_quote "$CRI_CID")\"" \
			"a violation was logged for an allowed container"
		assert_decision_digest "$CRI_CID" "$IMAGE_CONFIG_DIGEST"
	fi
	[ -z "$check" ] || "$check"
	assert_log_clean
	assert_ctd_nothing_left
	t_end
}

# ctd_case_refused DESC SPEC_JSON "RULE..." [ACTION [CHECK_FN]]: StartContainer fails with ocigate's reason
# (naming each rule), the container never printed and ends CONTAINER_EXITED/StartError, the
# decision line lists each RULE with an ACTION (default deny) violation; nothing left.
ctd_case_refused() {
	local desc=$1 spec=$2 rules=$3 action=${4:-deny} check=${5:-} r
	t_begin "containerd: refused at StartContainer: $desc ($rules)"
	cri_scenario "$desc" "$spec"
	[ "$CRI_START_OK" = false ] || fail "StartContainer succeeded"
	case $CRI_START_ERR in
	*"error running hook"*ocigate*) ;;
	*) fail "StartContainer's error does not carry ocigate's hook failure: $CRI_START_ERR" ;;
	esac
	for r in $rules; do
		case $CRI_START_ERR in *"$r"*) ;; *) fail "StartContainer's error does not name $r" ;; esac
	done
	case $CRI_LOG in *"$GREETING"*) fail "the refused container ran and printed its greeting" ;; esac
	[ "$(jq -r .state "$CRI_RES")" = CONTAINER_EXITED ] || fail "state $(jq -r .state "$CRI_RES"), expected CONTAINER_EXITED"
	[ "$(jq -r .reason "$CRI_RES")" = StartError ] || fail "reason $(jq -r .reason "$CRI_RES"), expected StartError"
	if [ -n "$CRI_CID" ]; then
		# shellcheck disable=SC2086
		assert_decision deny "$CRI_CID" $rules
		for r in $rules; do eng_assert_violation "$CRI_CID" "$r" "$action"; done
		assert_decision_digest "$CRI_CID" "$IMAGE_CONFIG_DIGEST"
	fi
	[ -z "$check" ] || "$check"
	assert_log_clean
	assert_ctd_nothing_left
	t_end
}

case_compliant_allowed() {
	set_policy '{}'
	ctd_case_allowed "compliant (read-only root, drop ALL, no_new_privs, RuntimeDefault seccomp, uid 1000)" \
		"$(pod_spec default '{}' "$(compliant_container)")"
}

case_writable_root_refused() {
	set_policy '{}'
	ctd_case_refused "readonly_rootfs=false" \
		"$(pod_spec default '{}' "$(compliant_container '.readonly_rootfs = false')")" "runtime.readonly-rootfs"
}

case_added_capability_refused() {
	set_policy '{}'
	ctd_case_refused "add SYS_ADMIN" \
		"$(pod_spec default '{}' "$(compliant_container '.add = ["SYS_ADMIN"]')")" "runtime.capabilities"
}

KUBE_SYSTEM_EXEMPTION='{"exemptions":[{"rules":["runtime.readonly-rootfs"],"namespaces":["kube-system"],
	"reason":"e2e: control-plane add-ons"}]}'

# Control for the impersonation case: a pod that really is in kube-system IS exempted, so the
# exemption is live and the refusal below is due to the namespace check alone.
case_real_kube_system_exempted() {
	set_policy "$KUBE_SYSTEM_EXEMPTION"
	t_begin "containerd: a writable root in the real kube-system namespace is exempted (control)"
	cri_scenario "kube-system exempt" \
		"$(pod_spec kube-system '{}' "$(compliant_container '.readonly_rootfs = false')")"
	[ "$CRI_START_OK" = true ] || fail "StartContainer failed: $CRI_START_ERR"
	case $CRI_LOG in *"$GREETING"*) ;; *) fail "the container log lacks the greeting: $CRI_LOG" ;; esac
	if [ -n "$CRI_CID" ]; then
		assert_decision allow "$CRI_CID"
		eng_assert_violation "$CRI_CID" runtime.readonly-rootfs exempt
	fi
	assert_ctd_nothing_left
	t_end
}

# A pod in "default" whose pod and container annotations claim the engine's own keys: namespace
# kube-system, another sandbox, another image name. containerd writes its io.kubernetes.cri.* keys
# after the pass-through ones (pod_annotations = ["*"] passes every pod annotation), so the
# exemption for kube-system must not apply.
case_impersonated_namespace_refused() {
	set_policy "$KUBE_SYSTEM_EXEMPTION"
	local ann
	ann=$(jq -cn --arg fake "$FAKE_DIGEST_HEX" '{
		"io.kubernetes.cri.sandbox-namespace": "kube-system",
		"io.kubernetes.pod.namespace": "kube-system",
		"io.kubernetes.cri.sandbox-name": "kube-apiserver",
		"io.kubernetes.cri.image-name": "registry.k8s.io/pause:3.6",
		"io.kubernetes.cri-o.ImageRef": $fake}')
	ctd_case_refused "pod in default with annotations forging io.kubernetes.cri.sandbox-namespace=kube-system" \
		"$(pod_spec default "$ann" "$(compliant_container '.readonly_rootfs = false | .annotations = $ann' --argjson ann "$ann")")" \
		"runtime.readonly-rootfs" deny check_impersonation
}

# The forged keys really reached ocigate (containerd passed them through), containerd's own keys
# won, and the decision names the real image: otherwise the impersonation case proves nothing.
check_impersonation() {
	local sa
	sa=$(jq -c '.spec_annotations' "$CRI_RES" 2>/dev/null)
	[ "$(jq -r '."io.kubernetes.cri.sandbox-namespace" // ""' <<<"$sa")" = default ] ||
		fail "the spec's io.kubernetes.cri.sandbox-namespace is not containerd's \"default\": $sa"
	[ "$(jq -r '."io.kubernetes.cri.image-name" // ""' <<<"$sa")" = "$IMAGE" ] ||
		fail "the spec's io.kubernetes.cri.image-name is not containerd's $IMAGE: $sa"
	[ "$(jq -r '."io.kubernetes.pod.namespace" // ""' <<<"$sa")" = kube-system ] ||
		fail "the forged io.kubernetes.pod.namespace did not reach the spec (pass-through not in effect): $sa"
	[ "$(jq -r '."io.kubernetes.cri-o.ImageRef" // ""' <<<"$sa")" = "$FAKE_DIGEST_HEX" ] ||
		fail "the forged io.kubernetes.cri-o.ImageRef did not reach the spec: $sa"
	[ -z "$CRI_CID" ] ||
		eng_assert_log_contains "decision=deny container=\"$(re_quote "$CRI_CID")\" .*image=\"$(re_quote "$IMAGE")\"" \
			"the decision line does not name the real image $IMAGE"
}

# The same forged CRI-O ImageRef on a compliant container: the digest in the log is containerd's
# record (the real config digest), never the forged one, because the engine source comes first.
case_forged_image_ref_ignored() {
	set_policy '{}'
	local ann
	ann=$(jq -cn --arg fake "$FAKE_DIGEST_HEX" '{"io.kubernetes.cri-o.ImageRef": $fake}')
	ctd_case_allowed "a pod annotation forging io.kubernetes.cri-o.ImageRef does not change the digest" \
		"$(pod_spec default "$ann" "$(compliant_container '.annotations = $ann' --argjson ann "$ann")")" \
		check_forged_ref
}

check_forged_ref() {
	[ "$(jq -r '.spec_annotations."io.kubernetes.cri-o.ImageRef" // ""' "$CRI_RES")" = "$FAKE_DIGEST_HEX" ] ||
		fail "the forged io.kubernetes.cri-o.ImageRef did not reach the spec: $(jq -c .spec_annotations "$CRI_RES")"
	eng_assert_log_not_contains "digest=\"sha256:$FAKE_DIGEST_HEX\"" "the forged ImageRef became the digest"
}

# ocigate's DEFAULT identity sources (no "image" section), what a node gets out of the box:
# containerd answers on its default socket here, so the digest is containerd's record.
case_default_identity_allowed() {
	set_policy '{}' null
	ctd_case_allowed "default identity sources give containerd's config digest" \
		"$(pod_spec default '{}' "$(compliant_container)")"
}

# The same forgery against ocigate's DEFAULT identity sources (no "image" section), which is what
# a node gets out of the box: containerd answers on its default socket here, so the digest must
# again be containerd's record.
case_forged_image_ref_default_identity() {
	set_policy '{}' null
	local ann
	ann=$(jq -cn --arg fake "$FAKE_DIGEST_HEX" '{"io.kubernetes.cri-o.ImageRef": $fake}')
	ctd_case_allowed "default identity sources: a forged io.kubernetes.cri-o.ImageRef does not change the digest" \
		"$(pod_spec default "$ann" "$(compliant_container '.annotations = $ann' --argjson ann "$ann")")" \
		check_forged_ref
}

# Image trust through containerd: the name containerd records for the container's image (its
# container record, else the io.kubernetes.cri.image-name its CRI plugin writes) is what signatures
# are matched with. Signatures are over the image ID (a signed digest may be the image's).
. "$E2E_DIR/lib_image.sh"
img_init
img_key root ec && img_key ci ec || e2e_skip_all "openssl cannot generate EC keys"
IMAGE_REPO=${IMAGE%:*}

# ctd_trust SIGNED_REPO KEY_SCOPE: a trust environment whose store trusts keys/ci.pub for KEY_SCOPE,
# the image ID signed by it for SIGNED_REPO; prints the policy's "trust" section.
ctd_trust() {
	img_trust_signed "ctd-$(slug "$1")" "$IMAGE_CONFIG_DIGEST" "$1" "$2" &&
		jq -cn --argjson t "$(img_trust_json)" '{"trust": $t}'
}

check_ctd_named_allowed() { eng_assert_image_named "$CRI_CID" "$IMAGE"; }
check_ctd_named_refused() { eng_assert_other_repository "$CRI_CID" localhost/other-app "$IMAGE" containerd; }

case_signed_for_its_name_allowed() {
	local trust
	trust=$(ctd_trust "$IMAGE_REPO" "$IMAGE_REPO") && set_policy "$trust" ||
		{ t_begin "containerd: trust environment"; fail "cannot set up the trust environment"; t_end; return; }
	ctd_case_allowed "signed for $IMAGE_REPO, the name containerd records" \
		"$(pod_spec default '{}' "$(compliant_container)")" check_ctd_named_allowed
}

case_signed_for_another_name_refused() {
	local trust
	trust=$(ctd_trust localhost/other-app 'localhost/*') && set_policy "$trust" ||
		{ t_begin "containerd: trust environment"; fail "cannot set up the trust environment"; t_end; return; }
	ctd_case_refused "signed for localhost/other-app, run as $IMAGE" \
		"$(pod_spec default '{}' "$(compliant_container)")" trust.signature deny check_ctd_named_refused
}


# Image rules read containerd's own record of the image: the CRI record's config digest, the image's
# target (Images.Get) and the manifest and config blobs in the content store below containerd's root,
# each checked against its digest. The app image passes these rules (its User is root, but the pod
# runs it as uid 1000; its 1970 "created" is unknown, which max_age allows by default) ...
image_rules_section() {
	jq -c --arg root "$CTD_DIR/root" --argjson rules "$1" '
		.identity |= map(if .source == "containerd" then . + {"root": $root} else . end) | . + $rules' <<<"$IMAGE_SECTION"
}

case_image_rules_allowed() {
	set_policy '{}' "$(image_rules_section '{"registries":{"allowed":["localhost/ocigate-e2e-*"]},
		"max_layers":{"max":2},"max_size":{"max":"64MiB"},"user":true,"max_age":{"max":"365d"}}')" || return
	ctd_case_allowed "image rules over containerd's content store: an image that passes them" \
		"$(pod_spec default '{}' "$(compliant_container)")"
}

# ... and is refused by these, each violation naming what failed.
check_image_rule_messages() {
	eng_assert_log_contains "rule=image.labels action=deny msg=\"required label org\\.opencontainers\\.image\\.source is missing" \
		"the image.labels violation does not name the label"
	eng_assert_log_contains "rule=image.registries action=deny msg=\"name \\\\\"$(re_quote "$IMAGE")\\\\\" is not in an allowed registry" \
		"the image.registries violation does not name the image"
}

case_image_rules_refused() {
	set_policy '{}' "$(image_rules_section '{"registries":{"allowed":["registry.example.com/*"]},
		"labels":{"required":["org.opencontainers.image.source"]}}')" || return
	ctd_case_refused "image rules over containerd's content store: wrong registry, no source label" \
		"$(pod_spec default '{}' "$(compliant_container)")" "image.registries image.labels" deny \
		check_image_rule_messages
}

# The app image's manifest blob in the content store, edited: its bytes no longer match the digest
# containerd records, and the rules refuse to read it (image.record). Last: the image is spoilt.
case_image_rules_tampered_blob() {
	local blob=$CTD_DIR/root/io.containerd.content.v1.content/blobs/sha256/${IMAGE_MANIFEST_DIGEST#sha256:}
	if [ ! -f "$blob" ]; then
		t_begin "containerd: a content store manifest that does not match its digest is refused"
		fail "no blob $blob for the app image's manifest"
		t_end
		return
	fi
	printf ' ' >>"$blob"
	set_policy '{}' "$(image_rules_section '{"max_layers":{"max":2}}')" || return
	ctd_case_refused "image rules: the manifest blob no longer matches its digest" \
		"$(pod_spec default '{}' "$(compliant_container)")" "image.record" deny check_tampered_message
}
check_tampered_message() {
	eng_assert_log_contains "rule=image.record action=deny msg=\".*manifest $(re_quote "$IMAGE_MANIFEST_DIGEST"): bytes do not match the recorded digest" \
		"the image.record violation does not say the manifest's bytes do not match"
}

case_compliant_allowed
case_signed_for_its_name_allowed
case_signed_for_another_name_refused
case_image_rules_allowed
case_image_rules_refused
case_writable_root_refused
case_added_capability_refused
case_real_kube_system_exempted
case_impersonated_namespace_refused
case_forged_image_ref_ignored
case_default_identity_allowed
case_forged_image_ref_default_identity
case_image_rules_tampered_blob
