#include "verify/trust/trust_scope.h"
#include "verify/common/image.h"
#include "verify/common/reference.h"

#include "hook/base/array.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <string.h>

int og_trust_scope_valid(const char *p)
{
	char norm[OG_REF_MAX], tmp[OG_REF_MAX];
	size_t len = strlen(p);

	if (strcmp(p, "*") == 0)
		return 1;
	if (len < 1 || len >= sizeof tmp)
		return 0;
	memcpy(tmp, p, len + 1);
	/* A prefix pattern: check "prefix/x", so a bare registry host with a port is fine. */
	if (len > 2 && strcmp(tmp + len - 2, "/*") == 0)
		tmp[len - 1] = 'x';
	if (strchr(tmp, '*') != NULL)
		return 0;
	/* A pattern must be a normalised repository so matching is exact. */
	return og_repo_normalize(tmp, norm, sizeof norm) == 0 && strcmp(norm, tmp) == 0;
}

int og_trust_scopes_parse(struct og_jr *r, const char *path, size_t max, const char ***scopes, size_t *n,
			  og_error *e)
{
	char sp[96], ip[112];
	size_t cap = 0;
	void *p;
	int m;

	og_bfmt(sp, sizeof sp, "%s.scopes", path);
	if (og_jr_array(r, sp) < 0)
		return -1;
	while ((m = og_jr_element(r)) == 1) {
		const char *sc;

		og_bfmt(ip, sizeof ip, "%s[%zu]", sp, *n);
		if (*n == max)
			return og_fail(e, "%s: expected 1 to %zu scopes", sp, max);
		if (og_jr_string(r, ip, &sc, NULL) < 0)
			return -1;
		if (!og_trust_scope_valid(sc))
			return og_fail(e, "%s: \"%.100s\" is not a repository, repository/* or *", ip, sc);
		if ((p = og_array_reserve(*scopes, &cap, *n, sizeof **scopes)) == NULL)
			return og_fail_errno(e, ENOMEM, "%s", sp);
		*scopes = p;
		(*scopes)[(*n)++] = sc;
	}
	if (m == 0 && *n == 0)
		return og_fail(e, "%s: expected 1 to %zu scopes", sp, max);
	return m;
}
