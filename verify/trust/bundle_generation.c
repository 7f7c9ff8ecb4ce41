#include "verify/trust/bundle_generation.h"
#include "verify/trust/bundle_layout.h"
#include "hook/base/cleanup.h"
#include "hook/base/strfmt.h"
#include "hook/base/fileio.h"
#include "hook/base/strict_modes.h"
#include "verify/trust/trust_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int og_bundle_gen_name_parse(const char *name, uint64_t *version, og_error *e)
{
	size_t plen = strlen(OG_BUNDLE_GEN_PREFIX), digits = 0;
	const char *p;
	uint64_t v = 0;

	if (strncmp(name, OG_BUNDLE_GEN_PREFIX, plen) != 0)
		return og_fail(e, "not a generation name (expected %s<version>-<%d hex>)",
			       OG_BUNDLE_GEN_PREFIX, OG_BUNDLE_ID_HEX);
	for (p = name + plen; *p >= '0' && *p <= '9'; p++, digits++) {
		if (v > (UINT64_MAX - 9) / 10 || digits >= 19)
			return og_fail(e, "generation version out of range");
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0 || v == 0 || name[plen] == '0')
		return og_fail(e, "not a generation name (version must be a number from 1, no leading zero)");
	if (*p++ != '-')
		return og_fail(e, "not a generation name (expected \"-\" after the version)");
	for (int i = 0; i < OG_BUNDLE_ID_HEX; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return og_fail(e, "not a generation name (expected %d lowercase hex digits after the version)",
				       OG_BUNDLE_ID_HEX);
	if (*p != '\0')
		return og_fail(e, "not a generation name (trailing characters)");
	*version = v;
	return 0;
}

int og_bundle_generation_resolve(const char *dir, struct og_bundle_generation *g, og_error *e)
{
	og_cleanup_close int dfd = -1, gfd = -1;
	char target[OG_BUNDLE_GEN_NAME_MAX + 1], shown[2 * OG_BUNDLE_GEN_NAME_MAX];
	struct stat st;
	ssize_t n;

	memset(g, 0, sizeof *g);
	if (dir[0] != '/' || strlen(dir) >= sizeof g->dir - OG_BUNDLE_GEN_NAME_MAX - 32)
		return og_fail(e, "bundle: %s: expected an absolute path", dir);
	if (og_strict_modes(dir, geteuid(), &st, e) < 0) {
		if (e->errnum == ENOENT)
			return og_fail(e, "bundle: none installed in %s (no such directory)", dir);
		return og_wrap(e, "bundle");
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "bundle: %s", dir);
	n = readlinkat(dfd, OG_BUNDLE_CURRENT, target, sizeof target);
	if (n < 0 && errno == ENOENT)
		return og_fail(e, "bundle: none installed in %s (no %s)", dir, OG_BUNDLE_CURRENT);
	if (n < 0 && errno == EINVAL)
		return og_fail(e, "bundle: %s/%s is not a symbolic link", dir, OG_BUNDLE_CURRENT);
	if (n < 0)
		return og_fail_errno(e, errno, "bundle: %s/%s", dir, OG_BUNDLE_CURRENT);
	if ((size_t)n >= sizeof target) {
		target[sizeof target - 1] = '\0';
		n = (ssize_t)sizeof target - 1;
	}
	target[n] = '\0';
	if (og_bundle_gen_name_parse(target, &g->version, e) < 0) {
		/* The target is whatever someone wrote: printable only. */
		size_t j = 0;

		for (ssize_t i = 0; i < n && j + 1 < sizeof shown; i++)
			shown[j++] = target[i] >= 0x20 && target[i] < 0x7f && target[i] != '"' ? target[i] : '?';
		shown[j] = '\0';
		return og_wrap(e, "bundle: %s/%s -> \"%s%s\"", dir, OG_BUNDLE_CURRENT, shown,
			       (size_t)n == sizeof target - 1 ? "..." : "");
	}
	/* A plain name below the directory, itself a directory, not a link. */
	gfd = openat(dfd, target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return og_fail_errno(e, errno, "bundle: %s/%s -> %s", dir, OG_BUNDLE_CURRENT, target);
	og_bfmt(g->dir, sizeof g->dir, "%s", dir);
	og_bfmt(g->name, sizeof g->name, "%s", target);
	og_bfmt(g->path, sizeof g->path, "%s/%s", dir, target);
	og_bfmt(g->store, sizeof g->store, "%s/%s", g->path, OG_BUNDLE_TRUST_STORE);
	og_bfmt(g->signatures, sizeof g->signatures, "%s/%s", g->path, OG_BUNDLE_SIGNATURES);
	og_bfmt(g->verdicts, sizeof g->verdicts, "%s/%s", g->path, OG_BUNDLE_VERDICTS);
	return 0;
}

int og_bundle_freshness(int64_t now, int64_t created, int64_t expires, int64_t max_age,
			int64_t warn_before)
{
	int f = 0;

	if (now >= expires)
		f |= OG_BUNDLE_EXPIRED;
	else if (warn_before > 0 && now >= expires - warn_before)
		f |= OG_BUNDLE_EXPIRING;
	if (max_age > 0 && now > created + max_age)
		f |= OG_BUNDLE_STALE;
	return f;
}

/* What a recorded verification rests on: nobody but root (or the caller)
 * can have changed the descriptor, its signatures or a root key. */
static int files_safe(const char *desc, const char *sig, const struct og_trust_store_config *c, og_error *e)
{
	struct stat st;

	if (og_strict_modes(desc, geteuid(), &st, e) < 0 || og_strict_modes(sig, geteuid(), &st, e) < 0)
		return -1;
	for (size_t i = 0; i < c->nroot; i++)
		if (og_strict_modes(c->root_keys[i], geteuid(), &st, e) < 0)
			return og_wrap(e, "root key");
	return 0;
}

static int verify_descriptor(const struct og_bundle_generation *g, const struct og_trust_store_config *c,
			     struct og_bundle_descriptor *d, og_error *e)
{
	const struct og_trust_roots roots = { .root_keys = c->root_keys, .nroot = c->nroot,
					      .threshold = c->threshold };
	og_cleanup_buf og_buf desc = { 0 }, sig = { 0 };
	og_cleanup_free char *fp = NULL, *after = NULL;
	char dpath[PATH_MAX], spath[PATH_MAX];
	struct stat st;
	size_t nsigned = 0;
	int have_fp;

	og_bfmt(dpath, sizeof dpath, "%s/%s", g->path, OG_BUNDLE_DESCRIPTOR);
	og_bfmt(spath, sizeof spath, "%s/%s", g->path, OG_BUNDLE_DESCRIPTOR_SIG);
	if (files_safe(dpath, spath, c, e) < 0 ||
	    og_read_file_stat(dpath, OG_BUNDLE_DESCRIPTOR_MAX, &desc, &st, e) < 0)
		return -1;
	have_fp = c->update_state && c->state_dir != NULL && (fp = malloc(OG_TRUST_CACHE_FP_MAX)) != NULL &&
		  og_trust_cache_roots_fingerprint(dpath, c->threshold, c->root_keys, c->nroot, &st, fp,
						   OG_TRUST_CACHE_FP_MAX) == 0;
	if (have_fp && og_trust_cache_roots_lookup_named(c->state_dir, OG_BUNDLE_CACHE_RECORD, fp, &nsigned) &&
	    nsigned >= (size_t)c->threshold && nsigned <= c->nroot) {
		if (og_bundle_descriptor_parse(desc.data, desc.len, d, e) < 0)
			return -1;
		d->nsigned = nsigned;
		return 0;
	}
	if (og_read_file(spath, OG_MAX_TRUST_SIG_BYTES, &sig, e) < 0 ||
	    og_bundle_descriptor_verify(&roots, &desc, &sig, d, e) < 0)
		return -1;
	/* Recorded only when nothing it rests on changed while it was read. */
	if (have_fp && (after = malloc(OG_TRUST_CACHE_FP_MAX)) != NULL &&
	    og_trust_cache_roots_fingerprint(dpath, c->threshold, c->root_keys, c->nroot, &st, after,
					     OG_TRUST_CACHE_FP_MAX) == 0 &&
	    strcmp(fp, after) == 0)
		og_trust_cache_roots_store_named(c->state_dir, OG_BUNDLE_CACHE_RECORD, fp, d->nsigned);
	return 0;
}

int og_bundle_generation_verify(struct og_bundle_generation *g, const struct og_trust_store_config *c,
				og_error *e)
{
	struct og_bundle_descriptor d;
	char name[OG_BUNDLE_GEN_NAME_MAX];

	if (verify_descriptor(g, c, &d, e) < 0)
		return og_wrap(e, "bundle %s", g->path);
	/* The name is what current chose; the signed descriptor is what the
	 * generation holds.  They must be the same bundle. */
	og_bundle_generation_name(&d, name);
	if (strcmp(name, g->name) != 0)
		return og_fail(e, "bundle %s: its descriptor is %s, not the generation its name says", g->path,
			       name);
	g->created = d.created;
	g->expires = d.expires;
	g->verified = 1;
	return 0;
}
