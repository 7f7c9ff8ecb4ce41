#include "verify/common/digest.h"
#include "verify/common/crypto_util.h"
#include "hook/base/strfmt.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <openssl/sha.h>

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

int og_hex_prefix_valid(const char *s, size_t n)
{
	/* Whole words: digests are random hex, and a branch per character
	 * mispredicts (a 10,000-digest trust store spent more time here than
	 * parsing the store).  The caller knows s has n bytes. */
	static const unsigned char hex[256] = {
		['0' ... '9'] = 1,
		['a' ... 'f'] = 1,
	};
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		if (!hex8(s + i))
			return 0;
	for (; i < n; i++)
		if (!hex[(unsigned char)s[i]])
			return 0;
	return 1;
}

int og_hex_valid(const char *s, size_t n)
{
	/* The length first: hex8 reads whole words. */
	return strnlen(s, n + 1) == n && og_hex_prefix_valid(s, n);
}

int og_digest_valid(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 && og_hex_valid(s + 7, 64);
}

const char *og_digest_problem(const char *s)
{
	const char *colon = strchr(s, ':'), *hex = colon ? colon + 1 : s;
	size_t n = strlen(hex);

	if (og_digest_valid(s))
		return NULL;
	if (colon == NULL)
		return "no algorithm: expected sha256:<64 lowercase hex>";
	if (strncmp(s, "sha256:", 7) != 0)
		return strncasecmp(s, "sha256:", 7) == 0 ? "the algorithm is not spelled \"sha256\""
							: "only sha256 digests are supported";
	if (n != 64)
		return n < 64 ? "fewer than 64 hex digits" : "more than 64 hex digits";
	if (strspn(hex, "0123456789abcdefABCDEF") == 64)
		return "upper-case hex digits (digests are lowercase)";
	return "not hex digits";
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
