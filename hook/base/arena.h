/* A bump allocator for the JSON trees of one hook run.  The hook is one
 * short process per container start: its trees (policy, config.json, state,
 * signature entries, verdicts) are built once and die with it, and malloc
 * and free were a quarter of a warm check's instructions (callgrind,
 * docs/benchmarks.md).  Only `ocigate hook` installs it, for jansson. */
#ifndef OCIGATE_ARENA_H
#define OCIGATE_ARENA_H

#include <stddef.h>

/* Address space reserved once (pages are touched only as they are used);
 * past it, allocations fall back to malloc, so a large input costs what it
 * did before, never a failure. */
#define OG_ARENA_BYTES ((size_t)8 << 20)

/* Allocate n bytes, 16-byte aligned; NULL only when malloc fails too. */
void *og_arena_alloc(size_t n);
/* Free p: nothing for arena memory (it goes with the process), free(3)
 * for what came from the malloc fallback. */
void og_arena_free(void *p);
/* Make jansson allocate from the arena for the rest of the process. */
void og_arena_use_for_json(void);

#endif
