/* Durations ("90s", "15m", "24h", "7d", "2w") and RFC 3339 timestamps, the
 * two time formats policies, trust stores and scanner reports use. */
#ifndef OCIGATE_TIMEUTIL_H
#define OCIGATE_TIMEUTIL_H

#include <stdint.h>
#include "hook/base/error.h"

/* Parse a positive duration into seconds; units s, m, h, d, w (one unit,
 * e.g. "36h"); at most ten years. */
int og_parse_duration(const char *s, int64_t *seconds, og_error *e);

/* Parse an RFC 3339 date-time ("2026-11-27T15:48:11Z", fractional seconds
 * and a numeric offset allowed) or a full date ("2026-11-27", taken as its
 * 00:00:00Z) into seconds since the epoch. */
int og_parse_rfc3339(const char *s, int64_t *epoch, og_error *e);

/* Format epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void og_format_rfc3339(int64_t epoch, char *buf, unsigned long size);

/* Current time, seconds since the epoch.  Unit tests set og_now_override
 * (in-process only: nothing outside the binary can change the clock it uses). */
extern int64_t og_now_override;
int64_t og_now(void);

#endif
