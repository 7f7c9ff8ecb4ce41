/* Every command of the ocigate binary: each takes argv with argv[0] its own
 * name and returns the process exit code (0 success or allow, 1 a negative
 * result or deny, 2 a usage or operational error).  Only hook/cmd declares
 * or defines commands (make layering checks it). */
#ifndef OCIGATE_COMMANDS_H
#define OCIGATE_COMMANDS_H

int og_cmd_hook(int argc, char **argv);
int og_cmd_check(int argc, char **argv);
int og_cmd_policy(int argc, char **argv);			/* policy lint */
int og_cmd_confinement_test(int argc, char **argv);
int og_cmd_containerd_spec(int argc, char **argv);
int og_cmd_trust(int argc, char **argv);			/* trust sign|verify|install */
int og_cmd_trust_install(int argc, char **argv);
int og_cmd_sig(int argc, char **argv);				/* sig add|ls|verify|sign|fetch */
int og_cmd_sig_fetch(int argc, char **argv);			/* sig fetch */
int og_cmd_sig_add_from_dir(int argc, char **argv);		/* sig add --from-dir */
int og_cmd_sigstore(int argc, char **argv);			/* sigstore verify-bundle */
int og_cmd_verdict(int argc, char **argv);			/* verdict import|vex|show|ls|gc */
int og_cmd_verdict_import(int argc, char **argv);
int og_cmd_verdict_vex(int argc, char **argv);			/* verdict vex import */
int og_cmd_bundle(int argc, char **argv);			/* bundle create|push|pull|status */

#endif
