#include "hook/cmd/trust_cli.h"
#include "hook/base/strfmt.h"
#include "policy/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int og_trust_cli_option(struct og_trust_cli *c, int opt, const char *arg, og_error *e)
{
	char *end;
	long v;

	switch (opt) {
	case 'P': c->policy = arg; return 1;
	case 'S': c->o.store = arg; return 1;
	case 'D': c->o.state_dir = arg; return 1;
	case 'G': c->o.signatures_dir = arg; return 1;
	case 'R':
		if (c->o.nroot >= sizeof c->o.root_keys / sizeof c->o.root_keys[0])
			return og_fail(e, "too many --root-key options");
		c->o.root_keys[c->o.nroot++] = arg;
		return 1;
	case 'T':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 16)
			return og_fail(e, "--threshold: expected 1 to 16");
		c->o.threshold = (int)v;
		return 1;
	default:
		return 0;
	}
}

/* Whether og_trust_cli_policy reads the policy file. */
static int reads_policy(const struct og_trust_cli *c, const char *path)
{
	int have_overrides = c->o.store || c->o.nroot || c->o.signatures_dir || c->o.state_dir;

	return c->policy != NULL || access(path, F_OK) == 0 || !have_overrides;
}

int og_trust_cli_bundle(const struct og_trust_cli *c, struct og_bundle_policy *b, og_error *e)
{
	const char *path = c->policy ? c->policy : OG_DEFAULT_POLICY;
	json_auto_t *doc = NULL;

	memset(b, 0, sizeof *b);
	if (!reads_policy(c, path))
		return 0;
	if ((doc = og_policy_read_document(path, e)) == NULL)
		return -1;
	if (og_bundle_policy_parse(doc, b, e) < 0)
		return og_wrap(e, "policy %s", path);
	return 0;
}

int og_trust_cli_policy(const struct og_trust_cli *c, struct og_trust_policy **out, og_error *e)
{
	const char *path = c->policy ? c->policy : OG_DEFAULT_POLICY;

	/* Without --policy, a missing default policy is fine when the
	 * overrides say enough (tests, first setup). */
	if (reads_policy(c, path)) {
		json_auto_t *doc = og_policy_read_document(path, e);

		if (doc == NULL)
			return -1;
		if (og_trust_policy_parse(json_object_get(doc, "trust"), "$.trust", out, e) < 0)
			return og_wrap(e, "policy %s", path);
	} else if (og_trust_policy_parse(NULL, "$.trust", out, e) < 0) {
		return -1;
	}
	if (og_trust_policy_override(*out, &c->o, e) < 0) {
		og_trust_policy_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int og_trust_cli_filing_dir(const struct og_trust_cli *c, char *out, size_t size, og_error *e)
{
	struct og_trust_policy *p = NULL;
	struct og_bundle_policy b;

	if (c->o.signatures_dir == NULL) {
		if (og_trust_cli_bundle(c, &b, e) < 0)
			return -1;
		if (b.configured)
			return og_fail(e, "the policy has a \"bundle\" section: this node's signatures come from the "
				       "bundle in %s, and the hook would never read one filed here; file into a "
				       "directory for `ocigate bundle create` with --signatures-dir", b.dir);
	}
	if (og_trust_cli_policy(c, &p, e) < 0)
		return -1;
	og_bfmt(out, size, "%s", og_trust_policy_signatures_dir(p));
	og_trust_policy_free(p);
	return 0;
}
