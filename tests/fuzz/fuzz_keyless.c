/* Whole Sigstore bundles through the keyless verifier
 * (verify/sig/keyless.c og_keyless_verify): verification material, tlog
 * entries (integers, log ids, bodies, promises, proofs, checkpoints), RFC
 * 3161 timestamps handed to OpenSSL's d2i_TS_RESP, body matching per entry
 * kind, against a trusted root whose Rekor and CT log key is the fixed
 * P-256 test key, once with an identity and once with that key.
 * fuzz-max-len: 1048576 (OG_MAX_BUNDLE_BYTES is 2 MiB) */
#include "verify/sig/keyless.h"
#include "verify/common/base64.h"
#include "hook/base/strfmt.h"
#include "fuzz_testkeys.h"

#include <openssl/x509.h>

static struct og_trusted_root root;
static EVP_PKEY *key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char *der = NULL, id[32];
	int len;
	char *b64, *b64id, doc[4096];
	og_error e = { 0 };

	(void)argc;
	(void)argv;
	key = fz_private_key(fz_p256_priv);
	len = i2d_PUBKEY(key, &der);
	if (len <= 0 || EVP_Digest(der, (size_t)len, id, NULL, EVP_sha256(), NULL) != 1)
		fz_die("cannot encode the test key");
	b64 = og_base64_encode(der, (size_t)len);
	b64id = og_base64_encode(id, sizeof id);
	if (b64 == NULL || b64id == NULL)
		fz_die("out of memory");
	og_bfmt(doc, sizeof doc,
		"{\"mediaType\":\"%s\",\"tlogs\":[{\"baseUrl\":\"https://rekor.test\",\"hashAlgorithm\":\"SHA2_256\","
		"\"publicKey\":{\"rawBytes\":\"%s\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":"
		"{\"start\":\"2020-01-01T00:00:00Z\"}},\"logId\":{\"keyId\":\"%s\"}}],"
		"\"ctlogs\":[{\"baseUrl\":\"https://ct.test\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":"
		"{\"rawBytes\":\"%s\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":"
		"{\"start\":\"2020-01-01T00:00:00Z\"}},\"logId\":{\"keyId\":\"%s\"}}]}",
		OG_TRUSTED_ROOT_MEDIA_TYPE, b64, b64id, b64, b64id);
	if (og_trusted_root_parse(doc, strlen(doc), "fuzz root", &root, &e) < 0)
		fz_die("fuzz trusted root: %s", e.msg);
	OPENSSL_free(der);
	free(b64);
	free(b64id);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char digest[] = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
	struct og_keyless_opts o = { .root = &root, .identity = "https://example.test/id",
				     .issuer = "https://issuer.test", .now = 1900000000 };
	struct og_keyless_result *r = malloc(sizeof *r);
	og_error e = { 0 };
	int rc;

	if (r == NULL)
		fz_die("out of memory");
	rc = og_keyless_verify((const char *)data, size, digest, &o, r, &e);
	fz_note("keyless", rc, e.msg);
	FZ_ASSERT(rc != 0 || r->signed_at > 0, "verified without a signing time");
	o.identity = o.issuer = NULL;
	o.key = key;
	(void)og_keyless_verify((const char *)data, size, digest, &o, r, &e);
	free(r);
	return 0;
}
