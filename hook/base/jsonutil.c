#include "hook/base/jsonutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook/base/cleanup.h"
#include "hook/base/json_reader.h"

/* A jansson number from its JSON text, as json_loadb makes it: integers
 * that fit json_int_t, else an error; other numbers as doubles, an error
 * when they overflow. */
static json_t *build_number(struct og_jr *r, og_error *e)
{
	const char *text;
	char small[64], *copy = small, *end;
	size_t len;
	int integral;
	json_t *v = NULL;

	if (og_jr_number(r, "", &text, &len, &integral) < 0)
		return NULL;
	if (len >= sizeof small && (copy = malloc(len + 1)) == NULL) {
		og_fail_errno(e, ENOMEM, "JSON number");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	errno = 0;
	if (integral) {
		long long i = strtoll(copy, &end, 10);

		if (errno == ERANGE)
			og_jr_error(r, "integer too large");
		else
			v = json_integer((json_int_t)i);
	} else {
		double d = strtod(copy, &end);

		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			og_jr_error(r, "real number overflow");
		else
			v = json_real(d);
	}
	if (copy != small)
		free(copy);
	return v;
}

/* The next value as a jansson tree; NULL with the error in e. */
static json_t *build(struct og_jr *r, og_error *e)
{
	json_t *v = NULL, *item;
	const char *s;
	size_t len;
	int b, m;

	switch (og_jr_peek(r)) {
	case OG_JR_OBJECT:
		if ((v = json_object()) == NULL || og_jr_object(r, "") < 0)
			break;
		while ((m = og_jr_member(r, &s)) == 1) {
			if (json_object_get(v, s) != NULL) {
				char msg[160];

				snprintf(msg, sizeof msg, "duplicate object key \"%.100s\"", s);
				og_jr_error(r, msg);
				m = -1;
				break;
			}
			/* Keys and strings were checked as UTF-8 by the reader. */
			if ((item = build(r, e)) == NULL || json_object_set_new_nocheck(v, s, item) < 0) {
				m = -1;
				break;
			}
		}
		if (m == 0)
			return v;
		break;
	case OG_JR_ARRAY:
		if ((v = json_array()) == NULL || og_jr_array(r, "") < 0)
			break;
		while ((m = og_jr_element(r)) == 1)
			if ((item = build(r, e)) == NULL || json_array_append_new(v, item) < 0) {
				m = -1;
				break;
			}
		if (m == 0)
			return v;
		break;
	case OG_JR_STRING:
		if (og_jr_string(r, "", &s, &len) == 0)
			return json_stringn_nocheck(s, len);
		return NULL;
	case OG_JR_NUMBER:
		return build_number(r, e);
	case OG_JR_BOOLEAN:
		return og_jr_bool(r, "", &b) == 0 ? json_boolean(b) : NULL;
	case OG_JR_NULL:
		return og_jr_null(r, "") == 0 ? json_null() : NULL;
	case OG_JR_END:
		og_jr_error(r, "unexpected end of input");
		return NULL;
	case OG_JR_INVALID:
		og_jr_error(r, "expected a value");
		return NULL;
	}
	if (e->msg[0] == '\0')
		og_fail_errno(e, ENOMEM, "JSON");
	json_decref(v);
	return NULL;
}

json_t *og_json_parse(const char *data, size_t len, const char *what, og_error *e)
{
	og_cleanup_free char *copy = malloc(len + 1);
	struct og_jr r;
	json_t *v;

	/* hook/base/json_reader.c lexes (strict, about ten times faster than
	 * jansson's own parser, which was half of a warm check); jansson holds
	 * the tree.  The reader decodes strings in place, hence the copy. */
	if (copy == NULL) {
		og_fail_errno(e, ENOMEM, "%s", what);
		return NULL;
	}
	memcpy(copy, data, len);
	e->msg[0] = '\0';
	og_jr_init(&r, copy, len, what, e);
	if (og_jr_peek(&r) != OG_JR_OBJECT && og_jr_peek(&r) != OG_JR_ARRAY) {
		og_jr_error(&r, "expected an object or an array");
		return NULL;
	}
	v = build(&r, e);
	if (v != NULL && og_jr_finish(&r) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

const char *og_json_type(const json_t *v)
{
	/* Callers name what they found, and a missing parent is found too
	 * (og_json_str on json_object_get of an absent key). */
	if (v == NULL)
		return "nothing";
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
	*v = NULL;
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
