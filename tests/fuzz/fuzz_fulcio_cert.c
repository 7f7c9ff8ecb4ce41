/* Fulcio leaf certificates as the keyless verifier reads them
 * (verify/sig/fulcio.c): the SAN and the OIDC issuer extensions
 * (1.3.6.1.4.1.57264.1.8 UTF8String, .1.1 raw) and the other Fulcio
 * extensions people pin (.1.9 to .1.22), the validity times, and the
 * embedded SCT list (OpenSSL's parser, then og_sct_signed_data rebuilding
 * the precertificate, and the check against an empty trusted root).
 * fuzz-max-len: 16384 (OG_TR_MAX_CERT_BYTES) */
#include "verify/sig/fulcio.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	og_error e = { 0 };
	X509 *c = og_tr_cert_from_der(data, size, "certificate", &e);
	struct og_fulcio_identity id;
	struct og_trusted_root *root;
	unsigned char *sd = NULL;
	size_t sdlen;
	int64_t nb, na;

	if (c == NULL)
		return 0;
	if (og_fulcio_identity_read(c, &id, &e) == 0) {
		FZ_ASSERT(id.san[0] != '\0' && id.issuer[0] != '\0', "empty identity accepted");
		for (const char *p = id.san; *p; p++)
			FZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f, "control character in the SAN");
		for (const char *p = id.issuer; *p; p++)
			FZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f, "control character in the issuer");
	}
	for (int n = OG_FULCIO_EXT_MIN; n <= OG_FULCIO_EXT_MAX; n++) {
		char v[OG_FULCIO_MAX_IDENTITY];

		if (og_fulcio_extension(c, n, v, sizeof v, &e) == 1)
			FZ_ASSERT(strlen(v) < sizeof v, "extension value not terminated");
	}
	(void)og_cert_validity(c, &nb, &na, &e);
	if (og_sct_signed_data(c, c, 1700000000000ULL, data, size > 64 ? 64 : size, &sd, &sdlen, &e) == 0) {
		FZ_ASSERT(sdlen > 48, "signed data too short");
		free(sd);
	}
	root = calloc(1, sizeof *root);
	if (root == NULL)
		fz_die("out of memory");
	FZ_ASSERT(og_fulcio_sct_verify(c, c, root, &e) < 0, "SCT verified without any CT log");
	free(root);
	X509_free(c);
	return 0;
}
