#!/bin/bash
# Container starts through containerd's CRI plugin, the path a kubelet takes (docs/benchmarks.md,
# "What is measured", 6).  tests/bench/run.sh runs it in a mount namespace of its own:
#
#   unshare --mount --propagation private bash tests/bench/cri.sh
#
# and reads the figures, data.tsv rows, on stdout; progress and errors go to stderr.
#
# One private containerd (Debian 12's 1.6) with its CRI plugin: root, state and the pods' logs below
# CRI_DIR, its socket at the default address inside a private /run. containerd keeps shim sockets and
# runc state below /run/containerd whatever its configuration says, and /run is the host's tmpfs:
# the e2e tests' eng_private_run (tests/e2e/lib_engines.sh) puts a tmpfs over /run in this mount
# namespace, so the host keeps no trace. Three runtime handlers, bench-none, bench-true and
# bench-ocigate, differ only by their base_runtime_spec: `ocigate containerd-spec` (containerd's
# default spec plus ocigate as createRuntime hook), the same spec with /bin/true as the hook, and
# with no hook. Pods use the node's network (no CNI: the pod network is set up at RunPodSandbox, not
# at container start, which is the figure).
#
# Environment (all required; run.sh sets them):
#   CRI_DIR          work directory (containerd root, state, logs, generated CRI modules)
#   CRI_OCIGATE      the ocigate binary of the hook
#   CRI_POLICY       its policy (identity from this containerd, trust and scan required)
#   CRI_APP_TAR CRI_APP_REF       the busybox image (OCI layout tar, tests/e2e/oci_image.py)
#   CRI_PAUSE_TAR CRI_PAUSE_REF   the sandbox image
#   CRI_CONFIG_DIGEST CRI_MANIFEST_DIGEST   what containerd must report for CRI_APP_REF: the
#                    digests the bench signed and scanned
#   CRI_RUNS CRI_POD_RUNS CRI_ROUNDS        see cri_client.py bench
#   CRI_TIMEOUT      seconds for the whole timed part (cri_client.py bench)
#
# Everything started here (containerd, its shims, the pods' processes) is found again by this run's
# socket path inside this mount namespace and ended by the EXIT trap, also after a failure or a
# timeout's SIGTERM.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_DIR=$REPO/tests/e2e
die() { echo "bench (CRI) failed: $*" >&2; exit 1; }
note() { echo "bench (CRI): $*" >&2; }
for v in CRI_DIR CRI_OCIGATE CRI_POLICY CRI_APP_TAR CRI_APP_REF CRI_PAUSE_TAR CRI_PAUSE_REF \
	CRI_CONFIG_DIGEST CRI_MANIFEST_DIGEST CRI_RUNS CRI_POD_RUNS CRI_ROUNDS CRI_TIMEOUT; do
	[ -n "${!v:-}" ] || die "$v is not set (run through tests/bench/run.sh)"
done
# The mount namespace must be ours: the tmpfs over /run would otherwise hide the host's /run.
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
	die "not in a private mount namespace (run as: unshare --mount --propagation private bash $0)"

# eng_python, eng_private_run, eng_cleanup and the containerd helpers ctd_stop, cri, ctr_k8s,
# ctd_import: the e2e tests' own (they need CTD_DIR, CTD_SOCK, CTD_GEN, CTD_PID, E2E_DIR).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib_engines.sh
. "$E2E_DIR/lib_engines.sh"
trap 'rc=$?; trap - EXIT; eng_cleanup; exit $rc' EXIT
trap 'exit 143' TERM INT

eng_python || die "no python3 with grpc and grpc_tools (apt-get install python3-grpcio python3-grpc-tools)"
eng_private_run || die "cannot mount a private /run"
CTD_DIR=$CRI_DIR
CTD_SOCK=/run/containerd/containerd.sock
CTD_GEN=$CTD_DIR/crigen
rm -rf "$CTD_DIR"
mkdir -p /run/containerd "$CTD_DIR/root" "$CTD_DIR/state" "$CTD_DIR/opt" "$CTD_DIR/pods" "$CTD_GEN"
"$ENG_PY" -m grpc_tools.protoc -I "$E2E_DIR/cri" --python_out="$CTD_GEN" --grpc_python_out="$CTD_GEN" \
	api.proto || die "protoc failed on tests/e2e/cri/api.proto"

# The three base runtime specs: one spec, three hook sections.
"$CRI_OCIGATE" containerd-spec --hook "$CRI_OCIGATE" --policy "$CRI_POLICY" >"$CTD_DIR/spec-ocigate.json" ||
	die "ocigate containerd-spec failed"
jq 'del(.hooks)' "$CTD_DIR/spec-ocigate.json" >"$CTD_DIR/spec-none.json"
jq '.hooks.createRuntime[0] |= {path: "/bin/true", args: ["true"]}' "$CTD_DIR/spec-ocigate.json" \
	>"$CTD_DIR/spec-true.json"

# The e2e tests' configuration (ctd_start) without CNI and annotation pass-through, with one runtime
# handler per variant.
runtime_toml() { # HANDLER SPEC
	cat <<CONF
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1]
      runtime_type = "io.containerd.runc.v2"
      base_runtime_spec = "$2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1.options]
        SystemdCgroup = false
CONF
}
{
	ctd_config_head "$CRI_PAUSE_REF"
	cat <<CONF
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CTD_DIR/no-cni"
    conf_dir = "$CTD_DIR/no-cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "bench-none"
CONF
	for v in none true ocigate; do runtime_toml "bench-$v" "$CTD_DIR/spec-$v.json"; done
} >"$CTD_DIR/config.toml"

containerd --config "$CTD_DIR/config.toml" </dev/null >"$CTD_DIR/containerd.log" 2>&1 &
CTD_PID=$!
# Cleanups run last registered first: ctd_stop (every pod through CRI, containerd, its shims, its
# mounts), then a check that nothing of this containerd is still alive.
# shellcheck disable=SC2016 # expanded when the cleanup runs
eng_on_cleanup 'left=$(eng_pids_in_my_mntns_using "$CTD_SOCK" | tr "\n" " "); [ -z "${left// /}" ] || note "WARNING: processes of the bench containerd still running: $left"'
eng_on_cleanup ctd_stop
up=
for _ in $(seq 150); do
	kill -0 "$CTD_PID" 2>/dev/null || die "containerd exited: $(tail -n 5 "$CTD_DIR/containerd.log")"
	if cri version >/dev/null 2>&1; then up=1; break; fi
	sleep 0.1
done
[ -n "$up" ] || die "containerd's CRI plugin did not answer within 15 s: $(tail -n 5 "$CTD_DIR/containerd.log")"
note "$(cri version) at $CTD_SOCK (log $CTD_DIR/containerd.log)"

for tar in "$CRI_PAUSE_TAR" "$CRI_APP_TAR"; do
	ctd_import "$tar" || die "ctr images import of $tar failed: $(tail -n 3 "$CTD_DIR/import.out")"
done
# The image the pods run must be the one the bench signed and scanned: containerd's own answer
# (its image record's target, the CRI image ID) against the digests the signature and verdict name.
got_manifest=$(ctr_k8s images ls | awk -v r="$CRI_APP_REF" '$1 == r { print $3 }')
got_config=$(cri image-id "$CRI_APP_REF") || die "CRI ImageStatus of $CRI_APP_REF failed"
[ "$got_manifest" = "$CRI_MANIFEST_DIGEST" ] ||
	die "containerd's $CRI_APP_REF is $got_manifest, the signature is for $CRI_MANIFEST_DIGEST"
[ "$got_config" = "$CRI_CONFIG_DIGEST" ] ||
	die "containerd's image ID for $CRI_APP_REF is $got_config, the verdict is for $CRI_CONFIG_DIGEST"

# The pods and the container: what a kubelet sends for a PSS-restricted pod (read-only root, drop
# ALL, no_new_privs, RuntimeDefault seccomp, uid 1000), busybox `true`. The control container has
# a writable root: ocigate's handler must refuse it.
jq -n --arg ref "$CRI_APP_REF" --arg logs "$CTD_DIR/pods" --arg og "$CRI_OCIGATE" \
	--argjson runs "$CRI_RUNS" --argjson pods "$CRI_POD_RUNS" --argjson rounds "$CRI_ROUNDS" '
	{variants: [{key: "none", handler: "bench-none", hook: null},
	            {key: "true", handler: "bench-true", hook: "/bin/true"},
	            {key: "ocigate", handler: "bench-ocigate", hook: $og, control: true}],
	 pod: {name: "bench", uid: "bench-uid", namespace: "default", log_directory: $logs, network: "node"},
	 container: {name: "app", image: $ref, command: ["/bin/true"], readonly_rootfs: true, drop: ["ALL"],
	             no_new_privs: true, seccomp: "runtime/default", run_as_user: 1000},
	 refused_container: {readonly_rootfs: false},
	 runs: $runs, rounds: $rounds, pod_runs: $pods, wait_exit_seconds: 10}' >"$CTD_DIR/bench.json"
timeout -k 10 "$CRI_TIMEOUT" "$ENG_PY" "$E2E_DIR/cri_client.py" --socket "$CTD_SOCK" --gen "$CTD_GEN" \
	bench "$CTD_DIR/bench.json" || {
	rc=$?
	[ $rc -ne 124 ] || die "cri_client.py bench did not finish within $CRI_TIMEOUT s"
	die "cri_client.py bench failed (exit $rc; containerd log: $CTD_DIR/containerd.log)"
}
left=$(ctr_k8s containers ls -q | grep -c . || true)
[ "$left" -eq 0 ] || note "WARNING: $left containers left in containerd after the bench (removed with their pods)"
