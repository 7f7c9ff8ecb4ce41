/* StrictModes, as sshd checks a user's key files: a file is only as
 * trustworthy as every directory on the way to it.  A verdict cache, the
 * rollback state or a trust store below a directory someone else may
 * write can be swapped by rename(2) in that directory, whatever the modes
 * of the file itself say.
 *
 * The rule, for the file and every directory above it up to "/": owned by
 * root or by the expected owner, and not group- or world-writable.  A
 * directory above the file may be world-writable if it is sticky (/tmp):
 * there only an entry's owner can rename or remove it, and that owner is
 * checked next.
 *
 * Symbolic links on the way (/var/run -> /run on Debian) are resolved as
 * the kernel would, one component at a time, and every directory of the
 * resolved way is checked too.  A link is followed only when it is owned by
 * root or the expected owner: the directory holding it has been checked, so
 * nobody else can replace it.  Resolving, rather than refusing, links keeps
 * paths an administrator writes on such systems working; checking each link
 * and what it leads to keeps them as safe as a path without one.  The last
 * component is never followed (the readers open it with O_NOFOLLOW). */
#ifndef OCIGATE_STRICT_MODES_H
#define OCIGATE_STRICT_MODES_H

#include <sys/stat.h>
#include <sys/types.h>
#include "hook/base/error.h"

/* As the kernel's limit on links in one path resolution. */
#define OG_STRICT_MAX_LINKS 40

/* Check absolute `path` as above; 0 and *st (the last component's lstat),
 * or -1 naming the path and what is wrong.  A missing component is -1 with
 * e->errnum ENOENT, after every directory that exists has been checked. */
int og_strict_modes(const char *path, uid_t owner, struct stat *st, og_error *e);

#endif
