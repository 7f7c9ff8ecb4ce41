#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

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

int og_base64_decode(const char *in, size_t len, int skip_space, const char *what,
		     unsigned char **out, size_t *out_len, og_error *e)
{
	unsigned char *buf;
	size_t n = 0, o = 0, pad = 0;
	uint32_t acc = 0;
	size_t i;

	/* Count significant characters first: exact-size allocation. */
	for (i = 0; i < len; i++) {
		if (is_space(in[i])) {
			if (!skip_space)
				return og_fail(e, "%s: invalid base64: whitespace at offset %zu", what, i);
			continue;
		}
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

		if (is_space((char)c))
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

void og_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = tab[in[i] >> 4];
		out[2 * i + 1] = tab[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* 1 when the 8 bytes at s are all lowercase hex digits.  Bit tricks on one
 * word: with no byte above 0x7f, adding 0x80 - lo sets a byte's high bit
 * exactly when the byte is >= lo, without carries between bytes. */
static int hex8(const char *s)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t v, digit, lower;

	memcpy(&v, s, sizeof v);
	if (v & highs)
		return 0;
	digit = (v + ones * (0x80 - '0')) & ~(v + ones * (0x80 - '9' - 1));
	lower = (v + ones * (0x80 - 'a')) & ~(v + ones * (0x80 - 'f' - 1));
	return ((digit | lower) & highs) == highs;
}

int og_hex_valid(const char *s, size_t n)
{
	/* The length first, then whole words: digests are random hex, and a
	 * branch per character mispredicts (a 10,000-digest trust store spent
	 * more time here than parsing the store). */
	static const unsigned char hex[256] = {
		['0' ... '9'] = 1,
		['a' ... 'f'] = 1,
	};
	size_t i = 0;

	if (strnlen(s, n + 1) != n)
		return 0;
	for (; i + 8 <= n; i += 8)
		if (!hex8(s + i))
			return 0;
	for (; i < n; i++)
		if (!hex[(unsigned char)s[i]])
			return 0;
	return 1;
}

int og_digest_valid(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 && og_hex_valid(s + 7, 64);
}

int og_bfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int og_hex_valid_prefix(const char *s)
{
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void og_sha256_hex(const void *in, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	/* The first OpenSSL call of a process must not be this one: it would
	 * initialise OpenSSL with its defaults, openssl.cnf included.  A hash
	 * that cannot be computed is "", which matches no digest. */
	out[0] = '\0';
	if (og_crypto_init() < 0 || SHA256(in, len, md) == NULL)
		return;
	og_hex_encode(md, sizeof md, out);
}

void og_sha256_digest(const void *in, size_t len, char *out, size_t size)
{
	char hex[65];

	og_sha256_hex(in, len, hex);
	og_bfmt(out, size, "sha256:%s", hex);
}
