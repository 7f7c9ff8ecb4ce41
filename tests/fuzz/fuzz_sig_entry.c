/* Entries of the image signature directory (verify/sig/sig_store.c
 * og_sig_entry_decode): each holds base64 payloads, signatures, bundles and
 * manifests.  Property: an entry re-encoded with og_sig_entry_encode decodes
 * to the same bytes.
 * fuzz-max-len: 1048576 (OG_MAX_SIG_ENTRY_BYTES is 8 MiB) */
#include "fuzz_util.h"
#include "verify/sig/sig_store.h"

static int same_buf(const og_buf *a, const og_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_sig_entry en, again;
	og_error e = { 0 };
	char *text;

	memset(&en, 0, sizeof en);
	memset(&again, 0, sizeof again);
	if (og_sig_entry_decode((const char *)data, size, &en, &e) == 0) {
		text = og_sig_entry_encode(&en);
		if (text != NULL) {
			FZ_ASSERT(og_sig_entry_decode(text, strlen(text), &again, &e) == 0,
				  "re-encoded entry does not decode");
			FZ_ASSERT(same_buf(&en.payload, &again.payload) &&
					  same_buf(&en.signature, &again.signature) &&
					  same_buf(&en.bundle, &again.bundle) &&
					  same_buf(&en.manifest, &again.manifest) &&
					  same_buf(&en.index, &again.index) &&
					  strcmp(en.repository, again.repository) == 0,
				  "re-encoded entry decodes differently");
			free(text);
		}
	}
	og_sig_entry_free(&again);
	og_sig_entry_free(&en);
	return 0;
}
