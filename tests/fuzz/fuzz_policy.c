/* The per-host policy file (all sections: runtime, modes, exemptions, image
 * identity, trust, scan): og_policy_parse, og_policy_describe (to /dev/null)
 * and og_policy_rule_mode.  The policy is the administrator's, but it is the
 * one input that configures everything else, so it must never crash.
 * fuzz-max-len: 1048576 (OG_MAX_POLICY_BYTES) */
#include "fuzz_util.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "runtime.capabilities", "runtime.privileged",
					   "trust.signature", "scan.severity", "image.identity",
					   "no.such-rule" };
	struct og_policy p;
	og_error e = { 0 };

	int rc = og_policy_parse((const char *)data, size, &p, &e);

	fz_note("policy", rc, e.msg);
	if (rc == 0) {
		og_policy_describe(&p, fz_devnull());
		for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
			(void)og_policy_rule_mode(&p, ids[i]);
	}
	og_policy_free(&p);
	return 0;
}
