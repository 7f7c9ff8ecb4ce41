/* The distribution reference grammar (github.com/distribution/reference,
 * regexp.go; normalisation as normalize.go does it):
 *
 *   reference        name [":" tag] ["@" digest]
 *   name             [domain "/"] path-component ("/" path-component)*
 *   path-component   [a-z0-9]+ (separator [a-z0-9]+)*,  separator  "." | "_" | "__" | "-"+
 *   domain           (domain-component ("." domain-component)* | "[" [a-fA-F0-9:]+ "]") [":" [0-9]+]
 *   domain-component [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   tag              [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest           here only "sha256:" + 64 lowercase hex (the only digests we can check)
 *
 * The part before the first '/' is a domain when it has a '.' or a ':' or is
 * "localhost"; otherwise the name is on docker.io.  A first part with upper
 * case that is not a domain is refused (older Docker does; newer takes it for
 * a host: refusing is the side that cannot widen a scope).  64 lowercase hex
 * digits is an image ID, never a name.  The normalised name has at most
 * OG_REPO_NAME_MAX characters. */
#include "verify/common/reference.h"
#include "verify/common/digest.h"

#include <stdint.h>
#include <string.h>

/* What each character is to the grammar. */
enum { CH_BAD, CH_ALNUM, CH_UPPER, CH_DOT, CH_UNDER, CH_DASH, CH_SLASH, CH_COLON };
static const unsigned char ch_class[256] = {
	['a' ... 'z'] = CH_ALNUM, ['0' ... '9'] = CH_ALNUM, ['A' ... 'Z'] = CH_UPPER, ['.'] = CH_DOT,
	['_'] = CH_UNDER, ['-'] = CH_DASH, ['/'] = CH_SLASH, [':'] = CH_COLON,
};
#define BIT(c) (1u << (c))

/* Which class may follow which, one bit per pair (bit 8 * prev + next),
 * so that a check is a shift of a constant, not a memory access. */
#define PAIR(prev, next) ((uint64_t)1 << (8 * (prev) + (next)))

/* In a path: a component starts (after '/', or at the start) and ends with
 * a letter or digit, separators stand alone between them, '-' and '_' may
 * repeat (an underscore at most twice, counted apart). */
static const uint64_t path_pairs =
	PAIR(CH_SLASH, CH_ALNUM) | PAIR(CH_DOT, CH_ALNUM) | PAIR(CH_ALNUM, CH_ALNUM) |
	PAIR(CH_ALNUM, CH_DOT) | PAIR(CH_ALNUM, CH_UNDER) | PAIR(CH_ALNUM, CH_DASH) |
	PAIR(CH_ALNUM, CH_SLASH) | PAIR(CH_UNDER, CH_ALNUM) | PAIR(CH_UNDER, CH_UNDER) |
	PAIR(CH_DASH, CH_ALNUM) | PAIR(CH_DASH, CH_DASH);

/* A host name: components of letters and digits with inner '-', joined
 * by single dots. */
#define TO_LETTER(prev) (PAIR(prev, CH_ALNUM) | PAIR(prev, CH_UPPER))
static const uint64_t host_pairs =
	TO_LETTER(CH_DOT) | TO_LETTER(CH_ALNUM) | TO_LETTER(CH_UPPER) | TO_LETTER(CH_DASH) |
	PAIR(CH_ALNUM, CH_DASH) | PAIR(CH_UPPER, CH_DASH) | PAIR(CH_DASH, CH_DASH) |
	PAIR(CH_ALNUM, CH_DOT) | PAIR(CH_UPPER, CH_DOT);

/* Check s[0..n) against the allowed pairs, starting as after `start` and
 * ending on one of the classes in `end` (bits).  Validating is what a trust
 * store's allowlist does thousands of times per start: no branch on what a
 * character is. */
static int walk(const char *s, size_t n, uint64_t pairs, unsigned start, unsigned end)
{
	unsigned prev = start, bad = 0, unders = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned k = ch_class[(unsigned char)s[i]];

		bad |= !((pairs >> (8 * prev + k)) & 1);
		unders = (unders + 1) & -(unsigned)(k == CH_UNDER);
		bad |= unders > 2;
		prev = k;
	}
	return !bad && ((end >> prev) & 1);
}

/* For the common case: whether a character may be in a path (bit 1) and
 * whether it joins components or parts of one (bit 2); the same for a host
 * name. */
static const unsigned char path_char[256] = {
	['a' ... 'z'] = 1, ['0' ... '9'] = 1, ['.'] = 3, ['_'] = 3, ['-'] = 3, ['/'] = 3,
};
static const unsigned char host_char[256] = {
	['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, ['.'] = 3, ['-'] = 3,
};

/* Most names never have two joining characters in a row: then each stands
 * alone between letters or digits, which four operations per character
 * show.  "__", "--" and worse take the exact walk. */
static int joined(const char *s, size_t n, const unsigned char *chars, uint64_t pairs, unsigned start,
		  unsigned end)
{
	unsigned all = 1, twice = 0, prev = 2;

	for (size_t i = 0; i < n; i++) {
		unsigned k = chars[(unsigned char)s[i]];

		all &= k;
		twice |= prev & k;
		prev = k;
	}
	if (!(twice & 2))
		return all && n > 0 && !(prev & 2);
	return walk(s, n, pairs, start, end);
}

/* path-component ("/" path-component)* */
static int remote_name(const char *s, size_t n)
{
	return joined(s, n, path_char, path_pairs, CH_SLASH, BIT(CH_ALNUM));
}

static int is_hex_or_colon(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':';
}

/* host [":" port], host a host name or "[" IPv6 "]"; colon is the first
 * ':' in s, or NULL. */
static int domain(const char *s, size_t n, const char *colon)
{
	size_t h;

	if (n > 0 && s[0] == '[') {
		for (h = 1; h < n && is_hex_or_colon(s[h]); h++)
			;
		if (h == 1 || h == n || s[h] != ']')
			return 0;
		h++;
	} else {
		h = colon ? (size_t)(colon - s) : n;
		if (!joined(s, h, host_char, host_pairs, CH_DOT, BIT(CH_ALNUM) | BIT(CH_UPPER)))
			return 0;
	}
	if (h == n)
		return 1;
	if (s[h] != ':' || h + 1 == n)
		return 0;
	for (h++; h < n; h++)
		if (s[h] < '0' || s[h] > '9')
			return 0;
	return 1;
}

/* How a valid name becomes its normalised repository: `prefix`, then the
 * name from byte `skip` on. */
struct repo_shape {
	const char *prefix;
	size_t plen, skip;
};

/* Check a repository name and find its shape, without writing anything. */
static int repo_shape(const char *in, size_t len, struct repo_shape *sh)
{
	const char *slash = memchr(in, '/', len);
	size_t hlen = slash != NULL ? (size_t)(slash - in) : 0, rest;
	const char *colon = memchr(in, ':', hlen);
	int is_domain = slash != NULL && (colon != NULL || memchr(in, '.', hlen) != NULL ||
					  (hlen == 9 && memcmp(in, "localhost", 9) == 0));

	if (len == 0 || len > OG_REPO_NAME_MAX || (len == 64 && og_hex_valid(in, 64)))
		return -1;
	if (!is_domain) {
		/* On Docker Hub: "alpine" is docker.io/library/alpine. */
		if (!remote_name(in, len))
			return -1;
		*sh = slash != NULL ? (struct repo_shape){ "docker.io/", 10, 0 }
				    : (struct repo_shape){ "docker.io/library/", 18, 0 };
	} else {
		rest = len - hlen - 1;
		if (!domain(in, hlen, colon) || !remote_name(slash + 1, rest))
			return -1;
		*sh = (struct repo_shape){ "", 0, 0 };
		if ((hlen == 9 && memcmp(in, "docker.io", 9) == 0) ||
		    (hlen == 15 && memcmp(in, "index.docker.io", 15) == 0))
			*sh = memchr(slash + 1, '/', rest) == NULL
				      ? (struct repo_shape){ "docker.io/library/", 18, hlen + 1 }
				      : (struct repo_shape){ "docker.io", 9, hlen };
	}
	return sh->plen + len - sh->skip <= OG_REPO_NAME_MAX ? 0 : -1;
}

int og_repo_valid(const char *in)
{
	struct repo_shape sh;

	return repo_shape(in, strnlen(in, OG_REPO_NAME_MAX + 1), &sh) == 0;
}

int og_repo_normalize(const char *in, char *out, size_t size)
{
	size_t len = strnlen(in, OG_REPO_NAME_MAX + 1), n;
	struct repo_shape sh;

	if (repo_shape(in, len, &sh) < 0)
		return -1;
	n = sh.plen + len - sh.skip;
	if (n >= size)
		return -1;
	/* in and out may be the same buffer */
	memmove(out + sh.plen, in + sh.skip, len - sh.skip);
	memcpy(out, sh.prefix, sh.plen);
	out[n] = '\0';
	return 0;
}

/* Where the parts of "name[:tag][@digest]" are.  A ':' after the last '/'
 * starts a tag; before it, it is a registry port. */
struct ref_parts {
	size_t name_len;
	const char *tag;	/* NULL when there is none */
	size_t tag_len;
	const char *digest;	/* after the '@', NULL when there is none */
};

static void ref_split(const char *ref, struct ref_parts *p)
{
	const char *at = strchr(ref, '@');
	size_t n = at ? (size_t)(at - ref) : strlen(ref);
	const char *slash = memrchr(ref, '/', n);
	const char *from = slash ? slash : ref;
	const char *colon = memrchr(from, ':', n - (size_t)(from - ref));

	p->digest = at ? at + 1 : NULL;
	p->tag = colon ? colon + 1 : NULL;
	p->tag_len = colon ? n - (size_t)(colon + 1 - ref) : 0;
	p->name_len = colon ? (size_t)(colon - ref) : n;
}

void og_ref_name(const char *ref, char *out, size_t size)
{
	struct ref_parts p;
	size_t n;

	if (size == 0)
		return;
	ref_split(ref, &p);
	n = p.name_len < size ? p.name_len : size - 1;
	memcpy(out, ref, n);
	out[n] = '\0';
}

static int tag_valid(const char *t, size_t n)
{
	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(ch_class[(unsigned char)t[i]] == CH_ALNUM || ch_class[(unsigned char)t[i]] == CH_UPPER ||
		      t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return 0;
	return 1;
}

/* og_ref_parse, saying why it refuses. */
static int ref_check(const char *ref, char *repo, size_t repo_size, char *digest, size_t digest_size,
		     const char **why)
{
	char name[OG_REPO_NAME_MAX + 1];
	struct ref_parts p;

	if (digest_size > 0)
		digest[0] = '\0';
	ref_split(ref, &p);
	*why = "the name is empty";
	if (p.name_len == 0)
		return -1;
	*why = "the name is longer than 255 characters";
	if (p.name_len >= sizeof name)
		return -1;
	if (p.digest != NULL) {
		*why = og_digest_problem(p.digest);
		if (*why != NULL)
			return -1;
		*why = "no room for the digest";
		if (strlen(p.digest) >= digest_size)
			return -1;
		memcpy(digest, p.digest, strlen(p.digest) + 1);
	}
	*why = "the tag is not 1 to 128 of [A-Za-z0-9_.-] starting with a letter, a digit or '_'";
	if (p.tag != NULL && !tag_valid(p.tag, p.tag_len))
		return -1;
	memcpy(name, ref, p.name_len);
	name[p.name_len] = '\0';
	*why = "the name is not [host[:port]/]component[/component...], components of lowercase letters "
	       "and digits joined by '.', '_', '__' or '-' (at most 255 characters, not an image ID)";
	return og_repo_normalize(name, repo, repo_size);
}

int og_ref_parse(const char *ref, char *repo, size_t repo_size, char *digest, size_t digest_size)
{
	const char *why;

	return ref_check(ref, repo, repo_size, digest, digest_size, &why);
}

const char *og_ref_problem(const char *ref)
{
	char repo[OG_REF_MAX], digest[OG_DIGEST_MAX];
	const char *why;

	return ref_check(ref, repo, sizeof repo, digest, sizeof digest, &why) == 0 ? NULL : why;
}
