#include "hook/base/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DURATION_SECONDS (10LL * 366 * 86400)

int og_parse_duration(const char *s, int64_t *seconds, og_error *e)
{
	int64_t n = 0, unit;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return og_fail(e, "bad duration \"%.40s\": expected a number and a unit (s, m, h, d, w)", s);
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p - '0');
		if (n > MAX_DURATION_SECONDS)
			return og_fail(e, "bad duration \"%.40s\": too long", s);
		p++;
	}
	switch (*p) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default:
		return og_fail(e, "bad duration \"%.40s\": unit must be one of s, m, h, d, w", s);
	}
	if (p[1] != '\0')
		return og_fail(e, "bad duration \"%.40s\": trailing characters", s);
	if (n == 0)
		return og_fail(e, "bad duration \"%.40s\": must be greater than zero", s);
	if (n > MAX_DURATION_SECONDS / unit)
		return og_fail(e, "bad duration \"%.40s\": too long", s);
	*seconds = n * unit;
	return 0;
}

static int digits(const char **p, int count, int *out)
{
	int v = 0;

	for (int i = 0; i < count; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += count;
	*out = v;
	return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: no timegm(), no TZ environment. */
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int og_parse_rfc3339(const char *s, int64_t *epoch, og_error *e)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || y < 1970)
		goto bad;
	if (*p == '\0') {
		*epoch = days_from_civil(y, mo, d) * 86400;
		return 0;
	}
	if ((*p != 'T' && *p != 't' && *p != ' ') || (p++, digits(&p, 2, &h)) || *p++ != ':' ||
	    digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &sec))
		goto bad;
	if (h > 23 || mi > 59 || sec > 60)
		goto bad;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	*epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		 sign * (oh * 3600 + om * 60);
	return 0;
bad:
	return og_fail(e, "bad timestamp \"%.64s\": expected RFC 3339 (e.g. 2026-01-31T12:00:00Z)", s);
}

void og_format_rfc3339(int64_t epoch, char *buf, unsigned long size)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "@%lld", (long long)epoch);
}

int64_t og_now_override;

int64_t og_now(void)
{
	return og_now_override > 0 ? og_now_override : (int64_t)time(NULL);
}
