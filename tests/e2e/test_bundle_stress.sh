#!/bin/bash
# Trust bundle updates under load: STRESS_BUNDLE_STARTS (200) container starts while
# STRESS_BUNDLE_UPDATES (20) bundles install one after the other.  The starts are `ocigate hook`
# runs on prepared runc bundles (state on stdin, as runc runs the hook: runc itself would make the
# 200 starts take minutes on 2 cores), STRESS_BUNDLE_PARALLEL (8) at a time, plus
# STRESS_BUNDLE_RUNC (20) real `runc run`s; half of each start the signed image, half the unsigned
# one.  The updates are `ocigate bundle pull --from-layout` of versions 2..21, each with its own
# trust store version and one more signature, the node's policy reading the bundle through its
# "bundle" section.  No decision may be wrong: every start of the signed image allowed, every
# start of the unsigned image refused with trust.signature and nothing else, whichever generation
# it read; every update installs; nothing is left behind.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
[ -z "$IMG_NEED$(e2e_require_cmds xargs)" ] || img_abort "missing commands: $IMG_NEED (run packaging/install-deps.sh)"

STARTS=${STRESS_BUNDLE_STARTS:-200}
UPDATES=${STRESS_BUNDLE_UPDATES:-20}
PARALLEL=${STRESS_BUNDLE_PARALLEL:-8}
RUNC_RUNS=${STRESS_BUNDLE_RUNC:-20}
FUTURE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
S=$E2E_WORK/bstress
mkdir -p "$S/layouts" "$S/runs" "$S/runc"

img_key root ed25519 || e2e_skip_all "openssl cannot generate keys"
img_key ci ed25519
img_trust_env ci
CI_STORE=$TRUST_STORE CI_SIGS=$TRUST_SIGS
KEYS_JSON="[$(img_store_key ci "$IMG_SCOPE_A")]"
img_make signed
SIGNED_HEX=$IMG_CONFIG_HEX
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_make unsigned
UNSIGNED_HEX=$IMG_CONFIG_HEX

# Versions 1..UPDATES+1: store version v, one more (other) signature each time.
t_begin "setup: $((UPDATES + 1)) bundles built with bundle create"
for v in $(seq 1 $((UPDATES + 1))); do
	img_store_write "$v" "$FUTURE" "$KEYS_JSON"
	img_store_sign root
	"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" \
		--digest "sha256:$(printf 'other-%s' "$v" | sha256sum | cut -d' ' -f1)" --add --signatures-dir "$CI_SIGS" \
		>/dev/null 2>"$S/sign.err" || fail "sig sign --add failed: $(cat "$S/sign.err")"
	"$OCIGATE_BIN" bundle create --out "$S/layouts/v$v" --version "$v" --expires 7d --key "$IMG_DIR/keys/root.pem" \
		--trust-store "$CI_STORE" --signatures-dir "$CI_SIGS" >/dev/null 2>"$S/create.err" ||
		fail "bundle create v$v failed: $(cat "$S/create.err")"
done
t_end

BUNDLE_DIR=$S/node/bundle
NODE_STATE=$S/node/state
mkdir -p "$NODE_STATE"
chmod 700 "$S/node" "$NODE_STATE"
POL=$(img_policy bundle-stress enforce \
	"$(jq -cn --arg root "$IMG_DIR/keys/root.pub" --arg st "$NODE_STATE" '{root_keys: [$root], threshold: 1, state_dir: $st}')" \
	null "$(jq -cn --arg d "$BUNDLE_DIR" '{bundle: {dir: $d}}')")
SB=$(img_bundle stress-signed "$POL" "$SIGNED_HEX")
UB=$(img_bundle stress-unsigned "$POL" "$UNSIGNED_HEX")
for i in $(seq "$RUNC_RUNS"); do
	if [ $((i % 2)) -eq 0 ]; then img_bundle "bs-runc-$i" "$POL" "$SIGNED_HEX" >/dev/null
	else img_bundle "bs-runc-$i" "$POL" "$UNSIGNED_HEX" >/dev/null; fi
done

t_begin "stress: version 1 installed; before the load the signed image is allowed, the unsigned refused"
"$OCIGATE_BIN" bundle pull --policy "$POL" --from-layout "$S/layouts/v1" >/dev/null 2>"$S/pull.err" ||
	fail "pull v1 failed: $(cat "$S/pull.err")"
id=$(new_id pre-signed)
run_hook "$(state_json "$id" "$SB" >"$S/pre1.json"; echo "$S/pre1.json")" "$POL" --stage createRuntime
assert_rc 0
assert_decision allow "$id"
id=$(new_id pre-unsigned)
run_hook "$(state_json "$id" "$UB" >"$S/pre2.json"; echo "$S/pre2.json")" "$POL" --stage createRuntime
assert_rc 1
assert_decision deny "$id" trust.signature
t_end

t_begin "stress: $STARTS hook starts ($PARALLEL parallel) + $RUNC_RUNS runc starts while $UPDATES bundles install: no wrong decision"
log_begin
(
	for v in $(seq 2 $((UPDATES + 1))); do
		date +%s%N >>"$S/pull.times"
		"$OCIGATE_BIN" bundle pull --policy "$POL" --from-layout "$S/layouts/v$v" >>"$S/pull.out" 2>>"$S/pull.err" ||
			echo "pull v$v failed" >>"$S/pull.fail"
		sleep 0.05
	done
	date +%s%N >>"$S/pull.times"
) &
PULLER=$!
export OCIGATE_BIN POL SB UB S E2E_WORK
seq "$RUNC_RUNS" | xargs -P 4 -n 1 bash -c '
	timeout 60 runc --root "$E2E_WORK/state/runc" run --bundle "$E2E_WORK/bundles/bs-runc-$1" "bs-runc-$1" \
		</dev/null >"$S/runc/$1.out" 2>"$S/runc/$1.err"
	echo $? >"$S/runc/$1.rc"' _ &
RUNC_DRIVER=$!
seq "$STARTS" | xargs -P "$PARALLEL" -n 1 bash -c '
	b=$UB; [ $(($1 % 2)) -eq 0 ] && b=$SB
	date +%s%N >"$S/runs/$1.t"
	printf "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"bs-%s\",\"status\":\"creating\",\"pid\":%d,\"bundle\":\"%s\"}" \
		"$1" "$$" "$b" | timeout 20 "$OCIGATE_BIN" hook --policy "$POL" --stage createRuntime \
		>/dev/null 2>"$S/runs/$1.err"
	echo $? >"$S/runs/$1.rc"' _
wait "$RUNC_DRIVER"
wait "$PULLER"
log_end
MSGS=$S/msgs.txt
log_hook_msgs >"$MSGS"
BAD=0 ALLOW=0 DENY=0 DURING=0
first=$(head -n 1 "$S/pull.times") last=$(tail -n 1 "$S/pull.times")
check() { # ID RC SIGNED
	local line want
	line=$(grep -E "^decision=[a-z]+ container=\"$1\" " "$MSGS")
	if [ "$3" = 1 ]; then want='^decision=allow .* rules=""$' wrc=0; else want='^decision=deny .* rules="trust\.signature"$' wrc=1; fi
	if [ "$2" = "$wrc" ] && [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] && printf '%s' "$line" | grep -qE "$want"; then
		[ "$wrc" = 0 ] && ALLOW=$((ALLOW + 1)) || DENY=$((DENY + 1))
		return
	fi
	BAD=$((BAD + 1))
	[ "$BAD" -gt 5 ] || fail "$1 (signed=$3): exit $2; $(grep -E "container=\"$1\" " "$MSGS" | tr '\n' ' ' | head -c 500)"
}
for i in $(seq "$STARTS"); do
	rc=$(cat "$S/runs/$i.rc" 2>/dev/null || echo missing)
	check "bs-$i" "$rc" $(((i + 1) % 2))
	t=$(cat "$S/runs/$i.t" 2>/dev/null || echo 0)
	[ "$t" -lt "$first" ] || [ "$t" -gt "$last" ] || DURING=$((DURING + 1))
done
for i in $(seq "$RUNC_RUNS"); do
	rc=$(cat "$S/runc/$i.rc" 2>/dev/null || echo missing)
	check "bs-runc-$i" "$rc" $(((i + 1) % 2))
	if [ "$rc" = 0 ]; then grep -qF "$IMG_GREETING" "$S/runc/$i.out" || fail "runc $i: exit 0 without the greeting"; fi
done
e2e_note "$ALLOW allowed, $DENY refused, $BAD wrong; $DURING of $STARTS hook starts ran while the updates installed"
[ "$BAD" -eq 0 ] || fail "$BAD of $((STARTS + RUNC_RUNS)) decisions wrong"
[ ! -s "$S/pull.fail" ] || fail "updates failed: $(cat "$S/pull.fail") $(tail -c 400 "$S/pull.err")"
[ "$(grep -c 'installed version' "$S/pull.out")" -eq "$UPDATES" ] || fail "not every update installed: $(cat "$S/pull.out")"
[ "$DURING" -ge $((STARTS / 4)) ] || fail "only $DURING starts overlapped the updates: the load did not overlap them"
n=$(grep -cE '^error ' "$MSGS")
[ "$n" -eq 0 ] || fail "$n operational error lines: $(grep -E '^error ' "$MSGS" | head -n 2 | tr '\n' ' ')"
t_end

t_begin "stress: afterwards version $((UPDATES + 1)) is current, at most 3 generations kept, nothing left behind"
run_ocigate bundle status --policy "$POL"
assert_rc 0
assert_out_contains "version: $((UPDATES + 1))"
[ "$(ls -d "$BUNDLE_DIR"/gen-* | wc -l)" -le 3 ] || fail "more than 3 generations kept: $(ls "$BUNDLE_DIR")"
[ -z "$(find "$BUNDLE_DIR" -maxdepth 1 -name '.tmp-*')" ] || fail "temporary entries left: $(ls -A "$BUNDLE_DIR")"
[ -z "$(runc --root "$E2E_WORK/state/runc" list -q 2>/dev/null)" ] || fail "runc containers left behind"
t_end
