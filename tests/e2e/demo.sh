#!/bin/bash
# `make demo`: the whole story in under a minute. Make root and CI keys, a root-signed trust store,
# sign an image, import Trivy reports, build a signed trust bundle and deliver it to this "node"
# (through a local docker-registry when one is installed, else from an OCI layout directory), then
# start four busybox containers through real runc with ocigate as createRuntime hook: a signed,
# clean, hardened one runs; an unsigned one, one with a critical finding and one with a writable
# root are refused, each with the syslog lines the hook sent. Builds nothing (the Makefile builds
# build/ocigate first). Needs root (runc). OCIGATE_DEMO_REGISTRY=0 delivers from the layout
# directory even where a registry could be started.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
E2E_DEMO=1
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ocigate demo: runc needs root; run: sudo make demo" >&2
	exit 1
fi
missing=$(e2e_require_cmds runc jq python3 unshare logger openssl tar sha256sum)
if [ -n "$missing" ]; then
	echo "ocigate demo: missing $missing; run: make deps (packaging/install-deps.sh)" >&2
	exit 1
fi
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
img_init
DEMO_START=$(date +%s.%N)

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)
[ -t 1 ] || { bold=; plain=; }
ok=1
die() {
	echo "demo: FAILED: $*"
	exit 1
}
step() { echo; echo "${bold}$*${plain}"; }
# run_ CMD...: show the command (paths below the work dir shortened), run it, indent its output.
run_() {
	echo "  \$ $*" | sed "s|$E2E_WORK/||g; s|$OCIGATE_BIN|ocigate|g"
	"$@" 2>&1 | sed "s|$E2E_WORK/||g; s/^/    /"
	return "${PIPESTATUS[0]}"
}
# Syslog lines without the "<PRI>Mmm dd hh:mm:ss " prefix, indented.
show_log() { log_hook_lines | sed -E 's/^<[0-9]+>[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} //; s/^/    | /'; }

echo "${bold}ocigate demo${plain}: from CI keys to a refused container, on this machine"
echo "  hook:   $OCIGATE_BIN ($("$OCIGATE_BIN" version 2>/dev/null | head -n 1))"
echo "  work:   $E2E_WORK (removed at the end)"
echo "  syslog: what the hook sent to /dev/log ($E2E_DEVLOG_HOW)"

# ---------------------------------------------------------------- CI side
step "[CI] 1. keys: a root key (pinned on every node) and a CI signing key"
img_key root ec && img_key ci ed25519 || die "openssl cannot make keys"
echo "  keys/root.pem (ECDSA P-256), keys/ci.pem (Ed25519)"

step "[CI] 2. the trust store: CI's key may sign registry.example.com/team-a/*; signed by the root key"
img_trust_env demo
img_store_write 1 "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" "[$(img_store_key ci "$IMG_SCOPE_A")]"
run_ "$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$TRUST_STORE" || die "trust sign"

step "[CI] 3. sign the images CI built (cosign-compatible simple signing)"
img_make good
GOOD_HEX=$IMG_CONFIG_HEX GOOD=$IMG_CONFIG GOOD_MANIFEST=$IMG_MANIFEST
run_ "$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" --digest "$GOOD" \
	--add --signatures-dir "$TRUST_SIGS" || die "sig sign"
img_make vulnerable
VULN_HEX=$IMG_CONFIG_HEX VULN=$IMG_CONFIG VULN_MANIFEST=$IMG_MANIFEST
"$OCIGATE_BIN" sig sign --key "$IMG_DIR/keys/ci.pem" --repository "$IMG_REPO_A" --digest "$VULN" \
	--add --signatures-dir "$TRUST_SIGS" >/dev/null || die "sig sign"
echo "  (and the same for the image \"vulnerable\"; a third image, \"unsigned\", gets no signature)"
img_make unsigned
UNSIGNED_HEX=$IMG_CONFIG_HEX

step "[CI] 4. import the scanner's reports (Trivy JSON): one clean, one with a critical CVE"
VERDICTS=$IMG_DIR/verdicts
mkdir -p "$VERDICTS" && chmod 700 "$VERDICTS"
trivy_report() { # FILE IMAGE_ID MANIFEST VULNS_JSON
	jq -n --arg created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg id "$2" --arg rd "$IMG_REPO_A@$3" \
		--arg repo "$IMG_REPO_A" --argjson vulns "$4" '{SchemaVersion: 2, CreatedAt: $created,
		ArtifactName: ($repo + ":1.0"), ArtifactType: "container_image",
		Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"], RepoDigests: [$rd], OS: {Family: "alpine", Name: "3.19.1"}},
		Results: [{Target: $repo, Class: "os-pkgs", Type: "alpine", Vulnerabilities: $vulns}]}' >"$1"
}
trivy_report "$IMG_DIR/reports/good.json" "$GOOD" "$GOOD_MANIFEST" '[]'
trivy_report "$IMG_DIR/reports/vulnerable.json" "$VULN" "$VULN_MANIFEST" \
	'[{"VulnerabilityID": "CVE-2024-3094", "PkgName": "xz-libs", "InstalledVersion": "5.6.0-r0",
	   "FixedVersion": "5.6.1-r2", "Status": "fixed", "Severity": "CRITICAL"}]'
run_ "$OCIGATE_BIN" verdict import --cache-dir "$VERDICTS" "$IMG_DIR/reports/good.json" \
	"$IMG_DIR/reports/vulnerable.json" || die "verdict import"

step "[CI] 5. build the trust bundle: store + signatures + verdicts, one descriptor signed by the root key"
run_ "$OCIGATE_BIN" bundle create --out "$IMG_DIR/bundle-layout" --version 1 --expires 7d \
	--key "$IMG_DIR/keys/root.pem" --trust-store "$TRUST_STORE" --signatures-dir "$TRUST_SIGS" \
	--verdicts-dir "$VERDICTS" || die "bundle create"
FROM=(--from-layout "$IMG_DIR/bundle-layout")
if [ "${OCIGATE_DEMO_REGISTRY:-1}" != 0 ] && [ -z "$(e2e_require_cmds docker-registry skopeo curl)" ]; then
	. "$E2E_DIR/lib_registry.sh"
	if reg_start http 2>"$IMG_DIR/registry.err"; then
		echo "  a local registry (Debian's docker-registry) on $REG_HOST stands in for the real one"
		REF=$REG_HOST/platform/ocigate-bundle:prod
		run_ "$OCIGATE_BIN" bundle push --tls-verify=false "$IMG_DIR/bundle-layout" "$REF" || die "bundle push"
		FROM=(--tls-verify=false "$REF")
	else
		echo "  (the local registry did not start: $(head -c 200 "$IMG_DIR/registry.err"); delivering from the layout)"
	fi
else
	echo "  (no local registry (docker-registry and skopeo, or OCIGATE_DEMO_REGISTRY=0): the node pulls from the layout directory)"
fi

# ---------------------------------------------------------------- node side
BDIR=$IMG_DIR/node/bundle
STATE=$IMG_DIR/node/state
mkdir -p "$BDIR" "$STATE" && chmod 700 "$IMG_DIR/node" "$STATE" && chmod 755 "$BDIR"
step "[node] 6. the node's policy: enforce; root key pinned; trust and verdicts from the installed bundle"
POLICY=$(img_policy demo enforce \
	"$(jq -cn --arg r "$IMG_DIR/keys/root.pub" --arg s "$STATE" '{root_keys: [$r], threshold: 1, state_dir: $s}')" \
	'{"required": true, "max_age": "7d", "max": {"critical": 0, "high": 0}}' \
	"$(jq -cn --arg d "$BDIR" '{bundle: {dir: $d, max_age: "72h", on_stale: "deny", warn_before_expiry: "24h"}}')")
jq -c '{mode, runtime, trust, scan, bundle}' "$POLICY" | sed "s|$E2E_WORK/||g; s/^/    /"

step "[node] 7. deliver it: what ocigate-sync.timer (or the DaemonSet) runs on every node"
run_ "$OCIGATE_BIN" bundle pull --policy "$POLICY" "${FROM[@]}" || die "bundle pull"
run_ "$OCIGATE_BIN" bundle status --policy "$POLICY" || die "bundle status"

# ---------------------------------------------------------------- four starts
# demo_start N TITLE BUNDLE ID EXPECT(allow|deny)
demo_start() {
	step "[node] $1 $2"
	echo "  \$ runc run $4"
	run_container runc "$3" "$4"
	sed 's/\\n"$/"/; s/\\n/\n/g' "$RUN_OUT" "$RUN_ERR" | fold -s -w 110 | sed 's/^/    | /'
	if [ "$5" = allow ] && [ "$RC" -eq 0 ] && grep -q "$IMG_GREETING" "$RUN_OUT"; then
		echo "  runc exit code 0: ${bold}ALLOWED${plain}, the container ran"
	elif [ "$5" = deny ] && [ "$RC" -ne 0 ] && ! grep -q "$IMG_GREETING" "$RUN_OUT"; then
		echo "  runc exit code $RC: ${bold}REFUSED${plain} by the ocigate hook, the container never started"
	else
		echo "  runc exit code $RC: UNEXPECTED (wanted $5)"
		ok=0
	fi
	echo "  syslog:"
	show_log
}
b=$(img_bundle demo-good "$POLICY" "$GOOD_HEX")
demo_start "8a." "signed, clean, hardened (read-only root, no capabilities, seccomp, uid 1000)" "$b" demo-good allow
b=$(img_bundle demo-unsigned "$POLICY" "$UNSIGNED_HEX")
demo_start "8b." "an unsigned image" "$b" demo-unsigned deny
b=$(img_bundle demo-vulnerable "$POLICY" "$VULN_HEX")
demo_start "8c." "a signed image with a critical finding" "$b" demo-vulnerable deny
b=$(img_bundle demo-writable "$POLICY" "$GOOD_HEX")
cfg_edit "$b" '.root.readonly = false'
demo_start "8d." "the signed, clean image with a writable root filesystem" "$b" demo-writable deny

echo
elapsed=$(echo "$(date +%s.%N) - $DEMO_START" | bc 2>/dev/null || echo "?")
if [ "$ok" -eq 1 ]; then
	echo "demo: OK in ${elapsed%.*}s (one container allowed, three refused; the decisions are in syslog)"
	exit 0
fi
echo "demo: FAILED (see above)"
exit 1
