/* Command groups: `ocigate COMMAND` and `ocigate trust|sig|verdict|policy
 * SUBCOMMAND` all dispatch through one table walk. */
#ifndef OCIGATE_DISPATCH_H
#define OCIGATE_DISPATCH_H

struct og_command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command's own name */
	const char *summary;			/* listed when the group has no usage text; NULL: unlisted */
};

/* Run the entry of `table` (ended by a NULL name) that argv[1] names, with
 * argv shifted so that argv[0] is that name; return its exit code.  No
 * argument prints the usage on stderr (2); --help, -h or help print it on
 * stdout (0); an unknown name is named on stderr with the usage (2).
 * `group` is the command line so far ("ocigate trust"); `usage` is the
 * group's help text, or NULL to list the table's summaries. */
int og_dispatch(const char *group, const char *usage, const struct og_command *table, int argc,
		char **argv);

#endif
