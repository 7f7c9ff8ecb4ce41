/* The files a confined hook may open: each check that reads files of its
 * own (trust store, signatures, verdicts) adds them before the hook
 * confines itself (hook/confine.h applies them with Landlock). */
#ifndef OCIGATE_CONFINE_PATHS_H
#define OCIGATE_CONFINE_PATHS_H

#include <stddef.h>

#define OG_CONFINE_MAX_PATHS 48

struct og_confine_paths {
	const char *read[OG_CONFINE_MAX_PATHS];	/* files or directories, read-only */
	size_t nread;
	const char *write[4];			/* directories that may be written below */
	size_t nwrite;
};

/* Add a path (NULL and duplicates ignored); -1 when the table is full. */
int og_confine_add(struct og_confine_paths *p, const char *path, int writable);

#endif
