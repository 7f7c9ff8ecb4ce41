/* containers/storage's container records (GRAPHROOT/overlay-containers/
 * containers.json, verify/identity/podman_storage.c og_podman_image), written to a
 * private temporary graph root and looked up for a fixed container id.
 * fuzz-max-len: 1048576 (OG_PODMAN_MAX_CONTAINERS_JSON_BYTES is 16 MiB) */
#include "fuzz_util.h"
#include "verify/identity/podman_storage.h"

/* seeds/podman/ name this container. */
#define FZ_ID "1111111111111111111111111111111111111111111111111111111111111111"

static char graphroot[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[512];

	(void)argc;
	(void)argv;
	snprintf(graphroot, sizeof graphroot, "%s", fz_tmpdir());
	fz_mkdir("overlay-containers", dir, sizeof dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digest[OG_DIGEST_MAX], name[OG_REF_MAX], path[512];
	og_error e = { 0 };

	fz_write("overlay-containers/containers.json", data, size, path, sizeof path);
	if (og_podman_image(graphroot, FZ_ID, digest, name, &e) == 0) {
		FZ_ASSERT(strncmp(digest, "sha256:", 7) == 0 && strlen(digest) == 71,
			  "podman image id is not a sha256 digest");
		FZ_ASSERT(strlen(name) < sizeof name, "image name not terminated");
	}
	return 0;
}
