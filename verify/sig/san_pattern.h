/* Certificate identities given as a regular expression (cosign's
 * --certificate-identity-regexp): POSIX extended syntax, always matched
 * against the whole SAN, bounded in length, and without back-references, which are the
 * one construct that makes glibc's matcher exponential. */
#ifndef OCIGATE_SAN_PATTERN_H
#define OCIGATE_SAN_PATTERN_H

#include "hook/base/error.h"

#define OG_SAN_PATTERN_MAX 512

/* 0 when the pattern is acceptable, -1 with the reason. */
int og_san_pattern_check(const char *pattern, og_error *e);
/* 1 when the whole of san matches pattern, 0 when not, -1 for a pattern
 * og_san_pattern_check refuses. */
int og_san_pattern_match(const char *pattern, const char *san, og_error *e);

#endif
