#!/bin/bash
# `make demo`: the whole story in under a minute. Make root and CI keys, a root-signed trust store,
# sign an image, import Trivy reports, build a signed trust bundle and deliver it to this "node"
# (through a local docker-registry when one is installed, else from an OCI layout directory), then
# start four busybox containers through real runc with ocigate as createRuntime hook: a signed,
# clean, hardened one runs; an unsigned one, one with a critical finding and one with a writable
# root are refused, each with the syslog lines the hook sent. Builds nothing (the Makefile builds
# build/ocigate first). Needs root (runc).
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
BDIR=$IMG_DIR/node/bundle
STATE=$IMG_DIR/node/state
mkdir -p "$BDIR" "$STATE" && chmod 700 "$IMG_DIR/node" "$STATE" && chmod 755 "$BDIR"
# A generation as `bundle pull` lays it out (docs/trust-bundle.md): the descriptor signed with
# `trust sign` (root signatures over its exact bytes), the directory named gen-1-<12 hex of its sha256>.
G=$IMG_DIR/gen
mkdir -p "$G/trust" && cp "$TRUST_STORE" "$TRUST_STORE.sig" "$G/trust/" && mv "$G/trust/trust.json" "$G/trust/store.json" &&
	mv "$G/trust/trust.json.sig" "$G/trust/store.json.sig" && cp -a "$TRUST_SIGS" "$G/signatures" &&
	cp -a "$VERDICTS" "$G/verdicts" || die "cannot lay out the bundle"
tar -C "$G" -cf "$IMG_DIR/trust.tar" trust
jq -n --arg c "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg x "$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)" \
	--arg d "sha256:$(sha256sum "$IMG_DIR/trust.tar" | cut -d' ' -f1)" --argjson s "$(stat -c %s "$IMG_DIR/trust.tar")" \
	'{type: "ocigate-bundle", version: 1, created: $c, expires: $x, contents: [{name: "trust.tar", digest: $d, size: $s}],
	  summary: {signatures: 2, verdicts: 2}}' >"$G/bundle.json"
run_ "$OCIGATE_BIN" trust sign --key "$IMG_DIR/keys/root.pem" "$G/bundle.json" || die "signing bundle.json"

# ---------------------------------------------------------------- node side
step "[node] 6. deliver it: the generation is published and \`current\` switched in one rename"
GEN=gen-1-$(sha256sum "$G/bundle.json" | cut -c1-12)
mv "$G" "$BDIR/$GEN" && ln -s "$GEN" "$BDIR/current" || die "cannot install the bundle"
echo "  $BDIR/current -> $GEN" | sed "s|$E2E_WORK/||g"

step "[node] 7. the node's policy: enforce; trust and verdicts from the installed bundle"
POLICY=$(img_policy demo enforce \
	"$(jq -cn --arg r "$IMG_DIR/keys/root.pub" --arg s "$STATE" '{root_keys: [$r], threshold: 1, state_dir: $s}')" \
	'{"required": true, "max_age": "7d", "max": {"critical": 0, "high": 0}}' \
	"$(jq -cn --arg d "$BDIR" '{bundle: {dir: $d, max_age: "72h", on_stale: "deny", warn_before_expiry: "24h"}}')")
jq -c '{mode, runtime, trust, scan, bundle}' "$POLICY" | sed "s|$E2E_WORK/||g; s/^/    /"
run_ "$OCIGATE_BIN" trust verify --policy "$POLICY" | head -n 3

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
