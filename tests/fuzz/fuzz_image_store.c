/* containers/storage's image records (GRAPHROOT/overlay-images/images.json,
 * read in place by verify/image/image_store.c og_storage_image_record) for a
 * fixed image whose manifest and config big-data files are written once;
 * seeds/image_store/ name that image, so the whole read is reached.
 * fuzz-max-len: 1048576 (OG_STORAGE_MAX_IMAGES_JSON_BYTES is 32 MiB) */
#include "fuzz_util.h"
#include "verify/common/digest.h"
#include "verify/image/image_store.h"

#define FZ_CONFIG "{\"config\":{\"User\":\"1000\"}}"
/* The manifest names the config above by its digest (filled in at start). */
#define FZ_MANIFEST_FMT                                                                              \
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","          \
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","    \
	"\"size\":26},\"layers\":[]}"

static char graphroot[512], config_digest[OG_DIGEST_MAX], files[2][2048], imagedir[700];

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fz_die("write %s: %s", path, strerror(errno));
	close(fd);
}

/* Runs before fz_tmpdir's own cleanup (atexit is last in, first out). */
static void cleanup(void)
{
	unlink(files[0]);
	unlink(files[1]);
	rmdir(imagedir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[512], manifest[512], mdigest[OG_DIGEST_MAX], name[300];

	(void)argc;
	(void)argv;
	snprintf(graphroot, sizeof graphroot, "%s", fz_tmpdir());
	fz_mkdir("overlay-images", dir, sizeof dir);
	og_sha256_digest(FZ_CONFIG, strlen(FZ_CONFIG), config_digest, sizeof config_digest);
	snprintf(manifest, sizeof manifest, FZ_MANIFEST_FMT, config_digest);
	og_sha256_digest(manifest, strlen(manifest), mdigest, sizeof mdigest);
	snprintf(imagedir, sizeof imagedir, "%s/%s", dir, config_digest + 7);
	if (mkdir(imagedir, 0700) < 0 && errno != EEXIST)
		fz_die("mkdir %s: %s", imagedir, strerror(errno));
	atexit(cleanup);
	snprintf(files[0], sizeof files[0], "%s/manifest", imagedir);
	put(files[0], manifest);
	if (og_storage_big_data_file(config_digest, name, sizeof name) < 0)
		fz_die("no big-data file name for %s", config_digest);
	snprintf(files[1], sizeof files[1], "%s/%s", imagedir, name);
	put(files[1], FZ_CONFIG);
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "image %s manifest %s\n", config_digest, mdigest);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_image_record rec = { 0 };
	char path[512];
	og_error e = { 0 };

	fz_write("overlay-images/images.json", data, size, path, sizeof path);
	if (og_storage_image_record(graphroot, config_digest, &rec, &e) == 0) {
		FZ_ASSERT(strcmp(rec.config_digest, config_digest) == 0, "record for another config");
		FZ_ASSERT(strcmp(rec.user, "1000") == 0, "config not the one written");
		FZ_ASSERT(rec.nnames <= OG_IMAGE_MAX_NAMES, "too many names kept");
	} else {
		FZ_ASSERT(e.set && e.msg[0] != '\0', "record refused without a reason");
	}
	og_image_record_free(&rec);
	return 0;
}
