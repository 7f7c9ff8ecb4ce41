#!/bin/bash
# The trust bundle end to end (docs/trust-bundle.md): CI makes keys, a `trust sign`-ed store, a
# `sig sign`-ed image signature and imports a Trivy report, `bundle create`s and `bundle push`es it
# to Debian's docker-registry (plain HTTP, then TLS with htpasswd auth); the node `bundle pull`s it
# and a container of the signed image starts through real runc with the hook reading the installed
# generation (an unsigned one is refused).  Then every refusal: a rolled-back version, an expired
# bundle, one re-signed by a non-root key, one byte of one layer changed (in a layout, and in the
# registry's storage), hostile tars (symlink, ../, absolute) in a correctly signed bundle, the
# registry down, answering garbage, stalling past --timeout, and a layer above the size limit:
# each exits 1 with its clear message and one syslog line naming the step, and the bundle directory
# and the rollback state are byte for byte what they were.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
. "$E2E_DIR/lib_registry.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
need="$IMG_NEED $(reg_need)"
[ -z "${need// /}" ] || img_abort "missing commands: $need (run packaging/install-deps.sh)"

TOOL=$E2E_DIR/bundle_tool.py
BAD_PID=
bad_stop() {
	if [ -n "$BAD_PID" ]; then
		kill "$BAD_PID" 2>/dev/null
		wait "$BAD_PID" 2>/dev/null
	fi
	BAD_PID=
}
on_exit() {
	local rc=$?
	bad_stop
	(exit "$rc")
	reg_cleanup
}
trap on_exit EXIT

FUTURE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
for k in root:ec rogue:ec ci:ed25519; do
	img_key "${k%%:*}" "${k#*:}" || img_abort "openssl cannot generate a ${k#*:} key"
done

# ---------------------------------------------------------------- CI side inputs

img_trust_env ci
CI_STORE=$TRUST_STORE CI_SIGS=$TRUST_SIGS
img_store_write 1 "$FUTURE" "[$(img_store_key ci "$IMG_SCOPE_A")]"
img_store_sign root
img_make signed
SIGNED_HEX=$IMG_CONFIG_HEX
img_sign ci "$IMG_REPO_A" "$IMG_MANIFEST" "$IMG_MANIFEST_FILE"
img_make unsigned
UNSIGNED_HEX=$IMG_CONFIG_HEX
REPORTS=$E2E_WORK/reports
mkdir -p "$REPORTS"
cp "$E2E_REPO/tests/fixtures/scanners/trivy-small.json" "$REPORTS/"
# The signed image's own scan: one low finding, within the policy's limits.
jq -n --arg id "sha256:$SIGNED_HEX" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg repo "$IMG_REPO_A" '{
	SchemaVersion: 2, CreatedAt: $now, ArtifactName: ($repo + ":1.0"), ArtifactType: "container_image",
	Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"]},
	Results: [{Target: "app", Class: "os-pkgs", Vulnerabilities: [{VulnerabilityID: "CVE-2099-0004",
	PkgName: "bash", InstalledVersion: "5.2", Status: "will_not_fix", Severity: "LOW"}]}]}' >"$REPORTS/signed.json"
LAYOUTS=$E2E_WORK/layouts
mkdir -p "$LAYOUTS"

# ---------------------------------------------------------------- node side

NODE=$E2E_WORK/node
BUNDLE_DIR=$NODE/bundle
NODE_STATE=$NODE/state
mkdir -p "$NODE_STATE"
chmod 700 "$NODE" "$NODE_STATE"
# The policy's "bundle" section names BUNDLE_DIR: `bundle pull` installs there (no --bundle-dir) and
# the hook takes the store and signatures from the generation `current` names; the trust section
# keeps the root keys, threshold and state directory that verify both.
NODE_TRUST=$(jq -cn --arg root "$IMG_DIR/keys/root.pub" --arg state "$NODE_STATE" \
	'{root_keys: [$root], threshold: 1, state_dir: $state}')
# The scan section requires a verdict, which only the bundle's verdict cache holds.
POL=$(img_policy bundle-enforce enforce "$NODE_TRUST" '{"required": true, "max": {"critical": 0, "high": 0}}' \
	"$(jq -cn --arg d "$BUNDLE_DIR" '{bundle: {dir: $d}}')")

# make_bundle NAME VERSION [EXPIRES [KEY]]: `bundle create` into $LAYOUTS/NAME.
make_bundle() {
	local out=$LAYOUTS/$1
	rm -rf "$out"
	"$OCIGATE_BIN" bundle create --out "$out" --version "$2" --expires "${3:-7d}" \
		--key "$IMG_DIR/keys/${4:-root}.pem" --trust-store "$CI_STORE" --signatures-dir "$CI_SIGS" \
		--reports "$REPORTS" >"$E2E_WORK/create.out" 2>&1 || {
		fail "bundle create $1 failed: $(cat "$E2E_WORK/create.out")"
		return 1
	}
}

push() { # LAYOUT_NAME TAG
	"$OCIGATE_BIN" bundle push "${REG_OPTS[@]}" "$LAYOUTS/$1" "$REG_HOST/ocigate/bundle:$2" \
		>"$E2E_WORK/push.out" 2>&1 || fail "bundle push $1 failed: $(cat "$E2E_WORK/push.out")"
}

# pull ARGS...: `bundle pull` as the node runs it, syslog captured.
pull() {
	E2E_CID_SEQ=$((E2E_CID_SEQ + 1))
	RUN_OUT=$E2E_WORK/out/pull-$E2E_CID_SEQ.out
	RUN_ERR=$E2E_WORK/out/pull-$E2E_CID_SEQ.err
	log_begin
	timeout 120 "$OCIGATE_BIN" bundle pull --policy "$POL" "$@" \
		</dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
	log_end
	[ "$RC" -ne 124 ] || fail "bundle pull hung"
}

# What a refusal must leave unchanged: the bundle directory (every entry, dotfiles too, with
# link targets and file contents) and the rollback state.
snapshot() {
	(
		cd "$BUNDLE_DIR" 2>/dev/null && find . -printf '%p %y %m %l\n' | sort
		find . -type f -exec sha256sum {} + 2>/dev/null | sort
		cat "$NODE_STATE"/*-version 2>/dev/null
	)
}

# refused STEP MESSAGE_ERE ARGS...: pull exits 1 naming the step and the reason, one syslog line
# says so, nothing changed.
refused() {
	local step=$1 msg=$2 before after n
	shift 2
	before=$(snapshot)
	pull "$@"
	assert_rc 1
	assert_err_matches "not installed, nothing changed \(step $step"
	assert_err_matches "$msg"
	n=$(log_hook_msgs | grep -cE "^bundle .*: not installed, nothing changed \(step ${step}[^)]*\): .*$msg")
	[ "$n" = 1 ] || fail "expected one syslog line for the refusal, found $n: $(log_hook_msgs)"
	after=$(snapshot)
	[ "$before" = "$after" ] || fail "the bundle directory or state changed: $(diff <(echo "$before") <(echo "$after") | head -5)"
	assert_log_clean
}

expect_start() { # allowed|denied NAME HEX
	local b id
	b=$(img_bundle "$2" "$POL" "$3")
	id=$(new_id "$2")
	if [ "$1" = allowed ]; then
		img_expect_allowed "$b" "$id"
	else
		img_expect_denied "$b" "$id" trust.signature "unsigned"
	fi
}

# ---------------------------------------------------------------- through a registry

for mode in http tls; do
	t_begin "$mode registry: create, push, pull; a signed image starts through runc, an unsigned one is refused"
	rm -rf "${BUNDLE_DIR:?}" "${NODE_STATE:?}"/*
	if ! reg_start "$mode" 2>"$E2E_WORK/reg.err"; then
		fail "registry ($mode) did not start: $(cat "$E2E_WORK/reg.err")"
		t_end
		continue
	fi
	make_bundle v1 1 && push v1 v1
	grep -q "2 signatures, 3 verdicts" "$E2E_WORK/create.out" || fail "create: $(cat "$E2E_WORK/create.out")"
	pull "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:v1"
	assert_rc 0
	assert_out_contains "installed version 1 (was 0)"
	n=$(log_hook_msgs | grep -cE '^bundle .*: installed version 1 \(was 0\) as gen-1-[0-9a-f]{12}: signatures \+2 -0, verdicts \+3 -0, trust store version 1 \(was 0\)')
	[ "$n" = 1 ] || fail "expected one install syslog line, got: $(log_hook_msgs)"
	[ "$(readlink "$BUNDLE_DIR/current")" = "$(cd "$BUNDLE_DIR" && echo gen-1-*)" ] || fail "current does not name gen-1"
	[ "$(cat "$NODE_STATE/bundle-version")" = 1 ] || fail "bundle floor is not 1"
	ls "$BUNDLE_DIR"/current/verdicts/sha256/a1/*.json >/dev/null 2>&1 || fail "the Trivy verdicts are not installed"
	[ -z "$(find "$BUNDLE_DIR" -name '.tmp-*')" ] || fail "temporary directories left in $BUNDLE_DIR"
	expect_start allowed "signed-$mode" "$SIGNED_HEX"
	expect_start denied "unsigned-$mode" "$UNSIGNED_HEX"
	t_end

	t_begin "$mode registry: an unchanged bundle is one manifest request: up to date, nothing changed"
	before=$(snapshot)
	pull "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:v1"
	assert_rc 0
	assert_out_contains "up to date (version 1)"
	[ "$before" = "$(snapshot)" ] || fail "an up-to-date pull changed the bundle directory"
	run_ocigate bundle status --policy "$POL"
	assert_rc 0
	assert_out_contains "version: 1"
	t_end
done

# ---------------------------------------------------------------- refusals (plain HTTP registry)

reg_start http 2>"$E2E_WORK/reg.err" || img_abort "registry did not start: $(cat "$E2E_WORK/reg.err")"
rm -rf "${BUNDLE_DIR:?}" "${NODE_STATE:?}"/*
make_bundle v1 1 && push v1 v1
make_bundle v2 2 && push v2 v2

t_begin "create --signatures-of: the image's cosign signature in the registry goes into the bundle (sig fetch)"
if reg_push_busybox bb:1 bundle-bb; then
	"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$REG_HOST/bb" --digest "$REG_IMG_MANIFEST" \
		--payload-out "$E2E_WORK/bb.payload" --signature-out "$E2E_WORK/bb.sig" >/dev/null || fail "sig sign failed"
	reg_cosign sig --repo bb --digest "$REG_IMG_MANIFEST" --payload "$E2E_WORK/bb.payload" \
		--signature-b64 "$E2E_WORK/bb.sig" >/dev/null || fail "cannot push the .sig"
	rm -rf "$LAYOUTS/fetched"
	run_ocigate bundle create --out "$LAYOUTS/fetched" --version 9 --expires 1d --key "$IMG_DIR/keys/root.pem" \
		--trust-store "$CI_STORE" --signatures-of "$REG_HOST/bb:1" "${REG_OPTS[@]}"
	assert_rc 0
	assert_out_contains "1 signature filed (1 cosign, 0 bundles) for $REG_IMG_MANIFEST"
	tar -tf "$(python3 "$TOOL" layer-blob "$LAYOUTS/fetched" signatures.tar)" >"$E2E_WORK/fetched.list" ||
		fail "signatures.tar does not list"
	grep -q "^sha256/${REG_IMG_MANIFEST#sha256:}/[0-9a-f]*\.json$" "$E2E_WORK/fetched.list" ||
		fail "no entry under $REG_IMG_MANIFEST in signatures.tar: $(cat "$E2E_WORK/fetched.list")"
else
	fail "cannot push the busybox image"
fi
t_end

t_begin "a newer version installs over the old; the old generation is kept"
pull "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:v1"
assert_rc 0
pull "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:v2"
assert_rc 0
assert_out_contains "installed version 2 (was 1)"
assert_log_contains "installed version 2 \(was 1\)"
[ "$(ls -d "$BUNDLE_DIR"/gen-* | wc -l)" = 2 ] || fail "expected two generations: $(ls "$BUNDLE_DIR")"
t_end

t_begin "two pulls at once: the second waits for the first, then finds it up to date"
make_bundle concurrent 4
rm -f "$E2E_WORK"/conc-*.out
pids=()
for i in 1 2; do
	timeout 120 "$OCIGATE_BIN" bundle pull --policy "$POL" --from-layout "$LAYOUTS/concurrent" \
		>"$E2E_WORK/conc-$i.out" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the registry runs in the background too
n_inst=$(cat "$E2E_WORK"/conc-*.out | grep -c "installed version 4")
n_up=$(cat "$E2E_WORK"/conc-*.out | grep -c "up to date (version 4)")
[ "$n_inst" = 1 ] && [ "$n_up" = 1 ] || fail "expected one install and one up to date: $(cat "$E2E_WORK"/conc-*.out)"
[ -z "$(find "$BUNDLE_DIR" -maxdepth 1 -name '.tmp-*')" ] || fail "temporary entries left: $(ls -A "$BUNDLE_DIR")"
t_end

t_begin "refused, nothing changed: a rolled-back version"
refused "3 descriptor" "rolled back: version 1 is lower than the installed version 4" \
	"${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:v1"
t_end

t_begin "refused, nothing changed: an expired bundle"
make_bundle expired 5 1s && push expired expired
sleep 2
refused "3 descriptor" "expired at" "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:expired"
t_end

t_begin "refused, nothing changed: a bundle re-signed by a key that is not a root"
make_bundle rogue 5 7d rogue && push rogue rogue
refused "3 descriptor" "signed by 0 of the required 1 root keys" "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:rogue"
t_end

t_begin "refused, nothing changed: one byte of one layer changed (layout, then the registry's storage)"
make_bundle tampered 5
python3 "$TOOL" tamper "$(python3 "$TOOL" layer-blob "$LAYOUTS/tampered" signatures.tar)"
refused "4 layers" "layer signatures.tar: .* bytes with digest sha256:[0-9a-f]+, expected" \
	--from-layout "$LAYOUTS/tampered"
# Its own version: a descriptor no other bundle here shares (the registry stores a blob once,
# so tampering a shared one would break the other bundles too).
make_bundle tampered2 7 && push tampered2 tampered2
blob=$(python3 "$TOOL" layer-blob "$LAYOUTS/tampered2" bundle.json)
hex=$(basename "$blob")
stored=$REG_DIR/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
[ -f "$stored" ] || fail "no blob $stored in the registry's storage"
python3 "$TOOL" tamper "$stored"
refused "2 copy" "Digest did not match" "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:tampered2"
t_end

for kind in symlink dotdot absolute; do
	t_begin "refused, nothing changed: a correctly signed bundle with a hostile tar ($kind)"
	make_bundle "hostile-$kind" 5
	python3 "$TOOL" hostile-tar "$E2E_WORK/hostile-$kind.tar" "$kind"
	python3 "$TOOL" retar "$LAYOUTS/hostile-$kind" signatures.tar "$E2E_WORK/hostile-$kind.tar" "$OCIGATE_BIN" \
		"$IMG_DIR/keys/root.pem" || fail "cannot forge the hostile bundle"
	push "hostile-$kind" "hostile-$kind"
	case $kind in
	symlink) want="a symbolic link, only regular files and directories" ;;
	dotdot) want='\.\./\.\./evil.*in the name' ;;
	absolute) want="absolute name" ;;
	esac
	refused "5 unpack" "signatures.tar: .*$want" "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:hostile-$kind"
	[ ! -e /tmp/ocigate-e2e-evil ] || fail "the hostile tar wrote outside the bundle"
	t_end
done

t_begin "refused, nothing changed: a layer above the size limit"
make_bundle huge 5 && push huge huge
refused "2 copy" "more than the limit of 2048" --max-layer-bytes 2048 "${REG_OPTS[@]}" "$REG_HOST/ocigate/bundle:huge"
t_end

t_begin "refused, nothing changed: the registry down"
host=$REG_HOST
reg_stop
refused "1 manifest" "skopeo exited" "${REG_OPTS[@]}" "$host/ocigate/bundle:v2"
t_end

t_begin "refused, nothing changed: a registry answering garbage"
rm -f "$E2E_WORK/bad.port"
python3 "$TOOL" server garbage "$E2E_WORK/bad.port" &
BAD_PID=$!
for _ in $(seq 100); do [ -s "$E2E_WORK/bad.port" ] && break; sleep 0.05; done
refused "2 copy" "manifest: invalid JSON" --tls-verify=false "127.0.0.1:$(cat "$E2E_WORK/bad.port")/ocigate/bundle:v2"
bad_stop
t_end

t_begin "refused, nothing changed: a registry that stalls past --timeout"
rm -f "$E2E_WORK/bad.port"
python3 "$TOOL" server silent "$E2E_WORK/bad.port" &
BAD_PID=$!
for _ in $(seq 100); do [ -s "$E2E_WORK/bad.port" ] && break; sleep 0.05; done
start=$(date +%s)
refused "1 manifest" "no answer within 3000 ms" --timeout 3s --tls-verify=false \
	"127.0.0.1:$(cat "$E2E_WORK/bad.port")/ocigate/bundle:v2"
[ $(($(date +%s) - start)) -lt 30 ] || fail "the stalled pull took $(($(date +%s) - start)) s with --timeout 3"
bad_stop
t_end

t_begin "after all refusals the node still runs version 4: a signed image starts"
run_ocigate bundle status --policy "$POL"
assert_out_contains "version: 4"
expect_start allowed signed-after "$SIGNED_HEX"
t_end

