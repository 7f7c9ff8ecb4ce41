/* og_json_parse (hook/base/json_reader.c lexing, jansson holding the tree)
 * against jansson's own parser, which it replaced: both must accept and
 * refuse the same inputs and, when they accept, build equal trees, so no
 * document means one thing to ocigate and another to jansson.  Allowed
 * differences, each a limit or a leniency of one side: nesting deeper than
 * OG_JR_MAX_DEPTH, and the NUL byte jansson skips after a number ("[1\0]",
 * regressions/json_reader/), which og_json_parse refuses.  The bare
 * reader (og_jr_skip) must agree too, but for duplicate keys, which it
 * leaves to its callers.  og_jr_string_object (one pass for the common
 * case, the general reader for the rest) must read exactly the documents
 * that are an object of distinct known keys with string values, and give
 * those values.
 * fuzz-max-len: 65536 */
#include "fuzz_util.h"
#include "hook/base/json_reader.h"
#include "hook/base/jsonutil.h"

/* Whether og_jr_string_object reads the document as `tree` says it should. */
static void check_string_object(const uint8_t *data, size_t size, json_t *tree)
{
	static const char *const keys[] = { "digest", "repository", "a", "name", NULL };
	const char *values[4] = { NULL, NULL, NULL, NULL };
	char *copy = malloc(size ? size : 1);
	struct og_jr r;
	og_error e = { 0 };
	int ok, want = json_is_object(tree);
	const char *k;
	json_t *v;

	if (copy == NULL)
		fz_die("out of memory");
	memcpy(copy, data, size);
	og_jr_init(&r, copy, size, "input", &e);
	ok = og_jr_string_object(&r, "$", keys, values) == 0 && og_jr_finish(&r) == 0;
	json_object_foreach(tree, k, v) {
		int i = 0;

		while (keys[i] != NULL && strcmp(keys[i], k) != 0)
			i++;
		if (keys[i] == NULL || !json_is_string(v))
			want = 0;
		else if (ok)
			FZ_ASSERT(values[i] != NULL && strcmp(values[i], json_string_value(v)) == 0,
				  "og_jr_string_object gives another value");
	}
	if (ok)
		FZ_ASSERT(want && json_object_size(tree) ==
					  (size_t)((values[0] != NULL) + (values[1] != NULL) +
						   (values[2] != NULL) + (values[3] != NULL)),
			  "og_jr_string_object reads what is not an object of known string members");
	else
		FZ_ASSERT(!want, "og_jr_string_object refuses an object of known string members");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct og_jr r;
	og_error e = { 0 }, pe = { 0 };
	json_error_t je;
	json_t *ours, *theirs;
	int skipped;

	if (copy == NULL)
		fz_die("out of memory");
	memcpy(copy, data, size);
	og_jr_init(&r, copy, size, "input", &e);
	skipped = og_jr_skip(&r) == 0 && og_jr_finish(&r) == 0;
	free(copy);

	ours = og_json_parse((const char *)data, size, "input", &pe);
	theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	fz_note("og_json_parse", ours ? 0 : -1, pe.msg);
	if (ours != NULL)
		FZ_ASSERT(skipped, "the reader refuses what og_json_parse accepts");
	if (skipped && ours == NULL)
		FZ_ASSERT(strstr(pe.msg, "duplicate") != NULL || strstr(pe.msg, "integer too large") != NULL ||
				  strstr(pe.msg, "overflow") != NULL || strstr(pe.msg, "an object or an array") != NULL,
			  "og_json_parse refuses what the reader accepts");
	if (ours != NULL && theirs != NULL)
		FZ_ASSERT(json_equal(ours, theirs), "og_json_parse and jansson build different trees");
	else if (ours != NULL)
		FZ_ASSERT(0, "og_json_parse accepts what jansson refuses");
	else if (theirs != NULL)
		FZ_ASSERT(strstr(pe.msg, "nested too deeply") != NULL || memchr(data, '\0', size) != NULL,
			  "og_json_parse refuses what jansson accepts");
	check_string_object(data, size, ours);
	json_decref(ours);
	json_decref(theirs);
	return 0;
}
