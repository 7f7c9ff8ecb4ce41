/* in-toto statements carried by DSSE envelopes (verify/sig/dsse.c og_intoto_parse),
 * and the DSSE pre-authentication encoding of arbitrary bodies.
 * fuzz-max-len: 1048576 (OG_MAX_DSSE_PAYLOAD_BYTES) */
#include "verify/sig/dsse.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_intoto *st = calloc(1, sizeof *st);
	unsigned char *pae = NULL;
	size_t pae_len;
	og_error e = { 0 };

	if (st == NULL)
		fz_die("out of memory");
	if (og_intoto_parse(data, size, st, &e) == 0) {
		FZ_ASSERT(st->nsub <= OG_INTOTO_MAX_SUBJECTS, "too many subjects kept");
		for (size_t i = 0; i < st->nsub; i++)
			FZ_ASSERT(memchr(st->digest[i], '\0', OG_DIGEST_MAX) != NULL &&
					  memchr(st->name[i], '\0', OG_REF_MAX) != NULL,
				  "subject not NUL-terminated");
	}
	free(st);
	if (og_dsse_pae(OG_INTOTO_PAYLOAD_TYPE, data, size, &pae, &pae_len, &e) == 0) {
		FZ_ASSERT(pae_len > size, "PAE shorter than its body");
		FZ_ASSERT(memcmp(pae + pae_len - size, data, size) == 0, "PAE does not end with the body");
		free(pae);
	}
	return 0;
}
