#include "verify/trust/trust_scope.h"
#include "verify/common/image.h"
#include "verify/common/reference.h"

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
