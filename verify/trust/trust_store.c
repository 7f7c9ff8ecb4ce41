#include "verify/trust/trust_store.h"
#include "verify/trust/trust_scope.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "hook/base/array.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/json_reader.h"
#include "hook/base/jsonutil.h"
#include "hook/base/timeutil.h"
#include "verify/trust/trust_cache.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"
#include "hook/base/strict_modes.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sig_path(const char *store, char *out, size_t size, og_error *e)
{
	int n = og_bfmt(out, size, "%s.sig", store);

	if (n < 0 || (size_t)n >= size)
		return og_fail(e, "trust store %s: path too long", store);
	return 0;
}

/* One item of the signature file: exactly {"keyid": 64 hex, "sig": bounded}. */
static int check_root_sig(const char *path, size_t i, json_t *item, og_error *e)
{
	static const char *const keys[] = { "keyid", "sig", NULL };
	char ip[PATH_MAX + 32];
	const char *kid, *sig;

	og_bfmt(ip, sizeof ip, "%s: signatures[%zu]", path, i);
	if (!json_is_object(item))
		return og_fail(e, "signature file %s: expected an object", ip);
	if (og_json_only_keys(item, ip, keys, e) < 0 ||
	    og_json_str(item, "keyid", ip, 1, &kid, e) < 0 ||
	    og_json_str(item, "sig", ip, 1, &sig, e) < 0)
		return og_wrap(e, "signature file");
	if (!og_hex_valid(kid, 64))
		return og_fail(e, "signature file %s.keyid: expected 64 lowercase hex", ip);
	if (strlen(sig) > OG_MAX_SIGNATURE_BYTES * 2)
		return og_fail(e, "signature file %s.sig: too long", ip);
	return 0;
}

/* Check the whole signature file (its bytes, named by what) before any key
 * is tried.  *doc owns the tree (the caller frees it, on error too); *sigs
 * is its array. */
static int parse_root_sigs(const char *sig, size_t siglen, const char *path, json_t **doc, json_t **sigs,
			   og_error *e)
{
	static const char *const top[] = { "signatures", NULL };
	json_t *item;
	size_t i;

	if (siglen > OG_MAX_TRUST_SIG_BYTES)
		return og_fail(e, "signature file %s: larger than %d bytes", path, OG_MAX_TRUST_SIG_BYTES);
	*doc = og_json_parse(sig, siglen, path, e);
	if (*doc == NULL)
		return og_wrap(e, "signature file");
	if (og_json_only_keys(*doc, path, top, e) < 0 ||
	    og_json_arr(*doc, "signatures", path, 1, sigs, e) < 0)
		return og_wrap(e, "signature file");
	if (json_array_size(*sigs) > OG_MAX_TRUST_SIGS)
		return og_fail(e, "signature file %s: more than %d signatures", path, OG_MAX_TRUST_SIGS);
	json_array_foreach(*sigs, i, item)
		if (check_root_sig(path, i, item, e) < 0)
			return -1;
	return 0;
}

/* Whether one of the (checked) signatures by root key k verifies over the
 * store bytes; otherwise why keeps the last reason. */
static int root_key_signed(EVP_PKEY *k, const char *kid, const og_buf *store, json_t *sigs,
			   og_error *ke, char *why, size_t wsize)
{
	json_t *item;
	size_t i;
	int found = 0;

	json_array_foreach(sigs, i, item) {
		const char *sig = json_string_value(json_object_get(item, "sig"));
		unsigned char *raw = NULL;
		size_t rlen;

		if (strcmp(json_string_value(json_object_get(item, "keyid")), kid) != 0)
			continue;
		found = 1;
		if (og_base64_decode(sig, strlen(sig), 0, "signature", &raw, &rlen, ke) < 0) {
			og_bfmt(why, wsize, "root key %.16s: %.200s", kid, ke->msg);
			continue;
		}
		if (og_key_verify(k, store->data, store->len, raw, rlen, ke) == 0) {
			free(raw);
			return 1;
		}
		free(raw);
		og_bfmt(why, wsize, "bad signature by root key %.16s", kid);
	}
	if (!found && why[0] == '\0')
		og_bfmt(why, wsize, "no signature by root key %.16s", kid);
	return 0;
}

/* The number of distinct root keys (c->nroot <= OG_MAX_ROOT_KEYS, checked by
 * the caller) with a valid signature; why keeps the last failure. */
static size_t count_root_signers(const struct og_trust_roots *c, const og_buf *store,
				 json_t *sigs, char *why, size_t wsize)
{
	char seen[OG_MAX_ROOT_KEYS][OG_KEYID_HEX];
	size_t nseen = 0, nsigned = 0;

	for (size_t r = 0; r < c->nroot; r++) {
		og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
		char kid[OG_KEYID_HEX];
		og_error ke = { 0 };
		int dup = 0;

		if (og_key_load_file(c->root_keys[r], &k, &ke) < 0 || og_key_id(k, kid, &ke) < 0) {
			og_bfmt(why, wsize, "root key %.300s unusable: %.200s", c->root_keys[r],
				ke.msg);
			continue;
		}
		/* The same key listed twice counts once toward the threshold. */
		for (size_t s = 0; s < nseen; s++)
			dup |= strcmp(seen[s], kid) == 0;
		if (dup)
			continue;
		memcpy(seen[nseen++], kid, OG_KEYID_HEX);
		if (root_key_signed(k, kid, store, sigs, &ke, why, wsize))
			nsigned++;
	}
	return nsigned;
}

int og_trust_roots_verify(const struct og_trust_roots *c, const og_buf *data, const char *sig, size_t siglen,
			  const char *sig_name, size_t *nsigned, og_error *e)
{
	char why[OG_ERROR_MAX / 2] = "";
	json_auto_t *sd = NULL;
	json_t *sigs = NULL;

	*nsigned = 0;
	if (c->nroot == 0)
		return og_fail(e, "no root keys configured");
	if (c->nroot > OG_MAX_ROOT_KEYS)
		return og_fail(e, "more than %d root keys", OG_MAX_ROOT_KEYS);
	if (c->threshold < 1)
		return og_fail(e, "a threshold of at least 1 root key is needed");
	if (parse_root_sigs(sig, siglen, sig_name, &sd, &sigs, e) < 0)
		return -1;
	*nsigned = count_root_signers(c, data, sigs, why, sizeof why);
	if ((int)*nsigned < c->threshold)
		return og_fail(e, "signed by %zu of the required %d root keys%s%s", *nsigned, c->threshold,
			       why[0] ? ": " : "", why);
	return 0;
}

/* Count the root keys with a valid signature over the exact store bytes. */
static int verify_roots(const struct og_trust_store_config *c, const og_buf *store, size_t *nsigned,
			og_error *e)
{
	const struct og_trust_roots roots = { c->root_keys, c->nroot, c->threshold };
	og_cleanup_buf og_buf sb = { 0 };
	char path[PATH_MAX];

	*nsigned = 0;
	if (c->nroot == 0)
		return og_fail(e, "no root keys configured");
	if (sig_path(c->store_path, path, sizeof path, e) < 0)
		return -1;
	if (og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &sb, e) < 0)
		return og_wrap(e, "signature file");
	return og_trust_roots_verify(&roots, store, sb.data, sb.len, path, nsigned, e);
}

/* Member `key` of the object at `path` as a string (in the store's buffer). */
static int member_string(struct og_jr *r, const char *path, const char *key, const char **out)
{
	if (og_jr_peek(r) != OG_JR_STRING) {
		char where[128];

		og_bfmt(where, sizeof where, "%s.%s", path, key);
		return og_jr_string(r, where, out, NULL);	/* refused, naming where */
	}
	return og_jr_string(r, path, out, NULL);
}

static int member_time(struct og_jr *r, const char *path, const char *key, int64_t *out, og_error *e)
{
	const char *s;

	if (member_string(r, path, key, &s) < 0)
		return -1;
	if (og_parse_rfc3339(s, out, e) < 0)
		return og_wrap(e, "%s.%s", path, key);
	return 0;
}

/* Write "[i]" at out + len (out has room for 24 more bytes): paths are
 * made for every allowlist entry, so without printf. */
static void put_index(char *out, size_t len, size_t i)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	out[len++] = '[';
	while (n > 0)
		out[len++] = digits[--n];
	out[len++] = ']';
	out[len] = '\0';
}

/* A path ending in "[i]" now ends in "[i + 1]" (room for one more digit):
 * the allowlist's paths only ever reach error messages, so counting in
 * place beats printing the index for each of thousands of entries. */
static void next_index(char *path)
{
	size_t close = strlen(path) - 1, i = close;

	while (path[--i] == '9')
		path[i] = '0';
	if (path[i] != '[') {
		path[i]++;
		return;
	}
	/* "[99]" -> "[100]": one more digit, the rest moves right */
	for (size_t j = close + 2; j > i + 1; j--)	/* the NUL too */
		path[j] = path[j - 1];
	path[i + 1] = '1';
}

/* "PREFIX[i]"; a prefix too long for out is cut. */
static void index_path(char *out, size_t size, const char *prefix, size_t i)
{
	size_t len = strnlen(prefix, size);

	if (len + 24 > size)
		len = size - 24;
	memcpy(out, prefix, len);
	put_index(out, len, i);
}

static int parse_key(struct og_jr *r, struct og_trust_key *k, const char *path, og_error *e)
{
	static const char *const members[] = { "name", "key", "scopes", "not_before", "not_after", NULL };
	enum { NAME, KEY, SCOPES, NOT_BEFORE, NOT_AFTER };
	unsigned seen = 0;
	int m, i, rc = 0;

	k->name = "";
	if (og_jr_object(r, path) < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(r, members, &seen, path, &i)) == 1) {
		switch (i) {
		case NAME: rc = member_string(r, path, "name", &k->name); break;
		case KEY: rc = member_string(r, path, "key", &k->pem); break;
		case SCOPES: rc = og_trust_scopes_parse(r, path, OG_MAX_KEY_SCOPES, &k->scopes, &k->nscopes, e); break;
		case NOT_BEFORE: rc = member_time(r, path, "not_before", &k->not_before, e); break;
		case NOT_AFTER: rc = member_time(r, path, "not_after", &k->not_after, e); break;
		}
	}
	if (rc < 0 || m < 0)
		return -1;
	if (k->pem == NULL)
		return og_fail(e, "%s.key: missing", path);
	if (k->scopes == NULL)
		return og_fail(e, "%s.scopes: missing", path);
	if (strlen(k->pem) > OG_MAX_KEY_FILE_BYTES)
		return og_fail(e, "%s.key: larger than %d bytes", path, OG_MAX_KEY_FILE_BYTES);
	if (k->not_before && k->not_after && k->not_after <= k->not_before)
		return og_fail(e, "%s: not_after is not after not_before", path);
	return 0;
}

static int parse_keys(struct og_jr *r, struct og_trust_store *s, og_error *e)
{
	size_t cap = 0;
	void *p;
	int m;

	if (og_jr_array(r, "$.keys") < 0)
		return -1;
	while ((m = og_jr_element(r)) == 1) {
		char path[64];

		if (s->nkeys == OG_MAX_STORE_KEYS)
			return og_fail(e, "$.keys: more than %d keys", OG_MAX_STORE_KEYS);
		if ((p = og_array_reserve(s->keys, &cap, s->nkeys, sizeof *s->keys)) == NULL)
			return og_fail_errno(e, ENOMEM, "$.keys");
		s->keys = p;
		memset(&s->keys[s->nkeys], 0, sizeof *s->keys);
		index_path(path, sizeof path, "$.keys", s->nkeys);
		if (parse_key(r, &s->keys[s->nkeys++], path, e) < 0)
			return -1;
	}
	return m;
}

/* The allowlist: the part of a store that grows to thousands of entries. */
static int parse_images(struct og_jr *r, struct og_trust_store *s, og_error *e)
{
	static const char *const members[] = { "digest", "repository", NULL };
	char path[64] = "$.images[0]";
	size_t cap = 0;
	void *p;
	int m;

	if (og_jr_array(r, "$.images") < 0)
		return -1;
	for (; (m = og_jr_element(r)) == 1; next_index(path)) {
		const char *v[2] = { NULL, NULL };
		struct og_trust_image im;

		if (og_jr_string_object(r, path, members, v) < 0)
			return -1;
		im = (struct og_trust_image){ .digest = v[0], .repository = v[1] };
		if (im.digest == NULL)
			return og_fail(e, "%s.digest: missing", path);
		if (im.repository == NULL)
			return og_fail(e, "%s.repository: missing", path);
		if (!og_digest_valid(im.digest))
			return og_fail(e, "%s.digest: expected sha256:<64 lowercase hex>", path);
		if (!og_repo_valid(im.repository))
			return og_fail(e, "%s.repository: not a repository name", path);
		if ((p = og_array_reserve(s->images, &cap, s->nimages, sizeof *s->images)) == NULL)
			return og_fail_errno(e, ENOMEM, "$.images");
		s->images = p;
		s->images[s->nimages++] = im;
	}
	return m;
}

/* The allowlist of a store the store-signatures record says was validated
 * in full: its entries are {"digest", "repository"} objects of plain strings
 * that og_digest_valid and og_repo_valid accepted.  Only a repository with
 * an IPv6 host ("[::1]:5000/app") holds a bracket, and nothing nests, so
 * the array ends at the first ']' unless a '[' comes before it.  Such a
 * host, or an escape anywhere (legal JSON, never written by ocigate), has
 * the list read strictly instead: the lookup searches the bytes as written. */
static int skip_images(struct og_jr *r, struct og_trust_store *s)
{
	const char *open, *close;

	if (og_jr_peek(r) != OG_JR_ARRAY)
		return 1;
	open = r->p;
	close = memchr(open, ']', (size_t)(r->end - open));
	if (close == NULL || memchr(open + 1, '[', (size_t)(close - open - 1)) != NULL ||
	    memchr(open, '\\', (size_t)(close - open)) != NULL)
		return 1;
	s->images_at = open;
	s->images_end = close + 1;
	r->p = (char *)close + 1;	/* the value is consumed; the reader's depth is unchanged */
	return 0;
}

/* Allowed base images (the image.base rule): {"repository": scope pattern,
 * "digest": optional sha256}. */
static int parse_bases(struct og_jr *r, struct og_trust_store *s, og_error *e)
{
	static const char *const members[] = { "repository", "digest", NULL };
	char path[64] = "$.bases[0]";
	size_t cap = 0;
	void *p;
	int m;

	if (og_jr_array(r, "$.bases") < 0)
		return -1;
	for (; (m = og_jr_element(r)) == 1; next_index(path)) {
		const char *v[2] = { NULL, NULL };

		if (og_jr_string_object(r, path, members, v) < 0)
			return -1;
		if (v[0] == NULL)
			return og_fail(e, "%s.repository: missing", path);
		if (!og_trust_scope_valid(v[0]))
			return og_fail(e, "%s.repository: not a repository name or \"host/path/*\"", path);
		if (v[1] != NULL && !og_digest_valid(v[1]))
			return og_fail(e, "%s.digest: expected sha256:<64 lowercase hex>", path);
		if ((p = og_array_reserve(s->bases, &cap, s->nbases, sizeof *s->bases)) == NULL)
			return og_fail_errno(e, ENOMEM, "$.bases");
		s->bases = p;
		s->bases[s->nbases++] = (struct og_trust_image){ .digest = v[1], .repository = v[0] };
	}
	return m;
}

/* An array of digests or key ids. */
static int parse_list(struct og_jr *r, const char *path, int digests, const char ***out, size_t *n,
		      og_error *e)
{
	size_t cap = 0;
	void *p;
	int m;

	if (og_jr_array(r, path) < 0)
		return -1;
	while ((m = og_jr_element(r)) == 1) {
		char ip[64];
		const char *v;

		index_path(ip, sizeof ip, path, *n);
		if (og_jr_string(r, ip, &v, NULL) < 0)
			return -1;
		if (digests ? !og_digest_valid(v) : !og_hex_valid(v, 64))
			return og_fail(e, "%s: expected %s", ip,
				       digests ? "sha256:<64 lowercase hex>" : "a key id (64 lowercase hex)");
		if ((p = og_array_reserve(*out, &cap, *n, sizeof **out)) == NULL)
			return og_fail_errno(e, ENOMEM, "%s", path);
		*out = p;
		(*out)[(*n)++] = v;
	}
	return m;
}

static int parse_revoked(struct og_jr *r, struct og_trust_store *s, og_error *e)
{
	static const char *const members[] = { "keys", "digests", "identities", NULL };
	unsigned seen = 0;
	int m, i;

	if (og_jr_object(r, "$.revoked") < 0)
		return -1;
	while ((m = og_jr_member_of(r, members, &seen, "$.revoked", &i)) == 1)
		if (i == 0 ? parse_list(r, "$.revoked.keys", 0, &s->revoked_keys, &s->nrevoked_keys, e) < 0
		    : i == 1 ? parse_list(r, "$.revoked.digests", 1, &s->revoked_digests, &s->nrevoked_digests, e) < 0
			     : og_trust_revoked_identities_parse(r, &s->sigstore, e) < 0)
			return -1;
	return m;
}

/* Parse the verified bytes in place: the strings point into s->raw.  With
 * `validated` (the store-signatures record holds), the allowlist is left
 * for og_trust_allowlisted to search when skip_images can (the store was
 * checked entry by entry when the record was made). */
static int parse_store(struct og_trust_store *s, int validated, og_error *e)
{
	static const char *const members[] = { "version", "expires", "keys", "images", "revoked",
						"bases", "sigstore", NULL };
	enum { VERSION, EXPIRES, KEYS, IMAGES, REVOKED, BASES, SIGSTORE };
	struct og_jr r;
	unsigned seen = 0;
	int m, i, rc = 0;

	og_jr_init(&r, s->raw.data, s->raw.len, "document", e);
	if (og_jr_object(&r, "$") < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member_of(&r, members, &seen, "$", &i)) == 1) {
		switch (i) {
		case VERSION: rc = og_jr_int(&r, "$.version", 1, OG_TRUST_MAX_VERSION, &s->version); break;
		case EXPIRES: rc = member_time(&r, "$", "expires", &s->expires, e); break;
		case KEYS: rc = parse_keys(&r, s, e); break;
		case IMAGES:
			if (!validated || skip_images(&r, s) != 0)
				rc = parse_images(&r, s, e);
			break;
		case REVOKED: rc = parse_revoked(&r, s, e); break;
		case BASES: rc = parse_bases(&r, s, e); break;
		case SIGSTORE: rc = og_trust_sigstore_parse(&r, &s->sigstore, !validated, e); break;
		}
	}
	if (rc < 0 || m < 0 || og_jr_finish(&r) < 0)
		return -1;
	if (!(seen & 1u << VERSION))
		return og_fail(e, "$.version: missing");
	if (!(seen & 1u << EXPIRES))
		return og_fail(e, "$.expires: missing");
	return 0;
}

/* Refuse a version lower than the floor; raise the floor to a higher one. */
static int check_rollback(const struct og_trust_store_config *c, struct og_trust_store *s, og_error *e)
{
	if (og_trust_state_read(c->state_dir, &s->previous_version, e) < 0)
		return -1;
	if (s->version < s->previous_version)
		return og_fail(e, "rolled back: version %" PRId64 " is lower than the accepted version %" PRId64,
			       s->version, s->previous_version);
	if (s->version > s->previous_version && c->update_state && !c->keep_floor)
		return og_trust_state_raise(c->state_dir, s->version, e);
	return 0;
}

/* One file the store's acceptance rests on; a missing one is left to its
 * reader, which says so in its own words. */
static int check_file(const char *what, const char *path, og_error *e)
{
	struct stat st;

	if (og_strict_modes(path, geteuid(), &st, e) == 0)
		return 0;
	if (e->errnum == ENOENT) {
		og_error_clear(e);
		return 0;
	}
	return what ? og_wrap(e, "%s", what) : -1;
}

static int check_trust_files(const struct og_trust_store_config *c, og_error *e)
{
	char path[PATH_MAX];

	if (check_file(NULL, c->store_path, e) < 0 || sig_path(c->store_path, path, sizeof path, e) < 0 ||
	    check_file("signature file", path, e) < 0)
		return -1;
	for (size_t i = 0; i < c->nroot; i++)
		if (check_file("root key", c->root_keys[i], e) < 0)
			return -1;
	return 0;
}

int og_trust_store_files_safe(const struct og_trust_store_config *c, og_error *e)
{
	if (check_trust_files(c, e) < 0 || (c->state_dir != NULL && og_trust_state_check(c->state_dir, e) < 0))
		return og_wrap(e, "trust store %s", c->store_path);
	return 0;
}

/* The store's root signatures: on record as verified under the same
 * settings and files (trust_cache.h; only for the hook, which keeps state),
 * or verified now.  st is the store's status after its bytes were read.
 * fp gets what to record once the whole store is accepted: the
 * fingerprint when the signatures were verified now and none of those
 * files changed while they were read, else "". */
static int roots_fingerprint(const struct og_trust_store_config *c, const struct stat *st, char *fp,
			     size_t size)
{
	return og_trust_cache_roots_fingerprint(c->store_path, c->threshold, c->root_keys, c->nroot, st,
						fp, size);
}

static int check_roots(const struct og_trust_store_config *c, const struct stat *st,
		       struct og_trust_store *s, char fp[OG_TRUST_CACHE_FP_MAX], int *recorded,
		       og_error *e)
{
	char after[OG_TRUST_CACHE_FP_MAX];
	int have_fp = c->update_state && c->state_dir != NULL && c->nroot > 0 && c->threshold >= 1 &&
		      roots_fingerprint(c, st, fp, OG_TRUST_CACHE_FP_MAX) == 0;

	/* A record made under another threshold would not match; the count is
	 * checked all the same. */
	*recorded = 0;
	if (have_fp && og_trust_cache_roots_lookup(c->state_dir, fp, &s->nsigned) &&
	    s->nsigned >= (size_t)c->threshold && s->nsigned <= c->nroot) {
		fp[0] = '\0';
		*recorded = 1;
		return 0;
	}
	if (verify_roots(c, &s->raw, &s->nsigned, e) < 0)
		return -1;
	if (!have_fp || roots_fingerprint(c, st, after, sizeof after) < 0 ||
	    strcmp(fp, after) != 0)
		fp[0] = '\0';
	return 0;
}

int og_trust_store_load(const struct og_trust_store_config *c, struct og_trust_store **out, og_error *e)
{
	struct og_trust_store *s;
	struct stat st;
	char when[32], fp[OG_TRUST_CACHE_FP_MAX];
	int recorded;

	if (check_trust_files(c, e) < 0)
		return og_wrap(e, "trust store %s", c->store_path);
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return og_fail_errno(e, ENOMEM, "trust store");
	if (og_read_file_stat(c->store_path, OG_MAX_TRUST_STORE_BYTES, &s->raw, &st, e) < 0) {
		free(s);
		return og_wrap(e, "trust store");
	}
	/* Signature over the raw bytes first; only then parse what they say. */
	if (check_roots(c, &st, s, fp, &recorded, e) < 0 || parse_store(s, recorded, e) < 0)
		goto fail;
	if (og_now() >= s->expires) {
		og_format_rfc3339(s->expires, when, sizeof when);
		og_fail(e, "expired at %s", when);
		goto fail;
	}
	if (c->state_dir != NULL && check_rollback(c, s, e) < 0)
		goto fail;
	/* Recorded once the store is accepted (and its state directory exists). */
	if (fp[0] != '\0')
		og_trust_cache_roots_store(c->state_dir, fp, s->nsigned);
	*out = s;
	return 0;
fail:
	og_trust_store_free(s);
	return og_wrap(e, "trust store %s", c->store_path);
}

void og_trust_store_free(struct og_trust_store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nkeys; i++) {
		EVP_PKEY_free(s->keys[i].pkey);
		free(s->keys[i].scopes);
	}
	free(s->keys);
	free(s->images);
	free(s->bases);
	free(s->revoked_keys);
	free(s->revoked_digests);
	og_trust_sigstore_free(&s->sigstore);
	og_buf_free(&s->raw);
	free(s);
}

int og_trust_store_key(struct og_trust_store *s, size_t i, EVP_PKEY **k, og_error *e)
{
	struct og_trust_key *tk = &s->keys[i];

	if (tk->state == 0) {
		og_error ke = { 0 };
		char what[64];

		og_bfmt(what, sizeof what, "trust store keys[%zu]", i);
		if (og_key_from_pem(tk->pem, strlen(tk->pem), what, &tk->pkey, &ke) < 0 ||
		    og_key_id(tk->pkey, tk->keyid, &ke) < 0) {
			tk->state = -1;
			og_bfmt(tk->error, sizeof tk->error, "%s", ke.msg);
		} else {
			tk->state = 1;
		}
	}
	if (tk->state < 0)
		return og_fail(e, "%s", tk->error);
	*k = tk->pkey;
	return 0;
}

int og_trust_store_check_keys(struct og_trust_store *s, og_error *e)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		og_error ke = { 0 };
		EVP_PKEY *k;

		if (og_trust_store_key(s, i, &k, &ke) < 0)
			return og_fail(e, "%s%s%.64s%s: the hook would never use this key", ke.msg,
				       s->keys[i].name[0] ? " (key \"" : "", s->keys[i].name,
				       s->keys[i].name[0] ? "\")" : "");
	}
	return 0;
}

int og_trust_store_parse_file(const char *path, struct og_trust_store **out, og_error *e)
{
	struct og_trust_store *s = calloc(1, sizeof *s);

	if (s == NULL)
		return og_fail_errno(e, ENOMEM, "trust store");
	if (og_read_file(path, OG_MAX_TRUST_STORE_BYTES, &s->raw, e) < 0 || parse_store(s, 0, e) < 0) {
		og_trust_store_free(s);
		return og_wrap(e, "trust store %s", path);
	}
	*out = s;
	return 0;
}

int og_trust_scope_match(const char *pattern, const char *repo)
{
	size_t plen = strlen(pattern);

	if (strcmp(pattern, "*") == 0)
		return repo[0] != '\0';
	if (plen >= 2 && strcmp(pattern + plen - 2, "/*") == 0)
		return strncmp(repo, pattern, plen - 1) == 0 && repo[plen - 1] != '\0';
	return strcmp(pattern, repo) == 0;
}

int og_trust_key_in_scope(const struct og_trust_key *k, const char *repo)
{
	if (repo == NULL || repo[0] == '\0')
		return 0;
	for (size_t i = 0; i < k->nscopes; i++)
		if (og_trust_scope_match(k->scopes[i], repo))
			return 1;
	return 0;
}

static int in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int og_trust_base_allowed(const struct og_trust_store *s, const char *repo, const char *digest)
{
	for (size_t i = 0; i < s->nbases; i++)
		if (og_trust_scope_match(s->bases[i].repository, repo) &&
		    (s->bases[i].digest == NULL || strcmp(s->bases[i].digest, digest) == 0))
			return 1;
	return 0;
}

int og_trust_key_revoked(const struct og_trust_store *s, const char *keyid)
{
	return in_list(s->revoked_keys, s->nrevoked_keys, keyid);
}

int og_trust_digest_revoked(const struct og_trust_store *s, const char *digest)
{
	return in_list(s->revoked_digests, s->nrevoked_digests, digest);
}

/* The allowlist as skip_images left it: the digest, quoted, is the value of
 * a "digest" member (no repository can be "sha256:..."), inside an object
 * with no brace in its strings.  That one entry is read and checked as the
 * strict path checks every entry. */
static const char *allowlisted_in_bytes(struct og_trust_store *s, const char *digest)
{
	static const char *const members[] = { "digest", "repository", NULL };
	char quoted[OG_DIGEST_MAX + 2];
	og_cleanup_free char *entry = NULL;
	const char *hit, *open, *close, *v[2] = { NULL, NULL };
	size_t qlen = (size_t)og_bfmt(quoted, sizeof quoted, "\"%s\"", digest), len;
	struct og_jr r;
	og_error e = { 0 };

	hit = memmem(s->images_at, (size_t)(s->images_end - s->images_at), quoted, qlen);
	if (hit == NULL)
		return NULL;
	open = memrchr(s->images_at, '{', (size_t)(hit - s->images_at));
	close = memchr(hit, '}', (size_t)(s->images_end - hit));
	if (open == NULL || close == NULL)
		return NULL;
	/* A copy (decoding writes), as large as the entry: whitespace padding
	 * is legal JSON, and the strict path would find the entry all the same.
	 * The store's own size bounds it. */
	len = (size_t)(close - open) + 1;
	entry = malloc(len);
	if (entry == NULL)
		return NULL;
	memcpy(entry, open, len);
	og_jr_init(&r, entry, len, "allowlist entry", &e);
	if (og_jr_string_object(&r, "$.images[]", members, v) < 0 || og_jr_finish(&r) < 0 ||
	    v[0] == NULL || v[1] == NULL || strcmp(v[0], digest) != 0 || !og_repo_valid(v[1]))
		return NULL;
	og_bfmt(s->allowlisted_repo, sizeof s->allowlisted_repo, "%s", v[1]);
	return s->allowlisted_repo;
}

const char *og_trust_allowlisted(struct og_trust_store *s, const char *digest)
{
	if (!og_digest_valid(digest))
		return NULL;
	if (s->images_at != NULL)
		return allowlisted_in_bytes(s, digest);
	/* Entries are valid digests: most differ at their first hex digit,
	 * which is compared before calling strcmp. */
	for (size_t i = 0; i < s->nimages; i++)
		if (s->images[i].digest[7] == digest[7] && strcmp(s->images[i].digest, digest) == 0)
			return s->images[i].repository;
	return NULL;
}

void og_trust_store_describe(struct og_trust_store *s, FILE *out)
{
	char when[32], desc[64];
	size_t i;

	og_format_rfc3339(s->expires, when, sizeof when);
	fprintf(out, "version: %" PRId64 "\nexpires: %s\nsigned by %zu root key(s)\n", s->version, when,
		s->nsigned);
	fprintf(out, "keys: %zu\n", s->nkeys);
	for (i = 0; i < s->nkeys; i++) {
		struct og_trust_key *k = &s->keys[i];
		EVP_PKEY *pk;
		og_error ke = { 0 };
		size_t j;

		if (og_trust_store_key(s, i, &pk, &ke) < 0) {
			fprintf(out, "  [%zu] %s: UNUSABLE: %s\n", i, k->name, ke.msg);
			continue;
		}
		og_key_describe(pk, desc, sizeof desc);
		fprintf(out, "  [%zu] %s %s %s%s\n", i, k->keyid, desc, k->name,
			og_trust_key_revoked(s, k->keyid) ? " (REVOKED)" : "");
		if (k->not_before) {
			og_format_rfc3339(k->not_before, when, sizeof when);
			fprintf(out, "      not before %s\n", when);
		}
		if (k->not_after) {
			og_format_rfc3339(k->not_after, when, sizeof when);
			fprintf(out, "      not after %s\n", when);
		}
		for (j = 0; j < k->nscopes; j++)
			fprintf(out, "      scope %s\n", k->scopes[j]);
	}
	fprintf(out, "allowlisted images: %zu\n", s->nimages);
	for (i = 0; i < s->nimages; i++)
		fprintf(out, "  %s %s\n", s->images[i].digest, s->images[i].repository);
	fprintf(out, "allowed base images: %zu\n", s->nbases);
	for (i = 0; i < s->nbases; i++)
		fprintf(out, "  %s%s%s\n", s->bases[i].repository, s->bases[i].digest ? " " : "",
			s->bases[i].digest ? s->bases[i].digest : "");
	fprintf(out, "revoked keys: %zu\n", s->nrevoked_keys);
	for (i = 0; i < s->nrevoked_keys; i++)
		fprintf(out, "  %s\n", s->revoked_keys[i]);
	fprintf(out, "revoked digests: %zu\n", s->nrevoked_digests);
	for (i = 0; i < s->nrevoked_digests; i++)
		fprintf(out, "  %s\n", s->revoked_digests[i]);
	og_trust_sigstore_describe(&s->sigstore, out);
}

static int split_path(const char *path, char *dir, size_t dsize, const char **base, og_error *e)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		og_bfmt(dir, dsize, ".");
		*base = path;
	} else {
		size_t n = (size_t)(slash - path);

		if (n >= dsize)
			return og_fail(e, "%s: path too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (n == 0)
			og_bfmt(dir, dsize, "/");
		*base = slash + 1;
	}
	if (**base == '\0')
		return og_fail(e, "%s: not a file name", path);
	return 0;
}

int og_trust_store_sign(const char *store_path, EVP_PKEY *priv, char keyid[OG_KEYID_HEX], og_error *e)
{
	og_cleanup_buf og_buf b = { 0 }, sb = { 0 };
	og_cleanup_free unsigned char *sig = NULL;
	og_cleanup_free char *b64 = NULL, *text = NULL;
	json_auto_t *doc = NULL;
	json_t *sigs, *item;
	og_cleanup_close int dfd = -1;
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base = NULL;
	size_t siglen, i;
	og_error re = { 0 };

	if (og_read_file(store_path, OG_MAX_TRUST_STORE_BYTES, &b, e) < 0)
		return -1;
	if (og_key_id(priv, keyid, e) < 0 || og_key_sign(priv, b.data, b.len, &sig, &siglen, e) < 0)
		return -1;
	b64 = og_base64_encode(sig, siglen);
	if (b64 == NULL)
		return og_fail_errno(e, ENOMEM, "sign");
	if (sig_path(store_path, path, sizeof path, e) < 0)
		return -1;
	if (og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &sb, &re) == 0) {
		doc = og_json_parse(sb.data, sb.len, path, e);
		if (doc == NULL)
			return -1;
		if (og_json_arr(doc, "signatures", path, 1, &sigs, e) < 0)
			return -1;
	} else if (re.errnum == ENOENT) {
		doc = json_pack("{s:[]}", "signatures");
		if (doc == NULL)
			return og_fail_errno(e, ENOMEM, "sign");
		sigs = json_object_get(doc, "signatures");
	} else {
		return og_fail(e, "%s", re.msg);
	}
	/* One signature per key: signing again replaces the old one. */
	for (i = 0; i < json_array_size(sigs);) {
		item = json_array_get(sigs, i);
		if (json_is_object(item) && json_is_string(json_object_get(item, "keyid")) &&
		    strcmp(json_string_value(json_object_get(item, "keyid")), keyid) == 0)
			json_array_remove(sigs, i);
		else
			i++;
	}
	if (json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", keyid, "sig", b64)) != 0)
		return og_fail_errno(e, ENOMEM, "sign");
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return og_fail_errno(e, ENOMEM, "sign");
	if (split_path(path, dir, sizeof dir, &base, e) < 0)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	return og_write_file_atomic(dfd, base, text, strlen(text), 0644, e);
}
