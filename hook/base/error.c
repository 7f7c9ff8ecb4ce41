#include "hook/base/error.h"

#include <stdio.h>
#include <string.h>

static void vset(og_error *e, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	if (n < 0)
		snprintf(e->msg, sizeof e->msg, "(error message could not be formatted)");
	e->set = 1;
}

int og_fail(og_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	e->errnum = 0;
	return -1;
}

int og_fail_errno(og_error *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	if (len < sizeof e->msg)
		snprintf(e->msg + len, sizeof e->msg - len, ": %s", strerror(errnum));
	e->errnum = errnum;
	return -1;
}

int og_wrap(og_error *e, const char *fmt, ...)
{
	char prefix[OG_ERROR_MAX], old[OG_ERROR_MAX];
	size_t plen;
	va_list ap;
	int n;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	memcpy(old, e->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	if (!e->set)
		snprintf(old, sizeof old, "unknown error");
	/* Built piecewise: truncation is acceptable, the message stays NUL-terminated. */
	plen = strnlen(prefix, sizeof e->msg - 3);
	memcpy(e->msg, prefix, plen);
	memcpy(e->msg + plen, ": ", 2);
	snprintf(e->msg + plen + 2, sizeof e->msg - plen - 2, "%s", old);
	e->set = 1;
	return -1;
}

void og_error_clear(og_error *e)
{
	e->errnum = 0;
	e->set = 0;
	e->msg[0] = '\0';
}
