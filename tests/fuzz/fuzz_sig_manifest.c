/* What a registry sends for cosign signatures (hook/delivery/sig_fetch.c):
 * the manifest of a `sha256-<hex>.sig` tag (og_sig_manifest_parse) and the
 * referrers-tag index listing Sigstore bundles (og_referrers_parse).
 * fuzz-max-len: 262144 (OG_MAX_MANIFEST_BYTES is 2 MiB) */
#include "fuzz_util.h"
#include "hook/delivery/sig_fetch.h"
#include "verify/common/digest.h"
#include "verify/sig/cosign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_sig_layer *v = NULL;
	size_t n = 0;
	og_error e = { 0 };

	if (og_sig_manifest_parse((const char *)data, size, &v, &n, &e) == 0) {
		FZ_ASSERT(n <= OG_SIG_FETCH_MAX_LAYERS, "more signature layers kept than allowed");
		FZ_ASSERT((n == 0) == (v == NULL), "layer array and count disagree");
		for (size_t i = 0; i < n; i++) {
			FZ_ASSERT(og_digest_valid(v[i].digest), "a layer digest that is not sha256");
			FZ_ASSERT(v[i].size <= OG_MAX_COSIGN_PAYLOAD_BYTES, "a payload size beyond the limit");
			FZ_ASSERT(v[i].signature.data != NULL && v[i].signature.len > 0, "a layer without a signature");
			FZ_ASSERT(v[i].certificate.data != NULL ||
					  (v[i].chain.data == NULL && v[i].rfc3161_timestamp.data == NULL),
				  "a chain or timestamp kept without a certificate");
			FZ_ASSERT(v[i].certificate.len <= OG_MAX_SIG_CERT_BYTES &&
					  v[i].chain.len <= OG_MAX_SIG_CERT_BYTES &&
					  v[i].rekor_bundle.len <= OG_MAX_SIG_CERT_BYTES,
				  "an annotation beyond its limit");
		}
		og_sig_layers_free(v, n);
	} else {
		FZ_ASSERT(e.set && e.msg[0] != '\0', "manifest refused without a reason");
		FZ_ASSERT(v == NULL && n == 0, "refused, yet layers returned");
	}
	{
		static char d[OG_SIG_FETCH_MAX_REFERRERS][OG_DIGEST_MAX];
		og_error re = { 0 };

		n = 0;
		if (og_referrers_parse((const char *)data, size, d, OG_SIG_FETCH_MAX_REFERRERS, &n, &re) == 0) {
			FZ_ASSERT(n <= OG_SIG_FETCH_MAX_REFERRERS, "more referrers kept than allowed");
			for (size_t i = 0; i < n; i++)
				FZ_ASSERT(og_digest_valid(d[i]), "a referrer digest that is not sha256");
		} else {
			FZ_ASSERT(re.set && re.msg[0] != '\0', "index refused without a reason");
		}
	}
	return 0;
}
