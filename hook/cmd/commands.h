/* Subcommands; each takes argv with argv[0] the subcommand name and returns
 * the process exit code (0 success/allow, 1 negative result/deny, 2 error). */
#ifndef OCIGATE_COMMANDS_H
#define OCIGATE_COMMANDS_H

int og_cmd_hook(int argc, char **argv);
int og_cmd_check(int argc, char **argv);
int og_cmd_policy(int argc, char **argv);
int og_cmd_confinement_test(int argc, char **argv);

#endif
