#include "jsonutil.h"

#include <string.h>

json_t *og_json_parse(const char *data, size_t len, const char *what, og_error *e)
{
	const char *nul = memchr(data, '\0', len);
	json_error_t je;
	json_t *v;

	/* JSON has no place for a NUL byte, but jansson skips one after a
	 * number ("[1\0]" parses): refuse it here, as hook/json_reader.c does. */
	if (nul != NULL) {
		og_fail(e, "%s: invalid JSON at byte %zu: NUL byte", what, (size_t)(nul - data));
		return NULL;
	}
	v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		og_fail(e, "%s: invalid JSON at line %d column %d: %s", what, je.line, je.column,
			je.text);
		return NULL;
	}
	return v;
}

const char *og_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

int og_json_only_keys(const json_t *obj, const char *path, const char *const *allowed, og_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *a;

		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL)
			return og_fail(e, "%s: unknown key \"%s\"", path, key);
	}
	return 0;
}

static int lookup(const json_t *obj, const char *key, const char *path, int required, json_t **v,
		  og_error *e)
{
	if (!json_is_object(obj))
		return og_fail(e, "%s: expected an object, found %s", path, og_json_type(obj));
	*v = json_object_get(obj, key);
	if (*v == NULL || json_is_null(*v)) {
		if (required)
			return og_fail(e, "%s.%s: missing", path, key);
		return 1;
	}
	return 0;
}

static int wrong(og_error *e, const char *path, const char *key, const char *want, const json_t *v)
{
	return og_fail(e, "%s.%s: expected %s, found %s", path, key, want, og_json_type(v));
}

int og_json_str(const json_t *obj, const char *key, const char *path, int required, const char **out,
		og_error *e)
{
	json_t *v;
	int r = lookup(obj, key, path, required, &v, e);

	if (r != 0)
		return r;
	if (!json_is_string(v))
		return wrong(e, path, key, "a string", v);
	*out = json_string_value(v);
	return 0;
}

int og_json_bool(const json_t *obj, const char *key, const char *path, int required, int *out,
		 og_error *e)
{
	json_t *v;
	int r = lookup(obj, key, path, required, &v, e);

	if (r != 0)
		return r;
	if (!json_is_boolean(v))
		return wrong(e, path, key, "a boolean", v);
	*out = json_is_true(v);
	return 0;
}

int og_json_int(const json_t *obj, const char *key, const char *path, int required, int64_t min,
		int64_t max, int64_t *out, og_error *e)
{
	json_t *v;
	json_int_t i;
	int r = lookup(obj, key, path, required, &v, e);

	if (r != 0)
		return r;
	if (!json_is_integer(v))
		return wrong(e, path, key, "an integer", v);
	i = json_integer_value(v);
	if (i < min || i > max)
		return og_fail(e, "%s.%s: %lld is out of range [%lld, %lld]", path, key, (long long)i,
			       (long long)min, (long long)max);
	*out = (int64_t)i;
	return 0;
}

int og_json_obj(const json_t *obj, const char *key, const char *path, int required, json_t **out,
		og_error *e)
{
	json_t *v;
	int r = lookup(obj, key, path, required, &v, e);

	if (r != 0) {
		*out = NULL;	/* never a stale value from an earlier lookup */
		return r;
	}
	if (!json_is_object(v))
		return wrong(e, path, key, "an object", v);
	*out = v;
	return 0;
}

int og_json_arr(const json_t *obj, const char *key, const char *path, int required, json_t **out,
		og_error *e)
{
	json_t *v;
	int r = lookup(obj, key, path, required, &v, e);

	if (r != 0) {
		*out = NULL;	/* never a stale value from an earlier lookup */
		return r;
	}
	if (!json_is_array(v))
		return wrong(e, path, key, "an array", v);
	*out = v;
	return 0;
}
