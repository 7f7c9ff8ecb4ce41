#include "hook/base/arena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static char *arena;		/* NULL until the first allocation, MAP_FAILED if mmap failed */
static size_t arena_used;

void *og_arena_alloc(size_t n)
{
	size_t want;

	if (arena == NULL) {
		arena = mmap(NULL, OG_ARENA_BYTES, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	if (n == 0 || n > OG_ARENA_BYTES || arena == MAP_FAILED)
		return malloc(n ? n : 1);
	want = (n + 15) & ~(size_t)15;
	if (want > OG_ARENA_BYTES - arena_used)
		return malloc(n);
	arena_used += want;
	return arena + arena_used - want;
}

void og_arena_free(void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)arena;

	if (p == NULL)
		return;
	if (arena != NULL && arena != MAP_FAILED && a >= lo && a - lo < OG_ARENA_BYTES)
		return;
	free(p);
}

void og_arena_use_for_json(void)
{
	json_set_alloc_funcs(og_arena_alloc, og_arena_free);
}
