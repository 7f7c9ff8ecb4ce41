#include "verify/sig/san_pattern.h"

#include <regex.h>
#include <string.h>

int og_san_pattern_check(const char *pattern, og_error *e)
{
	size_t n = strlen(pattern);

	if (n == 0 || n > OG_SAN_PATTERN_MAX)
		return og_fail(e, "identity pattern: 1 to %d characters", OG_SAN_PATTERN_MAX);
	for (size_t i = 0; i + 1 < n; i++)
		if (pattern[i] == '\\' && pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
			return og_fail(e, "identity pattern: back-references are not allowed");
	return 0;
}

int og_san_pattern_match(const char *pattern, const char *san, og_error *e)
{
	regex_t re;
	regmatch_t m[1];
	int rc;

	if (og_san_pattern_check(pattern, e) < 0)
		return -1;
	if (regcomp(&re, pattern, REG_EXTENDED) != 0)
		return og_fail(e, "identity pattern: not a valid POSIX extended regular expression");
	/* The match must be the whole SAN, whatever anchors the pattern has or
	 * lacks: POSIX matching is leftmost-longest, so when a match of all of
	 * san exists it is the one reported.  (Wrapping the pattern in ^( )$
	 * would not do: "x)|(.*" would escape it.) */
	rc = regexec(&re, san, 1, m, 0);
	regfree(&re);
	return rc == 0 && m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(san);
}
