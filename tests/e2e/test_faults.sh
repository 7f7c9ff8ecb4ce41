#!/bin/bash
# Fault injection: `ocigate hook --stage createRuntime` run directly (OCI state on stdin, a hardened
# bundle), as a runtime runs it, while the files and peers it depends on misbehave: the policy,
# the signed trust store and its signature file, the scan verdict cache and the rollback /
# verification state vanish, are truncated, are symlinks to elsewhere, are FIFOs or directories,
# are rewritten in place while the hook reads them, or sit on a full filesystem; a containerd
# socket accepts and never answers; stdin never closes; the whole-run deadline passes.
# Every case asserts a PROMPT refusal (exit 1, measured wall time well under the deadline), a clear
# message on stderr, and the syslog lines the hook really sent: `error ... msg="<what was wrong>"`
# plus `decision=deny ... rules="error"`, or the rule the fault is reported under (trust.store,
# scan.verdict, image.identity), or the emergency deadline line.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
if [ -n "$IMG_NEED" ]; then # not a reason to skip: the test environment is incomplete
	t_begin "prerequisites"
	fail "missing commands: $IMG_NEED (run packaging/install-deps.sh)"
	t_end
	exit 1
fi

IN=$E2E_WORK/input
FUTURE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Slack over a deadline for process start, syslog and a loaded CI machine.
SLACK_MS=1000
# The default timeout_ms of a policy that sets none.
DEFAULT_DEADLINE_MS=2000

now_ms() { date +%s%3N; }

# fhook STATE_FILE|- POLICY: run `ocigate hook --policy POLICY --stage createRuntime`, timed (wall
# clock of the hook process alone, in ELAPSED_MS). Sets RC, RUN_OUT, RUN_ERR and $E2E_NEW_LOG like
# run_hook. "-" inherits stdin (the caller redirects it).
fhook() {
	local state=$1 policy=$2 t0 t1
	E2E_CID_SEQ=$((E2E_CID_SEQ + 1))
	RUN_OUT=$E2E_WORK/out/fault-$E2E_CID_SEQ.out
	RUN_ERR=$E2E_WORK/out/fault-$E2E_CID_SEQ.err
	log_begin
	t0=$(now_ms)
	if [ "$state" = - ]; then
		timeout "$E2E_HOOK_TIMEOUT" "$OCIGATE_BIN" hook --policy "$policy" --stage createRuntime \
			>"$RUN_OUT" 2>"$RUN_ERR"
	else
		timeout "$E2E_HOOK_TIMEOUT" "$OCIGATE_BIN" hook --policy "$policy" --stage createRuntime \
			<"$state" >"$RUN_OUT" 2>"$RUN_ERR"
	fi
	RC=$?
	t1=$(now_ms)
	ELAPSED_MS=$((t1 - t0))
	log_end
	[ "$RC" -ne 124 ] || fail "ocigate hook hung (killed after ${E2E_HOOK_TIMEOUT}s)"
}

# assert_prompt_deny MAX_MS: refused with exit 1 (not allowed, not a crash or signal), within MAX_MS.
assert_prompt_deny() {
	if [ "$RC" -eq 0 ]; then
		fail "exit code 0: the fault was ALLOWED"
	elif [ "$RC" -ne 1 ]; then
		fail "exit code $RC: expected 1 (a clean deny), not a crash, signal or usage error"
	fi
	[ "$ELAPSED_MS" -le "$1" ] || fail "took ${ELAPSED_MS} ms to refuse, more than $1 ms"
	assert_log_clean
}

# assert_allowed ID: exit 0 and decision=allow for ID.
assert_allowed() {
	assert_rc 0
	assert_decision allow "$1"
	assert_log_clean
}

# assert_error_deny ID ERE: an operational error: stderr says why, syslog has
# `error container="ID" stage="createRuntime" msg="...ERE..."` and `decision=deny ... rules="error"`.
assert_error_deny() {
	local id=$1 ere=$2 q
	q=$(re_quote "$id")
	grep -qiE -- "container start refused: .*$ere" "$RUN_ERR" ||
		fail "stderr does not say 'container start refused: .../$ere/'"
	log_hook_msgs | grep -qiE -- "^error container=\"$q\" stage=\"createRuntime\" msg=\".*$ere" ||
		fail "no syslog line 'error container=\"$id\" stage=\"createRuntime\" msg=\".../$ere/'"
	log_hook_msgs | grep -qE -- "^decision=deny container=\"$q\" stage=\"createRuntime\" .*rules=\"error\"" ||
		fail "no syslog line 'decision=deny container=\"$id\" ... rules=\"error\"'"
	assert_log_not_contains '(^|: )decision=allow' "an allow decision was logged"
}

# assert_finding_deny ID RULE ERE: reported as a finding: the decision lists RULE, the violation
# line for RULE has action=deny and a message matching ERE, stderr names RULE.
assert_finding_deny() {
	local id=$1 rule=$2 ere=$3
	assert_decision deny "$id" "$rule"
	assert_violation "$id" "$rule" deny
	assert_violation_msg "$id" "$rule" "$ere"
	grep -qE -- "container start refused \(([^)]*,)?$(re_quote "$rule")[,)]" "$RUN_ERR" ||
		fail "stderr does not name rule $rule"
	assert_log_not_contains '(^|: )decision=allow' "an allow decision was logged"
}

# fstate NAME ID BUNDLE -> a state file for container ID in BUNDLE
fstate() {
	state_json "$2" "$3" >"$IN/$1.json"
	echo "$IN/$1.json"
}

no_tmp_left() { # DIR...: no temporary file of an atomic write was left behind
	local left
	left=$(find "$@" -name '*.tmp.*' 2>/dev/null | head -n 5 | tr '\n' ' ')
	[ -z "$left" ] || fail "temporary files left behind: $left"
}

# ================================================================ the policy file

GOOD=$(new_bundle good)
POL_GOOD_TEXT=$(cat "$POLICY_RESTRICTED")

t_begin "sanity: the fault harness allows a hardened bundle under a good policy"
id=$(new_id sanity)
fhook "$(fstate sanity "$id" "$GOOD")" "$POLICY_RESTRICTED"
assert_allowed "$id"
t_end

# policy_case DESC ERE POLICY_PATH: refused with an error naming the policy.
policy_case() {
	t_begin "policy $1: prompt deny, error logged"
	local id
	id=$(new_id "pol")
	fhook "$(fstate "pol-$id" "$id" "$GOOD")" "$3"
	assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
	# With no policy the hook still glances at the state, so the error line names the container.
	assert_error_deny "$id" "policy.*$2"
	t_end
}

PDIR=$E2E_WORK/policies
policy_case "file missing" "No such file" "$PDIR/missing.json"

printf '%s' "$POL_GOOD_TEXT" | head -c $((${#POL_GOOD_TEXT} / 2)) >"$PDIR/truncated.json"
policy_case "truncated mid-JSON" "(JSON|end of|unexpected|parse)" "$PDIR/truncated.json"

: >"$PDIR/empty.json"
policy_case "truncated to 0 bytes" "(JSON|empty|end of|unexpected|parse)" "$PDIR/empty.json"

mkdir -p "$PDIR/dir.json"
policy_case "is a directory in place of the file" "directory" "$PDIR/dir.json"

mkfifo "$PDIR/fifo.json"
policy_case "is a FIFO with no writer (must not block on open)" "not a regular file" "$PDIR/fifo.json"

mkfifo "$PDIR/fifo-held.json"
sleep 60 >"$PDIR/fifo-held.json" &
fifo_holder=$!
policy_case "is a FIFO held open by a writer that never writes" "not a regular file" "$PDIR/fifo-held.json"
kill "$fifo_holder" 2>/dev/null
wait "$fifo_holder" 2>/dev/null

mkdir -p "$E2E_WORK/elsewhere"
cp "$POLICY_RESTRICTED" "$E2E_WORK/elsewhere/policy.json"
ln -s "$E2E_WORK/elsewhere/policy.json" "$PDIR/symlink.json"
policy_case "is a symlink to an otherwise valid policy elsewhere" "symbolic link" "$PDIR/symlink.json"

# Root bypasses file modes, so chmod 000 alone does not make the policy unreadable to the hook.
# Dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH does: then the open fails with EACCES.
cp "$POLICY_RESTRICTED" "$PDIR/mode000.json"
chmod 000 "$PDIR/mode000.json"
if command -v setpriv >/dev/null 2>&1; then
	t_begin "policy unreadable (mode 000, hook without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH): prompt deny"
	id=$(new_id pol-mode000)
	st=$(fstate pol-mode000 "$id" "$GOOD")
	E2E_CID_SEQ=$((E2E_CID_SEQ + 1))
	RUN_OUT=$E2E_WORK/out/fault-$E2E_CID_SEQ.out RUN_ERR=$E2E_WORK/out/fault-$E2E_CID_SEQ.err
	log_begin
	t0=$(now_ms)
	timeout "$E2E_HOOK_TIMEOUT" setpriv --inh-caps=-dac_override,-dac_read_search \
		--bounding-set=-dac_override,-dac_read_search \
		"$OCIGATE_BIN" hook --policy "$PDIR/mode000.json" --stage createRuntime <"$st" >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	log_end
	assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
	assert_error_deny "$id" "policy.*Permission denied"
	t_end
else
	t_skip "policy unreadable (mode 000, DAC capabilities dropped)" "setpriv not installed"
fi

# The policy rewritten IN PLACE (truncate + write, as `cat new > policy.json` does) while the hook
# runs: a read may see an empty or half-written file. Each run must end in a good-policy allow or a
# clean error deny, never a crash, a hang, or another outcome.
t_begin "policy rewritten in place concurrently (150 runs): each run allows or denies cleanly with a policy error"
POL_LIVE=$PDIR/live.json
cp "$POLICY_RESTRICTED" "$POL_LIVE"
ALT_TEXT=$(jq -c '.log.facility = "daemon" | .exemptions = [{"rules": ["runtime.user"], "namespaces": ["kube-system"], "reason": "padding padding padding padding"}]' "$POLICY_RESTRICTED")
printf '%s\n' "$ALT_TEXT" >"$PDIR/alt.json"
python3 - "$POL_LIVE" "$POLICY_RESTRICTED" "$PDIR/alt.json" "$E2E_WORK/policy-writer.stop" <<'EOF' &
import os, sys, time
live, a, b, stop = sys.argv[1:]
texts = [open(a, "rb").read(), open(b, "rb").read()]
i = 0
while not os.path.exists(stop):
    t = texts[i % 2]
    with open(live, "r+b") as f:          # same inode: truncate, then write in two halves
        f.truncate(0)
        f.write(t[: len(t) // 2]); f.flush()
        time.sleep(0.0003)
        f.write(t[len(t) // 2:]); f.flush()
    i += 1
    time.sleep(0.0005)
EOF
writer=$!
st=$(fstate pol-live live-policy "$GOOD")
log_begin
allows=0 denies=0 others=0
for i in $(seq 150); do
	timeout 10 "$OCIGATE_BIN" hook --policy "$POL_LIVE" --stage createRuntime <"$st" >/dev/null \
		2>"$E2E_WORK/out/live-pol-$i.err"
	rc=$?
	case $rc in
	0) allows=$((allows + 1)) ;;
	1) denies=$((denies + 1))
	   grep -qE 'container start refused: policy' "$E2E_WORK/out/live-pol-$i.err" ||
		fail "run $i denied without a policy error on stderr: $(head -c 300 "$E2E_WORK/out/live-pol-$i.err")" ;;
	*) others=$((others + 1)); fail "run $i: exit code $rc (crash, signal or hang)" ;;
	esac
done
touch "$E2E_WORK/policy-writer.stop"
wait "$writer"
log_end
e2e_note "in-place policy rewrites: $allows allowed, $denies denied (torn reads), $others other"
[ "$allows" -gt 0 ] || fail "no run was allowed: the live policy never read as valid"
# Every error line names the policy, and every deny decision is rules="error".
bad=$(log_hook_msgs | grep -E '^error ' | grep -vE 'msg="policy' | head -n 3)
[ -z "$bad" ] || fail "an error line that does not name the policy: $bad"
bad=$(log_hook_msgs | grep -E '^decision=deny ' | grep -vF 'rules="error"' | head -n 3)
[ -z "$bad" ] || fail "a deny not caused by a policy error: $bad"
[ "$(log_hook_msgs | grep -cE '^decision=allow ')" -eq "$allows" ] ||
	fail "allow decisions logged ($(log_hook_msgs | grep -cE '^decision=allow ')) differ from exit codes 0 ($allows)"
E2E_NEW_LOG= RUN_OUT=
t_end

# ================================================================ stdin and the deadline

t_begin "stdin that never closes (a FIFO held open): deny within ~1 s with 'no end of input'"
fifo=$IN/never.fifo
mkfifo "$fifo"
sleep 60 >"$fifo" &
holder=$!
id=$(new_id stdin-fifo)
fhook "$fifo" "$POLICY_RESTRICTED"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
assert_prompt_deny $((1000 + SLACK_MS))
[ "$ELAPSED_MS" -ge 900 ] || fail "gave up after ${ELAPSED_MS} ms, before the 1 s stdin limit"
assert_error_deny "" "state on stdin: no end of input within 1000 ms"
t_end

t_begin "stdin that never closes (a pipe from 'sleep 60'): deny within ~1 s with 'no end of input'"
exec {pipe_fd}< <(sleep 60)
pipe_pid=$!
fhook - "$POLICY_RESTRICTED" <&"$pipe_fd"
exec {pipe_fd}<&-
kill "$pipe_pid" 2>/dev/null
assert_prompt_deny $((1000 + SLACK_MS))
assert_error_deny "" "no end of input"
t_end

t_begin "stdin that sent a partial state and then stalls: deny within ~1 s"
fifo2=$IN/partial.fifo
mkfifo "$fifo2"
{ printf '{"ociVersion":"1.0.2-dev","id":"partial",'; exec sleep 60; } >"$fifo2" &
holder=$!
fhook "$fifo2" "$POLICY_RESTRICTED"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
assert_prompt_deny $((1000 + SLACK_MS))
assert_error_deny "" "no end of input"
t_end

# timeout_ms 100 is below the 1 s stdin limit: the whole-run deadline fires first and the SIGALRM
# handler sends its pre-formatted line straight to /dev/log.
POL_T100=$(write_policy t100 '{"version":1,"mode":"enforce","on_error":"deny","timeout_ms":100,"runtime":{"preset":"restricted"}}')
t_begin "timeout_ms 100 and stdin that never closes: the deadline denies at ~100 ms and its line reaches syslog"
mkfifo "$IN/t100.fifo"
sleep 60 >"$IN/t100.fifo" &
holder=$!
fhook "$IN/t100.fifo" "$POL_T100"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
assert_prompt_deny $((100 + SLACK_MS))
[ "$ELAPSED_MS" -ge 90 ] || fail "refused after ${ELAPSED_MS} ms, before the 100 ms deadline"
assert_err_matches "deadline exceeded"
assert_log_contains 'ocigate\[[0-9]+\]: decision=deny container="" stage="createRuntime" rules="error" msg="deadline of 100 ms exceeded"' \
	"no emergency syslog line 'decision=deny ... rules=\"error\" msg=\"deadline of 100 ms exceeded\"'"
assert_log_not_contains 'no end of input' "the 1 s stdin limit fired before the 100 ms deadline"
t_end

POL_T100_OPEN=$(write_policy t100-open '{"version":1,"mode":"enforce","on_error":"allow","timeout_ms":100,"runtime":{"preset":"restricted"}}')
t_begin "timeout_ms 100 with on_error allow: the deadline follows on_error (exit 0) and logs decision=allow"
mkfifo "$IN/t100o.fifo"
sleep 60 >"$IN/t100o.fifo" &
holder=$!
fhook "$IN/t100o.fifo" "$POL_T100_OPEN"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
assert_rc 0
[ "$ELAPSED_MS" -le $((100 + SLACK_MS)) ] || fail "took ${ELAPSED_MS} ms"
assert_log_contains 'decision=allow container="" stage="createRuntime" rules="error" msg="deadline of 100 ms exceeded"' \
	"no emergency line with decision=allow for on_error allow"
t_end

# ================================================================ trust store faults

img_key root ed25519 || e2e_skip_all "openssl cannot generate keys"
img_key ci ed25519
img_trust_env faults
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
STORE=$TRUST_STORE STATE=$TRUST_STATE SIGS=$TRUST_SIGS
cp "$STORE" "$IMG_DIR/pristine-store.json"
cp "$STORE.sig" "$IMG_DIR/pristine-store.json.sig"
img_make signed
SIGNED_HEX=$IMG_CONFIG_HEX SIGNED=$IMG_CONFIG
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
POL_TRUST=$(img_policy trust-faults enforce "$(img_trust_json)")
TB=$(img_bundle trust-signed "$POL_TRUST" "$SIGNED_HEX")

store_restore() {
	rm -rf "$STORE" "$STORE.sig"
	cp "$IMG_DIR/pristine-store.json" "$STORE"
	cp "$IMG_DIR/pristine-store.json.sig" "$STORE.sig"
}

t_begin "trust: the signed image is allowed, and its acceptance is recorded in the verification cache"
for n in 1 2 3; do
	id=$(new_id "trust-ok-$n")
	fhook "$(fstate "trust-ok-$n" "$id" "$TB")" "$POL_TRUST"
	assert_allowed "$id"
done
[ -f "$STATE/verified/$SIGNED_HEX" ] ||
	fail "no verification record $STATE/verified/$SIGNED_HEX (the faults below test that it does not mask them)"
t_end

# store_case DESC MSG_ERE SETUP_CMD: with a warm verification cache, break the store with SETUP_CMD;
# the hook must refuse with trust.store (the store is reported as a finding, not an error).
store_case() {
	t_begin "trust store $1: prompt deny under trust.store, despite a warm verification cache"
	store_restore
	eval "$3"
	local id
	id=$(new_id store)
	fhook "$(fstate "store-$id" "$id" "$TB")" "$POL_TRUST"
	assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
	assert_finding_deny "$id" trust.store "$2"
	assert_digest_logged "$id" "$SIGNED"
	t_end
}

store_case "vanished" "trust store:? $(re_quote "$STORE"): .*No such file" 'rm -f "$STORE"'
store_case "signature file vanished" "signature file.*$(re_quote "$STORE.sig").*No such file" 'rm -f "$STORE.sig"'
store_case "truncated to half" "signed by 0 of the required 1 root keys: bad signature by root key" \
	'truncate -s $(($(stat -c %s "$STORE") / 2)) "$STORE"'
store_case "truncated to 0 bytes" "signed by 0 of the required 1 root keys: bad signature by root key" \
	': >"$STORE"'
store_case "signature file truncated mid-JSON" "signature file" \
	'truncate -s $(($(stat -c %s "$STORE.sig") / 2)) "$STORE.sig"'
store_case "replaced by a symlink to an identical, validly signed copy elsewhere" "symbolic link" \
	'cp "$STORE" "$E2E_WORK/elsewhere/trust.json" && rm "$STORE" && ln -s "$E2E_WORK/elsewhere/trust.json" "$STORE"'
store_case "signature file replaced by a symlink to an identical copy" "symbolic link" \
	'cp "$STORE.sig" "$E2E_WORK/elsewhere/trust.json.sig" && rm "$STORE.sig" && ln -s "$E2E_WORK/elsewhere/trust.json.sig" "$STORE.sig"'
store_case "replaced by a FIFO held open by a writer" "not a regular file" \
	'rm "$STORE" && mkfifo "$STORE" && { sleep 60 >"$STORE" & fifo_holder=$!; }'
kill "$fifo_holder" 2>/dev/null
wait "$fifo_holder" 2>/dev/null
store_case "replaced by a directory" "directory" 'rm "$STORE" && mkdir "$STORE"'

t_begin "trust store restored: allowed again"
store_restore
id=$(new_id trust-restored)
fhook "$(fstate trust-restored "$id" "$TB")" "$POL_TRUST"
assert_allowed "$id"
t_end

# The store and its .sig replaced atomically (write a copy, rename it over) with IDENTICAL bytes,
# again and again while the hook runs: a reader always sees a complete, validly signed store, so
# every run must be allowed. (Each rename is a new inode: the verification cache cannot serve it.)
t_begin "trust store and .sig replaced by rename (identical bytes) concurrently (200 runs): every run allowed"
store_restore
rm -f "$E2E_WORK/rename-writer.stop"
python3 - "$STORE" "$E2E_WORK/rename-writer.stop" <<'EOF' &
import os, sys, time
live, stop = sys.argv[1:]
data = {p: open(p, "rb").read() for p in (live, live + ".sig")}
while not os.path.exists(stop):
    for p, d in data.items():
        nxt = p + ".next"
        with open(nxt, "wb") as f:
            f.write(d)
        os.chmod(nxt, 0o644)
        os.rename(nxt, p)
    time.sleep(0.002)
EOF
writer=$!
st=$(fstate store-rename store-rename "$TB")
log_begin
allows=0 denies=0
for i in $(seq 200); do
	timeout 10 "$OCIGATE_BIN" hook --policy "$POL_TRUST" --stage createRuntime <"$st" >/dev/null \
		2>"$E2E_WORK/out/rename-store-$i.err"
	rc=$?
	case $rc in
	0) allows=$((allows + 1)) ;;
	1) denies=$((denies + 1)) ;;
	*) fail "run $i: exit code $rc (crash, signal or hang)" ;;
	esac
done
touch "$E2E_WORK/rename-writer.stop"
wait "$writer"
log_end
e2e_note "store replaced by rename: $allows allowed, $denies denied"
[ "$denies" -eq 0 ] || fail "$denies of 200 runs refused a validly signed store replaced atomically, e.g.: $(log_hook_msgs | grep -E '^violation ' | sed 's/^violation container="[^"]*" //' | sort | uniq -c | sort -rn | head -n 3 | tr '\n' ' ')"
E2E_NEW_LOG= RUN_OUT=
t_end

# The store and its signature rewritten IN PLACE (truncate + write, same inode), alternating between
# two validly signed versions: A vouches for the image (signed), B revokes it. A hook may read a
# torn or mismatched pair; that must be a clean trust.store deny, never an allow, a crash or an
# error. And once the writer stops at B, the image must be refused (no stale acceptance).
t_begin "trust store and .sig rewritten in place concurrently (200 runs): allow, revoked or a clean trust.store deny only"
store_restore
cp "$STORE" "$IMG_DIR/A.json"
cp "$STORE.sig" "$IMG_DIR/A.json.sig"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]" '[]' \
	"$(jq -cn --arg d "$SIGNED" '{keys: [], digests: [$d]}')"
img_store_sign root
cp "$STORE" "$IMG_DIR/B.json"
cp "$STORE.sig" "$IMG_DIR/B.json.sig"
cp "$IMG_DIR/A.json" "$STORE"
cp "$IMG_DIR/A.json.sig" "$STORE.sig"
rm -f "$E2E_WORK/store-writer.stop"
python3 - "$STORE" "$IMG_DIR/A.json" "$IMG_DIR/B.json" "$E2E_WORK/store-writer.stop" <<'EOF' &
import os, random, sys, time
live, a, b, stop = sys.argv[1:]
pairs = [(open(p, "rb").read(), open(p + ".sig", "rb").read()) for p in (a, b)]
def rewrite(path, data):
    with open(path, "r+b") as f:          # same inode, truncated then written in pieces
        f.truncate(0)
        cut = random.randrange(1, len(data))
        f.write(data[:cut]); f.flush()
        time.sleep(random.random() * 0.001)
        f.write(data[cut:]); f.flush()
i = 0
while not os.path.exists(stop):
    store, sig = pairs[i % 2]
    rewrite(live, store)
    rewrite(live + ".sig", sig)
    i += 1
    time.sleep(random.random() * 0.002)
# Stop at B (the image revoked), written in full.
rewrite(live, pairs[1][0])
rewrite(live + ".sig", pairs[1][1])
EOF
writer=$!
st=$(fstate store-live store-live "$TB")
log_begin
allows=0 revoked=0 torn=0
for i in $(seq 200); do
	timeout 10 "$OCIGATE_BIN" hook --policy "$POL_TRUST" --stage createRuntime <"$st" >/dev/null \
		2>"$E2E_WORK/out/live-store-$i.err"
	rc=$?
	case $rc in
	0) allows=$((allows + 1)) ;;
	1) if grep -qF 'container start refused (trust.signature)' "$E2E_WORK/out/live-store-$i.err"; then
		revoked=$((revoked + 1))
	   elif grep -qF 'container start refused (trust.store)' "$E2E_WORK/out/live-store-$i.err"; then
		torn=$((torn + 1))
	   else
		fail "run $i denied for another reason: $(head -c 300 "$E2E_WORK/out/live-store-$i.err")"
	   fi ;;
	*) fail "run $i: exit code $rc (crash, signal or hang)" ;;
	esac
done
touch "$E2E_WORK/store-writer.stop"
wait "$writer"
log_end
e2e_note "in-place store rewrites: $allows allowed (A), $revoked revoked (B), $torn torn/mismatched (trust.store)"
[ "$((allows + revoked + torn))" -eq 200 ] || fail "only $((allows + revoked + torn)) of 200 runs ended cleanly"
bad=$(log_hook_msgs | grep -E '^error ' | head -n 3)
[ -z "$bad" ] || fail "an operational error during in-place rewrites: $bad"
bad=$(log_hook_msgs | grep -E '^violation .*rule=trust\.store ' |
	grep -vE 'msg="trust store [^"]*: (signed by 0 of the required 1 root keys: bad signature by root key|signature file)' | head -n 3)
[ -z "$bad" ] || fail "a trust.store finding that is not a bad signature or a bad signature file: $bad"
bad=$(log_hook_msgs | grep -E '^violation .*rule=trust\.signature ' | grep -vF "is revoked in the trust store" | head -n 3)
[ -z "$bad" ] || fail "a trust.signature finding other than the revocation in B: $bad"
# The writer stopped at B: the image is revoked now, whatever was accepted or recorded before.
for n in 1 2; do
	id=$(new_id "store-final-$n")
	fhook "$(fstate "store-final-$n" "$id" "$TB")" "$POL_TRUST"
	assert_rc 1
	assert_finding_deny "$id" trust.signature "$(re_quote "$SIGNED") is revoked"
done
no_tmp_left "$STATE"
t_end

# ================================================================ state dir on a full filesystem

# fill_tmpfs DIR: mount a 64 KiB tmpfs (mode 0700) on DIR and fill it up.
fill_tmpfs() {
	mount -t tmpfs -o size=64k,mode=0700 ocigate-e2e-full "$1" || { fail "cannot mount a tmpfs on $1"; return 1; }
	dd if=/dev/zero of="$1/filler" bs=4k count=1000 2>/dev/null
	[ "$(df --output=avail -k "$1" | tail -n 1 | tr -d ' ')" -eq 0 ] || fail "the tmpfs on $1 is not full"
}

img_trust_env fulldisk
FD_STORE=$TRUST_STORE FD_STATE=$TRUST_STATE
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
img_make fulldisk
FD_HEX=$IMG_CONFIG_HEX
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_make fulldisk-unsigned
FD_UNSIGNED_HEX=$IMG_CONFIG_HEX FD_UNSIGNED=$IMG_CONFIG
POL_FD=$(img_policy trust-fulldisk enforce "$(img_trust_json)")
FDB=$(img_bundle fulldisk "$POL_FD" "$FD_HEX")
FDB_UNSIGNED=$(img_bundle fulldisk-unsigned "$POL_FD" "$FD_UNSIGNED_HEX")

t_begin "full state dir: a store version never accepted before cannot be recorded: deny (trust.store), not allow"
fill_tmpfs "$FD_STATE"
id=$(new_id fulldisk-new-version)
fhook "$(fstate fd-1 "$id" "$FDB")" "$POL_FD"
assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
assert_finding_deny "$id" trust.store "cannot record the accepted version in $(re_quote "$FD_STATE").*No space left on device"
[ ! -e "$FD_STATE/trust-version" ] || fail "a trust-version file appeared on the full filesystem"
no_tmp_left "$FD_STATE"
t_end

t_begin "full state dir: an already accepted store version still verifies the signed image: allow (nothing cached, nothing left)"
umount "$FD_STATE"
id=$(new_id fulldisk-accept)
fhook "$(fstate fd-2 "$id" "$FDB")" "$POL_FD" # with room: accepts version 1
assert_allowed "$id"
cp "$FD_STATE/trust-version" "$IMG_DIR/fd-trust-version" 2>/dev/null || fail "version 1 was not recorded"
fill_tmpfs "$FD_STATE"
cp "$IMG_DIR/fd-trust-version" "$FD_STATE/trust-version" 2>/dev/null ||
	{ rm -f "$FD_STATE/filler"; cp "$IMG_DIR/fd-trust-version" "$FD_STATE/trust-version"; \
	  dd if=/dev/zero of="$FD_STATE/filler" bs=1k count=1000 2>/dev/null; }
chmod 600 "$FD_STATE/trust-version"
for n in 1 2; do
	id=$(new_id "fulldisk-known-$n")
	fhook "$(fstate "fd-known-$n" "$id" "$FDB")" "$POL_FD"
	assert_allowed "$id"
	[ "$ELAPSED_MS" -le $((DEFAULT_DEADLINE_MS + SLACK_MS)) ] || fail "took ${ELAPSED_MS} ms"
done
[ ! -s "$FD_STATE/verified/$FD_HEX" ] || fail "a verification record was written on a full filesystem?"
no_tmp_left "$FD_STATE"
t_end

t_begin "full state dir: an unsigned image is still refused (trust.signature)"
id=$(new_id fulldisk-unsigned)
fhook "$(fstate fd-3 "$id" "$FDB_UNSIGNED")" "$POL_FD"
assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
assert_finding_deny "$id" trust.signature "$(re_quote "$FD_UNSIGNED") is unsigned"
no_tmp_left "$FD_STATE"
t_end

t_begin "full state dir: a newer store version (2) cannot be recorded: deny (trust.store), the state keeps 1"
TRUST_STORE=$FD_STORE
img_store_write 2 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
id=$(new_id fulldisk-v2)
fhook "$(fstate fd-4 "$id" "$FDB")" "$POL_FD"
assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
assert_finding_deny "$id" trust.store "cannot record the accepted version.*No space left on device"
[ "$(tr -d '[:space:]' <"$FD_STATE/trust-version")" = 1 ] || fail "the rollback state changed on a full filesystem"
no_tmp_left "$FD_STATE"
umount "$FD_STATE"
t_end

# ================================================================ verdict cache faults

SCAN_CACHE=$(mktemp -d "$IMG_DIR/verdicts.XXXXXX")
img_make scanned
SCAN_HEX=$IMG_CONFIG_HEX SCAN=$IMG_CONFIG
jq -n --arg created "$NOW" --arg id "$IMG_CONFIG" --arg rd "$IMG_REPO_A@$IMG_MANIFEST" --arg repo "$IMG_REPO_A" '{
	SchemaVersion: 2, CreatedAt: $created, ArtifactName: ($repo + ":1.0"), ArtifactType: "container_image",
	Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"], RepoDigests: [$rd], OS: {Family: "alpine", Name: "3.19.1"}},
	Results: [{Target: "x (alpine 3.19.1)", Class: "os-pkgs", Type: "alpine", Vulnerabilities: [
	  {VulnerabilityID: "CVE-2099-0001", PkgName: "libexample", InstalledVersion: "1.0", Severity: "LOW", Status: "affected"}]}]}' \
	>"$IMG_DIR/reports/scanned.json"
"$OCIGATE_BIN" verdict import --cache-dir "$SCAN_CACHE" "$IMG_DIR/reports/scanned.json" >/dev/null 2>"$IMG_DIR/last.err" ||
	fail "verdict import failed: $(cat "$IMG_DIR/last.err")"
VFILE=$SCAN_CACHE/sha256/${SCAN_HEX:0:2}/$SCAN_HEX.json
cp "$VFILE" "$IMG_DIR/pristine-verdict.json"
POL_SCAN=$(img_policy scan-faults enforce null "$(jq -cn --arg c "$SCAN_CACHE" \
	'{required: true, cache_dir: $c, max_age: "7d", max: {critical: 0, high: 0}}')")
SB=$(img_bundle scanned "$POL_SCAN" "$SCAN_HEX")

verdict_restore() {
	rm -rf "$VFILE"
	cp "$IMG_DIR/pristine-verdict.json" "$VFILE"
	chmod 644 "$VFILE"
	chmod 755 "$(dirname "$VFILE")"
}

t_begin "verdict: the scanned image with a passing verdict is allowed"
id=$(new_id verdict-ok)
fhook "$(fstate verdict-ok "$id" "$SB")" "$POL_SCAN"
assert_allowed "$id"
t_end

verdict_case() { # DESC MSG_ERE SETUP_CMD
	t_begin "verdict file $1: prompt deny under scan.verdict"
	verdict_restore
	eval "$3"
	local id
	id=$(new_id verdict)
	fhook "$(fstate "verdict-$id" "$id" "$SB")" "$POL_SCAN"
	assert_prompt_deny $((DEFAULT_DEADLINE_MS + SLACK_MS))
	assert_finding_deny "$id" scan.verdict "$2"
	assert_log_not_contains "rule=scan\.severity" "an untrustworthy verdict was evaluated anyway"
	t_end
}

verdict_case "vanished" "no scan verdict for image .*$(re_quote "$SCAN")" 'rm -f "$VFILE"'
verdict_case "truncated to half" "cannot be trusted: .*(JSON|end of|unexpected|parse|verdict)" \
	'truncate -s $(($(stat -c %s "$VFILE") / 2)) "$VFILE"'
verdict_case "truncated to 0 bytes" "cannot be trusted" ': >"$VFILE"'
verdict_case "replaced by a symlink to an identical copy elsewhere" "cannot be trusted: .*symbolic link" \
	'cp "$VFILE" "$E2E_WORK/elsewhere/verdict.json" && rm "$VFILE" && ln -s "$E2E_WORK/elsewhere/verdict.json" "$VFILE"'
verdict_case "group-writable" "cannot be trusted: .*group- or world-writable" 'chmod g+w "$VFILE"'
verdict_case "in a group-writable shard directory" "cannot be trusted: .*group- or world-writable" \
	'chmod g+w "$(dirname "$VFILE")"'
# StrictModes on every directory above the cache too: rename(2) in a writable one swaps the cache.
verdict_case "below a world-writable, non-sticky directory" \
	"cannot be trusted: .*$(re_quote "$IMG_DIR") is group- or world-writable \(mode 0777\) and not sticky" \
	'chmod 777 "$IMG_DIR"'
t_begin "verdict: a sticky world-writable directory above the cache (as /tmp) is sound: allowed"
verdict_restore
chmod 1777 "$IMG_DIR"
id=$(new_id verdict-sticky)
fhook "$(fstate verdict-sticky "$id" "$SB")" "$POL_SCAN"
assert_allowed "$id"
chmod 700 "$IMG_DIR"
t_end
verdict_case "replaced by a FIFO held open by a writer" "cannot be trusted: .*not a regular file" \
	'rm "$VFILE" && mkfifo -m 644 "$VFILE" && { sleep 60 >"$VFILE" & fifo_holder=$!; }'
kill "$fifo_holder" 2>/dev/null
wait "$fifo_holder" 2>/dev/null
verdict_restore

# ================================================================ containerd that never answers

SOCK=$E2E_WORK/containerd-silent.sock
python3 "$E2E_DIR/silent_socket.py" "$SOCK" "$E2E_WORK/silent.ready" </dev/null >/dev/null 2>"$E2E_WORK/silent.err" &
silent_pid=$!
for _ in $(seq 100); do [ -s "$E2E_WORK/silent.ready" ] && break; sleep 0.05; done
if [ ! -S "$SOCK" ]; then
	t_begin "containerd socket that never answers"
	fail "the silent socket server did not start: $(cat "$E2E_WORK/silent.err")"
	t_end
else
	img_trust_env silent
	img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
	img_store_sign root
	identity=$(jq -cn --arg s "$SOCK" '[{source: "containerd", socket: $s, namespace: "k8s.io", timeout_ms: 300}]')
	POL_SILENT=$(img_policy containerd-silent enforce "$(img_trust_json)" null \
		"$(jq -cn --argjson id "$identity" '{image: {identity: $id}}')")
	CB=$(new_bundle containerd-silent "$POL_SILENT")

	t_begin "containerd socket that accepts and never answers (timeout_ms 300, trust required): prompt deny under image.identity"
	id=$(new_id silent)
	fhook "$(fstate silent "$id" "$CB")" "$POL_SILENT"
	assert_prompt_deny $((300 + SLACK_MS))
	[ "$ELAPSED_MS" -ge 280 ] || fail "refused after ${ELAPSED_MS} ms: did it really wait for containerd?"
	assert_finding_deny "$id" image.identity "no image digest.*$(re_quote "$SOCK").*no answer within 300 ms"
	t_end

	# The identity timeout (5 s) is longer than the whole-run deadline (250 ms): the deadline wins.
	identity=$(jq -cn --arg s "$SOCK" '[{source: "containerd", socket: $s, namespace: "k8s.io", timeout_ms: 5000}]')
	POL_SILENT2=$(img_policy containerd-silent-deadline enforce "$(img_trust_json)" null \
		"$(jq -cn --argjson id "$identity" '{timeout_ms: 250, image: {identity: $id}}')")
	CB2=$(new_bundle containerd-silent-deadline "$POL_SILENT2")
	t_begin "containerd that never answers, identity timeout 5 s > policy timeout_ms 250: the deadline denies at ~250 ms"
	id=$(new_id silent-deadline)
	fhook "$(fstate silent-deadline "$id" "$CB2")" "$POL_SILENT2"
	assert_prompt_deny $((250 + SLACK_MS))
	assert_err_matches "deadline exceeded"
	assert_log_contains "ocigate\[[0-9]+\]: decision=deny container=\"$(re_quote "$id")\" stage=\"createRuntime\" rules=\"error\" msg=\"deadline of 250 ms exceeded\"" \
		"no emergency line naming the container and the 250 ms deadline"
	t_end
	kill "$silent_pid" 2>/dev/null
	wait "$silent_pid" 2>/dev/null
fi
