#include "policy/strlist.h"
#include "hook/base/array.h"
#include "hook/base/jsonutil.h"

#include <stdlib.h>
#include <string.h>

int og_strlist_add(struct og_strlist *l, const char *s)
{
	char **p = og_array_reserve(l->v, &l->cap, l->n, sizeof *p);
	char *d;

	if (p == NULL)
		return -1;
	l->v = p;
	d = strdup(s);
	if (d == NULL)
		return -1;
	l->v[l->n++] = d;
	return 0;
}

int og_strlist_contains(const struct og_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void og_strlist_clear(struct og_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int og_strlist_from_json(struct og_strlist *l, const json_t *arr, const char *path, og_error *e)
{
	size_t i;
	json_t *v;

	og_strlist_clear(l);
	if (!json_is_array(arr))
		return og_fail(e, "%s: expected an array, found %s", path, og_json_type(arr));
	json_array_foreach((json_t *)arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			return og_fail(e, "%s[%zu]: expected a non-empty string", path, i);
		if (og_strlist_add(l, json_string_value(v)) < 0)
			return og_fail(e, "%s: out of memory", path);
	}
	return 0;
}

int og_strlist_set(struct og_strlist *l, const char *const *src)
{
	og_strlist_clear(l);
	for (; *src != NULL; src++)
		if (og_strlist_add(l, *src) < 0)
			return -1;
	return 0;
}
