/* Cleanup attributes for every owned resource (after bubblewrap's utils.h
 * and crun's cleanup_*): a variable declared with one of these is released
 * when it leaves scope, so early error returns cannot leak.  Ownership moves
 * out of such a variable only through og_steal_pointer()/og_steal_fd(). */
#ifndef OCIGATE_CLEANUP_H
#define OCIGATE_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>

static inline void og_freep(void *p)
{
	free(*(void **)p);
}

static inline void og_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void og_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

static inline void *og_steal_pointer_impl(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define og_steal_pointer(pp) og_steal_pointer_impl(pp)

static inline int og_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#define og_cleanup_free __attribute__((cleanup(og_freep)))
#define og_cleanup_close __attribute__((cleanup(og_closep)))
#define og_cleanup_fclose __attribute__((cleanup(og_fclosep)))

/* Declare a cleanup function for a library handle type T released by FN. */
#define OG_DEFINE_CLEANUP(T, FN)                       \
	static inline void FN##_cleanupp(T **p)         \
	{                                               \
		if (*p != NULL)                         \
			FN(*p);                         \
	}
#define og_cleanup(FN) __attribute__((cleanup(FN##_cleanupp)))

#endif
