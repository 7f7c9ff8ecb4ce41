#include "hook/oci/oci_state.h"
#include "hook/base/jsonutil.h"

#include <string.h>

int og_oci_annotations_check(const json_t *ann, const char *path, og_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)ann, key, v) {
		if (!json_is_string(v))
			return og_fail(e, "%s[\"%.64s\"]: expected a string, found %s", path, key,
				       og_json_type(v));
	}
	return 0;
}

int og_oci_state_parse(const char *data, size_t len, struct og_oci_state *st, og_error *e)
{
	int64_t pid = 0;
	int r;

	memset(st, 0, sizeof *st);
	if (len > OG_MAX_STATE_BYTES)
		return og_fail(e, "state: larger than %d bytes", OG_MAX_STATE_BYTES);
	st->doc = og_json_parse(data, len, "state", e);
	if (st->doc == NULL)
		return -1;
	if (!json_is_object(st->doc))
		return og_fail(e, "state: expected a JSON object, found %s", og_json_type(st->doc));
	if (og_json_str(st->doc, "ociVersion", "state", 1, &st->oci_version, e) < 0 ||
	    og_json_str(st->doc, "id", "state", 1, &st->id, e) < 0 ||
	    og_json_str(st->doc, "status", "state", 1, &st->status, e) < 0 ||
	    og_json_str(st->doc, "bundle", "state", 1, &st->bundle, e) < 0)
		return -1;
	if (st->id[0] == '\0' || strlen(st->id) > OG_MAX_ID_BYTES)
		return og_fail(e, "state.id: empty or longer than %d bytes", OG_MAX_ID_BYTES);
	if (st->bundle[0] != '/')
		return og_fail(e, "state.bundle: not an absolute path");
	r = og_json_int(st->doc, "pid", "state", 0, 0, INT32_MAX, &pid, e);
	if (r < 0)
		return -1;
	st->pid = pid;
	r = og_json_obj(st->doc, "annotations", "state", 0, &st->annotations, e);
	if (r < 0)
		return -1;
	if (r == 0 && og_oci_annotations_check(st->annotations, "state.annotations", e) < 0)
		return -1;
	return 0;
}

void og_oci_state_free(struct og_oci_state *st)
{
	json_decref(st->doc);
	memset(st, 0, sizeof *st);
}
