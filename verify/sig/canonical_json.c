#include "verify/sig/canonical_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct out {
	char *p;
	size_t len, cap;
};

static int put(struct out *o, const char *s, size_t n, og_error *e)
{
	if (n > OG_CANONICAL_JSON_MAX - o->len)
		return og_fail(e, "canonical JSON: longer than %d bytes", OG_CANONICAL_JSON_MAX);
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *np;

		while (cap < o->len + n + 1)
			cap *= 2;
		np = realloc(o->p, cap);
		if (np == NULL)
			return og_fail(e, "canonical JSON: out of memory");
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	return 0;
}

static int put_string(struct out *o, const char *s, size_t n, og_error *e)
{
	static const char hex[] = "0123456789abcdef";

	if (put(o, "\"", 1, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;

		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			if (c >= 0x20) {
				if (put(o, s + i, 1, e) < 0)
					return -1;
				continue;
			}
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (put(o, esc, elen, e) < 0)
			return -1;
	}
	return put(o, "\"", 1, e);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int emit(struct out *o, const json_t *v, int depth, og_error *e)
{
	char num[32];
	size_t i, n;

	if (depth > MAX_DEPTH)
		return og_fail(e, "canonical JSON: nested deeper than %d", MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL: return put(o, "null", 4, e);
	case JSON_TRUE: return put(o, "true", 4, e);
	case JSON_FALSE: return put(o, "false", 5, e);
	case JSON_INTEGER:
		n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return put(o, num, n, e);
	case JSON_REAL:
		return og_fail(e, "canonical JSON: real numbers are not supported");
	case JSON_STRING:
		return put_string(o, json_string_value(v), json_string_length(v), e);
	case JSON_ARRAY:
		if (put(o, "[", 1, e) < 0)
			return -1;
		for (i = 0; i < json_array_size(v); i++)
			if ((i && put(o, ",", 1, e) < 0) || emit(o, json_array_get(v, i), depth + 1, e) < 0)
				return -1;
		return put(o, "]", 1, e);
	case JSON_OBJECT: {
		const char **keys;
		const char *k;
		json_t *m;
		int rc = 0;

		n = json_object_size(v);
		keys = calloc(n ? n : 1, sizeof *keys);
		if (keys == NULL)
			return og_fail(e, "canonical JSON: out of memory");
		i = 0;
		json_object_foreach((json_t *)v, k, m)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_keys);
		rc = put(o, "{", 1, e);
		for (i = 0; rc == 0 && i < n; i++)
			if ((i && put(o, ",", 1, e) < 0) || put_string(o, keys[i], strlen(keys[i]), e) < 0 ||
			    put(o, ":", 1, e) < 0 || emit(o, json_object_get(v, keys[i]), depth + 1, e) < 0)
				rc = -1;
		free(keys);
		return rc < 0 ? -1 : put(o, "}", 1, e);
	}
	}
	return og_fail(e, "canonical JSON: unknown value type");
}

int og_canonical_json(const json_t *v, char **out, size_t *len, og_error *e)
{
	struct out o = { 0 };

	*out = NULL;
	*len = 0;
	if (emit(&o, v, 0, e) < 0) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*len = o.len;
	return 0;
}
