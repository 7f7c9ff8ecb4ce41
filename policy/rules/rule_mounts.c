/* runtime.mounts: no bind of a sensitive host path, and no shared mount
 * propagation (which would let the container's mounts reach the host).
 *
 * A forbidden path P is hit by a bind source S when S == P or S is an
 * ancestor of P (binding /run exposes /run/containerd/containerd.sock);
 * "P/" followed by "**" also forbids every S below P.  S is checked both as
 * written (normalized lexically) and with symlinks resolved on the host, so
 * neither "/x/../etc" nor a link to /etc gets through. */
#include "policy/runtime_rules.h"
#include "hook/base/log.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Collapse "//", "/./" and "/../" without touching the filesystem. */
static void normalize(const char *in, char *out, size_t size)
{
	size_t o = 0;
	const char *p = in;

	out[0] = '\0';
	while (*p) {
		const char *seg;
		size_t len;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
			continue;
		}
		if (o + 1 + len + 1 > size)
			break;
		out[o++] = '/';
		memcpy(out + o, seg, len);
		o += len;
		out[o] = '\0';
	}
	if (o == 0)
		snprintf(out, size, "/");
}

/* 1 when a is b or an ancestor of b (both normalized). */
static int is_prefix_path(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (strcmp(a, "/") == 0)
		return 1;
	return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '/');
}

static int forbidden_hit(const char *src, const char *entry)
{
	char base[PATH_MAX];
	size_t len = strlen(entry);
	int subtree = len >= 3 && strcmp(entry + len - 3, "/**") == 0;

	snprintf(base, sizeof base, "%.*s", (int)(subtree ? len - 3 : len), entry);
	if (base[0] == '\0')
		snprintf(base, sizeof base, "/");
	if (is_prefix_path(src, base))
		return 1;		/* equal, or an ancestor */
	return subtree && is_prefix_path(base, src);
}

static int has_opt(json_t *m, const char *a, const char *b)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(m, "options"), i, o) {
		const char *s = json_string_value(o);
		if (strcmp(s, a) == 0 || (b && strcmp(s, b) == 0))
			return 1;
	}
	return 0;
}

static int check_source(const struct og_runtime_policy *rp, const char *id, struct og_findings *r,
			const char *dst, const char *src)
{
	char norm[PATH_MAX], real[PATH_MAX], sdst[256], ssrc[256];
	int have_real = realpath(src, real) != NULL;

	normalize(src, norm, sizeof norm);
	/* A source we cannot resolve (the hook runs without capabilities) may
	 * hide a link to anywhere: the runtime, with them, would follow it.  A
	 * missing source has no link to follow. */
	if (!have_real && errno != ENOENT && errno != ENOTDIR) {
		og_sanitize(dst, sdst, sizeof sdst);
		og_sanitize(src, ssrc, sizeof ssrc);
		return og_findings_add(r, id, "mount source \"%s\" at \"%s\" cannot be resolved (%s)",
				     ssrc, sdst, strerror(errno));
	}
	for (size_t k = 0; k < rp->mounts_forbidden.n; k++) {
		const char *entry = rp->mounts_forbidden.v[k];
		const char *hit = forbidden_hit(norm, entry) ? norm
				  : have_real && forbidden_hit(real, entry) ? real : NULL;

		if (hit == NULL)
			continue;
		og_sanitize(dst, sdst, sizeof sdst);
		og_sanitize(src, ssrc, sizeof ssrc);
		return og_findings_add(r, id, "mount of host path \"%s\" at \"%s\" exposes forbidden path %s",
				     ssrc, sdst, entry);
	}
	return 0;
}

int og_rule_mounts(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		   const char *id, struct og_findings *r)
{
	size_t i;
	json_t *m;

	json_array_foreach(cfg->mounts, i, m) {
		json_t *src = json_object_get(m, "source");
		const char *dst = json_string_value(json_object_get(m, "destination"));

		/* Pseudo filesystems name no host path ("proc", "tmpfs"); any
		 * absolute source is a host path, bind or block device alike. */
		if (json_is_string(src) && json_string_value(src)[0] == '/' &&
		    check_source(rp, id, r, dst, json_string_value(src)) < 0)
			return -1;
		if (!rp->allow_shared_propagation && has_opt(m, "shared", "rshared")) {
			char sdst[256];
			og_sanitize(dst, sdst, sizeof sdst);
			if (og_findings_add(r, id, "mount at \"%s\" uses shared propagation", sdst) < 0)
				return -1;
		}
	}
	if (!rp->allow_shared_propagation && cfg->rootfs_propagation != NULL &&
	    (strcmp(cfg->rootfs_propagation, "shared") == 0 ||
	     strcmp(cfg->rootfs_propagation, "rshared") == 0))
		return og_findings_add(r, id, "the root filesystem uses shared propagation");
	return 0;
}
