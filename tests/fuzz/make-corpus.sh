#!/bin/sh
# Build tests/fuzz/corpus/<target>/ (gitignored) from the committed seeds
# (tests/fuzz/seeds/<target>/), the repo's own fixtures (tests/fixtures/) and
# the shared fixtures ($OCIGATE_SHARED_FIXTURES, default ../shared/fixtures
# relative to the repo; skipped with a message when absent).  Files are
# named after where they came from, so a crash in the corpus names its source.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
fz=$root/tests/fuzz
out=$fz/corpus
shared=${OCIGATE_SHARED_FIXTURES:-$root/../shared/fixtures}

rm -rf "$out"
mkdir -p "$out"
for t in "$fz"/fuzz_*.c; do
	t=${t##*/fuzz_}
	mkdir -p "$out/${t%.c}"
done

# add TARGET FILE [PREFIX-BYTE]: copy FILE into the corpus (a prefix byte, in
# octal, selects the input kind for targets that take one).
add() {
	[ -f "$2" ] || return 0
	name=$(printf '%s' "${2#"$root"/}" | tr '/' '_')
	case $name in ..*) name=shared_${2#"$shared"/}; name=$(printf '%s' "$name" | tr '/' '_') ;; esac
	if [ $# -ge 3 ]; then
		{ printf "\\$3"; cat "$2"; } >"$out/$1/$name"
	else
		cp "$2" "$out/$1/$name"
	fi
}

# Repo fixtures.
for f in "$root"/tests/fixtures/policy/*.json "$root"/packaging/policy.json; do add policy "$f"; done
for f in "$root"/tests/fixtures/runtime/*.json; do add config_rules "$f"; done
for f in "$root"/tests/fixtures/scanners/trivy*.json "$root"/tests/fixtures/scanners/grype*.json; do
	add verdict_import "$f"
done
for f in "$root"/tests/fixtures/scanners/*vex*.json; do add vex "$f"; done
for f in "$root"/tests/fixtures/podman/*/overlay-containers/containers.json; do add podman "$f"; done
# Any other repo fixture of a kind we know, wherever it was put.
find "$root/tests/fixtures" -type f \( -name 'config*.json' -o -name '*-config.json' \) 2>/dev/null |
	while read -r f; do add config_rules "$f"; done
find "$root/tests/fixtures" -type f -name 'state*.json' 2>/dev/null | while read -r f; do add state "$f"; done
find "$root/tests/fixtures" -type f \( -name 'trust*.json' -o -name 'store*.json' \) ! -name '*.sig' 2>/dev/null |
	while read -r f; do add trust_store "$f"; done
find "$root/tests/fixtures" -type f -name '*.sig' 2>/dev/null | while read -r f; do add trust_sig "$f"; done
find "$root/tests/fixtures" -type f -name '*.pem' 2>/dev/null | while read -r f; do add keys "$f" 000; done

# Shared fixtures (real scanner reports, real cosign/sigstore material).
if [ -d "$shared" ]; then
	for f in "$shared"/scanners/trivy*.json "$shared"/scanners/grype*.json; do add verdict_import "$f"; done
	for f in "$shared"/scanners/*vex*.json; do add vex "$f"; done
	for d in "$shared"/cosign/*/; do
		[ -d "$d" ] || continue
		add cosign "$d/payload.json"
		add cosign "$d/artifact"
		add sigstore "$d/bundle.json"
		add sigstore "$d/envelope.json"
		add sigstore "$d/rekor-bundle.json"
		add intoto "$d/dsse-payload.bin"
		add intoto "$d/blob"
		for k in "$d"/*.pem; do add keys "$k" 000; done
		for s in "$d"/signature*.b64; do add keys "$s" 002; done
		# A signature-store entry as `ocigate sig add` files it.
		if [ -f "$d/payload.json" ] && [ -f "$d/signature.b64" ]; then
			n=$(basename "$d")
			printf '{"repository":"registry.example.com/%s","payload":"%s","signature":"%s"}' \
				"$n" "$(base64 -w0 <"$d/payload.json")" "$(tr -d '\n' <"$d/signature.b64")" \
				>"$out/sig_entry/shared_$n.json"
		fi
		# cosign's keyless registry form, as fuzz_cosign_keyless takes it.
		if [ -f "$d/cert.pem" ] && [ -f "$d/rekor-bundle.json" ] && [ -f "$d/signature.b64" ]; then
			{ cat "$d/payload.json"; printf '\0'; tr -d '\n' <"$d/signature.b64"; printf '\0'
			  cat "$d/cert.pem"; printf '\0'; if [ -f "$d/chain.pem" ]; then cat "$d/chain.pem"; fi; printf '\0'
			  cat "$d/rekor-bundle.json"; } >"$out/cosign_keyless/shared_$(basename "$d").bin"
		fi
		for b in "$d/bundle.json" "$d/envelope.json"; do
			[ -f "$b" ] || continue
			n=$(basename "$d")_$(basename "$b" .json)
			printf '{"repository":"registry.example.com/x","bundle":"%s"}' "$(base64 -w0 <"$b")" \
				>"$out/sig_entry/shared_$n.json"
		done
	done
	# Sigstore conformance vectors: bundles, trusted roots, and the leaf
	# certificates inside the bundles (DER) for the keyless targets.
	for d in "$shared"/sigstore-conformance/bundle-verify/*/; do
		[ -f "$d/bundle.sigstore.json" ] || continue
		n=$(basename "$d")
		add keyless "$d/bundle.sigstore.json"
		add trusted_root "$d/trusted_root.json"
		grep -o '"rawBytes": *"[A-Za-z0-9+/=]*"' "$d/bundle.sigstore.json" | head -n1 | sed 's/.*"\([^"]*\)"$/\1/' |
			base64 -d >"$out/fulcio_cert/conformance_$n.der" 2>/dev/null || rm -f "$out/fulcio_cert/conformance_$n.der"
	done
	for f in "$shared"/sigstore-conformance/trusted-roots/*.json; do add trusted_root "$f"; done
else
	echo "make-corpus: $shared not found; shared fixtures skipped (set OCIGATE_SHARED_FIXTURES)" >&2
fi

# Committed hand-written seeds are replayed from tests/fuzz/seeds/ directly;
# they are not copied, so the corpus holds only generated inputs.
total=$(find "$out" -type f | wc -l)
echo "make-corpus: $total inputs in ${out#"$root"/}/"
