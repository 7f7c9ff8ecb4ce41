#include "hook/base/array.h"

#include <stdint.h>
#include <stdlib.h>

void *og_array_reserve(void *items, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *p;

	if (n < *cap)
		return items;
	while (ncap <= n) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	/* Checked here rather than left to reallocarray: sanitizer builds abort
	 * on an overflowing count instead of returning NULL. */
	if (size == 0 || ncap > SIZE_MAX / size)
		return NULL;
	p = reallocarray(items, ncap, size);
	if (p != NULL)
		*cap = ncap;
	return p;
}
