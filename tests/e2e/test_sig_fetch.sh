#!/bin/bash
# `ocigate sig fetch` and `sig add --from-dir` against a real registry (Debian's docker-registry,
# started here on 127.0.0.1, lib_registry.sh), once over plain HTTP and once over TLS from a test
# CA with htpasswd auth (auth.json and a certs.d dir, as skopeo reads them). Signatures are laid
# out as cosign does (cosign_layout.py, SIGNATURE_SPEC): the real payloads and signatures of
# ../shared/fixtures/cosign (A01/A02 keyed, A05 keyless) and a Sigstore bundle referrer (B02).
# What is fetched is checked by `ocigate sig verify` or byte for byte against the fixtures; the
# registry down, answering garbage, stalling, or sending a huge manifest each give a clear error
# with nothing filed. Then Podman pulls from the registry, `sig fetch --local` files the
# signature of what it holds, and the hook allows the signed image and refuses the unsigned one.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_engines.sh"
eng_trap
. "$E2E_DIR/lib_registry.sh"
. "$E2E_DIR/lib_image.sh"

SHARED_FIXTURES=${OCIGATE_SHARED_FIXTURES:-$E2E_REPO/../shared/fixtures}
COSIGN=$SHARED_FIXTURES/cosign
A01=$COSIGN/A01-ci-cosign-valid-p256
A02=$COSIGN/A02-ci-cosign-valid-2-second-sig-p256
A05=$COSIGN/A05-ci-cosign-fulcio-rekor-valid-CERT
B02=$COSIGN/B02-conf-bundle-v0.3-msgsig-publickey
A01_DIGEST=sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00
A05_DIGEST=sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a

missing=$(reg_need)
[ -z "$missing" ] || e2e_skip_all "missing: $missing (packaging/install-deps.sh installs them)"
[ -d "$A01" ] && [ -d "$A05" ] && [ -d "$B02" ] ||
	e2e_skip_all "shared fixtures absent at $COSIGN (set OCIGATE_SHARED_FIXTURES)"

img_init
img_key root
img_key ci

# A trust environment whose store trusts A01's key for its signed repository and keys/ci for the
# test registry; a policy with that trust section. Sets POL (and TRUST_* from img_trust_env).
trust_env() { # NAME
	img_trust_env "$1"
	img_store_write 1 "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" \
		"[$(jq -cn --rawfile k "$A01/pub.pem" '{name:"a01",key:$k,scopes:["192.168.64.2:5000/*"]}'),
		  $(img_store_key ci "$REG_HOST/*")]" &&
		"$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$TRUST_STORE" >/dev/null ||
		fail "cannot make the trust store"
	POL=$(write_policy "fetch-$1" "$(jq -cn --argjson t "$(img_trust_json)" \
		'{version:1, runtime:{preset:"none"}, trust:$t}')")
}

entries_under() { # DIGEST -> number of entry files filed under it
	find "$TRUST_SIGS/sha256/${1#sha256:}" -name '*.json' 2>/dev/null | wc -l
}

all_entries() { find "$TRUST_SIGS" -name '*.json' 2>/dev/null | wc -l; }

# fetch ARGS...: ocigate sig fetch with the current registry's options and trust environment.
fetch() { run_ocigate sig fetch --policy "$POL" "${REG_OPTS[@]}" "$@"; }

# ---------------------------------------------------------------- both registry modes

registry_cases() { # MODE
	local m=$1 repo=cosign-signed-single-sample out
	if ! reg_start "$m"; then
		t_begin "$m: registry starts"
		fail "docker-registry did not start"
		t_end
		return
	fi
	e2e_note "$m registry at $REG_HOST"

	t_begin "$m: A01+A02 fixture signatures fetched by digest reference, verified by sig verify"
	trust_env "$m-a01"
	run_ocigate sig verify "$A01_DIGEST" --policy "$POL"
	[ "$RC" -eq 1 ] || fail "before the fetch sig verify should refuse (rc $RC)"
	reg_cosign sig --repo "$repo" --digest "$A01_DIGEST" --sigfile "$A01/original-signature-file.bin" \
		--sigfile "$A02/original-signature-file.bin" >/dev/null || fail "cannot push the .sig layout"
	fetch "$REG_HOST/$repo@$A01_DIGEST"
	assert_rc 0
	assert_out_contains "2 signatures filed (2 cosign, 0 bundles) for $A01_DIGEST"
	[ "$(entries_under "$A01_DIGEST")" -eq 2 ] || fail "expected 2 entries under $A01_DIGEST, found $(entries_under "$A01_DIGEST")"
	run_ocigate sig verify "$A01_DIGEST" --policy "$POL"
	assert_rc 0
	assert_out_contains "accepted"
	t_end

	t_begin "$m: keyless A05 fetched; certificate, chain and Rekor bundle byte-exact in the entry"
	trust_env "$m-a05"
	reg_cosign sig --repo keyless --digest "$A05_DIGEST" --sigfile "$A05/original-signature-file.bin" >/dev/null ||
		fail "cannot push the keyless .sig layout"
	fetch "$REG_HOST/keyless@$A05_DIGEST"
	assert_rc 0
	assert_out_contains "1 signature filed"
	out=$(python3 - "$A05/original-signature-file.bin" "$TRUST_SIGS/sha256/${A05_DIGEST#sha256:}" <<'PY'
import base64, glob, json, sys
raw = open(sys.argv[1], "rb").read()
doc = json.loads(raw[raw.index(b"{"):])
ann = doc["annotations"]
files = glob.glob(sys.argv[2] + "/*.json")
assert len(files) == 1, files
en = json.load(open(files[0]))
want = {"payload": base64.b64decode(doc["payload"]),
        "signature": base64.b64decode(ann["dev.cosignproject.cosign/signature"]),
        "certificate": ann["dev.sigstore.cosign/certificate"].encode(),
        "chain": ann["dev.sigstore.cosign/chain"].encode(),
        "rekor_bundle": ann["dev.sigstore.cosign/bundle"].encode()}
for k, v in want.items():
    got = base64.b64decode(en.get(k, ""))
    print(k, "same" if got == v else "DIFFERENT (%d vs %d bytes)" % (len(got), len(v)))
PY
)
	for f in payload signature certificate chain rekor_bundle; do
		printf '%s\n' "$out" | grep -x "$f same" >/dev/null || fail "entry field $f: $(printf '%s\n' "$out" | grep "^$f" || echo absent)"
	done
	t_end

	t_begin "$m: a Sigstore bundle referrer (referrers tag) fetched, byte-exact"
	trust_env "$m-b02"
	local bdig
	bdig=sha256:$(sha256sum "$B02/artifact" | cut -d' ' -f1)
	reg_cosign bundle --repo bundles --digest "$bdig" --bundle "$B02/bundle.json" >/dev/null ||
		fail "cannot push the bundle referrer"
	fetch "$REG_HOST/bundles@$bdig"
	assert_rc 0
	assert_out_contains "1 signature filed (0 cosign, 1 bundle) for $bdig"
	out=$(find "$TRUST_SIGS/sha256/${bdig#sha256:}" -name '*.json' -exec jq -r .bundle {} \; | base64 -d | sha256sum)
	[ "${out%% *}" = "$(sha256sum <"$B02/bundle.json" | cut -d' ' -f1)" ] || fail "the filed bundle differs from bundle.json"
	t_end

	t_begin "$m: a tag reference resolves to its manifest; the config digest is linked"
	trust_env "$m-tag"
	reg_push_busybox bb:1 "$m-signed" || fail "cannot push the busybox image"
	"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$REG_HOST/bb" --digest "$REG_IMG_MANIFEST" \
		--payload-out "$E2E_WORK/bb.payload" --signature-out "$E2E_WORK/bb.sig" || fail "sig sign failed"
	reg_cosign sig --repo bb --digest "$REG_IMG_MANIFEST" --payload "$E2E_WORK/bb.payload" \
		--signature-b64 "$E2E_WORK/bb.sig" >/dev/null || fail "cannot push the .sig"
	fetch "$REG_HOST/bb:1"
	assert_rc 0
	assert_out_contains "1 signature filed (1 cosign, 0 bundles) for $REG_IMG_MANIFEST"
	[ "$(entries_under "$REG_IMG_CONFIG")" -eq 1 ] || fail "nothing filed under the config digest $REG_IMG_CONFIG"
	run_ocigate sig verify "$REG_IMG_CONFIG" --policy "$POL" --image "$REG_HOST/bb:1"
	assert_rc 0
	t_end

	t_begin "$m: a write that fails half-way (under the config digest) leaves nothing filed"
	local cfg=$REG_IMG_CONFIG
	trust_env "$m-rollback"
	mkdir -p "$TRUST_SIGS/sha256"
	: >"$TRUST_SIGS/sha256/${cfg#sha256:}" # a file where the config digest's directory goes
	fetch "$REG_HOST/bb:1"
	assert_rc 1
	assert_err_matches "^ocigate sig: $REG_HOST/bb:1: "
	[ "$(all_entries)" -eq 0 ] || fail "the entry filed under the manifest digest was left: $(find "$TRUST_SIGS" -name '*.json')"
	t_end

	t_begin "$m: a node whose containers policy.json rejects every image still fetches signatures"
	trust_env "$m-policy"
	mkdir -p "$E2E_WORK/home-$m/.config/containers"
	echo '{"default": [{"type": "reject"}]}' >"$E2E_WORK/home-$m/.config/containers/policy.json"
	HOME=$E2E_WORK/home-$m fetch "$REG_HOST/bb:1"
	assert_rc 0
	assert_out_contains "1 signature filed"
	HOME=$E2E_WORK/home-$m skopeo copy --quiet "${REG_SKOPEO_SRC[@]}" "docker://$REG_HOST/bb:1" \
		"dir:$E2E_WORK/policy-probe-$m" >/dev/null 2>&1 && fail "skopeo did not read the rejecting policy (the case proves nothing)"
	t_end

	t_begin "$m: an image without signatures: none filed, not an error"
	trust_env "$m-none"
	reg_push_busybox unsigned:1 "$m-unsigned" || fail "cannot push the busybox image"
	fetch "$REG_HOST/unsigned:1"
	assert_rc 0
	assert_out_contains "0 signatures filed"
	[ "$(all_entries)" -eq 0 ] || fail "entries were filed for an unsigned image"
	t_end
}

registry_cases http

# ---------------------------------------------------------------- faults (plain HTTP registry)

t_begin "http: one bad layer (unknown media type) among good ones: nothing of that image filed"
trust_env bad-layer
reg_cosign sig --repo mixed --digest "$A01_DIGEST" --sigfile "$A01/original-signature-file.bin" \
	--layer-media-type application/vnd.example.unknown+json >/dev/null || fail "cannot push"
fetch "$REG_HOST/mixed@$A01_DIGEST"
assert_rc 1
assert_err_matches "mixed.*media type \"application/vnd\.example\.unknown\+json\" is not a cosign simple-signing signature"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
t_end

t_begin "http: a .sig whose payload signs another digest is refused (nothing filed)"
trust_env other-digest
reg_cosign sig --repo other --digest "$A05_DIGEST" --sigfile "$A01/original-signature-file.bin" >/dev/null ||
	fail "cannot push"
fetch "$REG_HOST/other@$A05_DIGEST"
assert_rc 1
assert_err_matches "signs $A01_DIGEST, not this image"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
t_end

t_begin "http: several images, one failing: its error line, the others filed, exit 1"
trust_env several
fetch "$REG_HOST/cosign-signed-single-sample@$A01_DIGEST" "$REG_HOST/mixed@$A01_DIGEST" "$REG_HOST/bb:1"
assert_rc 1
assert_out_contains "cosign-signed-single-sample@$A01_DIGEST: 2 signatures filed"
assert_out_contains "$REG_HOST/bb:1: 1 signature filed"
[ "$(grep -c . "$RUN_ERR")" -eq 1 ] || fail "expected exactly one error line"
assert_err_matches "^ocigate sig: $REG_HOST/mixed@$A01_DIGEST: "
t_end

t_begin "http: sig add --from-dir files a skopeo dir: copy of a .sig tag (with --manifest)"
trust_env from-dir
mkdir -p "$E2E_WORK/fromdir"
skopeo copy --quiet --preserve-digests "${REG_SKOPEO_SRC[@]}" \
	"docker://$REG_HOST/cosign-signed-single-sample:${A01_DIGEST/:/-}.sig" "dir:$E2E_WORK/fromdir" ||
	fail "skopeo copy failed"
run_ocigate sig add --from-dir "$E2E_WORK/fromdir" --manifest "$A01/manifest.json" --policy "$POL"
assert_rc 0
[ "$(grep -c '^added signature' "$RUN_OUT")" -eq 2 ] || fail "expected two 'added signature' lines"
cfg=$(jq -r .config.digest "$A01/manifest.json")
[ "$(entries_under "$cfg")" -eq 2 ] || fail "not filed under the config digest $cfg"
run_ocigate sig verify "$cfg" --policy "$POL"
assert_rc 0
# a blob that does not match its digest
blob=$(jq -r '.layers[0].digest' "$E2E_WORK/fromdir/manifest.json")
printf ' ' >>"$E2E_WORK/fromdir/${blob#sha256:}"
trust_env from-dir-bad
run_ocigate sig add --from-dir "$E2E_WORK/fromdir" --policy "$POL"
assert_rc 2
assert_err_matches "do not match the manifest's digest"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed from a tampered dir"
t_end

# fake_start MODE: a misbehaving registry (fake_registry.py); sets FAKE_HOST, FAKE_PID.
fake_start() {
	rm -f "$E2E_WORK/fake.port"
	python3 "$E2E_DIR/fake_registry.py" "$1" "$E2E_WORK/fake.port" 2>>"$E2E_WORK/fake.log" &
	FAKE_PID=$!
	eng_on_cleanup "kill $FAKE_PID 2>/dev/null"
	for _ in $(seq 1 50); do
		[ -s "$E2E_WORK/fake.port" ] && break
		sleep 0.1
	done
	FAKE_HOST=127.0.0.1:$(cat "$E2E_WORK/fake.port" 2>/dev/null)
}
fake_stop() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }

t_begin "registry answering garbage: clear error, nothing filed"
trust_env garbage
fake_start garbage
run_ocigate sig fetch --policy "$POL" --tls-verify=false "$FAKE_HOST/x:1"
assert_rc 1
assert_err_matches "$FAKE_HOST/x:1: the manifest: invalid JSON"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
fake_stop
t_end

t_begin "registry sending a huge manifest: refused at the size limit, nothing filed"
trust_env huge
fake_start huge
run_ocigate sig fetch --policy "$POL" --tls-verify=false "$FAKE_HOST/x:1"
assert_rc 1
assert_err_matches "$FAKE_HOST/x:1: .*(exceeded maximum allowed size|larger than the limit) of 4194304 bytes"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
fake_stop
t_end

t_begin "registry that never answers: the deadline ends skopeo, clear error, nothing filed"
trust_env slow
fake_start slow
start=$(date +%s)
run_ocigate sig fetch --policy "$POL" --tls-verify=false --timeout 3s "$FAKE_HOST/x:1"
took=$(($(date +%s) - start))
assert_rc 1
assert_err_matches "no answer within 3000 ms"
[ "$took" -le 10 ] || fail "took ${took}s with a 3s deadline"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
pgrep -f "skopeo inspect --raw --tls-verify=false docker://$FAKE_HOST" >/dev/null &&
	fail "a skopeo process outlived the deadline"
fake_stop
t_end

t_begin "registry down: clear error naming the reference, nothing filed"
trust_env down
down=$REG_HOST
reg_stop
fetch "$down/bb:1"
assert_rc 1
assert_err_matches "$down/bb:1: skopeo exited 1: .*(connection refused|dial tcp)"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
t_end

registry_cases tls

t_begin "tls: credentials from REGISTRY_AUTH_FILE (skopeo's environment, no --authfile)"
trust_env tls-env
REGISTRY_AUTH_FILE=$REG_AUTHFILE run_ocigate sig fetch --policy "$POL" --cert-dir "$REG_CERTDIR" "$REG_HOST/bb:1"
assert_rc 0
assert_out_contains "1 signature filed"
t_end

t_begin "tls: without the credentials or the CA, the fetch fails clearly"
trust_env tls-noauth
echo '{"auths": {}}' >"$E2E_WORK/no-auth.json"
run_ocigate sig fetch --policy "$POL" --cert-dir "$REG_CERTDIR" --authfile "$E2E_WORK/no-auth.json" "$REG_HOST/bb:1"
assert_rc 1
assert_err_matches "$REG_HOST/bb:1: skopeo exited 1: .*(unauthorized|authentication required)"
run_ocigate sig fetch --policy "$POL" --authfile "$REG_AUTHFILE" "$REG_HOST/bb:1"
assert_rc 1
assert_err_matches "$REG_HOST/bb:1: skopeo exited 1: .*x509: certificate signed by unknown authority"
[ "$(all_entries)" -eq 0 ] || fail "entries were filed"
t_end

# ---------------------------------------------------------------- engines pull from the registry

# engine_images: once, a fresh HTTP registry holding app:1 (signed with keys/ci, .sig pushed) and
# app-unsigned:1. Sets SIGNED_MANIFEST, SIGNED_CONFIG, UNSIGNED_MANIFEST.
ENGINE_IMAGES=
engine_images() {
	[ -z "$ENGINE_IMAGES" ] || return 0
	reg_start http || return 1
	reg_push_busybox app:1 engine-signed || return 1
	SIGNED_MANIFEST=$REG_IMG_MANIFEST SIGNED_CONFIG=$REG_IMG_CONFIG
	"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$REG_HOST/app" --digest "$SIGNED_MANIFEST" \
		--payload-out "$E2E_WORK/app.payload" --signature-out "$E2E_WORK/app.sig" || return 1
	reg_cosign sig --repo app --digest "$SIGNED_MANIFEST" --payload "$E2E_WORK/app.payload" \
		--signature-b64 "$E2E_WORK/app.sig" >/dev/null || return 1
	reg_push_busybox app-unsigned:1 engine-unsigned || return 1
	UNSIGNED_MANIFEST=$REG_IMG_MANIFEST
	ENGINE_IMAGES=1
}

podman_cases() {
	local why pol hooks
	if ! why=$(engine_available podman); then
		t_skip "podman: sig fetch --local, then the hook allows the signed image" "$why"
		return
	fi
	t_begin "podman: pulls a signed and an unsigned image from the registry; sig fetch --local files the signature"
	pm_setup || fail "cannot prepare the private podman configuration"
	engine_images || fail "cannot prepare the registry and its images"
	trust_env podman
	pm pull -q --tls-verify=false "$REG_HOST/app:1" >/dev/null 2>"$E2E_WORK/pull.err" ||
		fail "podman pull of the signed image failed: $(cat "$E2E_WORK/pull.err")"
	pm pull -q --tls-verify=false "$REG_HOST/app-unsigned:1" >/dev/null 2>"$E2E_WORK/pull.err" ||
		fail "podman pull of the unsigned image failed: $(cat "$E2E_WORK/pull.err")"
	local image_section
	image_section=$(jq -cn --arg g "$PM_GRAPHROOT" '{"identity":[{"source":"podman","graphroot":$g}]}')
	pol=$(eng_policy podman-fetch '{"preset":"none"}' "$image_section" \
		"$(jq -cn --argjson t "$(img_trust_json)" '{trust:$t}')") || fail "the policy does not lint"
	[ "$(all_entries)" -eq 0 ] || fail "entries before the fetch"
	run_ocigate sig fetch --local --policy "$pol" --tls-verify=false
	assert_rc 0
	assert_out_contains "$REG_HOST/app@$SIGNED_MANIFEST: 1 signature filed (1 cosign, 0 bundles)"
	assert_out_contains "$REG_HOST/app-unsigned@$UNSIGNED_MANIFEST: 0 signatures filed"
	[ "$(entries_under "$SIGNED_CONFIG")" -eq 1 ] || fail "the signature is not filed under the image ID $SIGNED_CONFIG"
	t_end

	hooks=$E2E_WORK/hooks-fetch.d
	eng_hooks_dir "$hooks" "$pol" || fail "cannot write the hooks.d file"

	t_begin "podman: the signed image runs with the hook (decision allow, its image ID)"
	pm_run signed-app "$hooks" "$REG_HOST/app:1" "hello from the registry"
	assert_rc 0
	assert_out_contains "hello from the registry"
	[ -z "$PM_CID" ] || assert_decision allow "$PM_CID"
	[ -z "$PM_CID" ] || assert_decision_digest "$PM_CID" "$SIGNED_CONFIG"
	assert_pm_nothing_left
	t_end

	t_begin "podman: the unsigned image is refused (trust.signature)"
	pm_run unsigned-app "$hooks" "$REG_HOST/app-unsigned:1" "hello from the registry"
	assert_rc_nonzero
	assert_out_lacks "hello from the registry"
	[ -z "$PM_CID" ] || assert_decision deny "$PM_CID" trust.signature
	assert_pm_nothing_left
	t_end
}

# containerd: CRI PullImage (as the kubelet pulls; the plain-HTTP registry configured as a mirror
# endpoint) puts the registry's images in the k8s.io namespace, `sig fetch --local` lists them
# with Images.List, and CRI starts the signed one and refuses the unsigned one.
containerd_cases() {
	local why c pol sandbox=localhost/ocigate-e2e-pause:1
	for c in containerd ctr; do
		if ! why=$(engine_available "$c"); then
			t_skip "containerd: sig fetch --local through Images.List" "$why"
			return
		fi
	done
	if ! eng_python; then
		t_skip "containerd: sig fetch --local through Images.List" "no python3 with grpc and grpc_tools"
		return
	fi
	t_begin "containerd: CRI PullImage from the registry; sig fetch --local (Images.List) files the signature"
	engine_images || fail "cannot prepare the registry and its images"
	trust_env containerd
	pol=$E2E_WORK/policies/containerd-fetch.json
	jq -n --argjson t "$(img_trust_json)" --arg s /run/containerd/containerd.sock '
		{version: 1, mode: "enforce", on_error: "deny", runtime: {preset: "none"},
		 image: {identity: [{source: "containerd", socket: $s, timeout_ms: 2000}]}, trust: $t}' >"$pol"
	"$OCIGATE_BIN" policy lint "$pol" >/dev/null 2>&1 || fail "the containerd policy does not lint"
	eng_build_image "$sandbox" "$E2E_WORK/pause.tar" --entrypoint /bin/sleep --cmd 3600 ||
		fail "cannot build the sandbox image"
	# The test registry speaks plain HTTP: containerd's CRI plugin is told so, as a node would be.
	# shellcheck disable=SC2034 # read by ctd_start (lib_engines.sh)
	CTD_EXTRA_CONFIG=$(printf '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."%s"]\n  endpoint = ["http://%s"]' \
		"$REG_HOST" "$REG_HOST")
	if ! ctd_start "$pol" "$sandbox" >"$E2E_WORK/ctd-start.err" 2>&1; then
		fail "containerd did not start: $(tail -n 5 "$E2E_WORK/ctd-start.err" | tr '\n' ' ')"
		t_end
		return
	fi
	ctd_import "$E2E_WORK/pause.tar" || fail "cannot import the sandbox image"
	for c in app:1 app-unsigned:1; do
		cri pull "$REG_HOST/$c" >"$E2E_WORK/cri-pull.out" 2>&1 ||
			fail "CRI PullImage $c failed: $(tail -n 2 "$E2E_WORK/cri-pull.out")"
	done
	run_ocigate sig fetch --local --policy "$pol" --tls-verify=false
	assert_rc 0
	assert_out_contains "$REG_HOST/app@$SIGNED_MANIFEST: 1 signature filed (1 cosign, 0 bundles)"
	assert_out_contains "$REG_HOST/app-unsigned@$UNSIGNED_MANIFEST: 0 signatures filed"
	grep -q "localhost/ocigate-e2e-pause" "$RUN_OUT" "$RUN_ERR" && fail "the local sandbox image was fetched for"
	[ "$(entries_under "$SIGNED_CONFIG")" -eq 1 ] || fail "the signature is not filed under the image ID $SIGNED_CONFIG"
	t_end

	# A pod on the node's network (no CNI needed); the image's entrypoint is echo.
	pod() { # NAME IMAGE
		jq -cn --arg name "$1" --arg img "$2" --arg logs "$CTD_DIR/pods/$1" '
			{pod: {name: $name, namespace: "default", uid: ("uid-" + $name), annotations: {},
			       log_directory: $logs, network: "node"},
			 container: {name: "app", image: $img, args: ["hello from CRI"]},
			 wait_exit_seconds: 20, wait_for_log: "hello from CRI"}'
	}

	t_begin "containerd: CRI starts the signed image (decision allow, its image ID)"
	cri_scenario fetch-signed "$(pod fetch-signed "$REG_HOST/app:1")"
	[ "$CRI_START_OK" = true ] || fail "StartContainer failed: $CRI_START_ERR"
	case $CRI_LOG in *"hello from CRI"*) ;; *) fail "the container did not print its greeting" ;; esac
	[ -z "$CRI_CID" ] || assert_decision allow "$CRI_CID"
	[ -z "$CRI_CID" ] || assert_decision_digest "$CRI_CID" "$SIGNED_CONFIG"
	t_end

	t_begin "containerd: CRI refuses the unsigned image at StartContainer (trust.signature)"
	cri_scenario fetch-unsigned "$(pod fetch-unsigned "$REG_HOST/app-unsigned:1")"
	[ "$CRI_START_OK" = false ] || fail "StartContainer succeeded"
	case $CRI_START_ERR in *"error running hook"*) ;; *) fail "not refused by the hook: $CRI_START_ERR" ;; esac
	[ -z "$CRI_CID" ] || assert_decision deny "$CRI_CID" trust.signature
	t_end
}

podman_cases
containerd_cases
