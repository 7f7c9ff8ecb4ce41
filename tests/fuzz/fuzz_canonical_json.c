/* Canonical JSON (verify/sig/canonical_json.c, the form Rekor's signed entry
 * timestamps are computed over): any JSON og_json_parse accepts is
 * canonicalised, and the result parses back to an equal tree and is its own
 * canonical form.
 * fuzz-max-len: 65536 */
#include "verify/sig/canonical_json.h"
#include "hook/base/jsonutil.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	og_error e = { 0 };
	json_t *doc = og_json_parse((const char *)data, size, "input", &e), *back;
	char *c1 = NULL, *c2 = NULL;
	size_t l1, l2;

	if (doc == NULL)
		return 0;
	if (og_canonical_json(doc, &c1, &l1, &e) == 0) {
		FZ_ASSERT(strlen(c1) == l1, "canonical text has a NUL byte");
		back = og_json_parse(c1, l1, "canonical", &e);
		FZ_ASSERT(back != NULL, "canonical text does not parse");
		FZ_ASSERT(json_equal(doc, back), "canonical text is another value");
		FZ_ASSERT(og_canonical_json(back, &c2, &l2, &e) == 0, "canonical text cannot be canonicalised");
		FZ_ASSERT(l1 == l2 && memcmp(c1, c2, l1) == 0, "canonical form is not a fixed point");
		json_decref(back);
	}
	free(c1);
	free(c2);
	json_decref(doc);
	return 0;
}
