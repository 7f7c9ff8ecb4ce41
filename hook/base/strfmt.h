/* Formatting into fixed buffers. */
#ifndef OCIGATE_STRFMT_H
#define OCIGATE_STRFMT_H

#include <stddef.h>

/* snprintf that may truncate on purpose (messages quoting long input); the
 * compiler's truncation warnings stay on for every other snprintf. */
int og_bfmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
