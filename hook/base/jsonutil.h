/* JSON input handling shared by every parser: duplicate keys rejected,
 * typed getters that name the JSON path of whatever is wrong. */
#ifndef OCIGATE_JSONUTIL_H
#define OCIGATE_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

/* Parse untrusted bytes into a tree (an object or an array at the top):
 * duplicate keys, invalid UTF-8, NUL bytes, integers beyond json_int_t and
 * nesting deeper than OG_JR_MAX_DEPTH are errors; so is anything after the
 * value.  `what` names the input. */
json_t *og_json_parse(const char *data, size_t len, const char *what, og_error *e);

/* Fail if obj has a key not in `allowed` (NULL-terminated). */
int og_json_only_keys(const json_t *obj, const char *path, const char *const *allowed, og_error *e);

/* Getters: return 0 when the key is present and of the right type, 1 when it
 * is absent and not required, -1 (with the path in the error) otherwise.
 * An absent key leaves a string, boolean or integer *out untouched (so it
 * can hold a default) and sets an object or array *out to NULL. */
int og_json_str(const json_t *obj, const char *key, const char *path, int required, const char **out,
		og_error *e);
int og_json_bool(const json_t *obj, const char *key, const char *path, int required, int *out,
		 og_error *e);
int og_json_int(const json_t *obj, const char *key, const char *path, int required, int64_t min,
		int64_t max, int64_t *out, og_error *e);
int og_json_obj(const json_t *obj, const char *key, const char *path, int required, json_t **out,
		og_error *e);
int og_json_arr(const json_t *obj, const char *key, const char *path, int required, json_t **out,
		og_error *e);

/* Name of a JSON type, for messages. */
const char *og_json_type(const json_t *v);

#endif
