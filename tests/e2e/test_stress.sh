#!/bin/bash
# Load and concurrency: hundreds of concurrent `ocigate hook` runs (state on stdin, as a runtime
# runs it) and real `runc run`s, while, at the same time, an operator's tools rewrite every file
# the hook reads:
#   - `ocigate verdict import` flips the image's verdict between a passing and a failing report;
#   - `ocigate sig sign --add` files signatures for other digests, and `ocigate sig add` re-files
#     the image's own signature (same directory the hook lists);
#   - the trust store is re-issued as version N+1, N+2, ... (each validly signed), the way an
#     operator does it: write a new file, `ocigate trust sign` it, then mv it and its .sig into
#     place (each file replaced atomically by rename).
# Every decision must be right for the old or the new state (passing verdict: allow; failing:
# deny with scan.severity and nothing else: never trust.store, never an error from a torn read),
# no run may crash or hang, every file must verify at the end, and nothing may be left behind
# (runc list empty, no `.tmp.` files from atomic writes).
# Tunables: STRESS_HOOK_RUNS (400), STRESS_PARALLEL (12), STRESS_RUNC_RUNS (20), STRESS_RUNC_PARALLEL (4).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
if [ -n "$IMG_NEED$(e2e_require_cmds xargs)" ]; then
	t_begin "prerequisites"
	fail "missing commands: $IMG_NEED $(e2e_require_cmds xargs) (run packaging/install-deps.sh)"
	t_end
	exit 1
fi

HOOK_RUNS=${STRESS_HOOK_RUNS:-400}
PARALLEL=${STRESS_PARALLEL:-12}
RUNC_RUNS=${STRESS_RUNC_RUNS:-20}
RUNC_PARALLEL=${STRESS_RUNC_PARALLEL:-4}
FUTURE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
S=$E2E_WORK/stress
mkdir -p "$S"

# ---------------------------------------------------------------- the environment

img_key root ed25519 || e2e_skip_all "openssl cannot generate keys"
img_key ci ed25519
img_trust_env stress
STORE=$TRUST_STORE STATE=$TRUST_STATE SIGS=$TRUST_SIGS
KEYS_JSON="[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_write 1 "$FUTURE" "$KEYS_JSON"
img_store_sign root
img_make stressed
X_HEX=$IMG_CONFIG_HEX X=$IMG_CONFIG X_MANIFEST=$IMG_MANIFEST X_MANIFEST_FILE=$IMG_MANIFEST_FILE
img_sign ci "$IMG_REPO_A" "$X_MANIFEST" "$X_MANIFEST_FILE"
X_PAYLOAD=$IMG_DIR/sig-ci-${X_MANIFEST#sha256:}.payload.json
X_SIGB64=$IMG_DIR/sig-ci-${X_MANIFEST#sha256:}.sig.b64

CACHE=$(mktemp -d "$IMG_DIR/verdicts.XXXXXX")
# report FILE FINDINGS_JSON: a Trivy report naming X (image ID and manifest digest).
report() {
	jq -n --arg created "$NOW" --arg id "$X" --arg rd "$IMG_REPO_A@$X_MANIFEST" --arg repo "$IMG_REPO_A" \
		--argjson vulns "$2" '{
		SchemaVersion: 2, CreatedAt: $created, ArtifactName: ($repo + ":1.0"), ArtifactType: "container_image",
		Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"], RepoDigests: [$rd], OS: {Family: "alpine", Name: "3.19.1"}},
		Results: [{Target: "x (alpine 3.19.1)", Class: "os-pkgs", Type: "alpine", Vulnerabilities: $vulns}]}' >"$1"
}
report "$S/pass.json" '[{"VulnerabilityID":"CVE-2099-1000","PkgName":"libexample","InstalledVersion":"1.0","Severity":"LOW","Status":"affected"}]'
report "$S/fail.json" '[{"VulnerabilityID":"CVE-2099-1001","PkgName":"libexample","InstalledVersion":"1.0","FixedVersion":"1.1","Severity":"CRITICAL","Status":"fixed"}]'
"$OCIGATE_BIN" verdict import --cache-dir "$CACHE" "$S/pass.json" >/dev/null 2>"$S/import.err" ||
	fail "initial verdict import failed: $(cat "$S/import.err")"

POL=$(img_policy stress enforce "$(img_trust_json)" "$(jq -cn --arg c "$CACHE" \
	'{required: true, cache_dir: $c, max_age: "7d", max: {critical: 0, high: 0}}')")
HB=$(img_bundle stress-hook "$POL" "$X_HEX")
for i in $(seq "$RUNC_RUNS"); do img_bundle "stress-runc-$i" "$POL" "$X_HEX" >/dev/null; done

t_begin "stress: before the load, the image is allowed (passing verdict) and refused with scan.severity (failing verdict)"
id=$(new_id pre-pass)
run_hook "$(state_json "$id" "$HB" >"$S/pre1.json"; echo "$S/pre1.json")" "$POL" --stage createRuntime
assert_rc 0
assert_decision allow "$id"
"$OCIGATE_BIN" verdict import --cache-dir "$CACHE" "$S/fail.json" >/dev/null 2>&1 || fail "import of the failing report"
id=$(new_id pre-fail)
run_hook "$(state_json "$id" "$HB" >"$S/pre2.json"; echo "$S/pre2.json")" "$POL" --stage createRuntime
assert_rc 1
assert_decision deny "$id" scan.severity
"$OCIGATE_BIN" verdict import --cache-dir "$CACHE" "$S/pass.json" >/dev/null 2>&1 || fail "import of the passing report"
t_end

# ---------------------------------------------------------------- the writers

STOP=$S/stop
WRITER_PIDS=()
STORE_VERSION=1
start_writers() { # STORE_MODE: install (ocigate trust install) or bridge (see below)
	rm -f "$STOP" "$S"/writer-*.err
	# Verdict flips: failing, passing, failing, ... ending on passing.
	(
		n=0
		while [ ! -e "$STOP" ]; do
			f=$S/fail.json
			[ $((n % 2)) -eq 1 ] && f=$S/pass.json
			"$OCIGATE_BIN" verdict import --cache-dir "$CACHE" "$f" >/dev/null 2>>"$S/writer-verdict.err" ||
				echo "verdict import $n failed" >>"$S/writer-verdict.err"
			n=$((n + 1))
			sleep 0.02
		done
		"$OCIGATE_BIN" verdict import --cache-dir "$CACHE" "$S/pass.json" >/dev/null 2>>"$S/writer-verdict.err" ||
			echo "final verdict import failed" >>"$S/writer-verdict.err"
		echo "$n" >"$S/writer-verdict.count"
	) &
	WRITER_PIDS+=($!)

	# Signatures: new ones for other digests, and X's own re-filed into the directory the hook lists.
	(
		n=0
		while [ ! -e "$STOP" ]; do
			d=sha256:$(printf 'other-%s-%s' "$n" "$RANDOM" | sha256sum | cut -d' ' -f1)
			"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" --digest "$d" --add \
				--signatures-dir "$SIGS" >/dev/null 2>>"$S/writer-sig.err" || echo "sig sign --add $n failed" >>"$S/writer-sig.err"
			"$OCIGATE_BIN" sig add --payload "$X_PAYLOAD" --signature "$X_SIGB64" --manifest "$X_MANIFEST_FILE" \
				--signatures-dir "$SIGS" >/dev/null 2>>"$S/writer-sig.err" || echo "sig add $n failed" >>"$S/writer-sig.err"
			n=$((n + 1))
			sleep 0.03
		done
		echo "$n" >"$S/writer-sig.count"
	) &
	WRITER_PIDS+=($!)

	# Trust store updates, version N+1 each time, each file replaced by an atomic rename.
	#   install: as the README tells an operator: write STORE.new, `ocigate trust sign` it
	#           (STORE.new.sig), then `ocigate trust install STORE.new`.  (Two plain mv's of the
	#           .sig and the store leave a moment in which a reader can find a mismatched pair;
	#           install never does.)
	#   bridge: first a .sig holding the root key's signatures over BOTH the current and the new
	#           store (the hook accepts any matching one), then the new store, then the new .sig
	#           alone: every pair a reader can see verifies.
	(
		v=$STORE_VERSION
		while [ ! -e "$STOP" ]; do
			v=$((v + 1))
			jq -n --argjson v "$v" --arg exp "$FUTURE" --argjson keys "$KEYS_JSON" \
				'{version: $v, expires: $exp, keys: $keys, images: [], revoked: {keys: [], digests: []}}' >"$STORE.new"
			"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$STORE.new" >/dev/null 2>>"$S/writer-store.err" ||
				echo "trust sign v$v failed" >>"$S/writer-store.err"
			if [ "$1" = bridge ]; then
				jq -s '{signatures: (.[0].signatures + .[1].signatures)}' "$STORE.sig" "$STORE.new.sig" >"$STORE.bridge" &&
					mv "$STORE.bridge" "$STORE.sig" && mv "$STORE.new" "$STORE" && mv "$STORE.new.sig" "$STORE.sig" ||
					echo "bridge update to v$v failed" >>"$S/writer-store.err"
			else
				"$OCIGATE_BIN" trust install --store "$STORE" --root-key "$IMG_DIR/keys/root.pub" \
					--state-dir "$STATE" "$STORE.new" >/dev/null 2>>"$S/writer-store.err" ||
					echo "trust install v$v failed" >>"$S/writer-store.err"
			fi
			echo "$v" >"$S/writer-store.version"
			sleep 0.1
		done
	) &
	WRITER_PIDS+=($!)
}
stop_writers() {
	touch "$STOP"
	local p
	for p in "${WRITER_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	WRITER_PIDS=()
	STORE_VERSION=$(cat "$S/writer-store.version" 2>/dev/null || echo "$STORE_VERSION")
	for w in verdict sig store; do
		[ ! -s "$S/writer-$w.err" ] || fail "the $w writer failed: $(head -c 400 "$S/writer-$w.err")"
	done
}

# check_run ID RC: one decision line for ID that is right for the old or the new verdict: exit 0
# with decision=allow rules="", or exit 1 with decision=deny rules="scan.severity". Counts into
# ALLOW, DENY; a run denied (also) by trust.store goes to TORN_STORE (with ROLLBACK for "rolled
# back" ones); anything else to BAD, with its log lines shown for the first few.
check_run() {
	local id=$1 rc=$2 line want
	line=$(grep -E "^decision=[a-z]+ container=\"$id\" " "$MSGS")
	case $rc in
	0) want='^decision=allow .* rules=""$' ;;
	1) want='^decision=deny .* rules="scan\.severity"$' ;;
	*) want='(exit code not 0 or 1)' ;;
	esac
	if [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] && printf '%s' "$line" | grep -qE "$want"; then
		[ "$rc" -eq 0 ] && ALLOW=$((ALLOW + 1)) || DENY=$((DENY + 1))
		return
	fi
	if [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] &&
		printf '%s' "$line" | grep -qE '^decision=deny .* rules="trust\.store(,scan\.severity)?"$'; then
		TORN_STORE=$((TORN_STORE + 1))
		grep -qE "^violation container=\"$id\" rule=trust\.store .*rolled back" "$MSGS" && ROLLBACK=$((ROLLBACK + 1))
		[ -n "$TORN_EXAMPLE" ] || TORN_EXAMPLE=$(grep -E "^violation container=\"$id\" rule=trust\.store " "$MSGS" | head -n 1)
		return
	fi
	BAD=$((BAD + 1))
	if [ "$BADSHOWN" -lt 6 ]; then
		BADSHOWN=$((BADSHOWN + 1))
		fail "$id: exit $rc; $(grep -E "container=\"$id\" " "$MSGS" | sed 's/image="[^"]*" digest="[^"]*" //' | tr '\n' ' ' | head -c 600)"
	fi
}

# run_load TAG HOOK_RUNS RUNC_RUNS: the concurrent hook runs and runc runs (writers already going).
run_load() {
	local tag=$1 nhook=$2 nrunc=$3 i rc runc_driver=
	mkdir -p "$S/$tag/runs" "$S/$tag/runc"
	export OCIGATE_BIN POL HB S E2E_WORK TAG=$tag
	if [ "$nrunc" -gt 0 ]; then
		seq "$nrunc" | xargs -P "$RUNC_PARALLEL" -n 1 bash -c '
			id=$TAG-runc-$1
			timeout 60 runc --root "$E2E_WORK/state/runc" run --bundle "$E2E_WORK/bundles/stress-runc-$1" "$id" \
				</dev/null >"$S/$TAG/runc/$1.out" 2>"$S/$TAG/runc/$1.err"
			echo $? >"$S/$TAG/runc/$1.rc"' _ &
		runc_driver=$!
	fi
	seq "$nhook" | xargs -P "$PARALLEL" -n 1 bash -c '
		printf "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"%s-%s\",\"status\":\"creating\",\"pid\":%d,\"bundle\":\"%s\"}" \
			"$TAG" "$1" "$$" "$HB" | timeout 20 "$OCIGATE_BIN" hook --policy "$POL" --stage createRuntime \
			>/dev/null 2>"$S/$TAG/runs/$1.err"
		echo $? >"$S/$TAG/runs/$1.rc"' _
	[ -z "$runc_driver" ] || wait "$runc_driver"
}

# classify TAG HOOK_RUNS RUNC_RUNS: check_run over every run, after stop_writers and log_end.
classify() {
	local tag=$1 nhook=$2 nrunc=$3 i rc
	MSGS=$S/$tag/msgs.txt
	log_hook_msgs >"$MSGS"
	ALLOW=0 DENY=0 BAD=0 BADSHOWN=0 TORN_STORE=0 ROLLBACK=0 TORN_EXAMPLE= RUNC_ALLOW=0 RUNC_DENY=0
	for i in $(seq "$nhook"); do
		rc=$(cat "$S/$tag/runs/$i.rc" 2>/dev/null || echo missing)
		[ "$rc" = missing ] && { BAD=$((BAD + 1)); fail "hook run $i left no exit code"; continue; }
		check_run "$tag-$i" "$rc"
	done
	for i in $(seq "$nrunc"); do
		rc=$(cat "$S/$tag/runc/$i.rc" 2>/dev/null || echo missing)
		case $rc in
		0)	grep -qF "$IMG_GREETING" "$S/$tag/runc/$i.out" ||
				fail "runc run $i: exit 0 but the container did not print its greeting"
			RUNC_ALLOW=$((RUNC_ALLOW + 1)); check_run "$tag-runc-$i" 0 ;;
		missing) BAD=$((BAD + 1)); fail "runc run $i left no exit code" ;;
		*)	[ "$rc" -ne 124 ] || fail "runc run $i timed out"
			grep -qE "container start refused \((scan\.severity|trust\.store)" "$S/$tag/runc/$i.err" ||
				fail "runc run $i refused without the hook's refusal line: $(head -c 300 "$S/$tag/runc/$i.err")"
			RUNC_DENY=$((RUNC_DENY + 1)); check_run "$tag-runc-$i" 1 ;;
		esac
	done
	TORN_KINDS=$(grep -E '^violation .* rule=trust\.store ' "$MSGS" | sed -E 's/.* msg="//; s#(/[^ :"]+)+#PATH#g; s/root key [0-9a-f]+/root key K/; s/version [0-9]+/version N/g' |
		sort | uniq -c | sort -rn | sed 's/^ *//' | tr '\n' ';')
	e2e_note "$tag: $ALLOW allowed, $DENY denied (scan.severity), $TORN_STORE denied by trust.store ($ROLLBACK of them 'rolled back'), $BAD wrong; runc: $RUNC_ALLOW started, $RUNC_DENY refused"
}

# ---------------------------------------------------------------- the load

t_begin "stress: $HOOK_RUNS hook runs ($PARALLEL parallel) + $RUNC_RUNS runc runs ($RUNC_PARALLEL parallel) under concurrent verdict imports, signature adds and store updates: no crash, no error, right verdict decisions"
log_begin
T0=$(date +%s)
start_writers install
run_load load "$HOOK_RUNS" "$RUNC_RUNS"
stop_writers
T1=$(date +%s)
log_end
e2e_note "load took $((T1 - T0)) s; verdict imports: $(cat "$S/writer-verdict.count" 2>/dev/null), signature adds: $(cat "$S/writer-sig.count" 2>/dev/null), store versions up to: $STORE_VERSION"
[ "$STORE_VERSION" -ge 3 ] || fail "the store was updated fewer than 2 times during the load"
classify load "$HOOK_RUNS" "$RUNC_RUNS"
[ "$BAD" -eq 0 ] || fail "$BAD of $((HOOK_RUNS + RUNC_RUNS)) decisions were not right for either the old or the new verdict"
[ "$ALLOW" -gt 0 ] && [ "$DENY" -gt 0 ] || fail "the load never saw both verdicts (allow $ALLOW, deny $DENY): the flips did not overlap it"
n=$(grep -cE '^error ' "$MSGS")
[ "$n" -eq 0 ] || fail "$n operational error lines: $(grep -E '^error ' "$MSGS" | head -n 2 | tr '\n' ' ')"
for r in trust.signature scan.verdict image.identity scan.stale; do
	n=$(grep -cE "^violation .* rule=$(re_quote "$r") " "$MSGS")
	[ "$n" -eq 0 ] || fail "$n $r findings, e.g. $(grep -E "^violation .* rule=$(re_quote "$r") " "$MSGS" | head -n 1)"
done
LOAD_TORN=$TORN_STORE LOAD_ROLLBACK=$ROLLBACK LOAD_TORN_KINDS=$TORN_KINDS
E2E_NEW_LOG= RUN_OUT=
t_end

# The same load's trust store updates (the operator's `trust sign` + `trust install`): a reader
# may still open the store and the .sig at different moments of the update, or verify an old
# version after a concurrent run recorded the new one. Both old and new state are valid, so no
# start may be refused for it.
t_begin "stress: no start is refused with trust.store while the store is re-issued by 'ocigate trust sign' + 'trust install' (N -> N+1, both valid)"
[ "$LOAD_TORN" -eq 0 ] ||
	fail "$LOAD_TORN of $((HOOK_RUNS + RUNC_RUNS)) starts refused with trust.store during valid store updates ($LOAD_ROLLBACK 'rolled back'); by message: $LOAD_TORN_KINDS"
RUN_OUT=
t_end

# The bridge procedure never shows a reader an unverifiable pair, so a trust.store refusal here is
# the hook's own race: e.g. a store or .sig replaced by rename after the hook confined itself
# (Landlock grants the inode seen at confinement: "Permission denied"), or the rollback state
# moving between its read of the store and its check ("rolled back").
t_begin "stress: store updates that never expose a mismatched pair (bridge .sig): no trust.store refusal ($((HOOK_RUNS / 2)) hook runs)"
log_begin
start_writers bridge
run_load bridge $((HOOK_RUNS / 2)) 0
stop_writers
log_end
classify bridge $((HOOK_RUNS / 2)) 0
[ "$BAD" -eq 0 ] || fail "$BAD decisions were not right for either the old or the new verdict"
[ "$TORN_STORE" -eq 0 ] ||
	fail "$TORN_STORE runs refused with trust.store although every store/.sig pair verified ($ROLLBACK 'rolled back'); by message: $TORN_KINDS"
n=$(grep -cE '^error ' "$MSGS")
[ "$n" -eq 0 ] || fail "$n operational error lines: $(grep -E '^error ' "$MSGS" | head -n 2 | tr '\n' ' ')"
E2E_NEW_LOG= RUN_OUT=
t_end

# ---------------------------------------------------------------- afterwards

t_begin "stress: afterwards every file verifies: trust verify, verdict show, sig verify, sig ls"
run_ocigate trust verify --policy "$POL"
assert_rc 0
assert_out_contains "$STORE_VERSION"
run_ocigate verdict show --cache-dir "$CACHE" "$X"
assert_rc 0
assert_out_contains "CVE-2099-1000"
run_ocigate sig verify "$X" --policy "$POL"
assert_rc 0
run_ocigate sig ls --policy "$POL"
assert_rc 0
t_end

t_begin "stress: the final state decides deterministically (passing verdict, newest store: allow)"
id=$(new_id post)
run_hook "$(state_json "$id" "$HB" >"$S/post.json"; echo "$S/post.json")" "$POL" --stage createRuntime
assert_rc 0
assert_decision allow "$id"
[ "$(tr -d '[:space:]' <"$STATE/trust-version")" = "$STORE_VERSION" ] ||
	fail "rollback state holds $(cat "$STATE/trust-version"), the last store version is $STORE_VERSION"
t_end

t_begin "stress: nothing left behind (runc list empty, no runc state, no .tmp. files, no extra processes)"
listed=$(runc_cmd list -q 2>/dev/null)
[ -z "$listed" ] || fail "runc list still shows: $(printf '%s' "$listed" | tr '\n' ' ')"
left=$(find "$E2E_WORK/state/runc" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 3 | tr '\n' ' ')
[ -z "$left" ] || fail "runc state left: $left"
left=$(find "$CACHE" "$STATE" "$SIGS" "$(dirname "$STORE")" -name '*.tmp.*' 2>/dev/null | head -n 5 | tr '\n' ' ')
[ -z "$left" ] || fail "temporary files left behind: $left"
[ ! -e "$STORE.new" ] && [ ! -e "$STORE.new.sig" ] && [ ! -e "$STORE.bridge" ] || fail "the store writer left $STORE.new* or .bridge"
cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name '*load-runc-*' 2>/dev/null | head -n 3 | tr '\n' ' ')
[ -z "$cg" ] || fail "cgroups left behind: $cg"
procs=$(ps -eo pid,args | grep -F "$OCIGATE_BIN hook --policy $POL" | grep -v grep | head -n 3)
[ -z "$procs" ] || fail "hook processes still running: $procs"
t_end
