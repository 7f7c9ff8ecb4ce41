#include "verify/trust/trust_sigstore.h"
#include "verify/trust/trust_scope.h"
#include "verify/sig/fulcio.h"
#include "verify/sig/san_pattern.h"
#include "verify/common/base64.h"
#include "hook/base/array.h"
#include "hook/base/cleanup.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int string_at(struct og_jr *r, const char *path, const char *key, const char **out)
{
	char where[160];

	og_bfmt(where, sizeof where, "%s.%s", path, key);
	return og_jr_string(r, where, out, NULL);
}

static int time_at(struct og_jr *r, const char *path, const char *key, int64_t *out, og_error *e)
{
	const char *s;

	if (string_at(r, path, key, &s) < 0)
		return -1;
	if (og_parse_rfc3339(s, out, e) < 0)
		return og_wrap(e, "%s.%s", path, key);
	return 0;
}

static int parse_root_entry(struct og_jr *r, struct og_trust_root_entry *re, const char *path, og_error *e)
{
	static const char *const members[] = { "name", "trusted_root", NULL };
	unsigned seen = 0;
	int m, i, rc = 0;

	if (og_jr_object(r, path) < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(r, members, &seen, path, &i)) == 1)
		rc = string_at(r, path, members[i], i == 0 ? &re->name : &re->b64);
	if (rc < 0 || m < 0)
		return -1;
	if (re->name == NULL || re->name[0] == '\0')
		return og_fail(e, "%s.name: missing or empty", path);
	if (re->b64 == NULL)
		return og_fail(e, "%s.trusted_root: missing", path);
	if (strlen(re->b64) > OG_MAX_TRUSTED_ROOT_BYTES / 3 * 4 + 4)
		return og_fail(e, "%s.trusted_root: larger than %d bytes", path, OG_MAX_TRUSTED_ROOT_BYTES);
	return 0;
}

static int parse_extensions(struct og_jr *r, struct og_trust_identity *id, const char *path, og_error *e)
{
	char xp[96];
	const char *key;
	int m;

	og_bfmt(xp, sizeof xp, "%s.extensions", path);
	if (og_jr_object(r, xp) < 0)
		return -1;
	while ((m = og_jr_member(r, &key)) == 1) {
		char *end;
		long n = strtol(key, &end, 10);
		struct og_keyless_extension *x = &id->extensions[id->nextensions];

		if (*key == '\0' || *end != '\0' || n < 9 || n > OG_FULCIO_EXT_MAX)
			return og_fail(e, "%s: \"%.20s\" is not a Fulcio extension number from 9 to %d", xp, key,
				       OG_FULCIO_EXT_MAX);
		for (size_t i = 0; i < id->nextensions; i++)
			if (id->extensions[i].n == (int)n)
				return og_fail(e, "%s: extension %ld given twice", xp, n);
		if (id->nextensions == OG_KEYLESS_MAX_EXTENSIONS)
			return og_fail(e, "%s: more than %d extensions", xp, OG_KEYLESS_MAX_EXTENSIONS);
		x->n = (int)n;
		if (string_at(r, xp, key, &x->value) < 0)
			return -1;
		id->nextensions++;
	}
	return m;
}

static int parse_identity(struct og_jr *r, struct og_trust_identity *id, const char *path, og_error *e)
{
	static const char *const members[] = { "name", "scopes", "san", "san_regex", "issuer", "extensions",
					       "root", "not_before", "not_after", NULL };
	enum { NAME, SCOPES, SAN, SAN_REGEX, ISSUER, EXTENSIONS, ROOT, NOT_BEFORE, NOT_AFTER };
	unsigned seen = 0;
	int m, i, rc = 0;

	id->name = "";
	if (og_jr_object(r, path) < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(r, members, &seen, path, &i)) == 1) {
		switch (i) {
		case NAME: rc = string_at(r, path, "name", &id->name); break;
		case SCOPES: rc = og_trust_scopes_parse(r, path, OG_MAX_IDENTITY_SCOPES, &id->scopes, &id->nscopes, e); break;
		case SAN: rc = string_at(r, path, "san", &id->san); break;
		case SAN_REGEX: rc = string_at(r, path, "san_regex", &id->san_regex); break;
		case ISSUER: rc = string_at(r, path, "issuer", &id->issuer); break;
		case EXTENSIONS: rc = parse_extensions(r, id, path, e); break;
		case ROOT: rc = string_at(r, path, "root", &id->root); break;
		case NOT_BEFORE: rc = time_at(r, path, "not_before", &id->not_before, e); break;
		case NOT_AFTER: rc = time_at(r, path, "not_after", &id->not_after, e); break;
		}
	}
	if (rc < 0 || m < 0)
		return -1;
	if (id->scopes == NULL)
		return og_fail(e, "%s.scopes: missing", path);
	if ((id->san == NULL) == (id->san_regex == NULL))
		return og_fail(e, "%s: needs exactly one of san and san_regex", path);
	if (id->san != NULL && (id->san[0] == '\0' || strlen(id->san) >= OG_FULCIO_MAX_IDENTITY))
		return og_fail(e, "%s.san: empty or longer than %d bytes", path, OG_FULCIO_MAX_IDENTITY - 1);
	if (id->san_regex != NULL && og_san_pattern_check(id->san_regex, e) < 0)
		return og_wrap(e, "%s.san_regex", path);
	/* An identity without an issuer would trust any OIDC provider that
	 * Fulcio accepts to vouch for that name. */
	if (id->issuer == NULL || id->issuer[0] == '\0')
		return og_fail(e, "%s.issuer: missing (an identity without an OIDC issuer is refused)", path);
	if (id->not_before && id->not_after && id->not_after <= id->not_before)
		return og_fail(e, "%s: not_after is not after not_before", path);
	return 0;
}

static int parse_revoked_identity(struct og_jr *r, struct og_trust_revoked_identity *ri, const char *path,
				  og_error *e)
{
	static const char *const members[] = { "san", "issuer", NULL };
	unsigned seen = 0;
	int m, i, rc = 0;

	if (og_jr_object(r, path) < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(r, members, &seen, path, &i)) == 1)
		rc = string_at(r, path, members[i], i == 0 ? &ri->san : &ri->issuer);
	if (rc < 0 || m < 0)
		return -1;
	if (ri->san == NULL || ri->san[0] == '\0' || strlen(ri->san) >= OG_FULCIO_MAX_IDENTITY)
		return og_fail(e, "%s.san: missing, empty or longer than %d bytes", path, OG_FULCIO_MAX_IDENTITY - 1);
	if (ri->issuer != NULL && ri->issuer[0] == '\0')
		return og_fail(e, "%s.issuer: empty (leave it out to revoke the SAN from every issuer)", path);
	return 0;
}

static int revoked_identity(struct og_jr *r, void *item, const char *path, og_error *e)
{
	return parse_revoked_identity(r, item, path, e);
}

static int root_entry(struct og_jr *r, void *item, const char *path, og_error *e)
{
	return parse_root_entry(r, item, path, e);
}

static int identity(struct og_jr *r, void *item, const char *path, og_error *e)
{
	return parse_identity(r, item, path, e);
}

/* An array of objects, each parsed by `one` into a fresh zeroed slot of
 * *items (size bytes each, at most max). */
static int parse_array(struct og_jr *r, const char *path, void **items, size_t *n, size_t size, size_t max,
		       int (*one)(struct og_jr *, void *, const char *, og_error *), og_error *e)
{
	size_t cap = 0;
	int m;

	if (og_jr_array(r, path) < 0)
		return -1;
	while ((m = og_jr_element(r)) == 1) {
		char ip[64];
		char *p;

		if (*n == max)
			return og_fail(e, "%s: more than %zu entries", path, max);
		if ((p = og_array_reserve(*items, &cap, *n, size)) == NULL)
			return og_fail_errno(e, ENOMEM, "%s", path);
		*items = p;
		memset(p + *n * size, 0, size);
		og_bfmt(ip, sizeof ip, "%s[%zu]", path, *n);
		if (one(r, p + (*n)++ * size, ip, e) < 0)
			return -1;
	}
	return m;
}

int og_trust_revoked_identities_parse(struct og_jr *r, struct og_trust_sigstore *s, og_error *e)
{
	return parse_array(r, "$.revoked.identities", (void **)&s->revoked, &s->nrevoked, sizeof *s->revoked,
			   OG_MAX_STORE_IDENTITIES, revoked_identity, e);
}

size_t og_trust_identity_revoked(const struct og_trust_sigstore *s, const char *san, const char *issuer)
{
	for (size_t i = 0; i < s->nrevoked; i++)
		if (strcmp(s->revoked[i].san, san) == 0 &&
		    (s->revoked[i].issuer == NULL || strcmp(s->revoked[i].issuer, issuer) == 0))
			return i + 1;
	return 0;
}

/* out is zeroed by its owner: $.revoked.identities may come first. */
int og_trust_sigstore_parse(struct og_jr *r, struct og_trust_sigstore *out, int check_roots, og_error *e)
{
	static const char *const members[] = { "roots", "identities", NULL };
	unsigned seen = 0;
	int m, i, rc = 0;

	if (og_jr_object(r, "$.sigstore") < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(r, members, &seen, "$.sigstore", &i)) == 1)
		rc = i == 0 ? parse_array(r, "$.sigstore.roots", (void **)&out->roots, &out->nroots,
					  sizeof *out->roots, OG_MAX_STORE_ROOTS, root_entry, e)
			    : parse_array(r, "$.sigstore.identities", (void **)&out->identities, &out->nidentities,
					  sizeof *out->identities, OG_MAX_STORE_IDENTITIES, identity, e);
	if (rc < 0 || m < 0)
		return -1;
	for (size_t a = 0; a < out->nroots; a++)
		for (size_t b = a + 1; b < out->nroots; b++)
			if (strcmp(out->roots[a].name, out->roots[b].name) == 0)
				return og_fail(e, "$.sigstore.roots: name \"%.60s\" given twice", out->roots[a].name);
	for (size_t k = 0; k < out->nidentities; k++) {
		const char *want = out->identities[k].root;
		size_t a;

		if (want == NULL)
			continue;
		for (a = 0; a < out->nroots && strcmp(out->roots[a].name, want) != 0; a++)
			;
		if (a == out->nroots)
			return og_fail(e, "$.sigstore.identities[%zu].root: no trusted root named \"%.60s\"", k, want);
	}
	if (out->nidentities > 0 && out->nroots == 0)
		return og_fail(e, "$.sigstore: identities without any trusted root");
	for (size_t a = 0; check_roots && a < out->nroots; a++) {
		const struct og_trusted_root *tr;

		if (og_trust_sigstore_root(out, a, &tr, e) < 0)
			return -1;
	}
	return 0;
}

int og_trust_sigstore_check_document(const char *data, size_t len, og_error *e)
{
	og_cleanup_free char *copy = malloc(len + 1);
	og_error ignored = { 0 };
	struct og_trust_sigstore sec = { 0 };
	struct og_jr r;
	const char *key;
	int rc;

	if (copy == NULL)
		return og_fail_errno(e, ENOMEM, "sigstore section");
	memcpy(copy, data, len);
	copy[len] = '\0';
	/* Everything but the section is og_trust_store_load's to judge. */
	og_jr_init(&r, copy, len, "document", &ignored);
	if (og_jr_object(&r, "$") < 0)
		return 0;
	while (og_jr_member(&r, &key) == 1) {
		if (strcmp(key, "sigstore") != 0) {
			if (og_jr_skip(&r) < 0)
				return 0;
			continue;
		}
		r.e = e;
		rc = og_trust_sigstore_parse(&r, &sec, 1, e);
		for (size_t i = 0; rc == 0 && i < sec.nroots; i++) {
			const struct og_trusted_root *tr;
			char what[96];

			og_bfmt(what, sizeof what, "$.sigstore.roots[%zu] (%.40s)", i, sec.roots[i].name);
			rc = og_trust_sigstore_root(&sec, i, &tr, e) < 0 ? -1 : og_trusted_root_check_chains(tr, what, e);
		}
		og_trust_sigstore_free(&sec);
		return rc;
	}
	return 0;
}

int og_trust_sigstore_root(struct og_trust_sigstore *s, size_t i, const struct og_trusted_root **root, og_error *e)
{
	struct og_trust_root_entry *re = &s->roots[i];

	if (re->state == 0) {
		unsigned char *doc = NULL;
		size_t len;
		og_error pe = { 0 };
		char what[128];

		og_bfmt(what, sizeof what, "$.sigstore.roots[%zu] (%.60s)", i, re->name);
		re->state = -1;
		re->root = calloc(1, sizeof *re->root);
		if (re->root == NULL)
			og_bfmt(re->error, sizeof re->error, "%s: out of memory", what);
		else if (og_base64_decode(re->b64, strlen(re->b64), 0, "trusted_root", &doc, &len, &pe) < 0 ||
			 og_trusted_root_parse((const char *)doc, len, what, re->root, &pe) < 0)
			og_bfmt(re->error, sizeof re->error, "%s%s%s", strstr(pe.msg, what) ? "" : what,
				strstr(pe.msg, what) ? "" : ": ", pe.msg);
		else
			re->state = 1;
		free(doc);
	}
	if (re->state < 0)
		return og_fail(e, "%s", re->error);
	*root = re->root;
	return 0;
}

void og_trust_sigstore_free(struct og_trust_sigstore *s)
{
	for (size_t i = 0; i < s->nroots; i++)
		if (s->roots[i].root != NULL) {
			og_trusted_root_free(s->roots[i].root);
			free(s->roots[i].root);
		}
	for (size_t i = 0; i < s->nidentities; i++)
		free(s->identities[i].scopes);
	free(s->roots);
	free(s->identities);
	free(s->revoked);
	memset(s, 0, sizeof *s);
}

static void describe_window(FILE *out, const char *indent, const struct og_tr_window *w)
{
	char a[32], b[32] = "open";

	og_format_rfc3339(w->start, a, sizeof a);
	if (w->end)
		og_format_rfc3339(w->end, b, sizeof b);
	fprintf(out, "%svalid %s .. %s\n", indent, a, b);
}

void og_trust_sigstore_describe(struct og_trust_sigstore *s, FILE *out)
{
	char when[32];

	fprintf(out, "sigstore trusted roots: %zu\n", s->nroots);
	for (size_t i = 0; i < s->nroots; i++) {
		const struct og_trusted_root *tr;
		og_error e = { 0 };

		if (og_trust_sigstore_root(s, i, &tr, &e) < 0) {
			fprintf(out, "  [%zu] %s: UNUSABLE: %s\n", i, s->roots[i].name, e.msg);
			continue;
		}
		fprintf(out, "  [%zu] %s: %zu CA(s), %zu transparency log(s), %zu CT log(s), %zu TSA(s)\n", i,
			s->roots[i].name, tr->ncas, tr->ntlogs, tr->nctlogs, tr->ntsas);
		for (size_t j = 0; j < tr->ncas; j++) {
			fprintf(out, "      CA %s\n", tr->cas[j].uri[0] ? tr->cas[j].uri : "(unnamed)");
			describe_window(out, "        ", &tr->cas[j].valid);
		}
		for (size_t j = 0; j < tr->ntlogs; j++) {
			fprintf(out, "      log %s\n", tr->tlogs[j].url[0] ? tr->tlogs[j].url : "(unnamed)");
			describe_window(out, "        ", &tr->tlogs[j].valid);
		}
		for (size_t j = 0; j < tr->nctlogs; j++) {
			fprintf(out, "      CT log %s\n", tr->ctlogs[j].url[0] ? tr->ctlogs[j].url : "(unnamed)");
			describe_window(out, "        ", &tr->ctlogs[j].valid);
		}
		for (size_t j = 0; j < tr->ntsas; j++) {
			fprintf(out, "      TSA %s\n", tr->tsas[j].uri[0] ? tr->tsas[j].uri : "(unnamed)");
			describe_window(out, "        ", &tr->tsas[j].valid);
		}
	}
	fprintf(out, "keyless identities: %zu\n", s->nidentities);
	for (size_t i = 0; i < s->nidentities; i++) {
		const struct og_trust_identity *id = &s->identities[i];

		fprintf(out, "  [%zu] %s%s%s\n      %s %s\n      issuer %s\n", i, id->name,
			id->root ? " root " : "", id->root ? id->root : "", id->san ? "san" : "san_regex",
			id->san ? id->san : id->san_regex, id->issuer);
		for (size_t j = 0; j < id->nextensions; j++)
			fprintf(out, "      extension " OG_FULCIO_OID_PREFIX "%d = %s\n", id->extensions[j].n,
				id->extensions[j].value);
		if (id->not_before) {
			og_format_rfc3339(id->not_before, when, sizeof when);
			fprintf(out, "      not before %s\n", when);
		}
		if (id->not_after) {
			og_format_rfc3339(id->not_after, when, sizeof when);
			fprintf(out, "      not after %s\n", when);
		}
		for (size_t j = 0; j < id->nscopes; j++)
			fprintf(out, "      scope %s\n", id->scopes[j]);
	}
	fprintf(out, "revoked identities: %zu\n", s->nrevoked);
	for (size_t i = 0; i < s->nrevoked; i++)
		fprintf(out, "  san %s issuer %s\n", s->revoked[i].san,
			s->revoked[i].issuer ? s->revoked[i].issuer : "(any)");
}
