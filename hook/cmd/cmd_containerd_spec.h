/* `ocigate containerd-spec`: containerd's default runtime spec with the
 * ocigate hook added, for the CRI plugin's base_runtime_spec. */
#ifndef OCIGATE_CMD_CONTAINERD_SPEC_H
#define OCIGATE_CMD_CONTAINERD_SPEC_H

/* Where packages install the binary; the hook path written by default. */
#define OG_INSTALLED_BINARY "/usr/sbin/ocigate"

int og_cmd_containerd_spec(int argc, char **argv);

#endif
