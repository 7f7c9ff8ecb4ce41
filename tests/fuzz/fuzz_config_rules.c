/* A bundle's config.json (written from the pod spec) and every runtime rule:
 * og_oci_config_parse, then og_check_runtime under the restricted and the
 * baseline presets (each parsed once at start-up).
 * fuzz-max-len: 1048576 (OG_MAX_CONFIG_BYTES is 4 MiB; 1 MiB keeps runs fast) */
#include "fuzz_util.h"
#include "hook/oci/oci_config.h"
#include "hook/base/findings.h"
#include "policy/runtime_policy.h"
#include "policy/runtime_rules.h"

static struct og_runtime_policy presets[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[2] = { "restricted", "baseline" };

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < 2; i++) {
		json_t *section = json_pack("{s:s}", "preset", names[i]);
		og_error e = { 0 };

		if (section == NULL || og_runtime_policy_parse(&presets[i], section, &e) < 0)
			fz_die("preset %s: %s", names[i], e.msg);
		json_decref(section);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_oci_config cfg;
	og_error e = { 0 };

	if (og_oci_config_parse((const char *)data, size, &cfg, &e) == 0) {
		for (size_t i = 0; i < 2; i++) {
			struct og_findings r = { 0 };

			og_check_runtime(&presets[i], &cfg, &r);
			for (size_t f = 0; f < r.n; f++)
				FZ_ASSERT(r.items[f].message != NULL, "finding without a message");
			og_findings_free(&r);
		}
	}
	og_oci_config_free(&cfg);
	return 0;
}
