#include "hook/base/findings.h"
#include "hook/base/array.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int og_findings_add(struct og_findings *r, const char *rule, const char *fmt, ...)
{
	struct og_finding *f;
	va_list ap;
	char *msg = NULL;
	int n;

	f = og_array_reserve(r->items, &r->cap, r->n, sizeof *f);
	if (f == NULL)
		return -1;
	r->items = f;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	f = &r->items[r->n++];
	memset(f, 0, sizeof *f);
	snprintf(f->rule, sizeof f->rule, "%s", rule);
	f->message = msg;
	return 0;
}

void og_findings_free(struct og_findings *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].message);
	free(r->items);
	r->items = NULL;
	r->n = r->cap = 0;
}

const char *og_mode_name(enum og_rule_mode m)
{
	switch (m) {
	case OG_MODE_OFF: return "off";
	case OG_MODE_ENFORCE: return "enforce";
	case OG_MODE_AUDIT: return "audit";
	}
	return "?";
}

int og_mode_parse(const char *s, enum og_rule_mode *out)
{
	if (strcmp(s, "enforce") == 0)
		*out = OG_MODE_ENFORCE;
	else if (strcmp(s, "audit") == 0)
		*out = OG_MODE_AUDIT;
	else if (strcmp(s, "off") == 0)
		*out = OG_MODE_OFF;
	else
		return -1;
	return 0;
}
