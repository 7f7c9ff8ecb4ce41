#!/bin/bash
# Image rules end to end through Podman: the rules read the image's manifest and config from
# containers/storage (the store `podman load` wrote), not from files the test hands the hook. Each
# test image is built here (oci_image.py: created, user, labels, base annotations, layer count)
# and loaded into a private Podman; one image passes every rule, one per rule breaks it, and a
# stored manifest whose bytes no longer match its digest is refused (image.record).
#
# The runtime preset is "none" so that only the image rules decide; containers run without
# --user, so the image's own User is what the runtime config carries.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_engines.sh"
. "$E2E_DIR/lib_image.sh"
eng_trap
eng_snapshot_binary || e2e_skip_all "cannot copy $OCIGATE_BIN into the work dir"

if ! why=$(engine_available podman); then e2e_skip_all "$why"; fi
command -v runc >/dev/null 2>&1 || e2e_skip_all "runc is not installed (the private Podman runs containers with runc)"
img_init
[ -z "$IMG_NEED" ] || e2e_skip_all "missing commands: $IMG_NEED"
pm_setup || e2e_skip_all "cannot prepare the private podman configuration"

GREETING="hello from an image the rules accept"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
OLD=2020-01-04T00:00:00Z
SOURCE_LABEL=org.opencontainers.image.source
BASE_NAME=docker.io/library/busybox:1.36
BASE_DIGEST=sha256:$(printf 'ocigate e2e base' | sha256sum | cut -d' ' -f1)
# A rootfs one busybox larger than the others, for image.max-size.
BIG_ROOTFS=$E2E_WORK/rootfs-big
rm -rf "$BIG_ROOTFS" && cp -a "$E2E_ROOTFS" "$BIG_ROOTFS" && cp "$E2E_ROOTFS/bin/busybox" "$BIG_ROOTFS/bin/busybox-copy" ||
	e2e_skip_all "cannot copy the rootfs"

# build NAME REF [oci_image.py options...]: an image that passes every rule unless the options
# say otherwise (later options win), loaded into the private Podman. Sets DIGEST_<NAME>. A label
# names the case, so that no two images share a config (and so an image ID and its names).
build() {
	local name=$1 ref=$2 tar=$E2E_WORK/img-$1.tar
	shift 2
	eng_build_image "$ref" "$tar" --cmd /bin/echo "$GREETING" --user 1000 --created "$NOW" \
		--label "$SOURCE_LABEL=https://example.com/src" \
		--annotation "org.opencontainers.image.base.name=$BASE_NAME" \
		--annotation "org.opencontainers.image.base.digest=$BASE_DIGEST" \
		--label "org.example.case=$name" "$@" || return 1
	pm_load_image "$tar" "$ref" || return 1
	[ "sha256:$PM_IMAGE_ID" = "$IMG_CONFIG_DIGEST" ] || return 1
	printf -v "DIGEST_$name" '%s' "$IMG_CONFIG_DIGEST"
}

build good localhost/ocigate-e2e/good:1 || e2e_skip_all "cannot build or load the passing image"
build registry registry.evil.example/ocigate-e2e/app:1 || e2e_skip_all "cannot build an image"
build nobase localhost/ocigate-e2e/nobase:1 --annotation "org.opencontainers.image.base.name=" || e2e_skip_all "cannot build an image"
build otherbase localhost/ocigate-e2e/otherbase:1 --annotation "org.opencontainers.image.base.name=docker.io/library/alpine:3" || e2e_skip_all "cannot build an image"
build old localhost/ocigate-e2e/old:1 --created "$OLD" || e2e_skip_all "cannot build an image"
build epoch localhost/ocigate-e2e/epoch:1 --created 1980-01-01T00:00:00Z || e2e_skip_all "cannot build an image"
build layers localhost/ocigate-e2e/layers:1 --extra-layers 3 || e2e_skip_all "cannot build an image"
build big localhost/ocigate-e2e/big:1 --rootfs "$BIG_ROOTFS" || e2e_skip_all "cannot build an image"
build root localhost/ocigate-e2e/root:1 --user "" || e2e_skip_all "cannot build an image"
build nolabel localhost/ocigate-e2e/nolabel:1 --label "$SOURCE_LABEL=" || e2e_skip_all "cannot build an image"
build tampered localhost/ocigate-e2e/tampered:1 || e2e_skip_all "cannot build an image"
e2e_note "images built and loaded; the passing one is $DIGEST_good"

# The trust store lists the allowed base (the rules' only use of it here: trust itself is off).
img_key root
img_trust_env rules
img_store_write 1 2099-01-01T00:00:00Z '[]' '[]'
jq --arg d "$BASE_DIGEST" '. + {bases: [{repository: "docker.io/library/busybox", digest: $d}]}' \
	"$TRUST_STORE" >"$TRUST_STORE.new" && mv "$TRUST_STORE.new" "$TRUST_STORE"
img_store_sign root
TRUST=$(img_trust_json | jq -c '. + {required: false}')

IMAGE_SECTION=$(jq -cn --arg g "$PM_GRAPHROOT" --arg lab "$SOURCE_LABEL" '{
	identity: [{source: "podman", graphroot: $g}],
	registries: {allowed: ["localhost/ocigate-e2e/*"]},
	base: {missing: "deny"},
	max_age: {max: "365d", unknown: "deny"},
	max_layers: {max: 2},
	max_size: {max: "3MiB"},
	user: true,
	labels: {required: [$lab]}}')
[ -n "$IMAGE_SECTION" ] || e2e_skip_all "cannot write the image section"
eng_require_identity "$IMAGE_SECTION"
POLICY=$(eng_policy image-rules '{"preset":"none"}' "$IMAGE_SECTION" "$(jq -cn --argjson t "$TRUST" '{trust: $t}')") ||
	e2e_skip_all "the test policy does not lint"
HOOKS=$E2E_WORK/hooks.d
eng_hooks_dir "$HOOKS" "$POLICY" || e2e_skip_all "cannot write the hooks.d file"

case_allowed() {
	t_begin "podman: an image that passes every image rule starts"
	pm_run good "$HOOKS" localhost/ocigate-e2e/good:1
	assert_rc 0
	assert_out_contains "$GREETING"
	if [ -n "$PM_CID" ]; then
		assert_decision allow "$PM_CID"
		assert_decision_digest "$PM_CID" "$DIGEST_good"
		eng_assert_log_not_contains "violation container=\"$(re_quote "$PM_CID")\"" "a violation was logged"
	fi
	assert_log_clean
	assert_pm_nothing_left
	t_end
}

# refused NAME REF RULE MESSAGE_ERE: Podman refuses the start; the decision names RULE and only
# RULE, and its violation line says which value failed.
refused() {
	local name=$1 ref=$2 rule=$3 msg=$4 digest_var=DIGEST_$1
	t_begin "podman: refused by $rule: $name"
	pm_run "$name" "$HOOKS" "$ref"
	assert_rc 126
	assert_out_lacks "$GREETING"
	if [ -n "$PM_CID" ]; then
		assert_decision deny "$PM_CID" "$rule"
		eng_assert_violation "$PM_CID" "$rule" deny
		eng_assert_log_contains "violation container=\"$(re_quote "$PM_CID")\" rule=$(re_quote "$rule") action=deny msg=\".*$msg" \
			"the violation does not say /$msg/"
		eng_assert_log_contains "decision=deny container=\"$(re_quote "$PM_CID")\".* rules=\"$(re_quote "$rule")\"" \
			"the decision lists more than $rule"
		assert_decision_digest "$PM_CID" "${!digest_var}"
	fi
	assert_log_clean
	assert_pm_nothing_left
	t_end
}

case_registry() { refused registry registry.evil.example/ocigate-e2e/app:1 image.registries 'name \\"registry\.evil\.example/ocigate-e2e/app:1\\" is not in an allowed registry'; }
case_no_base() { refused nobase localhost/ocigate-e2e/nobase:1 image.base 'names no base image'; }
case_other_base() { refused otherbase localhost/ocigate-e2e/otherbase:1 image.base 'base \\"docker\.io/library/alpine:3\\".* is not an allowed base'; }
case_old() { refused old localhost/ocigate-e2e/old:1 image.max-age 'created 2020-01-04, [0-9]+ days over max_age 365d'; }
case_epoch() { refused epoch localhost/ocigate-e2e/epoch:1 image.max-age 'age is unknown \(created \\"1980-01-01T00:00:00Z\\"'; }
case_layers() { refused layers localhost/ocigate-e2e/layers:1 image.max-layers '4 layers, more than max_layers 2'; }
case_big() { refused big localhost/ocigate-e2e/big:1 image.max-size 'layers add up to [0-9]+ bytes .* more than max_size 3MiB'; }
case_root() { refused root localhost/ocigate-e2e/root:1 image.user 'the image runs as root \(config User \\"\\"\)'; }
case_label() { refused nolabel localhost/ocigate-e2e/nolabel:1 image.labels "required label $(re_quote "$SOURCE_LABEL") is missing"; }

# The manifest Podman stored for an image, edited after the load: its bytes no longer match the
# digest the store records, and the hook refuses to read it.
case_tampered() {
	local hex=${DIGEST_tampered#sha256:} f
	f=$(ls "$PM_GRAPHROOT/overlay-images/$hex/"=bWFuaWZlc3Qt* 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		t_begin "podman: a stored manifest that does not match its digest is refused"
		fail "no manifest-<digest> big-data file in $PM_GRAPHROOT/overlay-images/$hex"
		t_end
		return
	fi
	printf ' ' >>"$f"
	refused tampered localhost/ocigate-e2e/tampered:1 image.record 'bytes do not match the recorded digest'
}

case_allowed
case_registry
case_no_base
case_other_base
case_old
case_epoch
case_layers
case_big
case_root
case_label
case_tampered
