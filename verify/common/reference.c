#include "verify/common/reference.h"
#include "verify/common/digest.h"

#include <string.h>

/* What each character of a reference may be (0: none of these). */
enum { REF_OK = 1, REF_UPPER = 2, REF_SLASH = 4, REF_COLON = 8, REF_DOT = 16 };
static const unsigned char ref_class[256] = {
	['a' ... 'z'] = REF_OK, ['0' ... '9'] = REF_OK, ['-'] = REF_OK, ['_'] = REF_OK,
	['A' ... 'Z'] = REF_OK | REF_UPPER, ['.'] = REF_OK | REF_DOT, ['/'] = REF_OK | REF_SLASH,
	[':'] = REF_OK | REF_COLON,
};

/* How a valid name becomes its normalised repository: `prefix`, then the
 * name from byte `skip` on. */
struct repo_shape {
	const char *prefix;
	size_t plen, skip;
};

/* Check a repository name and find its shape, without writing anything:
 * validating is what a trust store's allowlist does thousands of times per
 * start, so the classification loops are branch-free. */
static int repo_shape(const char *in, size_t len, struct repo_shape *sh)
{
	const char *slash = memchr(in, '/', len), *end = in + len, *c;
	size_t hlen = slash != NULL ? (size_t)(slash - in) : len;
	unsigned before = 0, after = 0, all = REF_OK, doubled = 0, prev = 0;

	if (len == 0 || len >= OG_REF_MAX || in[0] == '/' || in[len - 1] == '/')
		return -1;
	/* Classes seen before and after the first '/', whether every character
	 * is allowed, whether '/' follows '/'. */
	for (c = in; c < in + hlen; c++) {
		before |= ref_class[(unsigned char)*c];
		all &= ref_class[(unsigned char)*c];
	}
	for (; c < end; c++) {
		unsigned k = ref_class[(unsigned char)*c];

		after |= k;
		all &= k;
		doubled |= prev & k;
		prev = k & REF_SLASH;
	}
	if (!(all & REF_OK) || (doubled & REF_SLASH))
		return -1;
	/* Path components are lowercase; only the registry host may have case or a port. */
	if (after & (REF_UPPER | REF_COLON))
		return -1;
	*sh = (struct repo_shape){ .prefix = "", .plen = 0, .skip = 0 };
	if (slash == NULL) {
		/* "alpine" is docker.io/library/alpine */
		if (before & (REF_UPPER | REF_COLON))
			return -1;
		*sh = (struct repo_shape){ .prefix = "docker.io/library/", .plen = 18, .skip = 0 };
		return 0;
	}
	int is_host = before & (REF_DOT | REF_COLON) || (hlen == 9 && memcmp(in, "localhost", 9) == 0);

	if (!is_host) {
		/* Not a host but a Docker Hub namespace: lowercase like any path
		 * component (Docker refuses "ABC/b" too). */
		if (before & REF_UPPER)
			return -1;
		*sh = (struct repo_shape){ .prefix = "docker.io/", .plen = 10, .skip = 0 };
		return 0;
	}
	int hub = (hlen == 15 && memcmp(in, "index.docker.io", 15) == 0) ||
		  (hlen == 9 && memcmp(in, "docker.io", 9) == 0);

	/* docker.io/alpine (or index.docker.io/alpine) means docker.io/library/alpine */
	if (hub && memchr(slash + 1, '/', (size_t)(end - slash - 1)) == NULL)
		*sh = (struct repo_shape){ .prefix = "docker.io/library/", .plen = 18, .skip = hlen + 1 };
	else if (hub)
		*sh = (struct repo_shape){ .prefix = "docker.io", .plen = 9, .skip = hlen };
	return 0;
}

int og_repo_valid(const char *in)
{
	size_t len = strnlen(in, OG_REF_MAX);
	struct repo_shape sh;

	return repo_shape(in, len, &sh) == 0 && sh.plen + len - sh.skip < OG_REF_MAX;
}

int og_repo_normalize(const char *in, char *out, size_t size)
{
	size_t len = strnlen(in, OG_REF_MAX), n;
	struct repo_shape sh;

	if (repo_shape(in, len, &sh) < 0)
		return -1;
	n = sh.plen + len - sh.skip;
	if (n >= size || n >= OG_REF_MAX)
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

int og_ref_parse(const char *ref, char *repo, size_t repo_size, char *digest, size_t digest_size)
{
	char name[OG_REF_MAX];
	struct ref_parts p;

	if (digest_size > 0)
		digest[0] = '\0';
	ref_split(ref, &p);
	if (p.name_len == 0 || p.name_len >= sizeof name)
		return -1;
	if (p.digest != NULL) {
		if (!og_digest_valid(p.digest) || strlen(p.digest) >= digest_size)
			return -1;
		memcpy(digest, p.digest, strlen(p.digest) + 1);
	}
	if (p.tag != NULL) {
		if (p.tag_len == 0 || p.tag_len > 128)
			return -1;
		for (size_t i = 0; i < p.tag_len; i++) {
			char t = p.tag[i];

			if (!((t >= 'a' && t <= 'z') || (t >= 'A' && t <= 'Z') || (t >= '0' && t <= '9') ||
			      t == '_' || t == '.' || t == '-'))
				return -1;
		}
	}
	memcpy(name, ref, p.name_len);
	name[p.name_len] = '\0';
	return og_repo_normalize(name, repo, repo_size);
}
