/* What the `verdict` commands share: the cache they work on, and reading and
 * checking it as the hook would. */
#include "hook/cmd/verdict_cli.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "verify/scan/scan_policy.h"
#include "verify/scan/scan_sign.h"
#include "policy/bundle_policy.h"
#include "policy/policy.h"
#include "verify/trust/bundle_generation.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

OG_DEFINE_CLEANUP(struct og_scan_policy, og_scan_policy_free)

int og_verdict_cli_err(const char *sub, const og_error *e)
{
	fprintf(stderr, OG_VERDICT_CMD " %s: %s\n", sub, e->msg);
	return 2;
}

int og_verdict_cli_resolve(struct og_verdict_cli *c, const char *sub, int writes)
{
	og_cleanup(og_scan_policy_free) struct og_scan_policy *p = NULL;
	struct og_bundle_policy b;
	json_auto_t *doc = NULL;
	og_error e = { 0 };
	const char *policy = c->policy;

	if (c->cache_dir != NULL) {
		if (c->cache_dir[0] != '/') {
			char cwd[PATH_MAX];
			if (getcwd(cwd, sizeof cwd) == NULL ||
			    snprintf(c->dir, sizeof c->dir, "%s/%s", cwd, c->cache_dir) >= (int)sizeof c->dir) {
				fprintf(stderr, OG_VERDICT_CMD " %s: --cache-dir: path too long\n", sub);
				return -1;
			}
		} else {
			snprintf(c->dir, sizeof c->dir, "%s", c->cache_dir);
		}
		return 0;
	}
	if (policy == NULL && access(OG_DEFAULT_POLICY, F_OK) == 0)
		policy = OG_DEFAULT_POLICY;
	if (policy == NULL) {
		snprintf(c->dir, sizeof c->dir, "%s", OG_SCAN_CACHE_DEFAULT);
		return 0;
	}
	doc = og_policy_read_document(policy, &e);
	if (doc == NULL || og_scan_policy_parse(json_object_get(doc, "scan"), "$.scan", &p, &e) < 0) {
		if (doc != NULL)
			og_wrap(&e, "policy %s", policy);
		og_verdict_cli_err(sub, &e);
		return -1;
	}
	if (og_bundle_policy_parse(doc, &b, &e) < 0) {
		og_wrap(&e, "policy %s", policy);
		og_verdict_cli_err(sub, &e);
		return -1;
	}
	if (b.configured) {
		struct og_bundle_generation g;

		if (writes) {
			og_fail(&e, "policy %s has a \"bundle\" section: this node's verdicts come from the "
				"bundle in %s, and the hook would never read one written here; import into a "
				"directory for `ocigate bundle create` with --cache-dir", policy, b.dir);
			og_verdict_cli_err(sub, &e);
			return -1;
		}
		if (og_bundle_generation_resolve(b.dir, &g, &e) < 0) {
			og_verdict_cli_err(sub, &e);
			return -1;
		}
		snprintf(c->dir, sizeof c->dir, "%s", g.verdicts);
		return 0;
	}
	snprintf(c->dir, sizeof c->dir, "%s", p->cache_dir);
	return 0;
}

int og_verdict_cli_open(const struct og_verdict_cli *c, int create, int lock, const char *sub)
{
	og_cleanup_close int fd = -1;
	og_error e = { 0 };

	if (create && og_mkdir_p(c->dir, 0755, &e) < 0)
		return og_verdict_cli_err(sub, &e), -1;
	fd = og_scan_cache_open(c->dir, 0, 0, &e);
	if (fd < 0) {
		if (!create && e.errnum == ENOENT)
			return -2;
		return og_verdict_cli_err(sub, &e), -1;
	}
	if (lock && og_scan_cache_lock(fd, c->dir, &e) < 0)
		return og_verdict_cli_err(sub, &e), -1;
	return og_steal_fd(&fd);
}

int og_verdict_cli_read(int cfd, const char *digest, struct og_verdict *v, int *is_signed,
			og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	const char *sig;
	size_t plen, sl;
	int r = og_scan_cache_read(cfd, OG_CACHE_VERDICT, digest, 0, 0, OG_MAX_VERDICT_BYTES, &b, e);

	if (r != 0)
		return r;
	if (og_scan_split(b.data, b.len, &plen, &sig, &sl, e) < 0 ||
	    og_verdict_load(b.data, plen, digest, v, e) < 0)
		return -1;
	if (is_signed)
		*is_signed = sig != NULL;
	return 0;
}

void og_verdict_cli_print_counts(FILE *out, const struct og_verdict *v)
{
	size_t c[OG_SEV_COUNT] = { 0 };

	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].status != OG_FIX_NOT_AFFECTED)
			c[v->findings[i].severity]++;
	fprintf(out, "critical %zu, high %zu, medium %zu, low %zu, unknown %zu", c[OG_SEV_CRITICAL],
		c[OG_SEV_HIGH], c[OG_SEV_MEDIUM], c[OG_SEV_LOW], c[OG_SEV_UNKNOWN]);
}

int og_verdict_cli_warn_untrusted(const struct og_verdict_cli *c, enum og_cache_kind kind,
				  const char *digest, const char *sub)
{
	og_cleanup_close int fd = -1;
	og_error e = { 0 };

	/* The same strict opens the hook does (og_scan_check), as its owner. */
	fd = og_scan_cache_open(c->dir, 1, OG_SCAN_CACHE_OWNER, &e);
	if (fd >= 0) {
		if (og_scan_cache_trusted(fd, kind, digest, OG_SCAN_CACHE_OWNER, &e) >= 0)
			return 0;
		og_wrap(&e, "verdict cache %s", c->dir);
	}
	fprintf(stderr, OG_VERDICT_CMD " %s: warning: the hook will refuse what was written: %s\n", sub,
		e.msg);
	return 1;
}
