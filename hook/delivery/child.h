/* Run a helper program (skopeo) as a child process: no shell, stdin
 * /dev/null, stdout and stderr captured with bounds, under a deadline.
 *
 * The child runs in its own process group; past the deadline (or once its
 * stdout exceeds the bound) the whole group is killed with SIGKILL and
 * reaped, so nothing it started outlives the call.  The environment is
 * inherited (skopeo reads REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, HOME, proxies
 * from it). */
#ifndef OCIGATE_CHILD_H
#define OCIGATE_CHILD_H

#include <stddef.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"

#define OG_CHILD_STDERR_KEEP 8192	/* the tail of stderr kept for messages */

struct og_child_result {
	int status;		/* exit code, or 128 + signal number */
	og_buf out;		/* stdout, at most the bound asked for (NUL-terminated) */
	char err[OG_CHILD_STDERR_KEEP + 1];	/* the last bytes of stderr */
};

/* Run argv[0] (an absolute path) with argv.  0 when the child ran to its
 * end (whatever its exit status, in r->status); -1 with the reason when it
 * could not start, its stdout passed max_out bytes, or timeout_ms passed
 * (e->errnum ETIMEDOUT).  r->out must be released with og_buf_free. */
int og_child_run(char *const argv[], size_t max_out, int timeout_ms, struct og_child_result *r,
		 og_error *e);

/* The last non-empty line of r->err, sanitised for a message (control
 * characters as '?'), at most size-1 bytes; "" when stderr was empty. */
void og_child_last_line(const struct og_child_result *r, char *out, size_t size);

#endif
