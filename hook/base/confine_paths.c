#include "hook/base/confine_paths.h"

#include <string.h>

int og_confine_add(struct og_confine_paths *p, const char *path, int writable)
{
	const char **list = writable ? p->write : p->read;
	size_t *n = writable ? &p->nwrite : &p->nread;
	size_t max = writable ? sizeof p->write / sizeof p->write[0] : OG_CONFINE_MAX_PATHS;

	if (path == NULL || path[0] == '\0')
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i], path) == 0)
			return 0;
	if (*n >= max)
		return -1;
	list[(*n)++] = path;
	return 0;
}
