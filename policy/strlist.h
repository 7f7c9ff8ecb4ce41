/* A small owned list of strings, for policy lists (capability names,
 * forbidden paths, globs ...). */
#ifndef OCIGATE_STRLIST_H
#define OCIGATE_STRLIST_H

#include <jansson.h>
#include <stddef.h>
#include "hook/base/error.h"

struct og_strlist {
	char **v;
	size_t n, cap;
};

int og_strlist_add(struct og_strlist *l, const char *s);
int og_strlist_contains(const struct og_strlist *l, const char *s);
void og_strlist_clear(struct og_strlist *l);
/* Replace l with the strings of a JSON array (each must be a non-empty string). */
int og_strlist_from_json(struct og_strlist *l, const json_t *arr, const char *path, og_error *e);
/* Copy a NULL-terminated static list. */
int og_strlist_set(struct og_strlist *l, const char *const *src);

#endif
