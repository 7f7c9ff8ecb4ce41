#!/bin/bash
# The trust bundle's cost (issue 14): `bundle create`, `bundle push` and `bundle pull` of a bundle
# holding SIGS signatures and VERDICTS verdicts (defaults 10,000 and 100,000), through Debian's
# docker-registry on 127.0.0.1 when it is installed (else `pull --from-layout`), each timed with
# /usr/bin/time -v (wall seconds, peak RSS).  Rows: the first install, an unchanged pull (one
# manifest request), and the install of a new version with the same contents.  The hook is not
# involved: its figures are the other sections'.  `make bench` runs it as its section 8; root.
# usage: tests/bench/bundle.sh [SIGS [VERDICTS]]
# env: OCIGATE_BIN, the binary to measure (default build/ocigate; make bench passes its snapshot)
set -eu
nsigs=${1:-10000}
nverdicts=${2:-100000}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${OCIGATE_BIN:-$root/build/ocigate}
w=$(mktemp -d /tmp/ocigate-bench-bundle.XXXXXX)
reg_pid=
cleanup() {
	[ -z "$reg_pid" ] || { kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; }
	rm -rf "$w"
}
trap cleanup EXIT
chmod 700 "$w"
for c in cc openssl jq python3 /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "bench bundle: missing $c (packaging/install-deps.sh)" >&2; exit 1; }
done
crypto=$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
cc -O2 -o "$w/gen_sigs" "$root/tests/bench/gen_sigs.c" $crypto
cc -O2 -o "$w/gen_verdicts" "$root/tests/bench/gen_verdicts.c" $crypto

# Keys, a root-signed store, SIGS signatures (gen_sigs: real entries), VERDICTS verdicts.
mkdir -p "$w/keys" "$w/sigs" "$w/state" "$w/node"
chmod 700 "$w/sigs" "$w/state" "$w/node"
for k in root ci; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$w/keys/$k.pem" 2>/dev/null
	openssl pkey -in "$w/keys/$k.pem" -pubout -out "$w/keys/$k.pub" 2>/dev/null
done
repo=registry.example.com/bench/app
jq -n --rawfile key "$w/keys/ci.pub" --arg exp "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" \
	'{version: 1, expires: $exp, keys: [{name: "ci", key: $key, scopes: ["registry.example.com/bench/*"]}],
	  images: [], revoked: {keys: [], digests: []}}' >"$w/store.json"
"$bin" trust sign --key "$w/keys/root.pem" "$w/store.json" >/dev/null
hex=$(printf 'bench' | sha256sum | cut -d' ' -f1)
"$bin" sig sign --key "$w/keys/ci.pem" --repository "$repo" --digest "sha256:$hex" \
	--payload-out "$w/payload.json" --signature-out "$w/sig.b64" >/dev/null
"$w/gen_sigs" "$w/sigs" "$nsigs" "$w/keys/ci.pem" "$w/payload.json" "$hex" "$repo" >/dev/null
jq -n --arg id "sha256:$hex" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '{SchemaVersion: 2, CreatedAt: $now,
	ArtifactName: "app", ArtifactType: "container_image", Metadata: {ImageID: $id, RepoTags: ["app:1"]},
	Results: [{Target: "app", Class: "os-pkgs", Vulnerabilities: [{VulnerabilityID: "CVE-2099-0004",
	PkgName: "bash", InstalledVersion: "5.2", Status: "will_not_fix", Severity: "LOW"}]}]}' >"$w/trivy.json"
"$bin" verdict import --cache-dir "$w/verdicts" "$w/trivy.json" >/dev/null
cp "$w/verdicts/sha256/${hex:0:2}/$hex.json" "$w/verdict-template.json"
"$w/gen_verdicts" "$w/verdicts" $((nverdicts - 1)) "$w/verdict-template.json" "$hex" >/dev/null
pol=$w/policy.json
jq -n --arg root "$w/keys/root.pub" --arg st "$w/state" --arg d "$w/node/bundle" \
	'{version: 1, mode: "enforce", trust: {root_keys: [$root], threshold: 1, state_dir: $st}, bundle: {dir: $d}}' >"$pol"

# measure NAME CMD...: one row, from /usr/bin/time -v.
measure() {
	local name=$1 s rss
	shift
	if ! /usr/bin/time -v -o "$w/time.txt" "$@" >"$w/out.txt" 2>"$w/err.txt"; then
		echo "| $name | failed: $(tail -c 300 "$w/err.txt" | tr '\n' ' ') | | |"
		return 1
	fi
	s=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$w/time.txt" |
		awk -F: '{ t = 0; for (i = 1; i <= NF; i++) t = t * 60 + $i; printf "%.2f", t }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$w/time.txt")
	echo "| $name | $s | $rss | $(head -n 1 "$w/out.txt" | sed 's/|/\\|/g' | cut -c1-110) |"
}

create=(bundle create --expires 7d --key "$w/keys/root.pem" --trust-store "$w/store.json"
	--signatures-dir "$w/sigs" --verdicts-dir "$w/verdicts")
how="from an OCI layout (no docker-registry here)"
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$w/reg"
	printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$w/reg" "$port" >"$w/reg.yml"
	docker-registry serve "$w/reg.yml" >"$w/reg.log" 2>&1 &
	reg_pid=$!
	for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
	how="through docker-registry on 127.0.0.1 (plain HTTP)"
fi
echo "$nsigs signatures (gen_sigs.c) and $nverdicts verdicts (gen_verdicts.c), $how; /usr/bin/time -v."
echo
echo "| step | wall s | peak RSS KiB | output |"
echo "|---|---|---|---|"
measure "bundle create" "$bin" "${create[@]}" --version 1 --out "$w/L1"
echo "| (layout size) | | | $(du -sb "$w/L1" | cut -f1) bytes, $(find "$w/L1/blobs" -type f | wc -l) blobs |"
"$bin" "${create[@]}" --version 2 --out "$w/L2" >/dev/null
if [ -n "$reg_pid" ]; then
	ref=127.0.0.1:$port/bench/bundle
	measure "bundle push" "$bin" bundle push --tls-verify=false "$w/L1" "$ref:v1"
	"$bin" bundle push --tls-verify=false "$w/L2" "$ref:v2" >/dev/null
	src1=(--tls-verify=false "$ref:v1") src2=(--tls-verify=false "$ref:v2")
else
	src1=(--from-layout "$w/L1") src2=(--from-layout "$w/L2")
fi
measure "bundle pull + install, first" "$bin" bundle pull --policy "$pol" "${src1[@]}"
measure "bundle pull, unchanged (one manifest request)" "$bin" bundle pull --policy "$pol" "${src1[@]}"
measure "bundle pull + install, next version" "$bin" bundle pull --policy "$pol" "${src2[@]}"
