/* Image manifests and indexes as the engine stored them
 * (verify/image/image_record.c og_image_manifest_parse, og_image_index_parse),
 * checked against their own sha256 so the parser is reached, and against
 * another digest, which must always be refused.
 * fuzz-max-len: 1048576 (OG_IMAGE_MAX_MANIFEST_BYTES is 4 MiB) */
#include "fuzz_util.h"
#include "verify/common/digest.h"
#include "verify/image/image_record.h"

#define FZ_OTHER "sha256:0000000000000000000000000000000000000000000000000000000000000000"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_image_record rec = { 0 };
	char digest[OG_DIGEST_MAX], config[OG_DIGEST_MAX];
	og_error e = { 0 };

	og_sha256_digest(data, size, digest, sizeof digest);
	if (og_image_manifest_parse((const char *)data, size, digest, &rec, config, &e) == 0) {
		FZ_ASSERT(og_digest_valid(config), "manifest accepted with a config digest that is not sha256");
		FZ_ASSERT(strcmp(rec.manifest_digest, digest) == 0, "manifest digest not recorded");
		FZ_ASSERT(rec.annotations == NULL || json_is_object(rec.annotations), "annotations not an object");
	} else {
		FZ_ASSERT(e.set && e.msg[0] != '\0', "manifest refused without a reason");
	}
	og_image_record_free(&rec);
	{
		static char listed[OG_IMAGE_MAX_INDEX_MANIFESTS][OG_DIGEST_MAX];
		size_t n = 0;
		og_error ie = { 0 };

		if (og_image_index_parse((const char *)data, size, digest, listed, &n, &ie) == 0) {
			FZ_ASSERT(n <= OG_IMAGE_MAX_INDEX_MANIFESTS, "index: too many manifests kept");
			for (size_t i = 0; i < n; i++)
				FZ_ASSERT(og_digest_valid(listed[i]), "index: a listed digest is not sha256");
		} else {
			FZ_ASSERT(ie.set && ie.msg[0] != '\0', "index refused without a reason");
		}
	}
	if (strcmp(digest, FZ_OTHER) != 0) {
		og_error e2 = { 0 };

		FZ_ASSERT(og_image_manifest_parse((const char *)data, size, FZ_OTHER, &rec, config, &e2) < 0,
			  "manifest accepted under a digest its bytes do not have");
		og_image_record_free(&rec);
	}
	return 0;
}
