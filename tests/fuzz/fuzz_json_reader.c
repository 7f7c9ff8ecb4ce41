/* The pull reader behind the trust store (hook/json_reader.c) against
 * og_json_parse (jansson), which parses every other document: both must accept and refuse
 * the same inputs, so no document means one thing to one parser and
 * something else to the other.  The only allowed differences are the
 * limits each has on its own (nesting depth, integers and reals too large
 * for jansson's types) and og_json_parse's duplicate-key check, which the
 * reader leaves to its callers.  og_json_parse wants an object or array at
 * the top, so only such inputs are compared (regressions/json_reader/ has
 * the NUL bytes jansson skips after a number, which og_json_parse refuses
 * before jansson sees them).
 * fuzz-max-len: 65536 */
#include "fuzz_util.h"
#include "json_reader.h"

#include "jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct og_jr r;
	og_error e = { 0 }, je = { 0 };
	json_t *v;
	size_t i;
	int ours, theirs;

	if (copy == NULL)
		fz_die("out of memory");
	memcpy(copy, data, size);
	og_jr_init(&r, copy, size, "input", &e);
	ours = og_jr_skip(&r) == 0 && og_jr_finish(&r) == 0;
	free(copy);
	fz_note("reader", ours ? 0 : -1, e.msg);
	for (i = 0; i < size && strchr(" \t\r\n", data[i]) != NULL && data[i] != '\0'; i++)
		;
	if (i == size || (data[i] != '{' && data[i] != '['))
		return 0;
	v = og_json_parse((const char *)data, size, "input", &je);
	theirs = v != NULL;
	json_decref(v);
	if (ours && !theirs)
		FZ_ASSERT(strstr(je.msg, "too big") != NULL || strstr(je.msg, "overflow") != NULL ||
				  strstr(je.msg, "depth") != NULL || strstr(je.msg, "duplicate") != NULL,
			  "the reader accepts what og_json_parse refuses");
	if (theirs && !ours)
		FZ_ASSERT(strstr(e.msg, "nested too deeply") != NULL,
			  "the reader refuses what og_json_parse accepts");
	return 0;
}
