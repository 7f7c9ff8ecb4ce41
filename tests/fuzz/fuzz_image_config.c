/* Image configs as the engine stored them (verify/image/image_record.c
 * og_image_config_parse), checked against their own sha256, then the image
 * rules over what was read.
 * fuzz-max-len: 1048576 (OG_IMAGE_MAX_CONFIG_BYTES is 8 MiB) */
#include "fuzz_util.h"
#include "verify/common/digest.h"
#include "verify/image/image_record.h"
#include "verify/image/image_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char policy[] = "{\"registries\":{\"allowed\":[\"docker.io/library/*\"]},\"base\":{\"missing\":\"allow\"},"
				     "\"max_age\":{\"max\":\"30d\",\"unknown\":\"deny\"},\"max_layers\":{\"max\":1},"
				     "\"max_size\":{\"max\":\"1KiB\"},\"user\":true,\"labels\":{\"required\":[\"a\"]}}";
	struct og_image_record rec = { 0 };
	struct og_image_policy *p = NULL;
	struct og_image_rules_input in = { .runtime_uid = 0, .now = 1764000000 };
	struct og_findings r = { 0 };
	char digest[OG_DIGEST_MAX];
	og_error e = { 0 };
	json_t *sec;

	og_sha256_digest(data, size, digest, sizeof digest);
	if (og_image_config_parse((const char *)data, size, digest, &rec, &e) == 0) {
		FZ_ASSERT(rec.created == 0 || rec.created >= 86400, "an epoch counted as a build time");
		FZ_ASSERT(rec.labels == NULL || json_is_object(rec.labels), "labels not an object");
		FZ_ASSERT(strlen(rec.user) < sizeof rec.user, "user not terminated");
		sec = json_loads(policy, 0, NULL);
		if (sec == NULL || og_image_policy_parse(sec, "$.image", &p, &e) < 0)
			fz_die("the harness policy does not parse: %s", e.msg);
		json_decref(sec);
		FZ_ASSERT(og_image_rules_check(p, &rec, &in, &r, &e) == 0, "rules failed on a parsed config");
		/* Without a name and with one layer of no size, registries always
		 * fires, and labels fires unless the config has label "a". */
		FZ_ASSERT(r.n >= 1, "no finding for an image with no name");
		og_findings_free(&r);
		og_image_policy_free(p);
	} else {
		FZ_ASSERT(e.set && e.msg[0] != '\0', "config refused without a reason");
	}
	og_image_record_free(&rec);
	return 0;
}
