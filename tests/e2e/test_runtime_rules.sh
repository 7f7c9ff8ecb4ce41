#!/bin/bash
# Runtime rules end to end: real runc and crun start busybox bundles with ocigate registered as a
# createRuntime hook. A hardened bundle runs; each violation class is refused by the runtime and
# leaves nothing behind; audit mode, per-rule modes, presets and exemptions behave as documented.
# Every case asserts on the syslog lines the hook actually sent to /dev/log.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"

GREETING="hello from a hardened container"
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL",
"CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST",
"CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO",
"CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE",
"CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE",
"CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM",
"CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF","CAP_CHECKPOINT_RESTORE"]'
HARMLESS_SRC=$E2E_WORK/harmless-src
mkdir -p "$HARMLESS_SRC"
# A persistent network namespace that is not the host's (bind-mounted in our private mount ns).
PRIVATE_NETNS=$E2E_WORK/netns
: >"$PRIVATE_NETNS"
unshare --net="$PRIVATE_NETNS" true || e2e_note "could not create a private network namespace"

# case_allowed ENGINE NAME POLICY JQ_FILTER [jq args...]: the container runs, prints its greeting,
# the hook logs decision=allow with no violation, and the runtime cleans up.
case_allowed() {
	local engine=$1 name=$2 policy=$3 filter=$4 b id
	shift 4
	t_begin "$engine: allowed: $name"
	b=$(new_bundle "$engine-$name" "$policy") || fail "bundle setup failed"
	cfg_edit "$b" "$filter" "$@"
	id=$(new_id "$name")
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_decision allow "$id"
	assert_log_contains "decision=allow container=\"$(re_quote "$id")\" stage=\"createRuntime\"" \
		"decision line lacks stage=\"createRuntime\""
	assert_log_not_contains "violation container=\"$(re_quote "$id")\"" "a violation was logged for an allowed container"
	assert_log_clean
	assert_nothing_left "$engine" "$id"
	t_end
}

# case_denied ENGINE NAME JQ_FILTER RULE... : the runtime refuses the container (the process never
# runs), the decision line lists every RULE, one violation line per RULE, nothing is left behind.
case_denied() {
	local engine=$1 name=$2 filter=$3 b id r
	shift 3
	t_begin "$engine: refused: $name (${*})"
	b=$(new_bundle "$engine-$name") || fail "bundle setup failed"
	cfg_edit "$b" "$filter" --argjson allcaps "$ALL_CAPS" --arg harmless "$HARMLESS_SRC" \
		--arg hostnet "/proc/$$/ns/net"
	id=$(new_id "$name")
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_out_lacks "$GREETING"
	assert_decision deny "$id" "$@"
	assert_log_contains "decision=deny container=\"$(re_quote "$id")\" stage=\"createRuntime\" .*mode=enforce" \
		"decision line lacks stage=\"createRuntime\" ... mode=enforce"
	for r in "$@"; do assert_violation "$id" "$r" deny; done
	if [ "$engine" = runc ]; then
		# runc shows the hook's stderr to the user; crun throws it away (engines.md).
		assert_err_matches "error running hook"
		assert_err_matches "ocigate"
		assert_err_matches "$(re_quote "$1")"
	fi
	assert_log_clean
	assert_nothing_left "$engine" "$id"
	t_end
}

run_engine() {
	local engine=$1 why
	if ! why=$(engine_available "$engine"); then
		t_skip "$engine: every runtime rule case" "$why"
		return
	fi

	# --- allowed ---
	case_allowed "$engine" "hardened baseline" "$POLICY_RESTRICTED" '.'
	case_allowed "$engine" "harmless read-only bind mount" "$POLICY_RESTRICTED" \
		'.mounts += [{"destination": "/data", "type": "bind", "source": $src, "options": ["rbind", "ro", "rprivate"]}]' \
		--arg src "$HARMLESS_SRC"
	case_allowed "$engine" "CAP_NET_BIND_SERVICE (the one restricted allows)" "$POLICY_RESTRICTED" \
		'.process.capabilities.bounding = ["CAP_NET_BIND_SERVICE"]'
	case_allowed "$engine" "baseline preset lets uid 0 run" "$POLICY_BASELINE" '.process.user = {"uid": 0, "gid": 0}'
	# A network namespace of its own, joined by path (as Kubernetes pod containers do).
	case_allowed "$engine" "joins a non-host network namespace by path" "$POLICY_RESTRICTED" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$PRIVATE_NETNS"
	case_allowed "$engine" "allowed sysctl net.ipv4.ping_group_range" "$POLICY_RESTRICTED" \
		'.linux.sysctl = {"net.ipv4.ping_group_range": "1000 1000"}'

	# Legacy prestart registration, --stage names the stage in the log.
	t_begin "$engine: allowed: registered as a legacy prestart hook, stage logged"
	local b id
	b=$(new_bundle "$engine-prestart" "$POLICY_RESTRICTED" prestart)
	id=$(new_id prestart)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_log_contains "decision=allow container=\"$(re_quote "$id")\" stage=\"prestart\""
	assert_nothing_left "$engine" "$id"
	t_end

	# The decision goes out with the policy's facility (auth = 4: PRI 32..39).
	t_begin "$engine: syslog facility follows the policy (auth)"
	b=$(new_bundle "$engine-facility")
	id=$(new_id facility)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	log_hook_lines | grep -E "decision=allow container=\"$(re_quote "$id")\"" | grep -E '^<3[2-9]>' >/dev/null ||
		fail "decision line does not carry facility auth (<32>..<39>)"
	t_end

	# --- refused, one violation class each ---
	case_denied "$engine" "writable root filesystem" '.root.readonly = false' runtime.readonly-rootfs
	case_denied "$engine" "CAP_SYS_ADMIN added" \
		'.process.capabilities |= with_entries(if .key == "ambient" then . else .value += ["CAP_SYS_ADMIN"] end)' \
		runtime.capabilities
	case_denied "$engine" "noNewPrivileges false" '.process.noNewPrivileges = false' runtime.no-new-privileges
	case_denied "$engine" "no seccomp profile" 'del(.linux.seccomp)' runtime.seccomp
	case_denied "$engine" "seccomp allows by default" '.linux.seccomp.defaultAction = "SCMP_ACT_ALLOW"' runtime.seccomp
	case_denied "$engine" "seccomp allows bpf (must_block)" '.linux.seccomp.syscalls[0].names += ["bpf"]' runtime.seccomp
	case_denied "$engine" "host network (no network namespace)" \
		'.linux.namespaces |= map(select(.type != "network"))' runtime.host-namespaces
	# /proc/<test shell>/ns/net is the host's network namespace under another name.
	case_denied "$engine" "host network namespace joined by path" \
		'.linux.namespaces |= map(if .type == "network" then .path = $hostnet else . end)' \
		runtime.host-namespaces
	case_denied "$engine" "bind mount of /etc" \
		'.mounts += [{"destination": "/host-etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]}]' \
		runtime.mounts
	case_denied "$engine" "bind mount of /" \
		'.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind", "ro"]}]' \
		runtime.mounts
	case_denied "$engine" "bind mount of /run (holds engine sockets)" \
		'.mounts += [{"destination": "/host-run", "type": "bind", "source": "/run", "options": ["rbind", "ro"]}]' \
		runtime.mounts
	case_denied "$engine" "shared mount propagation" \
		'.mounts += [{"destination": "/data", "type": "bind", "source": $harmless, "options": ["rbind", "ro", "rshared"]}]' \
		runtime.mounts
	case_denied "$engine" "shared rootfs propagation" '.linux.rootfsPropagation = "shared"' runtime.mounts
	case_denied "$engine" "uid 0 under restricted" '.process.user = {"uid": 0, "gid": 0}' runtime.user
	case_denied "$engine" "masked paths removed" '.linux.maskedPaths = []' runtime.masked-paths
	case_denied "$engine" "sysctl outside the allowed set" '.linux.sysctl = {"kernel.msgmax": "65536"}' runtime.sysctls
	case_denied "$engine" "privileged-like (all caps, nothing masked, writable /sys)" '
		.process.capabilities = {"bounding": $allcaps, "effective": $allcaps, "permitted": $allcaps,
		                         "inheritable": $allcaps, "ambient": $allcaps}
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .mounts |= map(if .destination == "/sys" then .options -= ["ro"] else . end)' \
		runtime.privileged runtime.capabilities runtime.masked-paths
	case_denied "$engine" "several at once (writable rootfs + CAP_SYS_ADMIN + no seccomp)" \
		'.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | del(.linux.seccomp)' \
		runtime.readonly-rootfs runtime.capabilities runtime.seccomp

	# --- fail closed through the runtime ---
	t_begin "$engine: refused when the policy file is missing (on_error deny by default)"
	b=$(new_bundle "$engine-no-policy" "$E2E_WORK/policies/does-not-exist.json")
	id=$(new_id no-policy)
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_out_lacks "$GREETING"
	log_hook_msgs | grep -E '^error .*does-not-exist' >/dev/null || fail "no 'error' syslog line naming the missing policy"
	assert_nothing_left "$engine" "$id"
	t_end

	t_begin "$engine: refused when config.json changes into garbage after the runtime read it"
	b=$(new_bundle "$engine-garbage")
	# The runtime parsed config.json before any hook runs; ocigate re-reads it and must fail
	# closed on what it finds. A createRuntime hook placed before ocigate (run with the bundle
	# as working directory) replaces it with garbage.
	cfg_edit "$b" '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "printf garbage > config.json"]}] + .hooks.createRuntime'
	id=$(new_id garbage)
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_out_lacks "$GREETING"
	log_hook_msgs | grep -E '^(error|decision=deny) ' >/dev/null || fail "no error/deny syslog line"
	assert_nothing_left "$engine" "$id"
	t_end

	# --- modes ---
	t_begin "$engine: audit mode lets a violating container run and logs decision=audit"
	b=$(new_bundle "$engine-audit" "$POLICY_AUDIT")
	cfg_edit "$b" '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	id=$(new_id audit)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_decision audit "$id" runtime.readonly-rootfs runtime.capabilities
	assert_log_contains "decision=audit container=\"$(re_quote "$id")\" .*mode=audit" \
		"audit decision line lacks mode=audit"
	assert_violation "$id" runtime.readonly-rootfs audit
	assert_violation "$id" runtime.capabilities audit
	assert_log_not_contains "decision=deny container=\"$(re_quote "$id")\""
	assert_nothing_left "$engine" "$id"
	t_end

	local pol
	pol=$(write_policy "$engine-rule-audit" '{"version":1,"mode":"enforce","log":{"facility":"auth"},
	  "runtime":{"preset":"restricted","rules":{"readonly-rootfs":{"mode":"audit"}}}}')
	t_begin "$engine: per-rule audit: writable rootfs runs, violation logged as audit"
	b=$(new_bundle "$engine-rule-audit" "$pol")
	cfg_edit "$b" '.root.readonly = false'
	id=$(new_id rule-audit)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_log_contains "decision=(audit|allow) container=\"$(re_quote "$id")\""
	assert_violation "$id" runtime.readonly-rootfs audit
	assert_nothing_left "$engine" "$id"
	t_end

	t_begin "$engine: per-rule audit does not weaken other rules (CAP_SYS_ADMIN still refused)"
	b=$(new_bundle "$engine-rule-audit2" "$pol")
	cfg_edit "$b" '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	id=$(new_id rule-audit2)
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_out_lacks "$GREETING"
	assert_decision deny "$id" runtime.capabilities
	assert_violation "$id" runtime.capabilities deny
	assert_violation "$id" runtime.readonly-rootfs audit
	assert_nothing_left "$engine" "$id"
	t_end

	pol=$(write_policy "$engine-rule-off" '{"version":1,"mode":"enforce","log":{"facility":"auth"},
	  "runtime":{"preset":"restricted","rules":{"readonly-rootfs":{"mode":"off"}}}}')
	t_begin "$engine: rule turned off: writable rootfs allowed, no violation logged"
	b=$(new_bundle "$engine-rule-off" "$pol")
	cfg_edit "$b" '.root.readonly = false'
	id=$(new_id rule-off)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_decision allow "$id"
	assert_log_not_contains "rule=runtime.readonly-rootfs"
	t_end

	# --- exemptions: only engine-set annotations (io.kubernetes.cri.*) identify the namespace ---
	pol=$(write_policy "$engine-exempt" '{"version":1,"mode":"enforce","log":{"facility":"auth"},
	  "runtime":{"preset":"restricted"},
	  "exemptions":[{"rules":["runtime.readonly-rootfs"],"namespaces":["kube-system"]}]}')
	t_begin "$engine: exemption by engine-set namespace annotation lets kube-system run"
	b=$(new_bundle "$engine-exempt" "$pol")
	cfg_edit "$b" '.root.readonly = false | .annotations = {"io.kubernetes.cri.sandbox-namespace": "kube-system"}'
	id=$(new_id exempt)
	run_container "$engine" "$b" "$id"
	assert_rc 0
	assert_out_contains "$GREETING"
	assert_log_contains "decision=allow container=\"$(re_quote "$id")\""
	assert_violation "$id" runtime.readonly-rootfs exempt
	assert_nothing_left "$engine" "$id"
	t_end

	t_begin "$engine: exemption does not cover another namespace or other rules"
	b=$(new_bundle "$engine-exempt2" "$pol")
	cfg_edit "$b" '.root.readonly = false | .annotations = {"io.kubernetes.cri.sandbox-namespace": "default"}'
	id=$(new_id exempt-other-ns)
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_decision deny "$id" runtime.readonly-rootfs
	local id2
	b=$(new_bundle "$engine-exempt3" "$pol")
	cfg_edit "$b" '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .annotations = {"io.kubernetes.cri.sandbox-namespace": "kube-system"}'
	id2=$(new_id exempt-other-rule)
	run_container "$engine" "$b" "$id2"
	assert_rc_nonzero
	assert_decision deny "$id2" runtime.capabilities
	assert_nothing_left "$engine" "$id"
	assert_nothing_left "$engine" "$id2"
	t_end

	t_begin "$engine: a pod-settable annotation cannot claim an exempt namespace"
	b=$(new_bundle "$engine-exempt4" "$pol")
	cfg_edit "$b" '.root.readonly = false | .annotations = {"io.kubernetes.pod.namespace": "kube-system",
		"namespace": "kube-system"}'
	id=$(new_id exempt-forged)
	run_container "$engine" "$b" "$id"
	assert_rc_nonzero
	assert_decision deny "$id" runtime.readonly-rootfs
	assert_nothing_left "$engine" "$id"
	t_end
}

# Several containers at once: one decision line each, none lost or merged.
parallel_starts() {
	local engine=$1 n=5 i b ids=() pids=()
	t_begin "$engine: $n containers started in parallel each get their own decision"
	log_begin
	for i in $(seq $n); do
		b=$(new_bundle "$engine-par-$i")
		[ $((i % 2)) -eq 0 ] && cfg_edit "$b" '.root.readonly = false'
		ids[i]=$(new_id "par-$i")
		case $engine in
		runc) runc_cmd run --bundle "$b" "${ids[i]}" </dev/null >"$E2E_WORK/out/${ids[i]}.out" 2>&1 & ;;
		crun) crun_cmd run --bundle "$b" "${ids[i]}" </dev/null >"$E2E_WORK/out/${ids[i]}.out" 2>&1 & ;;
		esac
		pids[i]=$!
	done
	for i in $(seq $n); do
		wait "${pids[i]}"
		rc=$?
		if [ $((i % 2)) -eq 0 ]; then
			[ "$rc" -ne 0 ] || fail "${ids[i]} (writable rootfs) was not refused"
		else
			[ "$rc" -eq 0 ] || fail "${ids[i]} (hardened) exited $rc"
		fi
	done
	log_end
	for i in $(seq $n); do
		if [ $((i % 2)) -eq 0 ]; then
			assert_decision deny "${ids[i]}" runtime.readonly-rootfs
		else
			assert_decision allow "${ids[i]}"
		fi
		assert_nothing_left "$engine" "${ids[i]}"
	done
	[ "$(log_hook_msgs | grep -c '^decision=')" -eq $n ] || fail "expected exactly $n decision lines"
	assert_log_clean
	t_end
}

run_engine runc
run_engine crun
for engine in runc crun; do
	if engine_available "$engine" >/dev/null; then parallel_starts "$engine"; else t_skip "$engine: parallel starts" "$engine is not installed"; fi
done
