/* cosign's keyless registry form to a Sigstore bundle
 * (verify/sig/cosign_keyless.c og_cosign_keyless_bundle): the certificate
 * and chain PEM read by OpenSSL, the Rekor bundle annotation (JSON, its
 * base64 body and hex log id), the RFC 3161 timestamp annotation.  Input:
 * payload, signature (base64, as cosign's annotation holds it), certificate,
 * chain, Rekor bundle, timestamp,
 * separated by NUL bytes (an empty field is absent; fewer fields, the rest
 * absent).  Property: what converts is a bundle the keyless verifier parses
 * (certificate material allowed), whose messageDigest is the sha256 of the
 * payload, as payload_digest says.
 * fuzz-max-len: 262144 (each annotation is at most OG_MAX_SIG_CERT_BYTES) */
#include "fuzz_util.h"
#include "hook/base/jsonutil.h"
#include "verify/common/base64.h"
#include "verify/common/digest.h"
#include "verify/sig/cosign_keyless.h"
#include "verify/sig/sigstore.h"

#include <openssl/evp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_sig_entry en;
	og_buf *fields[6];
	const char *p = (const char *)data, *end = p + size;
	char *out = NULL, pd[OG_DIGEST_MAX], want[OG_DIGEST_MAX];
	size_t len, n = 0;
	og_error e = { 0 };

	memset(&en, 0, sizeof en);
	fields[0] = &en.payload;
	fields[1] = &en.signature;
	fields[2] = &en.certificate;
	fields[3] = &en.chain;
	fields[4] = &en.rekor_bundle;
	fields[5] = &en.rfc3161_timestamp;
	while (p <= end && n < 6) {
		const char *q = memchr(p, '\0', (size_t)(end - p));
		size_t flen = q != NULL ? (size_t)(q - p) : (size_t)(end - p);

		if (flen > 0) {
			fields[n]->data = malloc(flen + 1);
			if (fields[n]->data == NULL)
				fz_die("out of memory");
			memcpy(fields[n]->data, p, flen);
			fields[n]->data[flen] = '\0';
			fields[n]->len = flen;
		}
		n++;
		if (q == NULL)
			break;
		p = q + 1;
	}
	if (en.signature.data != NULL) {
		unsigned char *raw = NULL;
		size_t rlen = 0;

		if (og_base64_decode(en.signature.data, en.signature.len, 0, "signature", &raw, &rlen, &e) < 0) {
			og_sig_entry_free(&en);
			return 0;
		}
		og_buf_free(&en.signature);
		en.signature.data = (char *)raw;
		en.signature.len = rlen;
	}
	if (og_cosign_keyless_bundle(&en, &out, &len, pd, &e) == 0) {
		json_t *doc = og_json_parse(out, len, "bundle", &e);
		struct og_bundle b;

		FZ_ASSERT(doc != NULL, "the converted bundle is not JSON");
		FZ_ASSERT(og_bundle_parse_doc(doc, 1, &b, &e) == 0, "the converted bundle does not parse");
		FZ_ASSERT(b.kind == OG_BUNDLE_MESSAGE, "the converted bundle is no message signature");
		og_sha256_digest(en.payload.data, en.payload.len, want, sizeof want);
		FZ_ASSERT(strcmp(pd, want) == 0, "payload_digest is not the payload's sha256");
		{
			char hex[65];

			og_hex_encode(b.msg_digest, 32, hex);
			FZ_ASSERT(strcmp(pd + 7, hex) == 0, "messageDigest is not the payload's sha256");
		}
		FZ_ASSERT(b.sig_len == en.signature.len && memcmp(b.sig, en.signature.data, b.sig_len) == 0,
			  "the bundle's signature is not the entry's");
		og_bundle_free(&b);
		json_decref(doc);
		free(out);
	} else {
		FZ_ASSERT(out == NULL, "a refused entry left a bundle");
		fz_note("convert", -1, e.msg);
	}
	og_sig_entry_free(&en);
	return 0;
}
