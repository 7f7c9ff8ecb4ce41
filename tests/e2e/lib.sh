# shellcheck shell=bash
# Shared helpers for the ocigate end-to-end tests (bash; sourced by test_*.sh and demo.sh).
#
# What a test script gets after `e2e_init`:
#   - it runs as root inside a PRIVATE mount namespace (re-executed under `unshare -m
#     --propagation private`), so nothing it mounts is visible on the host;
#   - /dev/log inside that namespace is a test socket served by syslog_listener.py, so the
#     hook's real syslog(3) datagrams land in $E2E_LOG (one line per datagram);
#   - a cached busybox-static rootfs, bundle/policy builders, runc and crun runners,
#     TAP-ish reporting (`ok N - ...`, `not ok N - ...`, `ok N - ... # SKIP why`).
#
# How /dev/log is replaced without touching the host:
#   - /dev/log exists (rsyslog/journald host): bind-mount the test socket over it (a bind
#     mount over a socket file, or over the target of journald's symlink).
#   - /dev/log is missing or a dangling symlink (containers, CI machines without a syslog
#     daemon): /dev is usually
#     the host's devtmpfs, and creating an entry there would be visible on the host even from
#     a private mount namespace (same superblock). So the namespace gets its own /dev: the host
#     /dev is rbind-mounted to a staging directory, a tmpfs is mounted on /dev, every host entry
#     is bind-mounted (files, device nodes, directories recursively) or re-created (symlinks)
#     into it, the staging mount is detached again, and /dev/log becomes a symlink to the test
#     socket (as journald's /dev/log is a symlink). All of it vanishes with the namespace.

set -u
set -o pipefail
# NOTE: with pipefail, never end a pipeline in `grep -q`: it exits at the first match, the writer
# dies of SIGPIPE and the pipeline reports failure. Use `grep ... >/dev/null` (reads everything).

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=$(cd "$E2E_DIR/../.." && pwd)
: "${OCIGATE_BIN:=$E2E_REPO/build/ocigate}"
E2E_SCRIPT=$(basename "$0")
T_NUM=0
T_FAILS=()
T_DESC=
E2E_WORK=
E2E_LISTENER_PID=
E2E_RUNTIME_TIMEOUT=60
E2E_HOOK_TIMEOUT=30
E2E_CID_SEQ=0

# ---------------------------------------------------------------- reporting

t_begin() {
	T_DESC=$1
	T_FAILS=()
	T_NUM=$((T_NUM + 1))
}

fail() { T_FAILS+=("$*"); }

# t_end: print the TAP line for the current test, with diagnostics when it failed.
t_end() {
	if [ ${#T_FAILS[@]} -eq 0 ]; then
		echo "ok $T_NUM - $T_DESC"
		return 0
	fi
	echo "not ok $T_NUM - $T_DESC"
	local f
	for f in "${T_FAILS[@]}"; do echo "#   $f"; done
	if [ -n "${RUN_OUT:-}" ] && [ -f "$RUN_OUT" ]; then
		echo "#   rc=$RC stdout: $(head -c 600 "$RUN_OUT" | tr '\n' ' ')"
		echo "#   stderr: $(head -c 800 "$RUN_ERR" | tr '\n' ' ')"
	fi
	if [ -n "${E2E_NEW_LOG:-}" ] && [ -f "$E2E_NEW_LOG" ]; then
		sed 's/^/#   log: /' "$E2E_NEW_LOG" | head -n 20
	fi
	return 1
}

t_skip() { # DESC REASON
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP $2"
}

# Skip every test of the script (when it cannot run at all) and exit.
e2e_skip_all() { # REASON
	if [ -n "${E2E_DEMO:-}" ]; then
		echo "ocigate demo: cannot run: $1" >&2
		exit 1
	fi
	echo "# $E2E_SCRIPT: cannot run: $1"
	t_skip "$E2E_SCRIPT" "$1"
	exit 0
}

e2e_note() { echo "# $*"; }

# ---------------------------------------------------------------- setup

e2e_require_cmds() { # CMD... ; prints the missing ones
	local c missing=
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing="$missing $c"; done
	echo "${missing# }"
}

# Pick a base for temporary files on which binaries may execute (bundles live there).
e2e_tmpbase() {
	local d
	for d in "${OCIGATE_E2E_TMP:-}" "${TMPDIR:-/tmp}" /var/tmp; do
		[ -n "$d" ] && [ -d "$d" ] && [ -w "$d" ] || continue
		if findmnt -n -o OPTIONS -T "$d" 2>/dev/null | grep -w noexec >/dev/null; then continue; fi
		echo "$d"
		return 0
	done
	echo /tmp
}

# e2e_init: prerequisites, private namespace, work dir, syslog listener, default policies.
# With E2E_UNPRIVILEGED=1 set before it (tests of plain CLI commands), no root is needed and
# there is no namespace and no syslog capture.
e2e_init() {
	if [ -n "${E2E_UNPRIVILEGED:-}" ]; then
		e2e_init_unprivileged
		return
	fi
	if [ "$(id -u)" -ne 0 ]; then
		e2e_skip_all "needs root (real runc/crun, mount namespaces); run as root or via sudo"
	fi
	local missing
	missing=$(e2e_require_cmds unshare mount umount findmnt jq python3 logger timeout)
	[ -z "$missing" ] || e2e_skip_all "missing commands: $missing (run packaging/install-deps.sh)"
	[ -x "$OCIGATE_BIN" ] || e2e_skip_all "ocigate binary $OCIGATE_BIN not built (run make)"
	case $OCIGATE_BIN in /*) ;; *) OCIGATE_BIN=$(cd "$(dirname "$OCIGATE_BIN")" && pwd)/$(basename "$OCIGATE_BIN") ;; esac
	export OCIGATE_BIN

	if [ -z "${OCIGATE_E2E_IN_NS:-}" ]; then
		unshare -m --propagation private true 2>/dev/null ||
			e2e_skip_all "cannot create a private mount namespace (unshare -m failed)"
		export OCIGATE_E2E_IN_NS=1
		# --foreground: Ctrl-C still reaches the script; on timeout the script's TERM trap cleans up.
		exec timeout --foreground "${OCIGATE_E2E_SCRIPT_TIMEOUT:-900}" \
			unshare -m --propagation private -- bash "$0" "$@"
	fi

	E2E_WORK=$(mktemp -d "$(e2e_tmpbase)/ocigate-e2e.XXXXXX") || e2e_skip_all "mktemp failed"
	chmod 755 "$E2E_WORK"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$E2E_WORK/bundles" "$E2E_WORK/policies" "$E2E_WORK/out" "$E2E_WORK/state/runc" \
		"$E2E_WORK/state/crun" "$E2E_WORK/input"
	E2E_CACHE=${OCIGATE_E2E_CACHE:-$E2E_WORK/cache}
	mkdir -p "$E2E_CACHE"
	E2E_RUN_ID=$(printf '%04x%04x' $RANDOM $RANDOM)

	e2e_make_rootfs || e2e_skip_all "cannot build the busybox rootfs: $E2E_ROOTFS_ERR"
	e2e_start_listener || e2e_skip_all "cannot start the syslog listener"
	e2e_wire_devlog || e2e_skip_all "cannot wire /dev/log to the test socket in the private namespace"
	e2e_write_default_policies
}

e2e_init_unprivileged() {
	local missing
	missing=$(e2e_require_cmds jq python3 runc)
	[ -z "$missing" ] || e2e_skip_all "missing commands: $missing (run packaging/install-deps.sh)"
	[ -x "$OCIGATE_BIN" ] || e2e_skip_all "ocigate binary $OCIGATE_BIN not built (run make)"
	E2E_WORK=$(mktemp -d "$(e2e_tmpbase)/ocigate-e2e.XXXXXX") || e2e_skip_all "mktemp failed"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$E2E_WORK/bundles" "$E2E_WORK/policies" "$E2E_WORK/out" "$E2E_WORK/input"
	E2E_CACHE=${OCIGATE_E2E_CACHE:-$E2E_WORK/cache}
	[ -w "$E2E_CACHE" ] || E2E_CACHE=$E2E_WORK/cache
	mkdir -p "$E2E_CACHE"
	E2E_RUN_ID=$(printf '%04x%04x' $RANDOM $RANDOM)
	e2e_make_rootfs || e2e_skip_all "cannot build the busybox rootfs: $E2E_ROOTFS_ERR"
	e2e_write_default_policies
}

e2e_cleanup() {
	local rc=$?
	set +e
	local id
	if command -v runc >/dev/null 2>&1 && [ -d "$E2E_WORK/state/runc" ]; then
		for id in $(timeout 20 runc --root "$E2E_WORK/state/runc" list -q 2>/dev/null); do
			timeout 20 runc --root "$E2E_WORK/state/runc" delete -f "$id" >/dev/null 2>&1
		done
	fi
	if command -v crun >/dev/null 2>&1 && [ -d "$E2E_WORK/state/crun" ]; then
		for id in $(crun_cmd list -q 2>/dev/null); do crun_cmd delete -f "$id" >/dev/null 2>&1; done
	fi
	if [ -n "$E2E_LISTENER_PID" ]; then
		kill "$E2E_LISTENER_PID" 2>/dev/null
		wait "$E2E_LISTENER_PID" 2>/dev/null
	fi
	if [ -n "$E2E_WORK" ] && [ -d "$E2E_WORK" ]; then
		# Detach whatever a test mounted below the work dir (netns files, the staging /dev if
		# setup failed half-way) so rm never follows a mount out of it.
		local mp
		for mp in $(awk -v w="$E2E_WORK/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
			umount -l "$mp" 2>/dev/null
		done
		if [ -n "${OCIGATE_E2E_KEEP:-}" ]; then
			echo "# kept work dir $E2E_WORK"
		else
			rm -rf --one-file-system "$E2E_WORK"
		fi
	fi
	exit "$rc"
}

# The busybox-static rootfs, built once per cache directory.
e2e_make_rootfs() {
	E2E_ROOTFS=$E2E_CACHE/rootfs
	E2E_ROOTFS_ERR=
	[ -x "$E2E_ROOTFS/bin/busybox" ] && return 0
	local bb
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || { E2E_ROOTFS_ERR="busybox not found (apt-get install busybox-static)"; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		E2E_ROOTFS_ERR="$bb is dynamically linked; install busybox-static"
		return 1
	fi
	local tmp=$E2E_CACHE/rootfs.tmp.$$ a
	rm -rf "$tmp"
	mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/etc" "$tmp/run"
	cp "$bb" "$tmp/bin/busybox"
	for a in sh echo true false cat id ls sleep printf; do ln -s busybox "$tmp/bin/$a"; done
	printf 'root:x:0:0:root:/:/bin/sh\nuser:x:1000:1000:user:/:/bin/sh\n' >"$tmp/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' >"$tmp/etc/group"
	mv "$tmp" "$E2E_ROOTFS" 2>/dev/null || rm -rf "$tmp" # a concurrent builder won
	[ -x "$E2E_ROOTFS/bin/busybox" ]
}

e2e_start_listener() {
	E2E_LOG_SOCK=$E2E_WORK/log.sock
	E2E_LOG=$E2E_WORK/syslog.txt
	: >"$E2E_LOG"
	python3 "$E2E_DIR/syslog_listener.py" "$E2E_LOG_SOCK" "$E2E_LOG" "$E2E_WORK/listener.ready" \
		</dev/null >/dev/null 2>"$E2E_WORK/listener.err" &
	E2E_LISTENER_PID=$!
	local i
	for i in $(seq 100); do
		[ -s "$E2E_WORK/listener.ready" ] && return 0
		kill -0 "$E2E_LISTENER_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$E2E_WORK/listener.err" >&2
	return 1
}

e2e_wire_devlog() {
	# -e follows a symlink (journald's /dev/log -> /run/systemd/journal/dev-log): bind over its target.
	if [ -e /dev/log ] && mount --bind "$E2E_LOG_SOCK" /dev/log; then
		E2E_DEVLOG_HOW="test socket bind-mounted over the existing /dev/log"
	else
		local stage=$E2E_WORK/hostdev e name
		mkdir "$stage" || return 1
		mount --rbind /dev "$stage" || return 1
		mount -t tmpfs -o mode=0755,nosuid ocigate-e2e-dev /dev || { umount -R -l "$stage"; return 1; }
		for e in "$stage"/* "$stage"/.[!.]*; do
			[ -e "$e" ] || [ -L "$e" ] || continue
			name=${e##*/}
			[ "$name" != log ] || continue # a dangling /dev/log symlink: replaced below
			if [ -L "$e" ]; then
				ln -s "$(readlink "$e")" "/dev/$name"
			elif [ -d "$e" ]; then
				mkdir "/dev/$name" && mount --rbind "$e" "/dev/$name"
			else
				: >"/dev/$name" && mount --bind "$e" "/dev/$name"
			fi
		done
		umount -R -l "$stage"
		rmdir "$stage"
		ln -s "$E2E_LOG_SOCK" /dev/log || return 1
		E2E_DEVLOG_HOW="no /dev/log on the host: private tmpfs /dev with /dev/log -> test socket"
	fi
	# Prove the wiring: a datagram sent to /dev/log must reach the listener.
	log_sync /dev/log
}

# ---------------------------------------------------------------- syslog capture

E2E_SYNC_SEQ=0
# log_sync [SOCKET]: send a sentinel datagram and wait until the listener wrote it. Datagrams
# from every sender are queued in order on the one socket, so whatever the hook sent before is
# in $E2E_LOG once the sentinel is.
log_sync() {
	local sock=${1:-$E2E_LOG_SOCK}
	E2E_SYNC_SEQ=$((E2E_SYNC_SEQ + 1))
	local token="e2e-sync-$$-$E2E_SYNC_SEQ"
	logger -u "$sock" -t e2e-sync "$token" 2>/dev/null || return 1
	for _ in $(seq 200); do
		grep -qF "$token" "$E2E_LOG" && return 0
		sleep 0.02
	done
	return 1
}

# log_begin: remember where the log ends; log_end: collect what arrived since into $E2E_NEW_LOG.
log_begin() {
	log_sync || fail "syslog listener did not answer"
	E2E_LOG_MARK=$(wc -l <"$E2E_LOG")
	E2E_NEW_LOG=
}
log_end() {
	log_sync || fail "syslog listener did not answer"
	E2E_NEW_LOG=$E2E_WORK/new.log
	tail -n "+$((E2E_LOG_MARK + 1))" "$E2E_LOG" | grep -v ' e2e-sync' | grep -v 'e2e-sync-' >"$E2E_NEW_LOG" || true
}

# Lines the hook sent (ident "ocigate"), since log_begin.
log_hook_lines() { grep -E 'ocigate(\[[0-9]+\])?: ' "$E2E_NEW_LOG" 2>/dev/null || true; }

# Just the messages of those lines (syslog header "<PRI>Mmm dd hh:mm:ss ocigate[pid]: " removed),
# so assertions can anchor on the start of a message.
log_hook_msgs() {
	log_hook_lines | sed -E 's/^(!RAW )?<[0-9]+>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} ocigate(\[[0-9]+\])?: //'
}

assert_log_contains() { # ERE [why]
	log_hook_lines | grep -E -- "$1" >/dev/null || fail "${2:-no syslog line matches /$1/}"
}
assert_log_not_contains() { # ERE [why]
	if log_hook_lines | grep -E -- "$1" >/dev/null; then fail "${2:-unexpected syslog line matching /$1/}"; fi
}

# Escape an id or rule for use inside an ERE.
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'; }

# assert_decision DECISION ID [RULE...]: the decision line names the container and each rule.
assert_decision() {
	local dec=$1 id=$2 r line
	shift 2
	line=$(log_hook_msgs | grep -E "^decision=$dec container=\"$(re_quote "$id")\"" | head -n 1)
	if [ -z "$line" ]; then
		fail "no 'decision=$dec container=\"$id\"' syslog line"
		return
	fi
	for r in "$@"; do
		printf '%s' "$line" | grep -E "rules=\"([^\"]*,)?$(re_quote "$r")(,[^\"]*)?\"" >/dev/null ||
			fail "decision line does not list rule $r: $line"
	done
}

# assert_violation ID RULE ACTION
assert_violation() {
	log_hook_msgs | grep -E "^violation container=\"$(re_quote "$1")\" rule=$(re_quote "$2") action=$3( |\$)" >/dev/null ||
		fail "no 'violation container=\"$1\" rule=$2 action=$3' syslog line"
}

# Every datagram from the hook is printable ASCII (the listener marks any other with "!RAW ").
assert_log_clean() {
	local bad
	bad=$(log_hook_lines | grep '^!RAW ' | head -n 1)
	[ -z "$bad" ] || fail "a hook syslog line carries control or non-ASCII bytes: $bad"
}

# ---------------------------------------------------------------- policies

# write_policy NAME JSON -> prints the path
write_policy() {
	local p=$E2E_WORK/policies/$1.json
	printf '%s\n' "$2" >"$p"
	echo "$p"
}

e2e_write_default_policies() {
	POLICY_RESTRICTED=$(write_policy restricted '{"version":1,"mode":"enforce","on_error":"deny","log":{"facility":"auth"},
 "runtime":{"preset":"restricted"}}')
	POLICY_AUDIT=$(write_policy audit '{"version":1,"mode":"audit","on_error":"deny","log":{"facility":"auth"},
 "runtime":{"preset":"restricted"}}')
	POLICY_BASELINE=$(write_policy baseline '{"version":1,"mode":"enforce","on_error":"deny","log":{"facility":"auth"},
 "runtime":{"preset":"baseline"}}')
}

# ---------------------------------------------------------------- bundles

# A seccomp profile that refuses by default (EPERM) and allows what runc/crun's last steps
# and busybox echo/sh/true/cat/id need, generously (seccomp-allow.json, which the benchmark
# uses too). ptrace is deliberately absent.
E2E_SECCOMP_ALLOW=$(cat "$E2E_DIR/seccomp-allow.json")

# The hardened baseline every test starts from: read-only root, no capabilities,
# noNewPrivileges, seccomp with a refusing default, uid 1000, runc's masked/readonly paths,
# private pid/net/ipc/uts/mount namespaces, no terminal, and ocigate as createRuntime hook.
e2e_base_config() {
	local base=$E2E_CACHE/base-config.json
	if [ ! -s "$base" ]; then
		local d=$E2E_CACHE/spec.$$
		mkdir -p "$d"
		(cd "$d" && runc spec) || return 1
		jq --argjson allow "$E2E_SECCOMP_ALLOW" '
			.process.terminal = false
			| .process.args = ["/bin/echo", "hello from a hardened container"]
			| .process.user = {"uid": 1000, "gid": 1000}
			| .process.capabilities = {"bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": []}
			| .process.noNewPrivileges = true
			| .root = {"path": "rootfs", "readonly": true}
			| .hostname = "ocigate-e2e"
			| .linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO",
			                    "syscalls": [{"names": $allow, "action": "SCMP_ACT_ALLOW"}]}
		' "$d/config.json" >"$base.tmp" && mv "$base.tmp" "$base"
		rm -rf "$d"
	fi
	cat "$base"
}

# new_id NAME -> a container id unique to this run
# (a counter file, since callers use $(new_id ...) which runs in a subshell)
new_id() {
	local n
	n=$(($(cat "$E2E_WORK/id.seq" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$E2E_WORK/id.seq"
	echo "og-$E2E_RUN_ID-$n-$(slug "$1")"
}

# slug TEXT -> lowercase letters, digits and dashes, at most 40 characters
slug() {
	printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9' '-' | tr -s '-' | cut -c1-40 | sed 's/^-//; s/-$//'
}

# new_bundle NAME [POLICY [STAGE]] -> prints the bundle dir: hardened config + hook registered.
new_bundle() {
	local name policy=${2:-$POLICY_RESTRICTED} stage=${3:-createRuntime}
	name=$(slug "$1")
	local b=$E2E_WORK/bundles/$name
	rm -rf "$b"
	mkdir -p "$b"
	cp -al "$E2E_ROOTFS" "$b/rootfs" 2>/dev/null || cp -a "$E2E_ROOTFS" "$b/rootfs"
	e2e_base_config | jq --arg bin "$OCIGATE_BIN" --arg pol "$policy" --arg stage "$stage" '
		.hooks = {($stage): [{"path": $bin, "args": ["ocigate", "hook", "--policy", $pol, "--stage", $stage],
		                       "timeout": 30}]}
	' >"$b/config.json" || return 1
	echo "$b"
}

# cfg_edit BUNDLE JQ_FILTER [jq args...]: rewrite BUNDLE/config.json through jq.
cfg_edit() {
	local b=$1 f=$2
	shift 2
	jq "$@" "$f" "$b/config.json" >"$b/config.json.tmp" && mv "$b/config.json.tmp" "$b/config.json" ||
		fail "jq edit failed: $f"
}

# ---------------------------------------------------------------- runtimes

# crun 1.8 refuses hybrid cgroups; it runs in a further private mount namespace where the
# cgroup2 mount at /sys/fs/cgroup/unified is gone (see shared/notes/engines.md).
crun_cmd() {
	unshare -m --propagation private -- sh -c '
		if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
		   [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
			umount /sys/fs/cgroup/unified || exit 125
		fi
		t=$0 r=$1; shift
		exec timeout "$t" crun --root "$r" "$@"' "$E2E_RUNTIME_TIMEOUT" "$E2E_WORK/state/crun" "$@"
}

runc_cmd() { timeout "$E2E_RUNTIME_TIMEOUT" runc --root "$E2E_WORK/state/runc" "$@"; }

engine_available() { # ENGINE -> 0 or prints why not
	command -v "$1" >/dev/null 2>&1 || { echo "$1 is not installed"; return 1; }
	return 0
}

# run_container ENGINE BUNDLE ID: sets RC, and RUN_OUT / RUN_ERR (files). Captures the syslog
# lines that arrived meanwhile into $E2E_NEW_LOG.
run_container() {
	local engine=$1 b=$2 id=$3
	RUN_OUT=$E2E_WORK/out/$id.out
	RUN_ERR=$E2E_WORK/out/$id.err
	log_begin
	case $engine in
	runc) runc_cmd run --bundle "$b" "$id" </dev/null >"$RUN_OUT" 2>"$RUN_ERR" ;;
	crun) crun_cmd run --bundle "$b" "$id" </dev/null >"$RUN_OUT" 2>"$RUN_ERR" ;;
	*) echo "unknown engine $engine" >"$RUN_ERR"; false ;;
	esac
	RC=$?
	log_end
	[ "$RC" -ne 124 ] || fail "$engine run $id timed out after ${E2E_RUNTIME_TIMEOUT}s"
}

# run_hook STATE_FILE POLICY [extra hook args]: run `ocigate hook` directly, stdin from STATE_FILE
# (or "-" to inherit). Sets RC, RUN_OUT, RUN_ERR, $E2E_NEW_LOG.
run_hook() {
	local state=$1 policy=$2
	shift 2
	E2E_CID_SEQ=$((E2E_CID_SEQ + 1))
	RUN_OUT=$E2E_WORK/out/hook-$E2E_CID_SEQ.out
	RUN_ERR=$E2E_WORK/out/hook-$E2E_CID_SEQ.err
	log_begin
	if [ "$state" = - ]; then
		timeout "$E2E_HOOK_TIMEOUT" "$OCIGATE_BIN" hook --policy "$policy" "$@" >"$RUN_OUT" 2>"$RUN_ERR"
	else
		timeout "$E2E_HOOK_TIMEOUT" "$OCIGATE_BIN" hook --policy "$policy" "$@" <"$state" >"$RUN_OUT" 2>"$RUN_ERR"
	fi
	RC=$?
	log_end
	[ "$RC" -ne 124 ] || fail "ocigate hook hung (killed after ${E2E_HOOK_TIMEOUT}s)"
}

# run_ocigate ARGS...: any subcommand, sets RC, RUN_OUT, RUN_ERR (no syslog capture).
run_ocigate() {
	E2E_CID_SEQ=$((E2E_CID_SEQ + 1))
	RUN_OUT=$E2E_WORK/out/cmd-$E2E_CID_SEQ.out
	RUN_ERR=$E2E_WORK/out/cmd-$E2E_CID_SEQ.err
	E2E_NEW_LOG=
	timeout "$E2E_HOOK_TIMEOUT" "$OCIGATE_BIN" "$@" </dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
	[ "$RC" -ne 124 ] || fail "ocigate $1 hung"
}

# state_json ID BUNDLE [STATUS] -> an OCI state document as runc writes it
state_json() {
	jq -cn --arg id "$1" --arg b "$2" --arg st "${3:-creating}" --argjson pid $$ \
		'{"ociVersion":"1.0.2-dev","id":$id,"status":$st,"pid":$pid,"bundle":$b}'
}

# ---------------------------------------------------------------- assertions

assert_rc() { # N
	[ "$RC" -eq "$1" ] || fail "exit code $RC, expected $1"
}
assert_rc_nonzero() {
	[ "$RC" -ne 0 ] || fail "exit code 0, expected a refusal (non-zero)"
}
assert_out_contains() { grep -qF -- "$1" "$RUN_OUT" || fail "stdout lacks '$1'"; }
assert_out_lacks() { ! grep -qF -- "$1" "$RUN_OUT" || fail "stdout unexpectedly has '$1'"; }
assert_err_matches() { # ERE (case-insensitive)
	grep -qiE -- "$1" "$RUN_ERR" || fail "stderr does not match /$1/"
}
assert_err_nonempty() { [ -s "$RUN_ERR" ] || fail "nothing on stderr"; }

# assert_nothing_left ENGINE ID: no runtime state, no listed container, no cgroup.
assert_nothing_left() {
	local engine=$1 id=$2 listed cg
	[ ! -e "$E2E_WORK/state/$engine/$id" ] || fail "$engine state dir for $id left behind"
	case $engine in
	runc) listed=$(runc_cmd list -q 2>/dev/null) ;;
	crun) listed=$(crun_cmd list -q 2>/dev/null) ;;
	esac
	! printf '%s\n' "$listed" | grep -xF "$id" >/dev/null || fail "$engine list still shows $id"
	cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "*$id*" 2>/dev/null | head -n 3 | tr "\n" " ")
	[ -z "$cg" ] || fail "cgroup left behind: $cg"
}
