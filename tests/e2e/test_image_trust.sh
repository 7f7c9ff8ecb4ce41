#!/bin/bash
# Image trust end to end: real runc starts a hardened busybox bundle with ocigate registered as a
# createRuntime hook and the image identity in CRI-O's io.kubernetes.cri-o.ImageRef annotation.
# The hook must check the host's signed trust store (root-key signature, expiry, rollback) and the
# image's cosign-compatible signature (made with `ocigate sig sign`, linked from the signed
# manifest digest to the image ID by the stored manifest) before the container runs. Every case
# asserts runc's exit code, the container's output, that nothing is left behind, and the syslog
# decision and violation lines the hook really sent.
# Test images and their digests: see lib_image.sh (IMG_CONFIG = image ID, IMG_MANIFEST = signed).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
[ -z "$IMG_NEED" ] || img_abort "missing commands: $IMG_NEED (run packaging/install-deps.sh)"

FUTURE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
PAST=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)

for k in root:ec rogue:ec ci:ed25519 teamb:ec msgsigner:ec p384:ec384 rsa1024:rsa1024; do
	img_key "${k%%:*}" "${k#*:}" || img_abort "openssl cannot generate a ${k#*:} key"
done

# The main trust environment: store v1, signer "ci" (Ed25519) scoped to team-a, signed by root.
img_trust_env main
MAIN_STORE=$TRUST_STORE MAIN_STATE=$TRUST_STATE MAIN_SIGS=$TRUST_SIGS
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A"),$(img_store_key teamb 'registry.example.com/team-b/*')]"
img_store_sign root
MAIN_TRUST=$(img_trust_json)
POL_ENFORCE=$(img_policy trust-enforce enforce "$MAIN_TRUST")
POL_AUDIT=$(img_policy trust-audit audit "$MAIN_TRUST")

use_main() { TRUST_STORE=$MAIN_STORE TRUST_STATE=$MAIN_STATE TRUST_SIGS=$MAIN_SIGS; }

# ---------------------------------------------------------------- allowed

t_begin "runc: a signed image starts (signature over the manifest, linked to the image ID)"
use_main
img_make signed
SIGNED_CONFIG=$IMG_CONFIG
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
b=$(img_bundle signed "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id signed)
img_expect_allowed "$b" "$id"
assert_digest_logged "$id" "$SIGNED_CONFIG"
assert_log_contains "decision=allow container=\"$(re_quote "$id")\" .*image=\"$(re_quote "$IMG_REPO_A"):1\.0\"" \
	"decision line does not name the image from the ImageName annotation"
[ "$(tr -d '[:space:]' <"$MAIN_STATE/trust-version" 2>/dev/null)" = 1 ] ||
	fail "rollback state $MAIN_STATE/trust-version does not record version 1"
t_end

t_begin "runc: an unsigned image allowlisted by digest in the signed store starts"
img_trust_env allowlist
img_make allowlisted
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]" \
	"$(jq -cn --arg d "$IMG_CONFIG" --arg r "$IMG_REPO_A" '[{digest: $d, repository: $r}]')"
img_store_sign root
b=$(img_bundle allowlisted "$(img_policy trust-allowlist enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id allowlisted)
img_expect_allowed "$b" "$id"
assert_digest_logged "$id" "$IMG_CONFIG"
t_end

# big_store FILE EXPIRES KEYS_JSON DIGEST REPO BAD_INDEX: a store allowlisting 10,000 digests (about
# 1.6 MB, so the hook reads it into huge pages), DIGEST near the end; entry BAD_INDEX (unless -1) gets
# an uppercase digest.
big_store() {
	python3 - "$@" <<'PY' || fail "cannot write the 10,000-entry store"
import hashlib, json, sys
path, expires, keys, digest, repo, bad = sys.argv[1:7]
images = [{"digest": "sha256:" + hashlib.sha256(b"e2e-filler-%d" % i).hexdigest(),
           "repository": "registry.example.com/filler/app-%d" % i} for i in range(9999)]
images.insert(9990, {"digest": digest, "repository": repo})
if int(bad) >= 0:
    images[int(bad)]["digest"] = images[int(bad)]["digest"].upper()
with open(path, "w") as f:
    json.dump({"version": 1, "expires": expires, "keys": json.loads(keys), "images": images,
               "revoked": {"keys": [], "digests": []}}, f, indent=2)
PY
	[ "$(stat -c %s "$1")" -ge 1048576 ] || fail "the 10,000-entry store is under 1 MiB"
}

t_begin "runc: an image allowlisted among 10,000 digests of a 1.6 MB signed store starts"
img_trust_env biglist
img_make biglisted
BIG_KEYS="[$(img_store_key ci "$IMG_SCOPE_A")]"
big_store "$TRUST_STORE" "$FUTURE" "$BIG_KEYS" "$IMG_CONFIG" "$IMG_REPO_A" -1
img_store_sign root
b=$(img_bundle biglisted "$(img_policy trust-biglist enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id biglisted)
img_expect_allowed "$b" "$id"
assert_digest_logged "$id" "$IMG_CONFIG"
t_end

t_begin "runc: refused: one malformed digest among 10,000 makes the whole signed store invalid (trust.store)"
img_trust_env biglist-bad
big_store "$TRUST_STORE" "$FUTURE" "$BIG_KEYS" "$IMG_CONFIG" "$IMG_REPO_A" 5000
img_store_sign root
b=$(img_bundle biglisted-bad "$(img_policy trust-biglist-bad enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id biglisted-bad)
img_expect_denied "$b" "$id" trust.store 'images\[5000\]\.digest: expected sha256:<64 lowercase hex>'
t_end

# ---------------------------------------------------------------- refused: the signature

t_begin "runc: refused: unsigned image (trust.signature, unsigned)"
use_main
img_make unsigned
UNSIGNED_HEX=$IMG_CONFIG_HEX UNSIGNED_CONFIG=$IMG_CONFIG
b=$(img_bundle unsigned "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id unsigned)
img_expect_denied "$b" "$id" trust.signature "image $IMG_CONFIG is unsigned"
assert_digest_logged "$id" "$IMG_CONFIG"
assert_err_matches "trust\.signature"
t_end

t_begin "runc: refused: a stored signature whose payload has one flipped byte (trust.signature)"
use_main
img_make tampered
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
n=0
# Every stored copy of the signature (filed under the manifest digest and the image ID): decode
# the payload, flip one bit of one byte inside the docker-reference, store it back.
for f in "$MAIN_SIGS"/sha256/"${IMG_MANIFEST#sha256:}"/*.json "$MAIN_SIGS"/sha256/"$IMG_CONFIG_HEX"/*.json; do
	[ -f "$f" ] || continue
	python3 - "$f" <<'EOF' || fail "cannot tamper with $f"
import base64, json, sys
path = sys.argv[1]
raw = open(path, "rb").read()
doc = json.loads(raw)
payload = bytearray(base64.b64decode(doc["payload"]))
i = payload.index(b"team-a") + 5      # the "a" of team-a becomes "`"
payload[i] ^= 0x01
doc["payload"] = base64.b64encode(bytes(payload)).decode()
open(path, "w").write(json.dumps(doc, separators=(",", ":")))
EOF
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no stored signature file found for the tampered image"
b=$(img_bundle tampered "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id tampered)
img_expect_denied "$b" "$id" trust.signature "bad signature"
assert_log_not_contains "violation container=\"$(re_quote "$id")\" rule=trust.signature action=deny msg=\"[^\"]*unsigned" \
	"a tampered signature is reported as 'unsigned' rather than as a bad signature"
t_end

t_begin "runc: refused: signed by a store key outside its repository scope (trust.signature)"
use_main
img_make outofscope
# teamb is trusted, but only for registry.example.com/team-b/*; it signs a team-a image.
img_sign teamb "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
b=$(img_bundle outofscope "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id outofscope)
img_expect_denied "$b" "$id" trust.signature "out-of-scope key.*scopes do not cover $(re_quote "$IMG_REPO_A")"
t_end

t_begin "runc: refused: signed by a key that is not in the trust store (trust.signature)"
use_main
img_make strangerkey
img_sign rogue "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
b=$(img_bundle strangerkey "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id stranger-key)
img_expect_denied "$b" "$id" trust.signature "bad signature"
t_end

t_begin "runc: refused: revoked digest, although allowlisted and validly signed (trust.signature)"
img_trust_env revoked
img_make revoked
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]" \
	"$(jq -cn --arg d "$IMG_CONFIG" --arg r "$IMG_REPO_A" '[{digest: $d, repository: $r}]')" \
	"$(jq -cn --arg d "$IMG_CONFIG" '{keys: [], digests: [$d]}')"
img_store_sign root
b=$(img_bundle revoked "$(img_policy trust-revoked enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id revoked)
img_expect_denied "$b" "$id" trust.signature "$IMG_CONFIG is revoked"
t_end

t_begin "runc: refused: signature by a revoked signer key (trust.signature)"
img_trust_env revokedkey
img_make revokedkey
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
CI_KEYID=$(openssl pkey -pubin -in "$IMG_DIR/keys/ci.pub" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]" '[]' \
	"$(jq -cn --arg k "$CI_KEYID" '{keys: [$k], digests: []}')"
img_store_sign root
b=$(img_bundle revokedkey "$(img_policy trust-revokedkey enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id revoked-key)
img_expect_denied "$b" "$id" trust.signature "revoked key.*${CI_KEYID:0:16}"
t_end

# ---------------------------------------------------------------- refused: the store

t_begin "runc: refused: trust store signed by a key that is not a pinned root (trust.store)"
img_trust_env rogue
img_make rogue
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign rogue
b=$(img_bundle rogue "$(img_policy trust-rogue enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id rogue-store)
img_expect_denied "$b" "$id" trust.store "signed by 0 of the required 1 root keys: no signature by root key"
t_end

t_begin "runc: refused: trust store edited after signing, one flipped byte (trust.store)"
img_trust_env edited
img_make edited
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
# Widen the scope after signing: team-a/* becomes team-`/* (one bit of one byte).
python3 -c '
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
b[b.index(b"team-a/*") + 5] ^= 0x01
open(p, "wb").write(b)' "$TRUST_STORE" || fail "cannot edit the store"
b=$(img_bundle edited "$(img_policy trust-edited enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id edited-store)
img_expect_denied "$b" "$id" trust.store "signed by 0 of the required 1 root keys: bad signature by root key"
t_end

t_begin "runc: refused: trust store rolled back to a lower version than one accepted (trust.store)"
img_trust_env rollback
img_make rollback
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
POL_ROLLBACK=$(img_policy trust-rollback enforce "$(img_trust_json)")
# First version 2 is accepted by a real start; then an older (validly signed) version 1 is put back.
img_store_write 2 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
cp "$TRUST_STORE" "$TRUST_STORE.v2"
cp "$TRUST_STORE.sig" "$TRUST_STORE.v2.sig"
b=$(img_bundle rollback-v2 "$POL_ROLLBACK" "$IMG_CONFIG_HEX")
id=$(new_id rollback-v2)
img_expect_allowed "$b" "$id"
[ "$(tr -d '[:space:]' <"$TRUST_STATE/trust-version" 2>/dev/null)" = 2 ] ||
	fail "after accepting version 2 the state file does not hold 2"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
b=$(img_bundle rollback-v1 "$POL_ROLLBACK" "$IMG_CONFIG_HEX")
id=$(new_id rollback-v1)
img_expect_denied "$b" "$id" trust.store "rolled back: version 1 is lower than the accepted version 2"
[ "$(tr -d '[:space:]' <"$TRUST_STATE/trust-version" 2>/dev/null)" = 2 ] ||
	fail "the refused rollback changed the state file"
# And version 2 put back is accepted again (the state was not lowered).
cp "$TRUST_STORE.v2" "$TRUST_STORE"
cp "$TRUST_STORE.v2.sig" "$TRUST_STORE.sig"
id=$(new_id rollback-v2-again)
img_expect_allowed "$(img_bundle rollback-v2b "$POL_ROLLBACK" "$IMG_CONFIG_HEX")" "$id"
t_end

# signed_env NAME: a fresh trust environment (store v1: key ci for team-a, signed by root), image NAME
# signed by ci, and ENV_POL, an enforcing policy for them.
signed_env() {
	img_trust_env "$1"
	img_make "$1"
	img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
	img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
	img_store_sign root
	ENV_POL=$(img_policy "trust-$1" enforce "$(img_trust_json)")
}

# start_allowed NAME / start_denied NAME RULE MSG_ERE: one start of the image under ENV_POL.
start_allowed() { img_expect_allowed "$(img_bundle "$1" "$ENV_POL" "$IMG_CONFIG_HEX")" "$(new_id "$1")"; }
start_denied() { img_expect_denied "$(img_bundle "$1" "$ENV_POL" "$IMG_CONFIG_HEX")" "$(new_id "$1")" "$2" "$3"; }

# warm_up NAME: two allowed starts; the first accepts the store (raising the rollback floor), the
# second records the acceptance in the verification cache, which serves the next one.
warm_up() {
	start_allowed "$1-first"
	start_allowed "$1-recorded"
	[ -f "$TRUST_STATE/verified/$IMG_CONFIG_HEX" ] ||
		fail "no verification record $TRUST_STATE/verified/$IMG_CONFIG_HEX after two acceptances"
}

# The rollback state and the trust files are checked StrictModes-style (every directory up to /)
# at every start, before a verification record is believed.
t_begin "runc: refused: world-writable rollback state, then a world-writable trust-version, despite a warm record (trust.store)"
signed_env statemodes
warm_up statemodes
chmod 777 "$TRUST_STATE"
start_denied statemodes-dir trust.store \
	"rollback state: $(re_quote "$TRUST_STATE") is group- or world-writable \(mode 0777\)"
chmod 700 "$TRUST_STATE"
chmod 666 "$TRUST_STATE/trust-version"
start_denied statemodes-file trust.store \
	"rollback state: $(re_quote "$TRUST_STATE/trust-version") is group- or world-writable \(mode 0666\)"
chmod 600 "$TRUST_STATE/trust-version"
start_allowed statemodes-restored
t_end

t_begin "runc: refused: the trust store below a world-writable, non-sticky directory (trust.store); sticky or through a link, allowed"
signed_env waymodes
WAY=${TRUST_STORE%/*}
chmod 777 "$WAY"
start_denied waymodes-open trust.store "$(re_quote "$WAY") is group- or world-writable \(mode 0777\) and not sticky"
chmod 1777 "$WAY"
start_allowed waymodes-sticky
chmod 700 "$WAY"
# The store named through a link to its directory (as /var/run -> /run): resolved and checked.
ln -s waymodes "$IMG_DIR/trust/waymodes-link"
TRUST_STORE=$IMG_DIR/trust/waymodes-link/trust.json
ENV_POL=$(img_policy trust-waymodes-link enforce "$(img_trust_json)")
start_allowed waymodes-link
chmod 770 "$WAY"
start_denied waymodes-link-open trust.store "$(re_quote "$WAY") is group- or world-writable \(mode 0770\) and not sticky"
chmod 700 "$WAY"
t_end

# `trust install` raises the floor with the swap: no start has to happen in between for an older,
# validly signed store to be refused.
install_env() { # NAME: a trust environment with signed stores v8 and v9 beside it, not installed
	img_trust_env "$1"
	INSTALL_LIVE=$TRUST_STORE
	local v
	for v in 8 9; do
		TRUST_STORE=${INSTALL_LIVE%/*}/v$v.json
		img_store_write "$v" "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
		img_store_sign root
	done
	TRUST_STORE=$INSTALL_LIVE
	TRUST_CLI=(--store "$TRUST_STORE" --root-key "$IMG_DIR/keys/root.pub" --state-dir "$TRUST_STATE"
		--signatures-dir "$TRUST_SIGS")
}

t_begin "trust install v9, then a validly signed v8: v8 refused as a rollback, trust verify still says version 9"
install_env install
img_make install
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
run_ocigate trust install "${TRUST_CLI[@]}" "${TRUST_STORE%/*}/v9.json"
assert_rc 0
[ "$(tr -d '[:space:]' <"$TRUST_STATE/trust-version" 2>/dev/null)" = 9 ] ||
	fail "after installing version 9 (no start yet) the rollback state does not hold 9"
run_ocigate trust install "${TRUST_CLI[@]}" "${TRUST_STORE%/*}/v8.json"
assert_rc 1
assert_err_matches "v8\.json not installed: .*rolled back: version 8 is lower than the accepted version 9"
run_ocigate trust verify "${TRUST_CLI[@]}"
assert_rc 0
grep -qx 'version: 9' "$RUN_OUT" || fail "trust verify does not say 'version: 9': $(head -n 1 "$RUN_OUT")"
img_expect_allowed "$(img_bundle install "$(img_policy trust-install enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")" \
	"$(new_id install)"
t_end

t_begin "trust install of v8 and v9 at the same time (10 rounds): v9 always ends installed, the floor at 9"
install_env install-race
for round in $(seq 10); do
	rm -rf "$TRUST_STATE" "$TRUST_STORE" "$TRUST_STORE.sig"
	first=v8 second=v9
	[ $((round % 2)) -eq 0 ] || { first=v9 second=v8; }
	"$OCIGATE_BIN" trust install "${TRUST_CLI[@]}" "${TRUST_STORE%/*}/$first.json" >/dev/null 2>&1 &
	a=$!
	"$OCIGATE_BIN" trust install "${TRUST_CLI[@]}" "${TRUST_STORE%/*}/$second.json" >/dev/null 2>&1 &
	b=$!
	wait "$a" "$b"
	run_ocigate trust verify "${TRUST_CLI[@]}"
	grep -qx 'version: 9' "$RUN_OUT" ||
		fail "round $round: not version 9 installed: $(head -n 1 "$RUN_OUT")$(head -c 300 "$RUN_ERR")"
	[ "$(tr -d '[:space:]' <"$TRUST_STATE/trust-version" 2>/dev/null)" = 9 ] ||
		fail "round $round: the rollback state holds $(cat "$TRUST_STATE/trust-version" 2>&1), not 9"
done
t_end

# The hook keeps a verification cache (STATE_DIR/verified/<hex>) of acceptances; these two cases
# make sure a warm start is still refused once what vouched for the image changed.
t_begin "runc: an accepted image is refused at its next start once its stored signature is tampered with"
signed_env warm
# Start 3 is served from the record; then the signature changes on disk.
warm_up warm
start_allowed warm-third
for f in "$TRUST_SIGS"/sha256/*/*.json; do
	[ -f "$f" ] || continue
	python3 -c '
import base64, json, sys
p = sys.argv[1]; doc = json.load(open(p))
s = bytearray(base64.b64decode(doc["signature"])); s[len(s) // 2] ^= 0x01
doc["signature"] = base64.b64encode(bytes(s)).decode()
open(p, "w").write(json.dumps(doc, separators=(",", ":")))' "$f" || fail "cannot tamper with $f"
done
start_denied warm-tampered trust.signature "bad signature"
t_end

t_begin "runc: an accepted image is refused at its next start once a new store version revokes it"
signed_env revokelater
warm_up revokelater
img_store_write 2 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]" '[]' \
	"$(jq -cn --arg d "$IMG_CONFIG" '{keys: [], digests: [$d]}')"
img_store_sign root
start_denied revokelater-second trust.signature "$IMG_CONFIG is revoked"
t_end

# `ocigate check` is a dry run: the node's state is left exactly as it was, and no record is believed.
state_snapshot() { find "$TRUST_STATE" -printf '%p %i %s %T@ %C@\n' 2>/dev/null | sort; }

t_begin "check is a dry run: no state created on a fresh node, none changed on a warm one (not even a newer store's version)"
signed_env dryrun
DRY_BUNDLE=$(img_bundle dryrun "$ENV_POL" "$IMG_CONFIG_HEX")
rmdir "$TRUST_STATE" # a node whose hook never ran
run_ocigate check --bundle "$DRY_BUNDLE" --policy "$ENV_POL"
assert_rc 0
[ ! -e "$TRUST_STATE" ] || fail "check created $TRUST_STATE: $(find "$TRUST_STATE" | tr '\n' ' ')"
warm_up dryrun
img_store_write 2 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
before=$(state_snapshot)
run_ocigate check --bundle "$DRY_BUNDLE" --policy "$ENV_POL"
assert_rc 0
[ "$(state_snapshot)" = "$before" ] ||
	fail "check changed the state directory: $(diff <(echo "$before") <(state_snapshot) | head -n 6 | tr '\n' ' ')"
t_end

t_begin "check verifies every signature itself: a forged record for an image whose signature is gone does not make it allow"
warm_up dryrun-v2
rm -rf "$TRUST_SIGS/sha256/$IMG_CONFIG_HEX" "$TRUST_SIGS/sha256/${IMG_MANIFEST#sha256:}"
# The forgery: the real record with its fingerprint of the (now missing) signature entries updated.
sed -i -E '1s/ sigdir=.*/ sigdir=-/' "$TRUST_STATE/verified/$IMG_CONFIG_HEX"
# The hook believes it (it trusts the state directory as it trusts the policy): the forgery allows.
start_allowed dryrun-forged
before=$(state_snapshot)
run_ocigate check --bundle "$DRY_BUNDLE" --policy "$ENV_POL"
assert_rc 1
grep -qE "trust\.signature +image $(re_quote "$IMG_CONFIG") is unsigned" "$RUN_OUT" ||
	fail "check does not report the image as unsigned: $(head -c 400 "$RUN_OUT")"
[ "$(state_snapshot)" = "$before" ] || fail "check changed the state directory"
t_end

# The store's root signatures are on record too (STATE_DIR/verified/store-signatures): an image the
# node has not started before costs its own signature only, until a file of the store changes.
t_begin "runc: a new image under an unchanged store is allowed from the store's record, refused once its signature file changes"
img_trust_env storerec
img_make storerec-a
A_HEX=$IMG_CONFIG_HEX
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
POL_SR=$(img_policy trust-storerec enforce "$(img_trust_json)")
img_expect_allowed "$(img_bundle storerec-a "$POL_SR" "$A_HEX")" "$(new_id storerec-a)"
[ -f "$TRUST_STATE/verified/store-signatures" ] || fail "no store-signatures record after an accepted store"
img_make storerec-b
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
id=$(new_id storerec-b)
img_expect_allowed "$(img_bundle storerec-b "$POL_SR" "$IMG_CONFIG_HEX")" "$id"
assert_digest_logged "$id" "$IMG_CONFIG"
# the same store, now signed by a key that is not a root: a new image must see it
img_store_sign ci
img_make storerec-c
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
id=$(new_id storerec-c)
img_expect_denied "$(img_bundle storerec-c "$POL_SR" "$IMG_CONFIG_HEX")" "$id" trust.store \
	"signed by 0 of the required 1 root keys: no signature by root key"
t_end

t_begin "runc: refused: expired trust store (trust.store)"
img_trust_env expired
img_make expired
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_store_write 1 "$PAST" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
b=$(img_bundle expired "$(img_policy trust-expired enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")
id=$(new_id expired-store)
img_expect_denied "$b" "$id" trust.store "expired at $PAST"
t_end

# ---------------------------------------------------------------- the name the engine runs the image as

# Signatures are matched with the name CRI-O records in io.kubernetes.cri-o.ImageName (set after the
# pod's own annotations), as containers-policy.json's matchRepoDigestOrExact does for a digest.
IMG_REPO_B=registry.example.com/team-b/app
IMG_SCOPE_B='registry.example.com/team-b/*'

t_begin "runc: signed for team-a/app: allowed as team-a/app (any tag), refused as team-b/app:1 although the record allowed it before (trust.signature)"
img_trust_env names
img_make names
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A"),$(img_store_key teamb "$IMG_SCOPE_B")]"
img_store_sign root
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
POL_NAMES=$(img_policy trust-names enforce "$(img_trust_json)")
# start 1 moves the rollback state, start 2 writes the verification record for this name
img_expect_allowed "$(img_bundle names-a1 "$POL_NAMES" "$IMG_CONFIG_HEX")" "$(new_id names-a1)"
img_expect_allowed "$(img_bundle names-a2 "$POL_NAMES" "$IMG_CONFIG_HEX" "$IMG_REPO_A:2.0")" "$(new_id names-a2)"
[ -f "$TRUST_STATE/verified/$IMG_CONFIG_HEX" ] || fail "no verification record after two acceptances"
id=$(new_id names-b)
img_expect_denied "$(img_bundle names-b "$POL_NAMES" "$IMG_CONFIG_HEX" "$IMG_REPO_B:1")" "$id" trust.signature \
	"signed for another repository.*for $(re_quote "$IMG_REPO_A"), but the engine runs the image as $(re_quote "$IMG_REPO_B"):1 \(annotation io\.kubernetes\.cri-o\.ImageName\)"
assert_log_contains "decision=deny container=\"$(re_quote "$id")\" .*image=\"$(re_quote "$IMG_REPO_B"):1\"" \
	"the decision line does not name the image as the engine records it"
t_end

t_begin "runc: trust.match_repository false: the team-a signature is allowed for team-b/app:1"
img_expect_allowed "$(img_bundle names-relaxed "$(img_policy trust-names-relaxed enforce \
	"$(img_trust_json | jq -c '. + {match_repository: false}')")" "$IMG_CONFIG_HEX" "$IMG_REPO_B:1")" \
	"$(new_id names-relaxed)"
t_end

# msg_bundle KEY DIGEST OUT: a Sigstore bundle v0.3 whose messageSignature (KEY, an EC key) signs DIGEST
# alone: it names no repository.
msg_bundle() {
	python3 - "$IMG_DIR/keys/$1.pem" "$2" "$3" <<'PY' || fail "cannot build the messageSignature bundle"
import base64, json, subprocess, sys
key, digest, out = sys.argv[1:4]
raw = bytes.fromhex(digest.split(":", 1)[1])
sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key], input=raw, capture_output=True,
                     check=True).stdout
json.dump({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
           "verificationMaterial": {"publicKey": {"hint": "e2e"}},
           "messageSignature": {"messageDigest": {"algorithm": "SHA2_256",
                                                  "digest": base64.b64encode(raw).decode()},
                                "signature": base64.b64encode(sig).decode()}}, open(out, "w"))
PY
}

t_begin "runc: a messageSignature names no repository: under either --repository hint it is allowed as team-a/app, refused as team-b/app (trust.signature)"
img_trust_env msgsig
img_make msgsig
img_store_write 1 "$FUTURE" "[$(img_store_key msgsigner "$IMG_SCOPE_A"),$(img_store_key teamb "$IMG_SCOPE_B")]"
img_store_sign root
POL_MSG=$(img_policy trust-msgsig enforce "$(img_trust_json)")
msg_bundle msgsigner "$IMG_MANIFEST" "$IMG_DIR/msgsig.bundle.json"
for hint in "$IMG_REPO_A" "$IMG_REPO_B"; do
	rm -rf "${TRUST_SIGS:?}"/*
	run_ocigate sig add --bundle "$IMG_DIR/msgsig.bundle.json" --manifest "$IMG_MANIFEST_FILE" --repository "$hint" \
		--signatures-dir "$TRUST_SIGS"
	assert_rc 0
	run_ocigate sig ls --signatures-dir "$TRUST_SIGS"
	assert_out_contains "message-signature - (unsigned repository hint: $hint)"
	img_expect_allowed "$(img_bundle msgsig-a "$POL_MSG" "$IMG_CONFIG_HEX")" "$(new_id "msgsig-a-${hint##*/team-}")"
	img_expect_denied "$(img_bundle msgsig-b "$POL_MSG" "$IMG_CONFIG_HEX" "$IMG_REPO_B:1")" \
		"$(new_id "msgsig-b-${hint##*/team-}")" trust.signature \
		"do not cover $(re_quote "$IMG_REPO_B"), the repository of the engine's image name"
done
t_end

t_begin "runc: cosign's recipe by hand, a P-384 key over SHA-256 and a signature wrapped by base64 at 76 columns, is accepted"
img_trust_env recipe
img_make recipe
img_store_write 1 "$FUTURE" "[$(img_store_key p384 "$IMG_SCOPE_A")]"
img_store_sign root
run_ocigate sig sign --key "$IMG_DIR/keys/p384.pem" --repository "$IMG_REPO_A" --digest "$IMG_MANIFEST" \
	--payload-out "$IMG_DIR/recipe.payload.json" --signatures-dir "$TRUST_SIGS"
assert_rc 0
openssl dgst -sha256 -sign "$IMG_DIR/keys/p384.pem" "$IMG_DIR/recipe.payload.json" | base64 >"$IMG_DIR/recipe.sig.b64" ||
	fail "openssl dgst -sign failed"
[ "$(wc -l <"$IMG_DIR/recipe.sig.b64")" -ge 2 ] || fail "base64 did not wrap the signature (this case tests that)"
run_ocigate sig add --payload "$IMG_DIR/recipe.payload.json" --signature "$IMG_DIR/recipe.sig.b64" \
	--manifest "$IMG_MANIFEST_FILE" --signatures-dir "$TRUST_SIGS"
assert_rc 0
img_expect_allowed "$(img_bundle recipe "$(img_policy trust-recipe enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")" \
	"$(new_id recipe)"
t_end

t_begin "an RSA-1024 key: trust sign warns, trust install refuses, the refusal of its signature and policy lint say why"
img_trust_env rsa1024
img_make rsa1024
img_store_write 1 "$FUTURE" "[$(img_store_key rsa1024 "$IMG_SCOPE_A")]"
run_ocigate trust sign --key "$IMG_DIR/keys/root.pem" "$TRUST_STORE"
assert_rc 0
assert_err_matches "warning: trust store keys\[0\]: RSA key of 1024 bits refused: at least 2048 bits required \(key \"rsa1024\"\)"
mv "$TRUST_STORE" "$TRUST_STORE.new" && mv "$TRUST_STORE.sig" "$TRUST_STORE.new.sig" || fail "cannot move the store"
run_ocigate trust install --store "$TRUST_STORE" --root-key "$IMG_DIR/keys/root.pub" --state-dir "$TRUST_STATE" \
	"$TRUST_STORE.new"
assert_rc 1
assert_err_matches "not installed: .*RSA key of 1024 bits refused: at least 2048 bits required"
[ ! -e "$TRUST_STORE" ] || fail "trust install installed a store listing an RSA-1024 key"
mv "$TRUST_STORE.new" "$TRUST_STORE" && mv "$TRUST_STORE.new.sig" "$TRUST_STORE.sig" || fail "cannot move the store back"
run_ocigate sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" --digest "$IMG_MANIFEST" \
	--payload-out "$IMG_DIR/rsa1024.payload.json" --signatures-dir "$TRUST_SIGS"
openssl dgst -sha256 -sign "$IMG_DIR/keys/rsa1024.pem" "$IMG_DIR/rsa1024.payload.json" | base64 -w0 \
	>"$IMG_DIR/rsa1024.sig.b64" || fail "openssl dgst -sign failed"
run_ocigate sig add --payload "$IMG_DIR/rsa1024.payload.json" --signature "$IMG_DIR/rsa1024.sig.b64" \
	--manifest "$IMG_MANIFEST_FILE" --signatures-dir "$TRUST_SIGS"
assert_rc 0
img_expect_denied "$(img_bundle rsa1024 "$(img_policy trust-rsa1024 enforce "$(img_trust_json)")" "$IMG_CONFIG_HEX")" \
	"$(new_id rsa1024)" trust.signature \
	"unusable store key: trust store keys\[0\]: RSA key of 1024 bits refused: at least 2048 bits required"
run_ocigate policy lint "$(img_policy trust-rsa1024-root enforce \
	"$(img_trust_json | jq -c --arg k "$IMG_DIR/keys/rsa1024.pub" '.root_keys = [$k]')")"
assert_rc 1
assert_err_matches "trust\.root_keys\[0\]: .*RSA key of 1024 bits refused: at least 2048 bits required"
t_end

# ---------------------------------------------------------------- identity, audit, exemptions

t_begin "runc: refused: no image identity (no ImageRef annotation) while trust is required (image.identity)"
b=$(img_bundle noidentity "$POL_ENFORCE" -)
id=$(new_id no-identity)
img_expect_denied "$b" "$id" image.identity "no image digest"
assert_log_contains "decision=deny container=\"$(re_quote "$id")\" .*digest=\"\"" \
	"decision line of an image without identity does not show an empty digest"
t_end

t_begin "runc: refused: CRI-O's ImageRef has 63 hex digits: image.identity says so, not only that no digest was found"
b=$(img_bundle shortref "$POL_ENFORCE" "${UNSIGNED_HEX%?}")
id=$(new_id short-ref)
img_expect_denied "$b" "$id" image.identity \
	"no image digest found.*annotation io\.kubernetes\.cri-o\.ImageRef: .* is not an image digest: fewer than 64 hex digits"
t_end

t_begin "runc: audit mode lets an unsigned image run and logs decision=audit"
b=$(img_bundle audit-unsigned "$POL_AUDIT" "$UNSIGNED_HEX")
id=$(new_id audit-unsigned)
img_expect_allowed "$b" "$id" audit
assert_decision audit "$id" trust.signature
assert_log_contains "decision=audit container=\"$(re_quote "$id")\" .*mode=audit" "decision line lacks mode=audit"
assert_violation "$id" trust.signature audit
assert_digest_logged "$id" "$UNSIGNED_CONFIG"
t_end

t_begin "runc: per-rule mode {\"trust.*\": \"audit\"} lets an unsigned image run under an enforcing policy"
b=$(img_bundle modes-unsigned "$(img_policy trust-modes enforce "$MAIN_TRUST" null '{"modes": {"trust.*": "audit"}}')" \
	"$UNSIGNED_HEX")
id=$(new_id modes-unsigned)
img_expect_allowed "$b" "$id" audit
assert_violation "$id" trust.signature audit
t_end

t_begin "runc: an image-name exemption for runtime.* does not exempt trust rules"
POL_EXEMPT_RT=$(img_policy trust-exempt-runtime enforce "$MAIN_TRUST" null \
	"$(jq -cn --arg g "$IMG_REPO_A:*" '{exemptions: [{rules: ["runtime.*"], images: [$g], reason: "e2e"}]}')")
b=$(img_bundle exempt-runtime "$POL_EXEMPT_RT" "$UNSIGNED_HEX")
cfg_edit "$b" '.root.readonly = false'
id=$(new_id exempt-runtime)
img_expect_denied "$b" "$id" trust.signature "is unsigned"
assert_violation "$id" runtime.readonly-rootfs exempt
t_end

t_begin "runc: an image-name exemption that lists trust.signature lets the unsigned image run"
POL_EXEMPT_TRUST=$(img_policy trust-exempt-trust enforce "$MAIN_TRUST" null \
	"$(jq -cn --arg g "$IMG_REPO_A:*" '{exemptions: [{rules: ["trust.signature"], images: [$g], reason: "e2e"}]}')")
b=$(img_bundle exempt-trust "$POL_EXEMPT_TRUST" "$UNSIGNED_HEX")
id=$(new_id exempt-trust)
run_container runc "$b" "$id"
assert_rc 0
assert_out_contains "$IMG_GREETING"
assert_decision allow "$id"
assert_violation "$id" trust.signature exempt
assert_nothing_left runc "$id"
t_end
