#!/bin/bash
# Bad input, fed to `ocigate hook` directly (as a runtime would run it): malformed or hostile OCI
# state on stdin, malformed or hostile bundles and config.json, broken policies. Each must be
# refused (non-zero exit, no crash, no hang), explained on stderr, and logged to syslog.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"

IN=$E2E_WORK/input
GOOD=$(new_bundle good)
GOOD_ID=$(new_id good)

# Refused cleanly: exit 1..127 (not 0, not killed by a signal, not the timeout), an explanation on
# stderr matching ERE, a syslog line that is an error or a denial, and no raw control bytes.
assert_refused_cleanly() { # ERE
	if [ "$RC" -eq 0 ]; then
		fail "exit code 0: the bad input was allowed"
	elif [ "$RC" -ge 124 ]; then
		fail "exit code $RC: crashed, killed or hung"
	fi
	assert_err_nonempty
	assert_err_matches "$1"
	log_hook_msgs | grep -E '^(error|decision=deny) ' >/dev/null || fail "no syslog error/deny line from ocigate"
	assert_log_clean
}

# state_file NAME CONTENT -> path
state_file() {
	printf '%s' "$2" >"$IN/$1.json"
	echo "$IN/$1.json"
}

# hook_case DESC ERE STATE_FILE [POLICY]
hook_case() {
	t_begin "hook refuses: $1"
	run_hook "$3" "${4:-$POLICY_RESTRICTED}"
	assert_refused_cleanly "$2"
	t_end
}

# config_case DESC ERE CONFIG_CONTENT: a bundle whose config.json is exactly CONFIG_CONTENT.
config_case() {
	local b id
	b=$(new_bundle "cfg-$1")
	printf '%s' "$3" >"$b/config.json"
	id=$(new_id "cfg")
	hook_case "config.json: $1" "$2" "$(state_file "st-$id" "$(state_json "$id" "$b")")"
}

# good_config_with JQ_FILTER -> the hardened config.json, edited (compact)
good_config_with() { jq -c "$@" "$GOOD/config.json"; }

# --- sanity: the same harness allows a good container (so the refusals below mean something) ---
t_begin "hook allows a hardened bundle with runc's state"
run_hook "$(state_file good-runc "$(state_json "$GOOD_ID" "$GOOD")")" "$POLICY_RESTRICTED"
assert_rc 0
assert_decision allow "$GOOD_ID"
t_end

t_begin "hook allows a hardened bundle with crun's state variant (ociVersion 1.0, root, created, pid 0)"
run_hook "$(state_file good-crun "$(jq -cn --arg id "$GOOD_ID" --arg b "$GOOD" --arg r "$E2E_WORK/state/crun" \
	'{"ociVersion":"1.0","id":$id,"pid":0,"root":$r,"bundle":$b,"status":"created"}')")" "$POLICY_RESTRICTED"
assert_rc 0
assert_decision allow "$GOOD_ID"
t_end

# --- OCI state on stdin ---
big=$IN/big-state.json
{ printf '{"ociVersion":"1.0.2-dev","id":"big","status":"creating","pid":1,"bundle":"%s","annotations":{"pad":"' "$GOOD"
  head -c $((8 * 1024 * 1024)) /dev/zero | tr '\0' A
  printf '"}}'; } >"$big"
hook_case "oversized state on stdin (8 MiB)" 'larger|limit|too (large|big|long)|exceed' "$big"

t_begin "hook refuses: stdin that never ends (no EOF) within its deadline"
fifo=$IN/never-ending.fifo
mkfifo "$fifo"
sleep 120 >"$fifo" &
holder=$!
start=$(date +%s)
run_hook "$fifo" "$POLICY_RESTRICTED"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
assert_refused_cleanly 'within|timeout|timed out|deadline|end of input'
[ $(($(date +%s) - start)) -le 15 ] || fail "took more than 15 s to give up"
t_end

hook_case "empty stdin" 'state|empty|JSON|input' "$(state_file empty '')"
hook_case "stdin is not JSON" 'state|JSON' "$(state_file notjson 'hello, world')"
hook_case "state is a JSON array" 'state|object|array' "$(state_file array '[]')"
hook_case "deeply nested state (100000 levels)" 'state|JSON|nest|depth' \
	"$(state_file deep "$(printf '%*s' 100000 '' | tr ' ' '[')")"
hook_case "deeply nested object inside the state" 'state|JSON|nest|depth|annotations' \
	"$(state_file deep2 "{\"id\":\"x\",\"bundle\":\"$GOOD\",\"annotations\":$(printf '%*s' 5000 '' | sed 's/ /{"a":/g')1$(printf '%*s' 5000 '' | tr ' ' '}')}")"
hook_case "duplicate keys in the state (bundle twice)" 'duplicate|state' \
	"$(state_file dupstate "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"dup\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"$GOOD\",\"bundle\":\"/\"}")"
hook_case "state.id is a number" 'id|string|number|integer' \
	"$(state_file idnum "{\"ociVersion\":\"1.0.2-dev\",\"id\":42,\"status\":\"creating\",\"pid\":1,\"bundle\":\"$GOOD\"}")"
hook_case "state.bundle is an object" 'bundle|string|object' \
	"$(state_file bundleobj '{"ociVersion":"1.0.2-dev","id":"x","status":"creating","pid":1,"bundle":{"path":"/"}}')"
hook_case "state without bundle" 'bundle' \
	"$(state_file nobundle '{"ociVersion":"1.0.2-dev","id":"x","status":"creating","pid":1}')"
hook_case "state without id" 'id' \
	"$(state_file noid "{\"ociVersion\":\"1.0.2-dev\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"$GOOD\"}")"
hook_case "invalid UTF-8 in state.id" 'UTF|JSON|invalid|state' \
	"$(state_file badutf8 "$(printf '{"ociVersion":"1.0.2-dev","id":"a\377\376b","status":"creating","pid":1,"bundle":"%s"}' "$GOOD")")"
hook_case "relative bundle path" 'absolute|relative|bundle' \
	"$(state_file relbundle '{"ociVersion":"1.0.2-dev","id":"rel","status":"creating","pid":1,"bundle":"bundles/good"}')"
hook_case "bundle path that does not exist" 'bundle|No such file|not exist|config' \
	"$(state_file nobundledir "$(state_json missing "$E2E_WORK/no/such/bundle")")"

t_begin "hook keeps control characters in state.id out of the log"
run_hook "$(state_file ctlid "$(jq -cn --arg b "$GOOD" '{"ociVersion":"1.0.2-dev","id":"evil\nid\u001b[31m","status":"creating","pid":1,"bundle":$b}')")" "$POLICY_RESTRICTED"
[ "$RC" -lt 124 ] || fail "exit code $RC: crashed or hung"
assert_log_contains 'ocigate(\[[0-9]+\])?: ' "nothing logged"
assert_log_clean
t_end

# --- bundle and config.json ---
b=$(new_bundle cfg-symlink)
mv "$b/config.json" "$b/real-config.json"
ln -s real-config.json "$b/config.json"
hook_case "config.json is a symbolic link" 'symbolic link|symlink|link' "$(state_file cfgsym "$(state_json cfgsym "$b")")"

b=$(new_bundle cfg-dir)
rm "$b/config.json"
mkdir "$b/config.json"
hook_case "config.json is a directory" 'directory|regular file' "$(state_file cfgdir "$(state_json cfgdir "$b")")"

b=$(new_bundle cfg-missing)
rm "$b/config.json"
hook_case "config.json is missing" 'config.json|No such file' "$(state_file cfgmissing "$(state_json cfgmissing "$b")")"

b=$(new_bundle cfg-big)
python3 - "$GOOD/config.json" "$b/config.json" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["annotations"] = {"pad": "A" * (16 * 1024 * 1024)}
json.dump(cfg, open(sys.argv[2], "w"))
EOF
hook_case "oversized config.json (16 MiB)" 'larger|limit|too (large|big)|exceed' "$(state_file cfgbig "$(state_json cfgbig "$b")")"

config_case "deep nesting (100000 levels)" 'config|JSON|nest|depth' \
	"{\"ociVersion\":\"1.0.2\",\"annotations\":$(printf '%*s' 100000 '' | tr ' ' '[')"
config_case "duplicate keys: readonly true then false" 'duplicate' \
	"$(good_config_with '.root.readonly = "@@RO@@"' | sed 's/"readonly":"@@RO@@"/"readonly":true,"readonly":false/')"
config_case "duplicate keys: readonly false then true" 'duplicate' \
	"$(good_config_with '.root.readonly = "@@RO@@"' | sed 's/"readonly":"@@RO@@"/"readonly":false,"readonly":true/')"
config_case "duplicate keys: a second process object" 'duplicate' \
	"$(good_config_with '.' | sed 's/^{/{"process":{"user":{"uid":0,"gid":0},"cwd":"\/"},/')"
config_case "root.readonly is a string" 'readonly|boolean|string' "$(good_config_with '.root.readonly = "true"')"
config_case "capabilities.bounding is a string" 'bounding|array|string|capabilit' \
	"$(good_config_with '.process.capabilities.bounding = "CAP_SYS_ADMIN"')"
config_case "process.user.uid is negative" 'uid|range|negative|integer' "$(good_config_with '.process.user.uid = -1')"
config_case "process.user.uid does not fit 32 bits" 'uid|range|integer|large' "$(good_config_with '.process.user.uid = 4294967296')"
config_case "process.user.uid is a float" 'uid|integer|real|number' "$(good_config_with '.process.user.uid = 1000.5')"
config_case "no root object" 'root' "$(good_config_with 'del(.root)')"
config_case "an empty object" 'root|process|missing|config' '{}'
config_case "not JSON at all" 'config|JSON' 'this is not json'
config_case "invalid UTF-8 in a mount destination" 'UTF|JSON|invalid|config' \
	"$(good_config_with '.mounts[0].destination = "@@BAD@@"' | sed "s/@@BAD@@/$(printf '\377\376')/")"

b=$(new_bundle cfg-escape)
mkdir -p "$E2E_WORK/bundles/outside-rootfs/bin"
cfg_edit "$b" '.root.path = "../outside-rootfs"'
hook_case "root.path escapes the bundle (../)" 'root|escape|outside|bundle|beneath' "$(state_file rootesc "$(state_json rootesc "$b")")"

b=$(new_bundle cfg-abs-root)
cfg_edit "$b" '.root.path = "/"'
hook_case "root.path is the host's /" 'root|host|escape|outside|bundle' "$(state_file rootabs "$(state_json rootabs "$b")")"

b=$(new_bundle cfg-root-symlink)
rm -rf "$b/rootfs"
ln -s / "$b/rootfs"
hook_case "rootfs is a symbolic link to /" 'root|link|host|escape' "$(state_file rootsym "$(state_json rootsym "$b")")"

t_begin "hook refuses: unknown capability name in the config is a violation"
b=$(new_bundle cfg-bogus-cap)
cfg_edit "$b" '.process.capabilities.bounding = ["CAP_BOGUS"] | .process.capabilities.permitted = ["CAP_NOT_A_CAP"]'
id=$(new_id bogus-cap)
run_hook "$(state_file bogcap "$(state_json "$id" "$b")")" "$POLICY_RESTRICTED"
assert_refused_cleanly 'capabilit|CAP_BOGUS'
assert_decision deny "$id" runtime.capabilities
assert_violation "$id" runtime.capabilities deny
assert_log_contains "CAP_BOGUS" "the unknown name is not named in the log"
t_end

t_begin "hook sanitizes hostile strings from the config before logging them"
b=$(new_bundle cfg-hostile)
cfg_edit "$b" '.linux.sysctl = {"kernel.msgmax\nocigate: decision=allow container=\"forged\"\u001b[2J": "1"}'
id=$(new_id hostile)
run_hook "$(state_file hostile "$(state_json "$id" "$b")")" "$POLICY_RESTRICTED"
assert_refused_cleanly 'sysctl|denied|refused|violat|runtime'
assert_decision deny "$id" runtime.sysctls
# The injected text may appear inside the quoted msg (escaped), never as a line of its own.
log_hook_msgs | grep '^decision=allow' >/dev/null && fail "a forged decision=allow line reached the log"
assert_log_contains 'kernel\.msgmax' "the offending sysctl is not named in the log"
t_end

# --- policy ---
pstate=$(state_file pol "$(state_json "$GOOD_ID" "$GOOD")")
hook_case "policy file missing" 'policy|No such file' "$pstate" "$E2E_WORK/policies/none.json"
hook_case "policy with an unknown top-level key" 'unknown key|surprise' "$pstate" \
	"$(write_policy unknown-top '{"version":1,"mode":"enforce","surprise":true,"runtime":{"preset":"restricted"}}')"
hook_case "policy with an unknown key in a rule" 'unknown key|sometimes' "$pstate" \
	"$(write_policy unknown-rule-key '{"version":1,"runtime":{"preset":"restricted","rules":{"readonly-rootfs":{"mode":"enforce","sometimes":1}}}}')"
hook_case "policy with an unknown rule" 'unknown|no-such-rule' "$pstate" \
	"$(write_policy unknown-rule '{"version":1,"runtime":{"preset":"restricted","rules":{"no-such-rule":{}}}}')"
hook_case "policy with an unknown capability name" 'CAP_BOGUS|capabilit' "$pstate" \
	"$(write_policy unknown-cap '{"version":1,"runtime":{"preset":"restricted","rules":{"capabilities":{"allowed":["CAP_BOGUS"]}}}}')"
hook_case "policy with an unknown syscall name" 'syscall|ptracex' "$pstate" \
	"$(write_policy unknown-sys '{"version":1,"runtime":{"preset":"restricted","rules":{"seccomp":{"must_block":["ptracex"]}}}}')"
hook_case "policy with a wrong type (mode is a number)" 'mode|string|expected' "$pstate" \
	"$(write_policy wrong-type '{"version":1,"mode":5,"runtime":{"preset":"restricted"}}')"
hook_case "policy with an unknown version" 'version' "$pstate" \
	"$(write_policy bad-version '{"version":2,"runtime":{"preset":"restricted"}}')"
hook_case "policy with duplicate keys (mode enforce then audit)" 'duplicate' "$pstate" \
	"$(write_policy dup '{"version":1,"mode":"enforce","mode":"audit","runtime":{"preset":"restricted"}}')"
mkdir -p "$E2E_WORK/policies/dir.json"
hook_case "policy path is a directory" 'directory|regular|policy' "$pstate" "$E2E_WORK/policies/dir.json"

# --- on_error ---
POLICY_FAIL_OPEN=$(write_policy fail-open '{"version":1,"mode":"enforce","on_error":"allow","log":{"facility":"auth"},"runtime":{"preset":"restricted"}}')
t_begin "on_error allow: a malformed config.json is allowed, and the error is logged"
b=$(new_bundle fail-open)
printf 'not json' >"$b/config.json"
run_hook "$(state_file failopen "$(state_json fail-open-id "$b")")" "$POLICY_FAIL_OPEN"
assert_rc 0
assert_log_contains 'ocigate(\[[0-9]+\])?: error ' "no error line logged"
t_end

t_begin "on_error allow does not let a violation through"
b=$(new_bundle fail-open-violation)
cfg_edit "$b" '.root.readonly = false'
id=$(new_id fail-open-violation)
run_hook "$(state_file failopen2 "$(state_json "$id" "$b")")" "$POLICY_FAIL_OPEN"
assert_rc_nonzero
assert_decision deny "$id" runtime.readonly-rootfs
t_end

t_begin "hook refuses: unknown command-line option"
run_hook "$pstate" "$POLICY_RESTRICTED" --no-such-option
[ "$RC" -ne 0 ] && [ "$RC" -lt 124 ] || fail "exit code $RC, expected a usage error"
assert_err_nonempty
t_end
