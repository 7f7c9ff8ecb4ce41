/* The distribution reference grammar (github.com/distribution/reference,
 * regexp.go and normalize.go), stated plainly with POSIX regular
 * expressions: the oracle og_repo_valid and og_ref_parse are checked
 * against (tests/unit/test_identity.c, tests/fuzz/fuzz_refs.c).  Slow and
 * obvious on purpose; shares nothing with verify/common/reference.c.
 *
 *   path-component   [a-z0-9]+ ( ([._]|__|-+) [a-z0-9]+ )*
 *   domain-component [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   domain           ( domain-component (\. domain-component)* | \[ [a-fA-F0-9:]+ \] ) (:[0-9]+)?
 *   name             [domain /] path-component (/ path-component)*
 *   tag              [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * Normalisation: the part before the first '/' is a domain when it has a
 * '.' or a ':' or is "localhost" (otherwise the name is on docker.io; a
 * first part with upper case that is not a domain is refused, as older
 * Docker does); docker.io and index.docker.io are docker.io, and a name
 * there with one component is under library/.  The normalised name is at
 * most 255 characters, and 64 lowercase hex digits (an image ID) is no
 * name. */
#ifndef OCIGATE_REF_GRAMMAR_H
#define OCIGATE_REF_GRAMMAR_H

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define RG_PATH_COMPONENT "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*"
#define RG_DOMAIN_COMPONENT "([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"

struct rg_oracle {
	regex_t remote, domain, tag, id;
};

static inline int rg_init(struct rg_oracle *o)
{
	return regcomp(&o->remote, "^" RG_PATH_COMPONENT "(/" RG_PATH_COMPONENT ")*$", REG_EXTENDED | REG_NOSUB) ||
	       regcomp(&o->domain, "^(" RG_DOMAIN_COMPONENT "(\\." RG_DOMAIN_COMPONENT ")*|\\[[a-fA-F0-9:]+\\])(:[0-9]+)?$",
		       REG_EXTENDED | REG_NOSUB) ||
	       regcomp(&o->tag, "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", REG_EXTENDED | REG_NOSUB) ||
	       regcomp(&o->id, "^[a-f0-9]{64}$", REG_EXTENDED | REG_NOSUB);
}

static inline void rg_free(struct rg_oracle *o)
{
	regfree(&o->remote);
	regfree(&o->domain);
	regfree(&o->tag);
	regfree(&o->id);
}

static inline int rg_match(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* The normalised repository of name (no tag, no digest) into out, or 0
 * when the grammar refuses it. */
static inline int rg_repo(const struct rg_oracle *o, const char *name, char *out, size_t size)
{
	const char *slash = strchr(name, '/');
	size_t h = slash ? (size_t)(slash - name) : 0;
	char *host = strndup(name, h);
	const char *rest = slash ? slash + 1 : name;
	int ok, is_domain;

	if (host == NULL || rg_match(&o->id, name))
		return free(host), 0;
	is_domain = slash != NULL && (strpbrk(host, ".:") != NULL || strcmp(host, "localhost") == 0);
	if (!is_domain)
		rest = name, host[0] = '\0';
	ok = rg_match(&o->remote, rest) && (!is_domain || rg_match(&o->domain, host));
	if (ok && (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 || !is_domain))
		ok = snprintf(out, size, "docker.io/%s%s", strchr(rest, '/') ? "" : "library/", rest) <= 255;
	else if (ok)
		ok = snprintf(out, size, "%s/%s", host, rest) <= 255;
	free(host);
	return ok;
}

/* A reference name[:tag][@sha256:<64 hex>]: its repository, or 0. */
static inline int rg_ref(const struct rg_oracle *o, const char *ref, char *out, size_t size)
{
	char *name = strdup(ref), *at, *colon, *slash;
	int ok = name != NULL;

	if (ok && (at = strchr(name, '@')) != NULL) {
		*at = '\0';
		ok = strncmp(at + 1, "sha256:", 7) == 0 && strlen(at + 8) == 64 &&
		     strspn(at + 8, "0123456789abcdef") == 64;
	}
	slash = ok ? strrchr(name, '/') : NULL;
	if (ok && (colon = strrchr(slash ? slash : name, ':')) != NULL) {
		*colon = '\0';
		ok = rg_match(&o->tag, colon + 1);
	}
	ok = ok && rg_repo(o, name, out, size);
	free(name);
	return ok;
}

#endif
