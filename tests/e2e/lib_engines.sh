# shellcheck shell=bash
# Helpers for the end-to-end tests through real container engines (Podman, containerd's CRI
# plugin). Sourced by test_podman.sh and test_containerd.sh AFTER lib.sh, and after e2e_init (it
# uses $E2E_WORK, the syslog capture and the reporting of lib.sh); sources nothing itself.
# tests/bench/cri.sh sources it too, without lib.sh, for eng_python, eng_private_run, eng_cleanup,
# eng_pids_in_my_mntns_using and ctd_stop, cri, ctr_k8s, ctd_import (with its own CTD_* values).
#
# What it adds:
#   - eng_python: a python3 that has python3-grpcio (Debian's /usr/bin/python3 even when a pyenv
#     or venv python3 comes first in PATH);
#   - eng_build_image: a one-layer OCI image-layout tar of the busybox rootfs (oci_image.py), the
#     same bytes for both engines, so its config digest is the image ID on both;
#   - eng_policy / eng_require_identity: policies, with an image-identity section that
#     `ocigate policy lint` must accept;
#   - a private Podman (pm_*) and a private containerd with its CRI plugin (ctd_*), each with all
#     its state below $E2E_WORK, and their cleanup (eng_cleanup, run from the EXIT trap).
#
# Everything the engines start is found again by a PATH of this run (under $E2E_WORK, or the
# containerd socket in the private /run, together with this mount namespace), never by a process
# name, so cleanup cannot touch another containerd or podman on the machine. The engines' fixed
# host directories (/run/..., /var/lib/containers/cache) are shadowed by tmpfs mounts in the
# private mount namespace, so the host keeps no trace of a run.

ENG_PY=
ENG_CLEANUPS=()
eng_rc=0

# eng_trap: run our engine cleanups before lib.sh's e2e_cleanup (which removes $E2E_WORK and
# exits with the script's status).
eng_trap() {
	trap 'eng_rc=$?; eng_cleanup; (exit $eng_rc); e2e_cleanup' EXIT
}

# eng_on_cleanup CMD...: register a cleanup step (run in reverse order).
eng_on_cleanup() { ENG_CLEANUPS+=("$*"); }

eng_cleanup() {
	set +e
	local i
	for ((i = ${#ENG_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${ENG_CLEANUPS[$i]}"
	done
	ENG_CLEANUPS=()
}

# eng_snapshot_binary: run the engines against a copy of $OCIGATE_BIN in $E2E_WORK. The hooks are
# exec'd by the runtimes long after the script started, and a concurrent `make` replacing
# build/ocigate meanwhile made runc's exec fail with EACCES (text file being rewritten).
eng_snapshot_binary() {
	ENG_OCIGATE_SRC=$OCIGATE_BIN
	# Testing an installed package: the installed binary is the one under test.
	[ "${OCIGATE_E2E_INSTALLED:-}" != 1 ] || return 0
	cp "$OCIGATE_BIN" "$E2E_WORK/ocigate" && chmod 755 "$E2E_WORK/ocigate" || return 1
	OCIGATE_BIN=$E2E_WORK/ocigate
	export OCIGATE_BIN
}

# eng_python: sets ENG_PY to a python3 that can import grpc and grpc_tools, or returns 1.
eng_python() {
	local p
	for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
		if [ -z "$p" ] || [ ! -x "$p" ]; then continue; fi
		if "$p" -c 'import grpc, grpc_tools.protoc' >/dev/null 2>&1; then
			ENG_PY=$p
			return 0
		fi
	done
	return 1
}

# eng_pids_using PATH: pids of processes whose command line mentions PATH (our private
# sockets and directories are unique to this run).
eng_pids_using() {
	local d pid
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" != "$$" ] || continue
		{ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -F -- "$1" >/dev/null && echo "$pid"
	done
	return 0
}

# eng_pids_in_my_mntns_using PATH: like eng_pids_using, limited to processes in this script's
# private mount namespace (for paths that are not unique to the run, such as the default socket).
eng_pids_in_my_mntns_using() {
	local me pid
	me=$(readlink /proc/self/ns/mnt)
	for pid in $(eng_pids_using "$1"); do
		[ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$me" ] && echo "$pid"
	done
	return 0
}

# eng_kill_pids PID... : kill the given pids (only those still alive) and wait up to 5 s.
eng_kill_pids() {
	local pid i alive
	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null
	for i in $(seq 50); do
		alive=
		for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
		[ -n "$alive" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -9 $alive 2>/dev/null
	return 0
}

# eng_umount_below DIR: unmount everything mounted below DIR, deepest first.
eng_umount_below() {
	local mp
	for mp in $(awk -v w="$1/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null
	done
	return 0
}

# eng_private_run: a fresh tmpfs on /run inside the test's private mount namespace. The engines
# keep fixed state there whatever their configuration says (containerd's shim sockets in
# /run/containerd/s and its runc root /run/containerd/runc/<ns>, CNI netns files in /run/netns,
# Podman's /run/containers/networks and runc's default root /run/runc); /run is a tmpfs shared with
# the host, so without this those directories would appear, and stay, on the host. Needs
# /etc/resolv.conf not to point into /run (the engines bind it into containers).
ENG_PRIVATE_RUN=
eng_private_run() {
	[ -z "$ENG_PRIVATE_RUN" ] || return 0
	case $(readlink -f /etc/resolv.conf 2>/dev/null) in
	/run/* | /var/run/*) echo "/etc/resolv.conf points into /run" >&2; return 1 ;;
	esac
	mount -t tmpfs -o mode=0755,nosuid,nodev ocigate-e2e-run /run || return 1
	ENG_PRIVATE_RUN=1
	eng_on_cleanup 'umount -R -l /run 2>/dev/null; ENG_PRIVATE_RUN='
}

# eng_private_var_lib_containers: Podman writes containers/image's blob-info cache to the fixed
# /var/lib/containers/cache whatever storage.conf says. Shadow it with a tmpfs in the private mount
# namespace: over /var/lib/containers when it exists, else over /var/lib (nothing below it is
# needed by the private engines: their state is under $E2E_WORK), so the host sees no new file.
eng_private_var_lib_containers() {
	local d=/var/lib/containers
	[ -d "$d" ] || d=/var/lib
	mount -t tmpfs -o mode=0755,nosuid,nodev ocigate-e2e-varlib "$d" || return 1
	eng_on_cleanup "umount -R -l $d 2>/dev/null"
}

# ---------------------------------------------------------------- images

# eng_build_image REF OUT.tar [oci_image.py options...]: build the image tar from the busybox
# rootfs. Sets IMG_CONFIG_DIGEST, IMG_MANIFEST_DIGEST.
eng_build_image() {
	local ref=$1 out=$2 kv
	shift 2
	kv=$("${ENG_PY:-python3}" "$E2E_DIR/oci_image.py" --rootfs "$E2E_ROOTFS" --name "$ref" --out "$out" "$@") ||
		return 1
	IMG_CONFIG_DIGEST=$(printf '%s\n' "$kv" | sed -n 's/^CONFIG_DIGEST=//p')
	IMG_MANIFEST_DIGEST=$(printf '%s\n' "$kv" | sed -n 's/^MANIFEST_DIGEST=//p')
	[ -n "$IMG_CONFIG_DIGEST" ]
}

# ---------------------------------------------------------------- policies

# eng_require_identity IMAGE_SECTION_JSON: ocigate must accept a policy with that "image" section;
# when it does not, the file fails (its digest assertions would otherwise be vacuous).
eng_require_identity() {
	local p=$E2E_WORK/policies/identity-probe.json out
	jq -n --argjson img "$1" '{"version":1,"runtime":{"preset":"none"},"image":$img}' >"$p" &&
		out=$("$OCIGATE_BIN" policy lint "$p" 2>&1) && return 0
	t_begin "prerequisites"
	fail "ocigate refuses the identity section $1: $out"
	t_end
	exit 1
}

# eng_policy NAME RUNTIME_JSON [IMAGE_SECTION_JSON [EXTRA_JSON]] -> prints the path. RUNTIME_JSON is
# the "runtime" section; EXTRA_JSON is merged at the top level (exemptions, modes, trust, scan ...).
eng_policy() {
	local name=$1 runtime=$2 image=${3:-null} extra=${4:-'{}'} p=$E2E_WORK/policies/$1.json
	jq -n --argjson rt "$runtime" --argjson img "$image" --argjson extra "$extra" '
		{"version":1,"mode":"enforce","on_error":"deny","runtime":$rt}
		+ (if $img == null then {} else {"image":$img} end) + $extra' >"$p" || return 1
	"$OCIGATE_BIN" policy lint "$p" >"$p.lint" 2>&1 || { cat "$p.lint" >&2; return 1; }
	echo "$p"
}

# eng_hooks_dir DIR POLICY: an oci-hooks(5) directory with one file, ocigate.json. When the repo
# has the packaged file (packaging/ocigate-hooks.json) it is used as is except for the binary
# (the build's) and the policy (appended as --policy, or replacing the one it names), so the test
# exercises the packaged shape; otherwise a file of the same documented shape. Sets ENG_HOOKS_HOW.
eng_hooks_dir() {
	local pkg=$E2E_REPO/packaging/ocigate-hooks.json
	mkdir -p "$1" || return 1
	if [ "${OCIGATE_E2E_INSTALLED:-}" = 1 ]; then
		# The installed package's file as it is, binary path included; only the test policy
		# is added to its arguments.
		pkg=/usr/share/containers/oci/hooks.d/ocigate.json
		jq -e '.hook.path == "/usr/sbin/ocigate"' "$pkg" >/dev/null || return 1
		jq --arg pol "$2" '.hook.args += ["--policy", $pol]' "$pkg" >"$1/ocigate.json" || return 1
		ENG_HOOKS_HOW="the installed $pkg (policy added)"
	elif [ -f "$pkg" ]; then
		jq --arg bin "$OCIGATE_BIN" --arg pol "$2" '
			.hook.path = $bin
			| .hook.args = (.hook.args as $a | ($a | index("--policy")) as $i
			                | if $i == null then $a + ["--policy", $pol]
			                  else $a[0:$i + 1] + [$pol] + $a[$i + 2:] end)' "$pkg" >"$1/ocigate.json" || return 1
		ENG_HOOKS_HOW="packaging/ocigate-hooks.json with the build binary and the test policy"
	else
		jq -n --arg bin "$OCIGATE_BIN" --arg pol "$2" '
			{"version":"1.0.0",
			 "hook":{"path":$bin,"args":["ocigate","hook","--policy",$pol,"--stage","createRuntime"],"timeout":30},
			 "when":{"always":true},"stages":["createRuntime"]}' >"$1/ocigate.json" || return 1
		ENG_HOOKS_HOW="a hooks.d file written by the test (packaging/ocigate-hooks.json not in the tree yet)"
	fi
	jq -e '.when.always == true and (.stages | index("createRuntime")) != null' "$1/ocigate.json" >/dev/null
}

# A Docker/Podman-format seccomp profile: refuse by default, allow what runc's last steps and
# busybox need (lib.sh's list; ptrace, mount, bpf ... stay refused).
eng_seccomp_profile() { # OUT
	jq -n --argjson allow "$E2E_SECCOMP_ALLOW" '
		{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
		 "syscalls":[{"names":$allow,"action":"SCMP_ACT_ALLOW"}]}' >"$1"
}

# Log assertions that read the whole capture before matching. lib.sh's assert_log_contains and
# assert_log_not_contains pipe into `grep -q`, which exits at the first match; under pipefail the
# writer's SIGPIPE then turns a match into a failure (seen with the ~40 violation lines of a
# --privileged container), and makes assert_log_not_contains pass when it should fail.
eng_log_has() { # ERE
	local lines
	lines=$(log_hook_lines)
	grep -E -- "$1" <<<"$lines" >/dev/null
}
eng_assert_log_contains() { # ERE [why]
	eng_log_has "$1" || fail "${2:-no syslog line matches /$1/}"
}
eng_assert_log_not_contains() { # ERE [why]
	! eng_log_has "$1" || fail "${2:-unexpected syslog line matching /$1/}"
}
eng_assert_violation() { # ID RULE ACTION
	eng_assert_log_contains "violation container=\"$(re_quote "$1")\" rule=$(re_quote "$2") action=$3( |\$)" \
		"no 'violation container=\"$1\" rule=$2 action=$3' syslog line"
}

# assert_decision_digest ID DIGEST: the decision line for ID carries digest="DIGEST".
assert_decision_digest() {
	local line
	line=$(log_hook_lines | grep -E "decision=[a-z]+ container=\"$(re_quote "$1")\"" | head -n 1)
	case $line in
	*"digest=\"$2\""*) ;;
	*) fail "decision line for $1 does not carry digest=\"$2\": ${line:-<none>}" ;;
	esac
}

# eng_assert_image_named ID NAME: the decision line for ID shows the image as NAME (the engine's
# record of its name, which signatures are matched with).
eng_assert_image_named() {
	eng_assert_log_contains "decision=[a-z]+ container=\"$(re_quote "$1")\" .*image=\"$(re_quote "$2")\"" \
		"the decision line for $1 does not name the image $2"
}

# eng_assert_other_repository ID SIGNED_REPO NAME SOURCE: ID was refused because the signature is
# for SIGNED_REPO while the engine (SOURCE) runs the image as NAME, and the log says so.
eng_assert_other_repository() {
	eng_assert_log_contains "violation container=\"$(re_quote "$1")\" rule=trust\.signature action=deny msg=\".*for $(re_quote "$2"), but the engine runs the image as $(re_quote "$3") \($(re_quote "$4")\)" \
		"the refusal of $1 does not name $2 and the image name $3 ($4)"
}

# hook_container_ids: container ids named by the decision lines since log_begin.
hook_decision_ids() {
	log_hook_lines | sed -n 's/.*decision=[a-z]* container="\([^"]*\)".*/\1/p'
}

# ---------------------------------------------------------------- Podman

# pm_setup: a private Podman: storage (overlay, own graphroot/runroot) and containers.conf below
# $E2E_WORK/podman, exported through CONTAINERS_STORAGE_CONF / CONTAINERS_CONF. Sets PM_DIR,
# PM_GRAPHROOT, PM_RUNROOT.
pm_setup() {
	eng_private_run || return 1
	eng_private_var_lib_containers || return 1
	PM_DIR=$E2E_WORK/podman
	PM_GRAPHROOT=$PM_DIR/graph
	PM_RUNROOT=$PM_DIR/run
	mkdir -p "$PM_GRAPHROOT" "$PM_RUNROOT" "$PM_DIR/tmp" "$PM_DIR/net" "$PM_DIR/volumes" || return 1
	cat >"$PM_DIR/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$PM_GRAPHROOT"
runroot = "$PM_RUNROOT"
CONF
	# runc, not crun: crun 1.8 refuses this machine's hybrid cgroup layout (engines.md).
	cat >"$PM_DIR/containers.conf" <<CONF
[containers]
netns = "none"
cgroupns = "host"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM_DIR/tmp/events.log"
lock_type = "file"
runtime = "runc"
tmp_dir = "$PM_DIR/tmp"
image_copy_tmp_dir = "$PM_DIR/tmp"
static_dir = "$PM_GRAPHROOT/libpod"
volume_path = "$PM_DIR/volumes"
no_pivot_root = false

[network]
network_config_dir = "$PM_DIR/net"
CONF
	export CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf
	export CONTAINERS_CONF=$PM_DIR/containers.conf
	# Other containers/* files (registries, policy.json) are read from /etc as usual; loading a
	# local archive needs neither. XDG_RUNTIME_DIR would move state elsewhere for non-root only.
	unset XDG_RUNTIME_DIR
	eng_on_cleanup pm_teardown
}

pm() { TMPDIR=$PM_DIR/tmp timeout "$E2E_RUNTIME_TIMEOUT" podman --log-level=error "$@"; }

# pm_teardown: remove every container of the private podman, end what it left running, unmount
# its storage.
pm_teardown() {
	[ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	# conmon or a container left by a crashed run: found by our private paths only.
	# shellcheck disable=SC2046
	eng_kill_pids $(eng_pids_using "$PM_DIR")
	eng_umount_below "$PM_DIR"
}

# pm_load_image OCI_TAR REF: load the OCI archive; sets PM_IMAGE_ID (the config digest, hex).
pm_load_image() {
	pm load -q -i "oci-archive:$1" >"$PM_DIR/load.out" 2>&1 || pm load -q -i "$1" >>"$PM_DIR/load.out" 2>&1 ||
		{ cat "$PM_DIR/load.out" >&2; return 1; }
	# podman load names an OCI archive's image after org.opencontainers.image.ref.name.
	PM_IMAGE_ID=$(pm image inspect --format '{{.Id}}' "$2" 2>/dev/null) || { cat "$PM_DIR/load.out" >&2; return 1; }
}

# pm_run NAME HOOKS_DIR PODMAN_RUN_ARGS...: `podman --hooks-dir HOOKS_DIR run --rm --network=none
# --cidfile F ARGS`. Sets RC, RUN_OUT, RUN_ERR, PM_CID (from the cidfile, or the decision line
# when podman removed the cidfile with the container), and $E2E_NEW_LOG.
pm_run() {
	local name=$1 hooks=$2 cidfile
	shift 2
	name=$(slug "$name")
	RUN_OUT=$E2E_WORK/out/pm-$name.out
	RUN_ERR=$E2E_WORK/out/pm-$name.err
	cidfile=$E2E_WORK/out/pm-$name.cid
	rm -f "$cidfile"
	log_begin
	pm --hooks-dir "$hooks" run --rm --network=none --cidfile "$cidfile" "$@" </dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
	log_end
	[ "$RC" -ne 124 ] || fail "podman run timed out after ${E2E_RUNTIME_TIMEOUT}s"
	PM_CID=$(cat "$cidfile" 2>/dev/null)
	if [ -z "$PM_CID" ]; then
		PM_CID=$(hook_decision_ids | head -n 1)
	fi
	[ -n "$PM_CID" ] || fail "no container id (no cidfile and no decision line)"
}

# assert_pm_nothing_left: podman lists no container, and no conmon/runtime process of ours runs.
assert_pm_nothing_left() {
	local listed procs
	listed=$(pm ps -a -q 2>&1)
	[ -z "$listed" ] || fail "podman ps -a is not empty: $(printf '%s' "$listed" | tr '\n' ' ')"
	procs=$(eng_pids_using "$PM_DIR" | tr '\n' ' ')
	[ -z "${procs// /}" ] || fail "processes of the private podman still running: $procs"
}

# ---------------------------------------------------------------- containerd + CRI

CTD_DIR=
CTD_PID=

# ctd_base_spec OUT POLICY: containerd's default spec with ocigate as createRuntime hook.
# Prefers `ocigate containerd-spec` (the supported way); falls back to `ctr oci spec` + jq while
# that command does not exist in this build. Sets CTD_SPEC_HOW.
ctd_base_spec() {
	local out=$1 policy=$2
	if "$OCIGATE_BIN" containerd-spec --help >/dev/null 2>&1; then
		"$OCIGATE_BIN" containerd-spec --hook "$OCIGATE_BIN" --policy "$policy" >"$out" || return 1
		CTD_SPEC_HOW="ocigate containerd-spec"
	else
		ctr oci spec | jq --arg bin "$OCIGATE_BIN" --arg pol "$policy" '
			.hooks = {"createRuntime": [{"path": $bin,
				"args": ["ocigate", "hook", "--policy", $pol, "--stage", "createRuntime"], "timeout": 30}]}
		' >"$out" || return 1
		CTD_SPEC_HOW="ctr oci spec + jq (ocigate containerd-spec not in this build)"
	fi
	jq -e '.hooks.createRuntime[0].path' "$out" >/dev/null
}

# ctd_start POLICY SANDBOX_IMAGE: start a private containerd with the CRI plugin, all state
# under $E2E_WORK/containerd, its socket at the default address in the private /run. With
# CTD_CNI=1 CTD_CNI_BIN=DIR, pods can use their own network (CNI bridge, see ctd_write_cni).
# Sets CTD_DIR, CTD_SOCK, CTD_PID, CTD_GEN (generated CRI modules).
# ctd_config_head SANDBOX_IMAGE: the start of a private containerd's config.toml that the e2e tests
# and the CRI benchmark share: root, state and sockets below CTD_DIR and CTD_SOCK, and the CRI plugin
# as it runs on this machine (engines.md: cgroupfs, no AppArmor, restrict_oom_score_adj). The
# caller adds its CNI and runtime sections.
ctd_config_head() {
	cat <<CONF
version = 2
root = "$CTD_DIR/root"
state = "$CTD_DIR/state"
[grpc]
  address = "$CTD_SOCK"
[ttrpc]
  address = "$CTD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTD_DIR/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$1"
  disable_apparmor = true
  restrict_oom_score_adj = true
  systemd_cgroup = false
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
CONF
}

ctd_start() {
	local policy=$1 sandbox=$2 i
	eng_private_run || return 1
	CTD_DIR=$E2E_WORK/containerd
	# containerd's default address, inside the private /run: ocigate's default identity sources
	# (no "image" section in the policy) then reach this containerd as they would on a node.
	CTD_SOCK=/run/containerd/containerd.sock
	mkdir -p /run/containerd || return 1
	CTD_GEN=$CTD_DIR/crigen
	mkdir -p "$CTD_DIR/root" "$CTD_DIR/state" "$CTD_DIR/opt" "$CTD_DIR/cni/bin" "$CTD_DIR/cni/conf" \
		"$CTD_DIR/pods" "$CTD_GEN" || return 1
	"$ENG_PY" -m grpc_tools.protoc -I "$E2E_DIR/cri" --python_out="$CTD_GEN" --grpc_python_out="$CTD_GEN" \
		api.proto || { echo "protoc failed" >&2; return 1; }
	ctd_base_spec "$CTD_DIR/base-spec.json" "$policy" || { echo "cannot write the base runtime spec" >&2; return 1; }
	# pod_annotations/container_annotations = ["*"]: containerd copies EVERY pod annotation into
	# the container's config.json, the most permissive setting an admin can choose, so the
	# impersonation cases really put the forged keys in front of ocigate.
	{
		ctd_config_head "$sandbox"
		cat <<CONF
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CTD_CNI_BIN:-$CTD_DIR/cni/bin}"
    conf_dir = "$CTD_DIR/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      base_runtime_spec = "$CTD_DIR/base-spec.json"
      pod_annotations = ["*"]
      container_annotations = ["*"]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
CONF
		# CTD_EXTRA_CONFIG: more tables (e.g. a registry mirror for a plain-HTTP test registry).
		[ -z "${CTD_EXTRA_CONFIG:-}" ] || printf '%s\n' "$CTD_EXTRA_CONFIG"
	} >"$CTD_DIR/config.toml"
	# With CTD_CNI=1 (and CTD_CNI_BIN, the plugin directory) containerd runs in a network namespace
	# of its own: the CNI bridge and veths of the pods stay invisible to the host, and each pod gets
	# a real network namespace of its own.
	if [ -n "${CTD_CNI:-}" ]; then
		ctd_write_cni || return 1
		unshare --net -- containerd --config "$CTD_DIR/config.toml" </dev/null >"$CTD_DIR/containerd.log" 2>&1 &
	else
		containerd --config "$CTD_DIR/config.toml" </dev/null >"$CTD_DIR/containerd.log" 2>&1 &
	fi
	CTD_PID=$!
	eng_on_cleanup ctd_stop
	for i in $(seq 150); do
		if ! kill -0 "$CTD_PID" 2>/dev/null; then
			echo "containerd exited; last log lines:" >&2
			tail -n 15 "$CTD_DIR/containerd.log" >&2
			return 1
		fi
		cri version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd's CRI plugin did not answer within 15 s; last log lines:" >&2
	tail -n 15 "$CTD_DIR/containerd.log" >&2
	return 1
}

# ctd_write_cni: one bridge network (no gateway, no masquerade, host-local IPAM with its state
# under $CTD_DIR), used only inside containerd's private network namespace.
ctd_write_cni() {
	jq -n --arg data "$CTD_DIR/cni/ipam" '
		{"cniVersion":"0.4.0","name":"ocigate-e2e","plugins":[
		  {"type":"bridge","bridge":"oge2e0","isGateway":false,"ipMasq":false,
		   "ipam":{"type":"host-local","dataDir":$data,"ranges":[[{"subnet":"10.254.77.0/24"}]]}},
		  {"type":"loopback"}]}' >"$CTD_DIR/cni/conf/10-ocigate-e2e.conflist"
}

cri() { timeout 120 "$ENG_PY" "$E2E_DIR/cri_client.py" --socket "$CTD_SOCK" --gen "$CTD_GEN" "$@"; }
ctr_k8s() { timeout 60 ctr --address "$CTD_SOCK" -n k8s.io "$@"; }

# ctd_stop: remove every pod through CRI, stop containerd, end its shims (found by our socket
# path in their command line), unmount what it mounted, leave $CTD_DIR for e2e_cleanup.
ctd_stop() {
	[ -n "$CTD_DIR" ] || return 0
	if [ -n "$CTD_PID" ] && kill -0 "$CTD_PID" 2>/dev/null; then
		cri cleanup >/dev/null 2>&1
		eng_kill_pids "$CTD_PID"
		wait "$CTD_PID" 2>/dev/null
	fi
	CTD_PID=
	# containerd-shim-runc-v2 outlives containerd by design; ours carry "-address $CTD_SOCK" and
	# live in this mount namespace (a host containerd's shims use the same address, outside it).
	# shellcheck disable=SC2046
	eng_kill_pids $(eng_pids_in_my_mntns_using "$CTD_SOCK")
	eng_umount_below "$CTD_DIR"
	# Shim sockets and runc state in /run/containerd went with the private /run (eng_private_run).
}

# ctd_import OCI_TAR: import into the k8s.io namespace (where the CRI plugin looks).
ctd_import() {
	ctr_k8s images import "$1" >"$CTD_DIR/import.out" 2>&1 || { cat "$CTD_DIR/import.out" >&2; return 1; }
}

# cri_scenario NAME SPEC_JSON: run one pod + container through CRI (cri_client.py scenario).
# Sets CRI_RES (the result JSON file), CRI_CID, CRI_START_OK, CRI_START_ERR, CRI_LOG and $E2E_NEW_LOG.
cri_scenario() {
	local name spec
	name=$(slug "$1")
	spec=$E2E_WORK/out/cri-$name.spec.json
	CRI_RES=$E2E_WORK/out/cri-$name.res.json
	RUN_OUT=$CRI_RES
	RUN_ERR=$E2E_WORK/out/cri-$name.err
	printf '%s\n' "$2" >"$spec"
	log_begin
	cri scenario "$spec" >"$CRI_RES" 2>"$RUN_ERR"
	RC=$?
	log_end
	[ "$RC" -ne 124 ] || fail "CRI scenario timed out"
	CRI_CID=$(jq -r '.container_id // ""' "$CRI_RES" 2>/dev/null)
	CRI_START_OK=$(jq -r '.start_ok // false' "$CRI_RES" 2>/dev/null)
	CRI_START_ERR=$(jq -r '.start_error // ""' "$CRI_RES" 2>/dev/null)
	CRI_LOG=$(jq -r '.log // ""' "$CRI_RES" 2>/dev/null)
	local err
	err=$(jq -r '.error // ""' "$CRI_RES" 2>/dev/null)
	[ "$RC" -eq 0 ] || fail "cri_client exited $RC: $(head -c 400 "$RUN_ERR")"
	[ -z "$err" ] || fail "CRI call failed before StartContainer: $err"
	local cerr
	cerr=$(jq -r '.cleanup_errors // [] | join("; ")' "$CRI_RES" 2>/dev/null)
	[ -z "$cerr" ] || fail "CRI cleanup failed: $cerr"
}

# assert_ctd_nothing_left: no task, no container left in containerd's k8s.io namespace.
assert_ctd_nothing_left() {
	local c t
	c=$(ctr_k8s containers ls -q 2>&1)
	t=$(ctr_k8s tasks ls -q 2>&1)
	[ -z "$c" ] || fail "containerd still has containers: $(printf '%s' "$c" | tr '\n' ' ')"
	[ -z "$t" ] || fail "containerd still has tasks: $(printf '%s' "$t" | tr '\n' ' ')"
}
