# shellcheck shell=bash
# shellcheck disable=SC2034,SC2016 # variables are for the sourcing scripts; jq programs are single-quoted
# Helpers shared by test_image_trust.sh and test_scan_verdicts.sh (sourced after lib.sh and
# after e2e_init): test images with real digests, keys, signed trust stores, Trivy-format
# reports, and bundles that carry the image identity the way CRI-O does.
#
# The "image" of every test is the busybox rootfs the bundles run. img_make builds, for it, an
# OCI image config (whose rootfs.diff_ids names the sha256 of a deterministic tar of that rootfs,
# plus a label making each test image distinct) and an OCI manifest pointing at that config. So:
#   IMG_CONFIG    sha256 of the config bytes   = the image ID CRI-O puts (as 64 hex, without
#                 "sha256:") in the io.kubernetes.cri-o.ImageRef annotation, what the hook checks;
#   IMG_MANIFEST  sha256 of the manifest bytes = what cosign signs (docker-manifest-digest).
# A signature over IMG_MANIFEST is linked to IMG_CONFIG by `ocigate sig add --manifest`, and the
# hook checks that chain itself (sha256(manifest) is the signed digest, its config.digest is
# the image ID), exactly as for a real registry image.

IMG_ANNOTATION=io.kubernetes.cri-o.ImageRef
IMG_NAME_ANNOTATION=io.kubernetes.cri-o.ImageName
IMG_REPO_A=registry.example.com/team-a/app
IMG_SCOPE_A='registry.example.com/team-a/*'

# img_init: directories and the rootfs layer digest (once per script).
img_init() {
	IMG_DIR=$E2E_WORK/img
	mkdir -p "$IMG_DIR/keys" "$IMG_DIR/images" "$IMG_DIR/trust" "$IMG_DIR/reports"
	chmod 700 "$IMG_DIR"
	IMG_DIFF_ID=sha256:$(tar -C "$E2E_ROOTFS" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf - . 2>/dev/null | sha256sum | cut -d' ' -f1)
	IMG_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	IMG_NEED=$(e2e_require_cmds openssl tar sha256sum base64 python3)
}

# img_abort REASON: the environment cannot run these tests although root and runc are there;
# that is a failure, not a skip.
img_abort() {
	t_begin "prerequisites"
	fail "$1"
	t_end
	exit 1
}

# img_key NAME [ec|ec384|ed25519|rsa|rsa1024]: private key keys/NAME.pem, public key keys/NAME.pub.
img_key() {
	local name=$1 type=${2:-ec} k=$IMG_DIR/keys/$1
	case $type in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k.pem" 2>/dev/null ;;
	ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$k.pem" 2>/dev/null ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$k.pem" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k.pem" 2>/dev/null ;;
	rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$k.pem" 2>/dev/null ;;
	*) false ;;
	esac || { echo "cannot generate key $name ($type)" >&2; return 1; }
	openssl pkey -in "$k.pem" -pubout -out "$k.pub" 2>/dev/null ||
		{ echo "cannot extract the public key of $name" >&2; return 1; }
}

# img_make NAME: write images/NAME.{config,manifest}.json; set IMG_CONFIG, IMG_CONFIG_HEX,
# IMG_MANIFEST and IMG_MANIFEST_FILE.
img_make() {
	local base=$IMG_DIR/images/$1 size
	jq -cnj --arg name "$1" --arg diff "$IMG_DIFF_ID" --arg created "$IMG_CREATED" '{
		"created": $created, "architecture": "amd64", "os": "linux",
		"config": {"Entrypoint": ["/bin/echo"], "Labels": {"org.example.e2e-image": $name}},
		"rootfs": {"type": "layers", "diff_ids": [$diff]}}' >"$base.config.json"
	size=$(stat -c %s "$base.config.json")
	IMG_CONFIG_HEX=$(sha256sum "$base.config.json" | cut -d' ' -f1)
	IMG_CONFIG=sha256:$IMG_CONFIG_HEX
	jq -cnj --arg cfg "$IMG_CONFIG" --argjson size "$size" --arg diff "$IMG_DIFF_ID" '{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": $cfg, "size": $size},
		"layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": $diff, "size": 1}]}' \
		>"$base.manifest.json"
	IMG_MANIFEST_FILE=$base.manifest.json
	IMG_MANIFEST=sha256:$(sha256sum "$base.manifest.json" | cut -d' ' -f1)
}

# img_trust_env NAME: a fresh trust environment (store path, rollback state dir, signature dir),
# each root-owned and 0700 as the hook requires. Sets TRUST_STORE, TRUST_STATE, TRUST_SIGS.
img_trust_env() {
	local d=$IMG_DIR/trust/$1
	rm -rf "$d"
	mkdir -p "$d/state" "$d/sigs"
	chmod 700 "$d" "$d/state" "$d/sigs"
	TRUST_STORE=$d/trust.json
	TRUST_STATE=$d/state
	TRUST_SIGS=$d/sigs
}

# img_store_key NAME SCOPE... -> one "keys" entry (JSON) for public key keys/NAME.pub
img_store_key() {
	local name=$1
	shift
	jq -cn --arg name "$name" --rawfile key "$IMG_DIR/keys/$name.pub" '{name: $name, key: $key, scopes: $ARGS.positional}' \
		--args "$@"
}

# img_store_write VERSION EXPIRES KEYS_JSON [IMAGES_JSON [REVOKED_JSON]]: write $TRUST_STORE
# (unsigned; sign it with img_store_sign).
img_store_write() {
	local revoked='{"keys": [], "digests": []}'
	[ -z "${5:-}" ] || revoked=$5
	jq -n --argjson v "$1" --arg exp "$2" --argjson keys "$3" --argjson images "${4:-[]}" \
		--argjson revoked "$revoked" \
		'{version: $v, expires: $exp, keys: $keys, images: $images, revoked: $revoked}' >"$TRUST_STORE" ||
		fail "cannot write trust store $TRUST_STORE"
}

# img_store_sign ROOTKEY...: sign $TRUST_STORE afresh with each root key (replaces STORE.sig).
img_store_sign() {
	local k
	rm -f "$TRUST_STORE.sig"
	for k in "$@"; do
		"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/$k.pem" "$TRUST_STORE" >/dev/null 2>"$IMG_DIR/last.err" ||
			fail "ocigate trust sign --key $k.pem failed: $(cat "$IMG_DIR/last.err")"
	done
}

# img_sign KEY REPOSITORY DIGEST [MANIFEST_FILE]: sign DIGEST with keys/KEY.pem as cosign does
# (simple signing) and file it in $TRUST_SIGS, with the manifest bytes when given.
img_sign() {
	local key=$1 repo=$2 digest=$3 manifest=${4:-} p s
	p=$IMG_DIR/sig-$key-${digest#sha256:}.payload.json
	s=$IMG_DIR/sig-$key-${digest#sha256:}.sig.b64
	"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/$key.pem" --repository "$repo" --digest "$digest" \
		--payload-out "$p" --signature-out "$s" --signatures-dir "$TRUST_SIGS" \
		>/dev/null 2>"$IMG_DIR/last.err" || {
		fail "ocigate sig sign failed: $(cat "$IMG_DIR/last.err")"
		return 1
	}
	set -- --payload "$p" --signature "$s" --signatures-dir "$TRUST_SIGS"
	[ -z "$manifest" ] || set -- "$@" --manifest "$manifest"
	"$OCIGATE_BIN" sig add "$@" >/dev/null 2>"$IMG_DIR/last.err" ||
		fail "ocigate sig add failed: $(cat "$IMG_DIR/last.err")"
}

# img_trust_signed NAME DIGEST SIGNED_REPO KEY_SCOPE: a fresh trust environment NAME whose store
# (root-signed) trusts keys/ci.pub for KEY_SCOPE, with DIGEST signed by keys/ci.pem for SIGNED_REPO
# (a signed digest may be the image's own ID). Returns non-zero when a step fails.
img_trust_signed() {
	img_trust_env "$1"
	img_store_write 1 "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" "[$(img_store_key ci "$4")]" &&
		"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$TRUST_STORE" >/dev/null &&
		"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$3" --digest "$2" \
			--add --signatures-dir "$TRUST_SIGS" >/dev/null
}

# img_trust_json: the policy's "trust" section for the current trust environment.
img_trust_json() {
	jq -cn --arg store "$TRUST_STORE" --arg root "$IMG_DIR/keys/root.pub" --arg state "$TRUST_STATE" \
		--arg sigs "$TRUST_SIGS" \
		'{store: $store, root_keys: [$root], threshold: 1, state_dir: $state, signatures_dir: $sigs}'
}

# img_policy NAME MODE [TRUST_JSON|null [SCAN_JSON|null [EXTRA_JSON]]] -> prints the policy path.
# Restricted runtime preset, identity from CRI-O's ImageRef annotation (kind config). EXTRA is
# merged at the top level (e.g. exemptions).
img_policy() {
	local json extra='{}'
	[ -z "${5:-}" ] || extra=$5
	json=$(jq -n --arg mode "$2" --arg ann "$IMG_ANNOTATION" --argjson trust "${3:-null}" \
		--argjson scan "${4:-null}" --argjson extra "$extra" '
		{version: 1, mode: $mode, on_error: "deny", log: {facility: "auth"},
		 runtime: {preset: "restricted"},
		 image: {identity: [{annotation: $ann, kind: "config"}]}}
		+ (if $trust == null then {} else {trust: $trust} end)
		+ (if $scan == null then {} else {scan: $scan} end)
		+ $extra') || {
		fail "cannot build policy $1"
		return 1
	}
	write_policy "$1" "$json"
}

# img_bundle NAME POLICY [CONFIG_HEX|- [IMAGE_NAME]]: a hardened bundle with ocigate registered,
# annotated as CRI-O does (ImageRef = image ID as bare hex, ImageName = IMAGE_NAME, by default
# $IMG_REPO_A:1.0); "-" leaves ImageRef out.
img_bundle() {
	local b name=${4:-$IMG_REPO_A:1.0}
	b=$(new_bundle "$1" "$2") || return 1
	if [ "${3:--}" = - ]; then
		cfg_edit "$b" '.annotations = {($n): $r}' --arg n "$IMG_NAME_ANNOTATION" --arg r "$name"
	else
		cfg_edit "$b" '.annotations = {($a): $d, ($n): $r}' --arg a "$IMG_ANNOTATION" --arg d "$3" \
			--arg n "$IMG_NAME_ANNOTATION" --arg r "$name"
	fi
	echo "$b"
}

# ---------------------------------------------------------------- case runners

IMG_GREETING="hello from a hardened container"

# img_expect_allowed BUNDLE ID [DECISION]: the container ran, printed its greeting, the hook logged
# decision=DECISION (allow by default) and, for allow, no violation; nothing is left behind.
img_expect_allowed() {
	local b=$1 id=$2 dec=${3:-allow}
	run_container runc "$b" "$id"
	assert_rc 0
	assert_out_contains "$IMG_GREETING"
	assert_decision "$dec" "$id"
	assert_log_contains "decision=$dec container=\"$(re_quote "$id")\" stage=\"createRuntime\"" \
		"decision line lacks stage=\"createRuntime\""
	if [ "$dec" = allow ]; then
		assert_log_not_contains "violation container=\"$(re_quote "$id")\"" "a violation was logged for an allowed container"
	fi
	assert_log_clean
	assert_nothing_left runc "$id"
}

# img_expect_denied BUNDLE ID RULE MSG_ERE: runc refuses it (the process never ran), the decision
# line lists RULE with mode=enforce, the violation line for RULE has action=deny and a message
# matching MSG_ERE (case-insensitive), runc shows the hook's refusal, nothing is left behind.
img_expect_denied() {
	local b=$1 id=$2 rule=$3 msg=$4
	run_container runc "$b" "$id"
	assert_rc_nonzero
	assert_out_lacks "$IMG_GREETING"
	assert_decision deny "$id" "$rule"
	assert_log_contains "decision=deny container=\"$(re_quote "$id")\" stage=\"createRuntime\" .*mode=enforce" \
		"decision line lacks stage=\"createRuntime\" ... mode=enforce"
	assert_violation "$id" "$rule" deny
	assert_violation_msg "$id" "$rule" "$msg"
	assert_err_matches "error running hook"
	assert_err_matches "ocigate"
	assert_log_clean
	assert_nothing_left runc "$id"
}

# assert_violation_msg ID RULE ERE: the violation line's msg="..." matches ERE (case-insensitive).
assert_violation_msg() {
	local line
	line=$(log_hook_msgs | grep -E "^violation container=\"$(re_quote "$1")\" rule=$(re_quote "$2") " | head -n 1)
	[ -n "$line" ] || return 0 # assert_violation already reported it
	printf '%s' "$line" | grep -qiE -- "msg=\".*$3" || fail "violation $2 message does not match /$3/: $line"
}

# assert_digest_logged ID DIGEST: the decision line names the image digest.
assert_digest_logged() {
	log_hook_msgs | grep -E "^decision=[a-z]+ container=\"$(re_quote "$1")\"" | grep -qF "digest=\"$2\"" ||
		fail "decision line does not name digest=\"$2\""
}
