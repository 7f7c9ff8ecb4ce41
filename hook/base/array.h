/* Growing arrays: the one place that computes a new capacity, so every
 * growth is checked for overflow the same way. */
#ifndef OCIGATE_ARRAY_H
#define OCIGATE_ARRAY_H

#include <stddef.h>

/* `items` (elements of `size` bytes, *cap of them) with room for element n:
 * the same pointer while n < *cap, else reallocated to twice the capacity
 * (at least 8) with *cap updated.  NULL when out of memory or when the size
 * would overflow; items and *cap are then unchanged and still owned by the
 * caller. */
void *og_array_reserve(void *items, size_t *cap, size_t n, size_t size);

#endif
