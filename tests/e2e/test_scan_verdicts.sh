#!/bin/bash
# Scan verdicts end to end: Trivy-format reports are imported with `ocigate verdict import` into a
# root-owned verdict cache; real runc then starts a hardened busybox bundle whose CRI-O
# io.kubernetes.cri-o.ImageRef annotation names the image ID the report names, with ocigate
# registered as a createRuntime hook enforcing the policy's "scan" section. Every case asserts
# runc's exit code, the container's output, that nothing is left behind, and the syslog decision
# and violation lines (rule ids, container id, counts) the hook really sent.
# Reports are written here by hand in `trivy image -f json` shape (see
# tests/fixtures/scanners/trivy-small.json); one case imports a real Trivy report from the shared
# fixtures (../shared/fixtures/scanners, override with OCIGATE_SHARED_FIXTURES).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_image.sh"
e2e_note "ocigate: $OCIGATE_BIN; syslog: $E2E_DEVLOG_HOW"
why=$(engine_available runc) || e2e_skip_all "$why"
img_init
[ -z "$IMG_NEED" ] || img_abort "missing commands: $IMG_NEED (run packaging/install-deps.sh)"

SHARED_FIXTURES=${OCIGATE_SHARED_FIXTURES:-$E2E_REPO/../shared/fixtures}
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
DAYS_AGO_30=$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)
IN_30_DAYS=$(date -u -d '+30 days' +%Y-%m-%d)
YESTERDAY=$(date -u -d '-2 days' +%Y-%m-%d) # a bare date is valid through that whole UTC day

# The verdict cache: root-owned, 0700 (mktemp), as the hook's StrictModes-like check requires.
SCAN_CACHE=$(mktemp -d "$IMG_DIR/verdicts.XXXXXX")

# scan_json [EXTRA_JSON]: the policy's scan section (required, 7 days, no critical or high).
scan_json() {
	local extra='{}'
	[ -z "${1:-}" ] || extra=$1
	jq -cn --arg c "$SCAN_CACHE" --argjson extra "$extra" \
		'{required: true, cache_dir: $c, max_age: "7d", max: {critical: 0, high: 0}, ignore_unfixed: false} + $extra'
}

# trivy_report FILE CREATED_AT FINDINGS_JSON: a `trivy image -f json` report naming the current
# test image (IMG_CONFIG as Metadata.ImageID, IMG_MANIFEST in RepoDigests).
trivy_report() {
	jq -n --arg created "$2" --arg id "$IMG_CONFIG" --arg rd "$IMG_REPO_A@$IMG_MANIFEST" --arg repo "$IMG_REPO_A" \
		--argjson vulns "$3" '{
		SchemaVersion: 2, CreatedAt: $created, ArtifactName: ($repo + ":1.0"), ArtifactType: "container_image",
		Metadata: {ImageID: $id, RepoTags: [$repo + ":1.0"], RepoDigests: [$rd],
		           OS: {Family: "alpine", Name: "3.19.1"}},
		Results: [{Target: ($repo + ":1.0 (alpine 3.19.1)"), Class: "os-pkgs", Type: "alpine",
		           Vulnerabilities: $vulns}]}' >"$1" || fail "cannot write report $1"
}

# vuln ID SEVERITY [FIXED_VERSION]: one Trivy finding (no fixed version: status affected).
vuln() {
	jq -cn --arg id "$1" --arg sev "$2" --arg fixed "${3:-}" '{VulnerabilityID: $id, PkgName: "libexample",
		InstalledVersion: "1.0.0-r0", Severity: $sev}
		+ (if $fixed == "" then {Status: "affected"} else {FixedVersion: $fixed, Status: "fixed"} end)'
}

# import_report NAME CREATED_AT FINDINGS_JSON [CACHE]: make test image NAME, write its report
# (reports/NAME.trivy.json), import it (into SCAN_CACHE by default).
import_report() {
	img_make "$1"
	local r=$IMG_DIR/reports/$1.trivy.json
	trivy_report "$r" "$2" "$3"
	"$OCIGATE_BIN" verdict import --cache-dir "${4:-$SCAN_CACHE}" "$r" >/dev/null 2>"$IMG_DIR/last.err" ||
		fail "ocigate verdict import $r failed: $(cat "$IMG_DIR/last.err")"
}

cache_file() { echo "${2:-$SCAN_CACHE}/sha256/${1:7:2}/${1#sha256:}.json"; }

# vex_doc FILE VULN_ID STATUS TIMESTAMP: an OpenVEX document with one statement on IMG_CONFIG.
vex_doc() {
	jq -n --arg d "$IMG_CONFIG" --arg id "$2" --arg st "$3" --arg ts "$4" '{
		"@context": "https://openvex.dev/ns/v0.2.0", author: "e2e", timestamp: $ts,
		statements: [{vulnerability: {name: $id}, products: [{"@id": $d}], status: $st}
			+ (if $st == "not_affected" then {justification: "component_not_present"} else {} end)]}' \
		>"$1" || fail "cannot write VEX document $1"
}

POL_ENFORCE=$(img_policy scan-enforce enforce null "$(scan_json)")
POL_AUDIT=$(img_policy scan-audit audit null "$(scan_json)")

# ---------------------------------------------------------------- allowed

t_begin "runc: an image whose fresh verdict is within the thresholds starts"
import_report clean "$NOW" "[$(vuln CVE-2099-0101 MEDIUM 1.0.1-r0),$(vuln CVE-2099-0102 LOW)]"
b=$(img_bundle clean "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-clean)
img_expect_allowed "$b" "$id"
assert_digest_logged "$id" "$IMG_CONFIG"
t_end

# ---------------------------------------------------------------- refused

t_begin "runc: refused: verdict over threshold (scan.severity, counts and ids in the message)"
import_report vulnerable "$NOW" "[$(vuln CVE-2099-0201 CRITICAL 2.0.0-r0),$(vuln CVE-2099-0202 CRITICAL),
	$(vuln CVE-2099-0203 HIGH 2.0.1-r0),$(vuln CVE-2099-0204 MEDIUM 2.0.1-r0)]"
VULN_HEX=$IMG_CONFIG_HEX VULN_CONFIG=$IMG_CONFIG
b=$(img_bundle vulnerable "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-over)
img_expect_denied "$b" "$id" scan.severity "$IMG_CONFIG.* has 2 critical \(max 0\), 1 high \(max 0\) vulnerabilities"
assert_violation_msg "$id" scan.severity "CVE-2099-0201, CVE-2099-0202, CVE-2099-0203"
assert_log_not_contains "violation container=\"$(re_quote "$id")\" rule=scan.severity .*CVE-2099-0204" \
	"the message names a MEDIUM finding although medium has no maximum"
assert_err_matches "scan\.severity"
assert_digest_logged "$id" "$IMG_CONFIG"
t_end

t_begin "runc: refused: stale verdict, scanned 30 days ago with max_age 7d (scan.stale)"
import_report stale "$DAYS_AGO_30" '[]'
b=$(img_bundle stale "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-stale)
img_expect_denied "$b" "$id" scan.stale "$IMG_CONFIG.* is 30 days old .*older than max_age 7d"
t_end

t_begin "runc: refused: no verdict for the image (scan.verdict)"
img_make unscanned
b=$(img_bundle unscanned "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-missing)
img_expect_denied "$b" "$id" scan.verdict "no scan verdict for image .*\($IMG_CONFIG\) in $SCAN_CACHE"
t_end

t_begin "runc: an exception before its until date lets the over-threshold image start"
import_report excepted "$NOW" "[$(vuln CVE-2099-0301 CRITICAL 3.0.1-r0),$(vuln CVE-2099-0302 LOW)]"
EXC_HEX=$IMG_CONFIG_HEX
b=$(img_bundle excepted "$(img_policy scan-exc-valid enforce null "$(scan_json "$(jq -cn --arg u "$IN_30_DAYS" \
	'{exceptions: [{id: "CVE-2099-0301", until: $u, reason: "e2e: fix rolls out next sprint"}]}')")")" \
	"$IMG_CONFIG_HEX")
id=$(new_id scan-exc-valid)
img_expect_allowed "$b" "$id"
t_end

t_begin "runc: refused: the same exception after its until date no longer applies and the log says expired"
b=$(img_bundle excepted-expired "$(img_policy scan-exc-expired enforce null "$(scan_json "$(jq -cn --arg u "$YESTERDAY" \
	'{exceptions: [{id: "CVE-2099-0301", until: $u, reason: "e2e: fix rolls out next sprint"}]}')")")" \
	"$EXC_HEX")
id=$(new_id scan-exc-expired)
img_expect_denied "$b" "$id" scan.severity "1 critical \(max 0\).*CVE-2099-0301.*exception for CVE-2099-0301 expired $YESTERDAY"
t_end

t_begin "runc: ignore_unfixed lets an image whose only critical finding has no fix start"
import_report unfixed "$NOW" "[$(vuln CVE-2099-0401 CRITICAL)]"
b=$(img_bundle unfixed "$(img_policy scan-unfixed enforce null "$(scan_json '{"ignore_unfixed": true}')")" "$IMG_CONFIG_HEX")
id=$(new_id scan-ignore-unfixed)
img_expect_allowed "$b" "$id"
t_end

t_begin "runc: audit mode lets the over-threshold image run and logs decision=audit"
b=$(img_bundle audit-vulnerable "$POL_AUDIT" "$VULN_HEX")
id=$(new_id scan-audit)
img_expect_allowed "$b" "$id" audit
assert_decision audit "$id" scan.severity
assert_log_contains "decision=audit container=\"$(re_quote "$id")\" .*mode=audit" "decision line lacks mode=audit"
assert_violation "$id" scan.severity audit
assert_violation_msg "$id" scan.severity "2 critical \(max 0\), 1 high \(max 0\)"
assert_digest_logged "$id" "$VULN_CONFIG"
t_end

t_begin "runc: refused: a group-writable verdict file is not trusted (scan.verdict)"
import_report groupwritable "$NOW" '[]'
f=$(cache_file "$IMG_CONFIG")
[ -f "$f" ] || fail "verdict file $f not found (cache layout changed?)"
chmod g+w "$f"
b=$(img_bundle groupwritable "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-group-writable)
img_expect_denied "$b" "$id" scan.verdict "cannot be trusted: .*group- or world-writable"
assert_log_not_contains "decision=deny container=\"$(re_quote "$id")\" .*rules=\"[^\"]*scan\.severity" \
	"an untrusted verdict was still evaluated for severity"
t_end

t_begin "runc: refused: a verdict file not owned by root is not trusted (scan.verdict)"
import_report foreignowner "$NOW" '[]'
f=$(cache_file "$IMG_CONFIG")
chown 1000:1000 "$f" || fail "chown failed"
b=$(img_bundle foreignowner "$POL_ENFORCE" "$IMG_CONFIG_HEX")
id=$(new_id scan-foreign-owner)
img_expect_denied "$b" "$id" scan.verdict "cannot be trusted: .*owned by uid 1000"
t_end

# Verdicts signed by a scanner key that the (root-signed) trust store lists.
t_begin "runc: verdicts signed by a trust-store key are trusted; a verdict signed by another key is not"
img_trust_env scanner-signed
img_key sv-root ec && img_key sv-scanner ed25519 && img_key sv-stranger ed25519 || fail "cannot make keys"
img_store_write 1 "2099-01-01T00:00:00Z" "[$(img_store_key sv-scanner 'registry.example.com/*')]"
img_store_sign sv-root
SIGNED_CACHE=$(mktemp -d "$IMG_DIR/verdicts-signed.XXXXXX")
sv_trust=$(jq -cn --arg store "$TRUST_STORE" --arg root "$IMG_DIR/keys/sv-root.pub" --arg state "$TRUST_STATE" \
	--arg sigs "$TRUST_SIGS" '{required: false, store: $store, root_keys: [$root], state_dir: $state, signatures_dir: $sigs}')
sv_scan=$(jq -cn --arg c "$SIGNED_CACHE" '{required: true, cache_dir: $c, max: {critical: 0}, require_signed: true, signers: "trust_store"}')
POL_SIGNED=$(img_policy scan-signed enforce "$sv_trust" "$sv_scan")
img_make signedverdict
r=$IMG_DIR/reports/signedverdict.trivy.json
trivy_report "$r" "$NOW" '[]'
"$OCIGATE_BIN" verdict import --cache-dir "$SIGNED_CACHE" --sign-key "$IMG_DIR/keys/sv-scanner.pem" "$r" >/dev/null 2>"$IMG_DIR/last.err" ||
	fail "signed import failed: $(cat "$IMG_DIR/last.err")"
b=$(img_bundle signedverdict "$POL_SIGNED" "$IMG_CONFIG_HEX")
img_expect_allowed "$b" "$(new_id scan-signed-ok)"
"$OCIGATE_BIN" verdict import --cache-dir "$SIGNED_CACHE" --sign-key "$IMG_DIR/keys/sv-stranger.pem" "$r" >/dev/null 2>"$IMG_DIR/last.err" ||
	fail "import signed by the stranger key failed: $(cat "$IMG_DIR/last.err")"
img_expect_denied "$b" "$(new_id scan-signed-stranger)" scan.verdict "cannot be trusted: signature does not verify"
t_end

# ---------------------------------------------------------------- issue 17: verdicts

t_begin "runc: refused: \"Critical\" in any case counts as critical; a misspelt severity is refused at import"
import_report anycase "$NOW" "[$(vuln CVE-2099-0501 Critical 5.0.1-r0),$(vuln CVE-2099-0502 high 5.0.1-r0)]"
b=$(img_bundle anycase "$POL_ENFORCE" "$IMG_CONFIG_HEX")
img_expect_denied "$b" "$(new_id scan-anycase)" scan.severity "1 critical \(max 0\), 1 high \(max 0\)"
r=$IMG_DIR/reports/misspelt.trivy.json
trivy_report "$r" "$NOW" "[$(vuln CVE-2099-0503 HIGH),$(vuln CVE-2099-0504 Critcal)]"
run_ocigate verdict import --cache-dir "$SCAN_CACHE" "$r"
assert_rc 2
assert_err_matches "misspelt\.trivy\.json: \\\$\.Results\[0\]\.Vulnerabilities\[1\]\.Severity: \"Critcal\" is not a severity"
t_end

t_begin "verdict writers in parallel: 20 VEX imports of one digest all land, a newer affected beside them refuses the image, imports and gc beside them lose nothing"
PAR_CACHE=$(mktemp -d "$IMG_DIR/verdicts-parallel.XXXXXX")
POL_PAR=$(img_policy scan-parallel enforce null "$(jq -cn --arg c "$PAR_CACHE" '{required: true, cache_dir: $c, max: {critical: 0}}')")
import_report oldscan "$(date -u -d '-60 days' +%Y-%m-%dT%H:%M:%SZ)" '[]' "$PAR_CACHE"
OLD_CONFIG=$IMG_CONFIG
import_report vexpar "$NOW" "[$(vuln CVE-2099-0601 CRITICAL 6.0.1-r0)]" "$PAR_CACHE"
vd=$IMG_DIR/reports/vex-parallel
mkdir -p "$vd"
vex_doc "$vd/not-affected.json" CVE-2099-0601 not_affected "$DAYS_AGO_30"
"$OCIGATE_BIN" verdict vex import --cache-dir "$PAR_CACHE" "$vd/not-affected.json" >/dev/null 2>"$IMG_DIR/last.err" ||
	fail "vex import failed: $(cat "$IMG_DIR/last.err")"
b=$(img_bundle vexpar "$POL_PAR" "$IMG_CONFIG_HEX")
img_expect_allowed "$b" "$(new_id scan-vex-not-affected)"
for i in $(seq 10 29); do vex_doc "$vd/unrelated-$i.json" "CVE-2099-07$i" not_affected "$NOW"; done
vex_doc "$vd/affected.json" CVE-2099-0601 affected "$NOW"
pids=()
for f in "$vd"/unrelated-*.json "$vd/affected.json"; do
	"$OCIGATE_BIN" verdict vex import --cache-dir "$PAR_CACHE" "$f" >/dev/null 2>"$f.err" &
	pids+=($!)
done
for k in 1 2 3 4 5; do
	"$OCIGATE_BIN" verdict import --cache-dir "$PAR_CACHE" "$IMG_DIR/reports/vexpar.trivy.json" >/dev/null 2>"$vd/import-$k.err" &
	pids+=($!)
done
for k in 1 2; do
	"$OCIGATE_BIN" verdict gc --older-than 30d --cache-dir "$PAR_CACHE" >/dev/null 2>"$vd/gc-$k.err" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" -eq 0 ] || fail "$failed of ${#pids[@]} writers failed: $(cat "$vd"/*.err | head -c 600)"
n=$("$OCIGATE_BIN" verdict show --cache-dir "$PAR_CACHE" --format json "$IMG_CONFIG" | jq '.vex | length')
[ "$n" = 21 ] || fail "$n VEX statements kept, expected 21 (20 unrelated and the newer affected)"
[ -f "$(cache_file "$IMG_CONFIG" "$PAR_CACHE")" ] || fail "the verdict imported beside gc is gone"
[ ! -e "$(cache_file "$OLD_CONFIG" "$PAR_CACHE")" ] || fail "gc left the 60-day-old verdict"
img_expect_denied "$b" "$(new_id scan-vex-affected)" scan.severity "1 critical \(max 0\) vulnerabilities after suppressions: CVE-2099-0601"
t_end

t_begin "runc: a verdict larger than the hook reads is refused at import, the previous one stays; an oversized cache file is 'too large'"
import_report bigreport "$NOW" '[]'
BIG_HEX=$IMG_CONFIG_HEX
f=$(cache_file "$IMG_CONFIG")
cp "$f" "$IMG_DIR/big-before.json"
r=$IMG_DIR/reports/big.trivy.json
# 99,000 findings in about 55 MiB (the report limit is 64 MiB): a 20 MB verdict, over the 16 MiB the
# hook reads. Made here, not committed.
python3 - "$r" "$IMG_CONFIG" "$NOW" <<'PY' || fail "cannot write the large report"
import json, sys
path, image_id, created = sys.argv[1:4]
pad = "x" * 180
with open(path, "w") as f:
    f.write(json.dumps({"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": "big:1",
                        "Metadata": {"ImageID": image_id}})[:-1] + ', "Results": [{"Target": "t", "Vulnerabilities": [')
    for i in range(99000):
        f.write((", " if i else "") + json.dumps({
            "VulnerabilityID": "CVE-2099-%06d" % i, "PkgName": "lib-" + pad[:130],
            "InstalledVersion": "1.0.%d-r0" % i, "FixedVersion": "1.0.%d-r1" % i,
            "Status": "fixed", "Severity": "LOW", "Title": pad[:120], "Description": pad[:120]}))
    f.write("]}]}")
PY
run_ocigate verdict import --cache-dir "$SCAN_CACHE" "$r"
assert_rc 2
assert_err_matches "big\.trivy\.json: its verdict \(99000 findings\): [0-9]+ bytes, more than the 16777216 bytes the hook reads"
cmp -s "$f" "$IMG_DIR/big-before.json" || fail "the refused import replaced the verdict"
b=$(img_bundle bigreport "$POL_ENFORCE" "$BIG_HEX")
img_expect_allowed "$b" "$(new_id scan-big-refused)"
truncate -s 17M "$f" # a file over the limit, however it got there
img_expect_denied "$b" "$(new_id scan-big-file)" scan.verdict "is too large to read: .*17825792 bytes, larger than the limit of 16777216"
assert_log_not_contains "cannot be trusted" "an oversized verdict was called untrustworthy"
rm -f "$r"
t_end

t_begin "verdict import: an older report after a newer one is refused, --force replaces it (and it is then 30 days stale)"
import_report ordered "$NOW" '[]'
r=$IMG_DIR/reports/ordered-older.trivy.json
trivy_report "$r" "$DAYS_AGO_30" '[]'
run_ocigate verdict import --cache-dir "$SCAN_CACHE" "$r"
assert_rc 2
assert_err_matches "ordered-older\.trivy\.json: scanned .*, before the verdict for $IMG_CONFIG in $(re_quote "$SCAN_CACHE") .*--force replaces it"
b=$(img_bundle ordered "$POL_ENFORCE" "$IMG_CONFIG_HEX")
img_expect_allowed "$b" "$(new_id scan-older-refused)"
run_ocigate verdict import --force --cache-dir "$SCAN_CACHE" "$r"
assert_rc 0
img_expect_denied "$b" "$(new_id scan-older-forced)" scan.stale "is 30 days old"
t_end

t_begin "runc: a report without a scan time: import, show and ls say so; require_scan_time refuses it (scan.stale)"
img_make undated
r=$IMG_DIR/reports/undated.trivy.json
trivy_report "$r" "$NOW" '[]'
jq 'del(.CreatedAt)' "$r" >"$r.tmp" && mv "$r.tmp" "$r"
run_ocigate verdict import --cache-dir "$SCAN_CACHE" "$r"
assert_rc 0
assert_out_contains "no scan time in report (import time used)"
run_ocigate verdict show --cache-dir "$SCAN_CACHE" "$IMG_CONFIG"
assert_out_contains "(import time: report had none)"
run_ocigate verdict ls --cache-dir "$SCAN_CACHE"
grep -F "$IMG_CONFIG" "$RUN_OUT" | grep -qF "(import time: the report had none)" || fail "ls does not say the time is the import time"
b=$(img_bundle undated "$POL_ENFORCE" "$IMG_CONFIG_HEX")
img_expect_allowed "$b" "$(new_id scan-undated-ok)"
b=$(img_bundle undated-required "$(img_policy scan-require-time enforce null "$(scan_json '{"require_scan_time": true}')")" "$IMG_CONFIG_HEX")
img_expect_denied "$b" "$(new_id scan-undated-stale)" scan.stale "has no scan time \(the report gave none; imported .*\) and the policy requires one"
t_end

t_begin "verdict CLI messages: a cache the hook will refuse is warned about, the symlink refusal names the cache, a Trivy report given to vex import is named, paths follow the file name"
img_make messages
r=$IMG_DIR/reports/messages.trivy.json
trivy_report "$r" "$NOW" '[]'
LOOSE=$IMG_DIR/verdicts-loose
mkdir -m 0777 "$LOOSE" && chmod 0777 "$LOOSE"
run_ocigate verdict import --cache-dir "$LOOSE" "$r"
assert_rc 0
assert_err_matches "warning: the hook will refuse what was written: verdict cache $(re_quote "$LOOSE"): .*group- or world-writable \(mode 0777\)"
chmod 0755 "$LOOSE"
run_ocigate verdict import --cache-dir "$LOOSE" "$r"
[ ! -s "$RUN_ERR" ] || fail "a warning for a cache the hook trusts: $(cat "$RUN_ERR")"
f=$(cache_file "$IMG_CONFIG" "$LOOSE")
mv "$f" "$IMG_DIR/moved-verdict.json" && ln -s "$IMG_DIR/moved-verdict.json" "$f"
run_ocigate verdict show --cache-dir "$LOOSE" "$IMG_CONFIG"
assert_rc 2
assert_err_matches "verdict cache $(re_quote "$LOOSE"): sha256/[0-9a-f]{2}/[0-9a-f]{64}\.json: is a symbolic link"
run_ocigate verdict vex import --cache-dir "$LOOSE" "$r"
assert_rc 2
assert_err_matches "messages\.trivy\.json: a Trivy report, not an OpenVEX document \(use .ocigate verdict import.\)"
run_ocigate verdict import --format grype --cache-dir "$LOOSE" "$r"
assert_rc 2
assert_err_matches "messages\.trivy\.json: \\\$\.source: missing"
t_end

# A real report from Trivy's own test data: its critical findings must refuse the container.
REAL=$SHARED_FIXTURES/scanners/trivy-alpine-39.json
if [ ! -f "$REAL" ]; then
	t_skip "runc: refused: real Trivy report with critical findings (scan.severity)" \
		"shared fixture $REAL absent (set OCIGATE_SHARED_FIXTURES)"
else
	t_begin "runc: refused: real Trivy report ($(basename "$REAL")) with critical findings (scan.severity)"
	REAL_ID=$(jq -r '.Metadata.ImageID' "$REAL")
	# Expected counts straight from the report (each finding once per vulnerability and package).
	REAL_CRIT=$(jq '[.Results[]?.Vulnerabilities[]? | select(.Severity == "CRITICAL") | [.VulnerabilityID, .PkgName]]
		| unique | length' "$REAL")
	REAL_HIGH=$(jq '[.Results[]?.Vulnerabilities[]? | select(.Severity == "HIGH") | [.VulnerabilityID, .PkgName]]
		| unique | length' "$REAL")
	REAL_FIRST=$(jq -r '[.Results[]?.Vulnerabilities[]? | select(.Severity == "CRITICAL")][0].VulnerabilityID' "$REAL")
	"$OCIGATE_BIN" verdict import --cache-dir "$SCAN_CACHE" "$REAL" >/dev/null 2>"$IMG_DIR/last.err" ||
		fail "ocigate verdict import $REAL failed: $(cat "$IMG_DIR/last.err")"
	[ "$REAL_CRIT" -gt 0 ] || fail "the fixture has no critical finding (expected some)"
	# The report dates from 2021: no max_age here, so the only rule hit is scan.severity.
	b=$(img_bundle real-trivy "$(img_policy scan-real enforce null "$(jq -cn --arg c "$SCAN_CACHE" \
		'{required: true, cache_dir: $c, max: {critical: 0, high: 0}}')")" "${REAL_ID#sha256:}")
	cfg_edit "$b" '.annotations[$n] = $a' --arg n "$IMG_NAME_ANNOTATION" --arg a "$(jq -r .ArtifactName "$REAL")"
	id=$(new_id scan-real-trivy)
	want="$REAL_ID.* has $REAL_CRIT critical \(max 0\)"
	[ "$REAL_HIGH" -eq 0 ] || want="$want, $REAL_HIGH high \(max 0\)"
	img_expect_denied "$b" "$id" scan.severity "$want vulnerabilities after suppressions: $REAL_FIRST"
	assert_decision deny "$id" scan.severity
	assert_log_not_contains "decision=deny container=\"$(re_quote "$id")\" .*rules=\"[^\"]*scan\.stale" \
		"scan.stale reported although the policy sets no max_age"
	assert_digest_logged "$id" "$REAL_ID"
	assert_log_contains "decision=deny container=\"$(re_quote "$id")\" .*image=\"$(re_quote "$(jq -r .ArtifactName "$REAL")")\"" \
		"decision line does not name the image from the ImageName annotation"
	t_end
fi
