#include "verify/common/base64.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Whether c is whitespace that `space` (OG_B64_*) skips. */
static int skipped(char c, int space)
{
	if (space == OG_B64_LINE_BREAKS)
		return c == '\n' || c == '\r';
	return space == OG_B64_ANY_SPACE && is_space(c);
}

int og_base64_decode(const char *in, size_t len, int space, const char *what,
		     unsigned char **out, size_t *out_len, og_error *e)
{
	unsigned char *buf;
	size_t n = 0, o = 0, pad = 0;
	uint32_t acc = 0;
	size_t i;

	/* Count significant characters first: exact-size allocation. */
	for (i = 0; i < len; i++) {
		if (skipped(in[i], space))
			continue;
		if (is_space(in[i]))
			return og_fail(e, "%s: invalid base64: whitespace at offset %zu", what, i);
		n++;
	}
	if (n == 0 || n % 4 != 0)
		return og_fail(e, "%s: invalid base64: length %zu is not a positive multiple of 4", what, n);
	buf = malloc(n / 4 * 3 + 1);
	if (buf == NULL)
		return og_fail_errno(e, ENOMEM, "%s", what);
	n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (skipped((char)c, space))
			continue;
		if (c == '=') {
			pad++;
			v = 0;
		} else {
			if (pad > 0)
				goto bad;
			v = b64_value(c);
			if (v < 0)
				goto bad;
		}
		acc = (acc << 6) | (uint32_t)v;
		n++;
		if (n % 4 == 0) {
			buf[o++] = (unsigned char)(acc >> 16);
			buf[o++] = (unsigned char)(acc >> 8);
			buf[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (pad > 2)
		goto bad;
	/* Non-canonical encodings (stray bits under the padding) are refused. */
	if (pad == 1 && buf[o - 1] != 0)
		goto bad;
	if (pad == 2 && (buf[o - 1] != 0 || buf[o - 2] != 0))
		goto bad;
	o -= pad;
	buf[o] = 0;
	*out = buf;
	*out_len = o;
	return 0;
bad:
	free(buf);
	return og_fail(e, "%s: invalid base64", what);
}

char *og_base64_encode(const void *in, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	char *out, *o;
	size_t i;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
