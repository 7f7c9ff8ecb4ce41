#include "hook/cmd/dispatch.h"

#include <stdio.h>
#include <string.h>

static int print_usage(FILE *out, const char *group, const char *usage,
		       const struct og_command *table, int rc)
{
	if (usage != NULL) {
		fputs(usage, out);
		return rc;
	}
	fprintf(out, "Usage: %s COMMAND [ARGS]   (%s COMMAND --help for details)\n\n", group, group);
	for (const struct og_command *c = table; c->name != NULL; c++)
		if (c->summary != NULL)
			fprintf(out, "  %-16s %s\n", c->name, c->summary);
	return rc;
}

int og_dispatch(const char *group, const char *usage, const struct og_command *table, int argc,
		char **argv)
{
	if (argc < 2)
		return print_usage(stderr, group, usage, table, 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return print_usage(stdout, group, usage, table, 0);
	for (const struct og_command *c = table; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	/* argv[1] is whatever was typed: bounded in the message */
	fprintf(stderr, "%s: unknown command \"%.40s\"\n", group, argv[1]);
	return print_usage(stderr, group, usage, table, 2);
}
