/* Decision logging to the node's syslog (syslog(3): /dev/log, as rsyslog and
 * journald expect) with ident "ocigate".  Every value that may come from a
 * container config or an annotation is quoted and sanitized first, so no
 * newline or control character from a pod spec reaches the log. */
#ifndef OCIGATE_LOG_H
#define OCIGATE_LOG_H

#include <stddef.h>

/* Open the log (connects at once, so the socket exists before any later
 * confinement); facility is a syslog(3) LOG_* facility value. */
void og_log_open(int facility);
/* Also copy every line to stderr (for `check` and tests). */
void og_log_set_stderr(int on);
void og_log_close(void);

/* Log one line at the given priority (LOG_INFO, LOG_WARNING, LOG_ERR). */
void og_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy `in` into `out` as a quoted-safe value: printable ASCII kept,
 * '"' and '\\' escaped, everything else as \xNN; truncated with "..." to fit. */
void og_sanitize(const char *in, char *out, size_t size);
/* The same for text printed on its own (`ocigate check`): quotes and
 * backslashes kept as they are, control and non-ASCII bytes still \xNN. */
void og_sanitize_text(const char *in, char *out, size_t size);

/* Map a facility name ("auth", "authpriv", "daemon", "user", "local0".."local7")
 * to its LOG_* value; -1 if unknown. */
int og_log_facility(const char *name);

/* A deadline-safe last word: send a pre-formatted line straight to /dev/log
 * with send(2) (async-signal-safe), for the SIGALRM path where syslog(3) is
 * not allowed.  og_log_prepare_emergency stores the line; og_log_emergency sends it. */
void og_log_prepare_emergency(int priority, const char *line);
void og_log_emergency(void);

#endif
