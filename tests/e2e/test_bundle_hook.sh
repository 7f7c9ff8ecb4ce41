#!/bin/bash
# The hook reads the installed trust bundle (docs/trust-bundle.md, policy "bundle" section): real
# runc starts a hardened busybox bundle with ocigate as createRuntime hook, and the trust store, the
# image signatures and the scan verdicts come from the generation BUNDLE_DIR/current names.
#
# Generations are built here with ocigate's own commands, as `bundle pull` lays them out:
# `trust sign` (the store, and bundle.json: root signatures over its exact bytes, STORE.sig format,
# as `bundle create` signs it), `sig sign --add` (signatures/), `verdict import --cache-dir`
# (verdicts/), the directory named gen-<version>-<first 12 hex of sha256(bundle.json)>.
# Cases: allowed; expired; stale (deny, and audit: logged, runs); close to expiry (a warning, runs);
# `current` pointing outside (/tmp/x, ../gen), missing, not a link; no bundle dir; a descriptor
# signed by a non-root key, tampered, or under another generation's name; `trust install`
# refused; `check` and `trust verify` naming the generation; and starts during swaps of `current`
# between two generations where any mix of their files would refuse the image.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
[ -z "$IMG_NEED" ] || img_abort "missing commands: $IMG_NEED (run packaging/install-deps.sh)"

for k in root:ec rogue:ec ci:ed25519 ci2:ec; do
	img_key "${k%%:*}" "${k#*:}" || img_abort "openssl cannot generate a ${k#*:} key"
done

ts() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
BDIR=$IMG_DIR/bundle          # the policy's bundle.dir
BWORK=$IMG_DIR/bundle-work    # generations being built
STATE=$IMG_DIR/bundle-state   # trust.state_dir
mkdir -p "$BDIR" "$BWORK" "$STATE"
chmod 755 "$BDIR"
chmod 700 "$STATE"

img_make signed
SIGNED=$IMG_CONFIG SIGNED_HEX=$IMG_CONFIG_HEX SIGNED_MANIFEST=$IMG_MANIFEST
img_make unsigned
UNSIGNED_HEX=$IMG_CONFIG_HEX

# clean_report FILE: a Trivy report (no findings, scanned now) for the signed image.
clean_report() {
	jq -n --arg created "$(ts now)" --arg id "$SIGNED" --arg rd "$IMG_REPO_A@$SIGNED_MANIFEST" \
		--arg repo "$IMG_REPO_A" '{SchemaVersion: 2, CreatedAt: $created, ArtifactName: ($repo + ":1.0"),
		ArtifactType: "container_image", Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"], RepoDigests: [$rd],
		OS: {Family: "alpine", Name: "3.19.1"}}, Results: [{Target: $repo, Class: "os-pkgs", Type: "alpine",
		Vulnerabilities: []}]}' >"$1"
}

# gen_build VERSION CREATED EXPIRES [DESC_KEY [IMAGE_KEY [STORE_VERSION]]]: build a generation in
# $BDIR whose store (version STORE_VERSION, default 1) trusts IMAGE_KEY (default ci) for team-a and
# is root-signed, with the signed image signed by IMAGE_KEY and a clean verdict for it; bundle.json
# signed by DESC_KEY (default root). Sets GEN.
gen_build() {
	local v=$1 created=$2 expires=$3 dkey=${4:-root} ikey=${5:-ci} sv=${6:-1} w id
	w=$BWORK/v$v-$RANDOM
	rm -rf "$w"
	mkdir -p "$w/trust" "$w/signatures" "$w/verdicts"
	chmod 700 "$w/signatures" "$w/verdicts"
	jq -n --arg exp "$(ts '+30 days')" --argjson keys "[$(img_store_key "$ikey" "$IMG_SCOPE_A")]" --argjson sv "$sv" \
		'{version: $sv, expires: $exp, keys: $keys, images: [], revoked: {keys: [], digests: []}}' \
		>"$w/trust/store.json" &&
		"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$w/trust/store.json" >/dev/null &&
		"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/$ikey.pem" --repository "$IMG_REPO_A" --digest "$SIGNED" \
			--add --signatures-dir "$w/signatures" >/dev/null &&
		clean_report "$w/report.json" &&
		"$OCIGATE_BIN" verdict import --cache-dir "$w/verdicts" "$w/report.json" >/dev/null ||
		{ fail "cannot build generation $v"; return 1; }
	rm -f "$w/report.json"
	tar -C "$w" -cf "$w/trust.tar" trust
	python3 - "$w" "$v" "$created" "$expires" <<'PY' || { fail "cannot write bundle.json"; return 1; }
import hashlib, json, os, sys
w, v, created, expires = sys.argv[1:5]
tar = open(os.path.join(w, "trust.tar"), "rb").read()
desc = {"type": "ocigate-bundle", "version": int(v), "created": created, "expires": expires,
        "contents": [{"name": "trust.tar", "digest": "sha256:" + hashlib.sha256(tar).hexdigest(), "size": len(tar)}],
        "summary": {"signatures": 1, "verdicts": 1}}
open(os.path.join(w, "bundle.json"), "w").write(json.dumps(desc, indent=2))
PY
	rm -f "$w/trust.tar"
	"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/$dkey.pem" "$w/bundle.json" >/dev/null 2>&1 ||
		{ fail "cannot sign bundle.json"; return 1; }
	id=$(sha256sum "$w/bundle.json" | cut -c1-12)
	GEN=gen-$v-$id
	rm -rf "${BDIR:?}/$GEN"
	mv "$w" "$BDIR/$GEN"
}

# set_current TARGET: replace $BDIR/current atomically, as bundle pull does.
set_current() {
	ln -sfn "$1" "$BDIR/current.tmp" && mv -T "$BDIR/current.tmp" "$BDIR/current"
}

TRUST=$(jq -cn --arg root "$IMG_DIR/keys/root.pub" --arg state "$STATE" '{root_keys: [$root], threshold: 1, state_dir: $state}')
SCAN='{"required": true, "max_age": "7d", "max": {"critical": 0, "high": 0}}'
# bundle_policy NAME [BUNDLE_EXTRA_JSON]
bundle_policy() {
	img_policy "$1" enforce "$TRUST" "$SCAN" \
		"$(jq -cn --arg d "$BDIR" --argjson x "${2:-{\}}" '{bundle: ({dir: $d, max_age: "72h", warn_before_expiry: "24h"} + $x)}')"
}
POL=$(bundle_policy bundle)
POL_AUDIT=$(bundle_policy bundle-audit '{"on_stale": "audit"}')

# expect_error BUNDLE ID ERE: refused as an operational error whose message matches ERE.
expect_error() {
	run_container runc "$1" "$2"
	assert_rc_nonzero
	assert_out_lacks "$IMG_GREETING"
	assert_log_contains "error container=\"$(re_quote "$2")\" .*msg=\".*$3" "no error line matching /$3/"
	assert_decision deny "$2" error
	assert_err_matches "ocigate: container start refused: .*$3"
	assert_nothing_left runc "$2"
}

# ---------------------------------------------------------------- allowed

t_begin "runc: a signed image with a clean verdict starts from the bundle's generation"
gen_build 1 "$(ts '-1 hour')" "$(ts '+7 days')"
GEN1=$GEN
set_current "$GEN1"
b=$(img_bundle signed "$POL" "$SIGNED_HEX")
id=$(new_id bundle-signed)
img_expect_allowed "$b" "$id"
assert_digest_logged "$id" "$SIGNED"
assert_log_not_contains "warning msg=" "a warning for a bundle far from expiry"
[ -s "$STATE/verified/bundle-signatures" ] ||
	fail "no verification record of the descriptor's signatures in $STATE/verified/bundle-signatures"
t_end

t_begin "runc: a second start believes the record; one byte of the recorded descriptor changed is refused"
id=$(new_id bundle-signed-again)
img_expect_allowed "$b" "$id"
cp -a "$BDIR/$GEN1" "$IMG_DIR/gen1.keep"
sed -i 's/"version": 1,/"version": 2,/' "$BDIR/$GEN1/bundle.json"
expect_error "$b" "$(new_id bundle-recorded-tampered)" "$(re_quote "$BDIR/$GEN1"): bundle descriptor"
rm -rf "${BDIR:?}/$GEN1"
mv "$IMG_DIR/gen1.keep" "$BDIR/$GEN1"
t_end

t_begin "runc: an image the generation has no signature for is refused (trust.signature)"
b=$(img_bundle unsigned "$POL" "$UNSIGNED_HEX")
id=$(new_id bundle-unsigned)
img_expect_denied "$b" "$id" trust.signature "unsigned: no signature in $(re_quote "$BDIR/$GEN1/signatures")"
t_end

t_begin "check and trust verify name the generation in use; trust install is refused"
run_ocigate check --policy "$POL" --bundle "$(img_bundle signed-check "$POL" "$SIGNED_HEX")"
assert_rc 0
assert_out_contains "trust bundle: $BDIR/$GEN1 (version 1)"
run_ocigate trust verify --policy "$POL"
assert_rc 0
assert_out_contains "trust bundle: $BDIR/$GEN1 (version 1)"
cp "$BDIR/$GEN1/trust/store.json" "$IMG_DIR/new-store.json"
cp "$BDIR/$GEN1/trust/store.json.sig" "$IMG_DIR/new-store.json.sig"
run_ocigate trust install --policy "$POL" "$IMG_DIR/new-store.json"
assert_rc 1
assert_err_matches "install refused: the policy has a \"bundle\" section"
t_end

t_begin "sig sign --add and verdict import refuse to file where the hook never reads; verdict ls reads the generation"
# Were they to write, it would be to the defaults below /var/lib/ocigate: keep the host's out of
# reach (this script runs in its own mount namespace).
mount -t tmpfs -o mode=0755 tmpfs /var/lib || fail "cannot mount a tmpfs on /var/lib"
run_ocigate sig sign --policy "$POL" --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" --digest "$SIGNED" --add
assert_rc 2
assert_err_matches 'the policy has a "bundle" section: this node.s signatures come from the bundle in'
clean_report "$IMG_DIR/report-for-import.json"
run_ocigate verdict import --policy "$POL" "$IMG_DIR/report-for-import.json"
assert_rc 2
assert_err_matches 'has a "bundle" section: this node.s verdicts come from the bundle in'
run_ocigate verdict ls --policy "$POL"
assert_rc 0
assert_out_contains "${SIGNED#sha256:}"
umount /var/lib
t_end

t_begin "policy lint: a bundle section and trust.store as well is an error naming both"
p=$(write_policy both "$(jq '.trust.store = "/etc/ocigate/trust.json"' "$POL")")
run_ocigate policy lint "$p"
assert_rc_nonzero
assert_err_matches '\$\.trust\.store and \$\.bundle'
t_end

# ---------------------------------------------------------------- freshness

t_begin "runc: an expired bundle is refused (bundle.expired)"
gen_build 2 "$(ts '-10 days')" "$(ts '-1 hour')"
set_current "$GEN"
b=$(img_bundle signed-expired "$POL" "$SIGNED_HEX")
id=$(new_id bundle-expired)
img_expect_denied "$b" "$id" bundle.expired "trust bundle $(re_quote "$BDIR/$GEN") \(version 2\) expired at"
t_end

t_begin "runc: a stale bundle (created more than max_age ago) is refused (bundle.stale)"
gen_build 3 "$(ts '-4 days')" "$(ts '+7 days')"
GEN_STALE=$GEN
set_current "$GEN_STALE"
b=$(img_bundle signed-stale "$POL" "$SIGNED_HEX")
id=$(new_id bundle-stale)
img_expect_denied "$b" "$id" bundle.stale "created at .*more than max_age 72h ago"
t_end

t_begin "runc: a stale bundle with on_stale audit is logged and the container runs"
b=$(img_bundle signed-stale-audit "$POL_AUDIT" "$SIGNED_HEX")
id=$(new_id bundle-stale-audit)
img_expect_allowed "$b" "$id" audit
assert_violation "$id" bundle.stale audit
assert_decision audit "$id" bundle.stale
t_end

t_begin "runc: a bundle expiring within warn_before_expiry starts, with a syslog warning"
gen_build 4 "$(ts '-1 hour')" "$(ts '+3 hours')"
set_current "$GEN"
b=$(img_bundle signed-expiring "$POL" "$SIGNED_HEX")
id=$(new_id bundle-expiring)
img_expect_allowed "$b" "$id"
assert_log_contains "warning msg=\"trust bundle $(re_quote "$BDIR/$GEN") \(version 4\) expires at .*within warn_before_expiry 24h"
# check, a dry run, prints it instead and sends nothing to syslog.
log_begin
run_ocigate check --policy "$POL" --bundle "$b"
log_end
assert_rc 0
assert_out_contains "trust bundle: $BDIR/$GEN (version 4)"
assert_out_contains "within warn_before_expiry 24h"
[ -z "$(log_hook_lines)" ] || fail "check sent to syslog: $(log_hook_lines | head -n 1)"
t_end

# ---------------------------------------------------------------- current

b=$(img_bundle signed-current "$POL" "$SIGNED_HEX")
for target in /tmp/x "../$GEN1" "$GEN1/trust" "gen-1-nothexnothex"; do
	t_begin "runc: current -> $target is refused, naming the link"
	set_current "$target"
	expect_error "$b" "$(new_id current)" "current -> [\\\\\"]*$(re_quote "$target")[\\\\\"]*: not a generation name"
	t_end
done

t_begin "runc: current naming a generation that is not there is refused"
set_current gen-9-0123456789ab
expect_error "$b" "$(new_id current-missing)" "gen-9-0123456789ab: No such file"
t_end

t_begin "runc: current that is a directory, not a link, is refused"
rm -f "$BDIR/current"
mkdir "$BDIR/current"
expect_error "$b" "$(new_id current-dir)" "current is not a symbolic link"
rmdir "$BDIR/current"
t_end

t_begin "runc: no current is refused: bundle: none installed"
rm -f "$BDIR/current"
expect_error "$b" "$(new_id none)" "bundle: none installed in $(re_quote "$BDIR") \(no current\)"
t_end

t_begin "runc: no bundle directory is refused: bundle: none installed"
mv "$BDIR" "$BDIR.away"
expect_error "$b" "$(new_id nodir)" "bundle: none installed in $(re_quote "$BDIR") \(no such directory\)"
mv "$BDIR.away" "$BDIR"
t_end

t_begin "runc: a bundle directory others may write is refused"
set_current "$GEN1"
chmod 777 "$BDIR"
expect_error "$b" "$(new_id writable)" "writable"
chmod 755 "$BDIR"
t_end

# ---------------------------------------------------------------- descriptor

t_begin "runc: a descriptor signed by a key that is not a root is refused"
gen_build 5 "$(ts '-1 hour')" "$(ts '+7 days')" rogue
set_current "$GEN"
expect_error "$b" "$(new_id rogue)" "$(re_quote "$BDIR/$GEN"): bundle descriptor"
t_end

t_begin "runc: a tampered descriptor (one byte) is refused"
gen_build 6 "$(ts '-1 hour')" "$(ts '+7 days')"
set_current "$GEN"
sed -i 's/"version": 6/"version": 7/' "$BDIR/$GEN/bundle.json"
expect_error "$b" "$(new_id tampered)" "$(re_quote "$BDIR/$GEN"): bundle descriptor"
t_end

t_begin "runc: a generation under another generation's name is refused"
cp -a "$BDIR/$GEN1" "$BDIR/gen-8-${GEN1##*-}"
set_current "gen-8-${GEN1##*-}"
expect_error "$b" "$(new_id renamed)" "its descriptor is $(re_quote "$GEN1"), not the generation its name says"
rm -rf "$BDIR/gen-8-${GEN1##*-}"
t_end

# ---------------------------------------------------------------- swaps

# Two generations that agree on nothing: A's store (version 1) trusts ci and its signature is by ci,
# B's store (version 2) trusts only ci2 and its signature is by ci2. A start that took the store of
# one and the signatures of the other would refuse the image; every start must see one generation
# whole (and a start still reading A after one read B is no rollback: the hook keeps the floor).
t_begin "hook: 60 starts while current swaps between two generations: every one allowed"
gen_build 10 "$(ts '-1 hour')" "$(ts '+7 days')" root ci 1
GEN_A=$GEN
gen_build 11 "$(ts '-1 hour')" "$(ts '+7 days')" root ci2 2
GEN_B=$GEN
set_current "$GEN_A"
b=$(img_bundle signed-swap "$POL" "$SIGNED_HEX")
(
	while :; do
		set_current "$GEN_B"
		set_current "$GEN_A"
	done
) &
swapper=$!
denied=0 errors=0 seen_a=0 seen_b=0
for i in $(seq 60); do
	id=$(new_id "swap-$i")
	state_json "$id" "$b" >"$E2E_WORK/state-swap.json"
	run_hook "$E2E_WORK/state-swap.json" "$POL" --stage createRuntime
	[ "$RC" -eq 0 ] || { denied=$((denied + 1)); [ "$denied" -gt 1 ] || fail "start $i refused: $(log_hook_msgs | tr '\n' ' ')"; }
done
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
[ "$denied" -eq 0 ] || fail "$denied of 60 starts during swaps were refused"
t_end

t_begin "a start sees the generation current names: one whose files do not verify is refused"
# A generation with B's descriptor and store but A's signatures: what a mix would be.
mix=gen-11-${GEN_B##*-}
rm -rf "${BDIR:?}/$GEN_B.keep"
mv "$BDIR/$GEN_B" "$BDIR/$GEN_B.keep"
cp -a "$BDIR/$GEN_B.keep" "$BDIR/$mix"
rm -rf "${BDIR:?}/$mix/signatures"
cp -a "$BDIR/$GEN_A/signatures" "$BDIR/$mix/signatures"
set_current "$mix"
id=$(new_id mix)
img_expect_denied "$b" "$id" trust.signature "signature"
rm -rf "${BDIR:?}/$mix"
mv "$BDIR/$GEN_B.keep" "$BDIR/$GEN_B"
set_current "$GEN_B"
img_expect_allowed "$b" "$(new_id swap-b)"
t_end

