/* OpenVEX import and the per-digest statement sets the start check reads. */
#include "verify/scan/vex.h"
#include "hook/base/array.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "hook/base/timeutil.h"
#include "verify/scan/verdict.h"
#include "verify/scan/verdict_import.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stmt_free(struct og_vex_stmt *s)
{
	free(s->id);
	free(s->status);
	free(s->justification);
	free(s->author);
	for (size_t i = 0; i < s->npackages; i++)
		free(s->packages[i]);
	free(s->packages);
	memset(s, 0, sizeof *s);
}

void og_vex_doc_free(struct og_vex_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		stmt_free(&d->items[i].stmt);
	free(d->items);
	memset(d, 0, sizeof *d);
}

void og_vex_set_free(struct og_vex_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		stmt_free(&s->items[i]);
	free(s->items);
	memset(s, 0, sizeof *s);
}

static int dupstr(char **dst, const char *src, size_t max, const char *what, og_error *e)
{
	*dst = NULL;
	return og_verdict_set_str(dst, src, max, what, e);
}

static int stmt_copy(struct og_vex_stmt *dst, const struct og_vex_stmt *src, og_error *e)
{
	memset(dst, 0, sizeof *dst);
	dst->timestamp = src->timestamp;
	if (dupstr(&dst->id, src->id, OG_MAX_VULN_ID_BYTES, "vex", e) < 0 ||
	    dupstr(&dst->status, src->status, 32, "vex", e) < 0 ||
	    dupstr(&dst->justification, src->justification, OG_MAX_VEX_TEXT_BYTES, "vex", e) < 0 ||
	    dupstr(&dst->author, src->author, OG_MAX_VEX_TEXT_BYTES, "vex", e) < 0)
		goto fail;
	if (src->npackages > 0) {
		char **pk = calloc(src->npackages, sizeof *pk);

		if (pk == NULL) {
			og_fail_errno(e, ENOMEM, "vex");
			goto fail;
		}
		dst->packages = pk;
		for (size_t i = 0; i < src->npackages; i++) {
			dst->npackages = i + 1;
			if (dupstr(&dst->packages[i], src->packages[i], OG_MAX_VEX_TEXT_BYTES, "vex", e) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	stmt_free(dst);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode src[0..n) into out (size); -1 on bad escapes or overflow. */
static int pct_decode(const char *src, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int og_vex_product_digest(const char *product, char out[72])
{
	const char *at, *end;
	char buf[128];

	if (strncmp(product, "pkg:oci/", 8) == 0) {
		at = strchr(product, '@');
		if (at == NULL)
			return -1;
		end = at + 1 + strcspn(at + 1, "?#");
		if (pct_decode(at + 1, (size_t)(end - at - 1), buf, sizeof buf) < 0)
			return -1;
	} else {
		at = strrchr(product, '@');
		snprintf(buf, sizeof buf, "%s", at ? at + 1 : product);
	}
	if (!og_digest_valid(buf))
		return -1;
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

/* Package name from a subcomponent id: the purl name, or the string itself. */
static int package_name(const char *id, char *out, size_t size)
{
	if (strncmp(id, "pkg:", 4) == 0) {
		size_t end = strcspn(id, "@?#");
		const char *start = id + 4;
		for (size_t i = 4; i < end; i++)
			if (id[i] == '/')
				start = id + i + 1;
		return pct_decode(start, (size_t)(id + end - start), out, size);
	}
	if (strlen(id) >= size)
		return -1;
	memcpy(out, id, strlen(id) + 1);
	return 0;
}

static int doc_add(struct og_vex_doc *d, const char *digest, const struct og_vex_stmt *st,
		   og_error *e)
{
	if (d->n >= OG_MAX_VEX_STATEMENTS)
		return og_fail(e, "more than %d statements", OG_MAX_VEX_STATEMENTS);
	struct og_vex_entry *p = og_array_reserve(d->items, &d->cap, d->n, sizeof *p);

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "vex");
	d->items = p;
	snprintf(d->items[d->n].digest, sizeof d->items[d->n].digest, "%s", digest);
	if (stmt_copy(&d->items[d->n].stmt, st, e) < 0)
		return -1;
	d->n++;
	return 0;
}

static const char *product_id(const json_t *p)
{
	if (json_is_string(p))
		return json_string_value(p);
	if (json_is_object(p)) {
		json_t *id = json_object_get(p, "@id");
		if (json_is_string(id))
			return json_string_value(id);
		id = json_object_get(json_object_get(p, "identifiers"), "purl");
		if (json_is_string(id))
			return json_string_value(id);
	}
	return NULL;
}

/* Subcomponents -> package names (statement-level list in OpenVEX 0.0.x,
 * per product in 0.2). */
static int collect_packages(const json_t *subs, const char *path, char ***pkgs, size_t *n,
			    og_error *e)
{
	size_t i, cap = *n;	/* the list grows one by one elsewhere: *n is what it holds */
	json_t *x;

	if (subs == NULL || json_is_null(subs))
		return 0;
	if (!json_is_array(subs))
		return og_fail(e, "%s.subcomponents: expected an array", path);
	if (json_array_size(subs) > OG_MAX_VEX_PACKAGES)
		return og_fail(e, "%s.subcomponents: more than %d", path, OG_MAX_VEX_PACKAGES);
	json_array_foreach(subs, i, x) {
		const char *id = product_id(x);
		char name[OG_MAX_VEX_TEXT_BYTES + 1];
		char **p;

		if (id == NULL)
			return og_fail(e, "%s.subcomponents[%zu]: no @id", path, i);
		if (package_name(id, name, sizeof name) < 0)
			return og_fail(e, "%s.subcomponents[%zu]: bad package identifier", path, i);
		p = og_array_reserve(*pkgs, &cap, *n, sizeof *p);
		if (p == NULL)
			return og_fail_errno(e, ENOMEM, "vex");
		*pkgs = p;
		p[*n] = strdup(name);
		if (p[*n] == NULL)
			return og_fail_errno(e, ENOMEM, "vex");
		(*n)++;
	}
	return 0;
}

static int valid_status(const char *s)
{
	return strcmp(s, "not_affected") == 0 || strcmp(s, "fixed") == 0 ||
	       strcmp(s, "affected") == 0 || strcmp(s, "under_investigation") == 0;
}

/* Vulnerability names of a statement: name/@id plus aliases. */
static int vuln_names(const json_t *v, const char *path, const char *names[], size_t *n, og_error *e)
{
	json_t *aliases, *x;
	size_t i;

	*n = 0;
	if (json_is_string(v)) {
		names[(*n)++] = json_string_value(v);
	} else if (json_is_object(v)) {
		const char *s;
		if (og_json_str(v, "name", path, 1, &s, e) < 0)
			return -1;
		names[(*n)++] = s;
		aliases = json_object_get(v, "aliases");
		if (json_is_array(aliases)) {
			json_array_foreach(aliases, i, x) {
				if (!json_is_string(x) || *n >= 16)
					return og_fail(e, "%s.aliases[%zu]: expected at most 15 strings", path, i);
				names[(*n)++] = json_string_value(x);
			}
		}
	} else {
		return og_fail(e, "%s: expected a string or an object", path);
	}
	for (i = 0; i < *n; i++) {
		char c[160];
		if (!og_vuln_id_valid(names[i]))
			return og_fail(e, "%s: vulnerability id \"%s\" is not 1..%d characters of [A-Za-z0-9._:+-]",
				       path, og_scan_clean(names[i], c, sizeof c), OG_MAX_VULN_ID_BYTES);
	}
	return 0;
}

static int parse_statement(const json_t *s, const char *path, const char *author, int64_t doc_ts,
			   struct og_vex_doc *d, og_error *e)
{
	const char *names[16], *status, *just = NULL, *impact = NULL, *ts = NULL;
	json_t *products, *p;
	size_t nnames, i;
	char sub[400];
	int64_t when = doc_ts;

	if (!json_is_object(s))
		return og_fail(e, "%s: expected an object", path);
	snprintf(sub, sizeof sub, "%s.vulnerability", path);
	if (vuln_names(json_object_get(s, "vulnerability"), sub, names, &nnames, e) < 0 ||
	    og_json_str(s, "status", path, 1, &status, e) < 0 ||
	    og_json_str(s, "justification", path, 0, &just, e) < 0 ||
	    og_json_str(s, "impact_statement", path, 0, &impact, e) < 0 ||
	    og_json_str(s, "timestamp", path, 0, &ts, e) < 0 ||
	    og_json_arr(s, "products", path, 1, &products, e) < 0)
		return -1;
	if (!valid_status(status))
		return og_fail(e, "%s.status: unknown status", path);
	if (ts != NULL && og_parse_rfc3339(ts, &when, e) < 0)
		return og_wrap(e, "%s.timestamp", path);
	json_array_foreach(products, i, p) {
		struct og_vex_stmt st = { 0 };
		const char *pid = product_id(p);
		char digest[72];
		int r = 0;

		snprintf(sub, sizeof sub, "%s.products[%zu]", path, i);
		if (pid == NULL)
			return og_fail(e, "%s: no @id", sub);
		if (og_vex_product_digest(pid, digest) < 0) {
			d->skipped_products++;
			continue;
		}
		st.status = (char *)status;
		st.justification = (char *)(just ? just : impact ? impact : "");
		st.author = (char *)author;
		st.timestamp = when;
		if (collect_packages(json_is_object(p) ? json_object_get(p, "subcomponents") : NULL, sub,
				     &st.packages, &st.npackages, e) < 0 ||
		    collect_packages(json_object_get(s, "subcomponents"), path, &st.packages,
				     &st.npackages, e) < 0)
			r = -1;
		for (size_t k = 0; r == 0 && k < nnames; k++) {
			st.id = (char *)names[k];
			r = doc_add(d, digest, &st, e);
		}
		for (size_t k = 0; k < st.npackages; k++)
			free(st.packages[k]);
		free(st.packages);
		if (r < 0)
			return og_wrap(e, "%s", sub);
	}
	return 0;
}

/* The document's statements, with errors naming their JSON path. */
static int parse_document(const json_t *root, struct og_vex_doc *d, og_error *e)
{
	const char *ctx, *author, *ts;
	json_t *stmts, *s;
	int64_t doc_ts;
	char path[64];
	size_t i;

	if (og_json_str(root, "@context", "$", 1, &ctx, e) < 0)
		return -1;
	if (strncmp(ctx, "https://openvex.dev/ns", 22) != 0)
		return og_fail(e, "$.@context: not an OpenVEX context");
	if (og_json_str(root, "author", "$", 1, &author, e) < 0 ||
	    og_json_str(root, "timestamp", "$", 1, &ts, e) < 0 ||
	    og_json_arr(root, "statements", "$", 1, &stmts, e) < 0)
		return -1;
	if (og_parse_rfc3339(ts, &doc_ts, e) < 0)
		return og_wrap(e, "$.timestamp");
	json_array_foreach(stmts, i, s) {
		snprintf(path, sizeof path, "$.statements[%zu]", i);
		if (parse_statement(s, path, author, doc_ts, d, e) < 0)
			return -1;
	}
	return 0;
}

int og_vex_parse_openvex(const char *data, size_t len, const char *what, struct og_vex_doc *out,
			 og_error *e)
{
	og_cleanup_vex_doc struct og_vex_doc d = { 0 };
	json_auto_t *root = NULL;
	enum og_scan_doc_kind kind;

	if (len > OG_MAX_VEX_DOC_BYTES)
		return og_fail(e, "%s: %zu bytes, larger than the limit of %u bytes", what, len,
			       OG_MAX_VEX_DOC_BYTES);
	root = og_json_parse(data, len, what, e);
	if (root == NULL)
		return -1;
	if (!json_is_object(root))
		return og_fail(e, "%s: expected a JSON object, found %s", what, og_json_type(root));
	kind = og_scan_doc_kind(root);
	if (kind == OG_SCAN_DOC_CYCLONEDX)
		return og_fail(e, "%s: CycloneDX VEX is not supported; use OpenVEX", what);
	if (kind == OG_SCAN_DOC_TRIVY || kind == OG_SCAN_DOC_GRYPE)
		return og_fail(e, "%s: %s, not an OpenVEX document (use `ocigate verdict import`)", what,
			       og_scan_doc_kind_name(kind));
	if (parse_document(root, &d, e) < 0)
		return og_wrap(e, "%s", what);
	if (d.n == 0)
		return og_fail(e, "%s: no statement names an image digest (products must be sha256:..., "
			       "NAME@sha256:... or pkg:oci/NAME@sha256%%3A...); nothing to import", what);
	*out = d;
	memset(&d, 0, sizeof d);
	return 0;
}

static int same_packages(const struct og_vex_stmt *a, const struct og_vex_stmt *b)
{
	if (a->npackages != b->npackages)
		return 0;
	for (size_t i = 0; i < a->npackages; i++) {
		size_t j;
		for (j = 0; j < b->npackages; j++)
			if (strcmp(a->packages[i], b->packages[j]) == 0)
				break;
		if (j == b->npackages)
			return 0;
	}
	return 1;
}

int og_vex_set_merge(struct og_vex_set *s, const struct og_vex_stmt *st, og_error *e)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->items[i].id, st->id) != 0 || !same_packages(&s->items[i], st))
			continue;
		if (st->timestamp < s->items[i].timestamp)
			return 0;	/* an older statement never replaces a newer one */
		struct og_vex_stmt copy;
		if (stmt_copy(&copy, st, e) < 0)
			return -1;
		stmt_free(&s->items[i]);
		s->items[i] = copy;
		return 0;
	}
	if (s->n >= OG_MAX_VEX_STATEMENTS)
		return og_fail(e, "%s: more than %d VEX statements", s->digest, OG_MAX_VEX_STATEMENTS);
	struct og_vex_stmt *p = og_array_reserve(s->items, &s->cap, s->n, sizeof *p);

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "vex");
	s->items = p;
	if (stmt_copy(&s->items[s->n], st, e) < 0)
		return -1;
	s->n++;
	return 0;
}

static const char *const set_keys[] = { "ocigate_vex", "digest", "statements", NULL };
static const char *const stmt_keys[] = { "id", "status", "justification", "author", "timestamp",
					 "packages", NULL };

int og_vex_set_load(const char *data, size_t len, const char *what, const char *digest,
		    struct og_vex_set *out, og_error *e)
{
	og_cleanup_vex_set struct og_vex_set set = { 0 };
	json_auto_t *o = og_json_parse(data, len, what, e);
	const char *d;
	json_t *arr, *x;
	int64_t fmt;
	size_t i;

	if (o == NULL)
		return -1;
	if (og_json_only_keys(o, what, set_keys, e) < 0 ||
	    og_json_int(o, "ocigate_vex", what, 1, 1, 1, &fmt, e) < 0 ||
	    og_json_str(o, "digest", what, 1, &d, e) < 0 ||
	    og_json_arr(o, "statements", what, 1, &arr, e) < 0)
		return -1;
	if (strcmp(d, digest) != 0)
		return og_fail(e, "%s: holds statements for another digest", what);
	snprintf(set.digest, sizeof set.digest, "%s", digest);
	json_array_foreach(arr, i, x) {
		struct og_vex_stmt st = { 0 };
		const char *ts;
		json_t *pk, *p;
		char path[300];
		size_t k;
		int r;

		snprintf(path, sizeof path, "%s: statements[%zu]", what, i);
		if (og_json_only_keys(x, path, stmt_keys, e) < 0 ||
		    og_json_str(x, "id", path, 1, (const char **)&st.id, e) < 0 ||
		    og_json_str(x, "status", path, 1, (const char **)&st.status, e) < 0 ||
		    og_json_str(x, "justification", path, 1, (const char **)&st.justification, e) < 0 ||
		    og_json_str(x, "author", path, 1, (const char **)&st.author, e) < 0 ||
		    og_json_str(x, "timestamp", path, 1, &ts, e) < 0 ||
		    og_json_arr(x, "packages", path, 1, &pk, e) < 0)
			return -1;
		if (!og_vuln_id_valid(st.id) || !valid_status(st.status))
			return og_fail(e, "%s: bad id or status", path);
		if (og_parse_rfc3339(ts, &st.timestamp, e) < 0)
			return og_wrap(e, "%s", path);
		if (json_array_size(pk) > OG_MAX_VEX_PACKAGES)
			return og_fail(e, "%s.packages: more than %d", path, OG_MAX_VEX_PACKAGES);
		const char *names[OG_MAX_VEX_PACKAGES];
		json_array_foreach(pk, k, p) {
			if (!json_is_string(p))
				return og_fail(e, "%s.packages[%zu]: expected a string", path, k);
			names[k] = json_string_value(p);
		}
		st.packages = (char **)names;
		st.npackages = k;	/* every element, each checked above */
		r = og_vex_set_merge(&set, &st, e);
		if (r < 0)
			return og_wrap(e, "%s", path);
	}
	*out = set;
	memset(&set, 0, sizeof set);
	return 0;
}

char *og_vex_set_dump(const struct og_vex_set *s, size_t *len)
{
	json_auto_t *o = json_object();
	json_t *arr = json_array();
	char *out;
	int bad = 0;

	if (o == NULL || arr == NULL) {
		json_decref(arr);
		return NULL;
	}
	bad |= json_object_set_new(o, "ocigate_vex", json_integer(1));
	bad |= json_object_set_new(o, "digest", json_string(s->digest));
	bad |= json_object_set_new(o, "statements", arr);
	for (size_t i = 0; i < s->n && !bad; i++) {
		const struct og_vex_stmt *st = &s->items[i];
		json_t *pk = json_array();
		char ts[32];

		og_format_rfc3339(st->timestamp, ts, sizeof ts);
		for (size_t k = 0; pk != NULL && k < st->npackages; k++)
			bad |= json_array_append_new(pk, json_string(st->packages[k]));
		bad |= json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o*}", "id", st->id,
							     "status", st->status, "justification",
							     st->justification, "author", st->author,
							     "timestamp", ts, "packages", pk));
	}
	if (bad)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (out != NULL)
		*len = strlen(out);
	return out;
}

const struct og_vex_stmt *og_vex_lookup(const struct og_vex_set *s, const char *id, const char *pkg)
{
	const struct og_vex_stmt *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		const struct og_vex_stmt *st = &s->items[i];
		int match = st->npackages == 0;

		if (strcmp(st->id, id) != 0)
			continue;
		for (size_t k = 0; !match && k < st->npackages; k++)
			match = strcmp(st->packages[k], pkg) == 0;
		if (match && (best == NULL || st->timestamp >= best->timestamp))
			best = st;
	}
	return best;
}

int og_vex_suppresses(const struct og_vex_stmt *st)
{
	return st != NULL && (strcmp(st->status, "not_affected") == 0 || strcmp(st->status, "fixed") == 0);
}
