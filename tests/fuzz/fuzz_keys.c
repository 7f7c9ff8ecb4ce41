/* Public keys as they arrive in trust stores and key files
 * (verify/common/keys.c og_key_from_pem, og_key_from_der, og_key_check_type), then
 * what is done with an accepted key (key id, description, verification of a
 * signature taken from the input), and strict base64 (verify/common/base64.c).
 * Input: first byte selects PEM (even) or DER (odd); the rest is the key.
 * fuzz-max-len: 16384 (OG_MAX_KEY_FILE_BYTES) */
#include <openssl/evp.h>
#include "verify/common/base64.h"
#include "fuzz_util.h"
#include "verify/common/keys.h"
#include "verify/common/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *k = NULL;
	og_error e = { 0 };
	unsigned char *raw = NULL;
	size_t rlen;
	char kid[OG_KEYID_HEX], desc[64];
	int r;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		r = og_key_from_der(data + 1, size - 1, "key", &k, &e);
	else
		r = og_key_from_pem((const char *)data + 1, size - 1, "key", &k, &e);
	if (r == 0) {
		static const unsigned char dgst[32];
		og_error ve = { 0 };
		size_t half = (size - 1) / 2;

		FZ_ASSERT(og_key_id(k, kid, &e) == 0 && og_hex_valid(kid, 64), "accepted key has no key id");
		og_key_describe(k, desc, sizeof desc);
		/* Any bytes as a signature must be refused cleanly, never accepted. */
		FZ_ASSERT(og_key_verify(k, "message", 7, data + 1, half, &ve) < 0,
			  "random bytes verified as a signature");
		(void)og_key_verify_sha256_prehash(k, dgst, data + 1, half, &ve);
		EVP_PKEY_free(k);
	}
	for (int sp = 0; sp < 2; sp++)
		if (og_base64_decode((const char *)data + 1, size - 1, sp, "base64", &raw, &rlen, &e) == 0) {
			char *again = og_base64_encode(raw, rlen);

			FZ_ASSERT(again != NULL, "out of memory");
			if (!sp)	/* canonical only: re-encoding gives the input back */
				FZ_ASSERT(strlen(again) == size - 1 && memcmp(again, data + 1, size - 1) == 0,
					  "base64 decoder accepted a non-canonical encoding");
			FZ_ASSERT(raw[rlen] == '\0', "decoded base64 not NUL-terminated");
			free(again);
			free(raw);
			raw = NULL;
		}
	return 0;
}
