#include "trust_store.h"
#include "base64.h"
#include "crypto_util.h"
#include "fileio.h"
#include "identity.h"
#include "jsonutil.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_VERSION ((int64_t)1 << 53)	/* exact in every JSON implementation */

static int sig_path(const char *store, char *out, size_t size, og_error *e)
{
	int n = og_bfmt(out, size, "%s.sig", store);

	if (n < 0 || (size_t)n >= size)
		return og_fail(e, "trust store %s: path too long", store);
	return 0;
}

/* Count the root keys with a valid signature over the exact store bytes. */
static int verify_roots(const struct og_trust_store_config *c, const og_buf *store, size_t *nsigned,
			og_error *e)
{
	char path[PATH_MAX], why[OG_ERROR_MAX / 2] = "";
	og_cleanup_buf og_buf sb = { 0 };
	json_auto_t *sd = NULL;
	json_t *sigs, *item;
	char seen[OG_MAX_ROOT_KEYS][OG_KEYID_HEX];
	size_t nseen = 0, i;

	*nsigned = 0;
	if (c->nroot == 0)
		return og_fail(e, "no root keys configured");
	if (c->nroot > OG_MAX_ROOT_KEYS)
		return og_fail(e, "more than %d root keys", OG_MAX_ROOT_KEYS);
	if (sig_path(c->store_path, path, sizeof path, e) < 0)
		return -1;
	if (og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &sb, e) < 0)
		return og_wrap(e, "signature file");
	sd = og_json_parse(sb.data, sb.len, path, e);
	if (sd == NULL)
		return og_wrap(e, "signature file");
	{
		static const char *const top[] = { "signatures", NULL };
		if (og_json_only_keys(sd, path, top, e) < 0 ||
		    og_json_arr(sd, "signatures", path, 1, &sigs, e) < 0)
			return og_wrap(e, "signature file");
	}
	if (json_array_size(sigs) > OG_MAX_TRUST_SIGS)
		return og_fail(e, "signature file %s: more than %d signatures", path, OG_MAX_TRUST_SIGS);
	json_array_foreach(sigs, i, item) {
		static const char *const keys[] = { "keyid", "sig", NULL };
		char ip[PATH_MAX + 32];
		const char *kid, *sig;

		og_bfmt(ip, sizeof ip, "%s: signatures[%zu]", path, i);
		if (!json_is_object(item))
			return og_fail(e, "signature file %s: expected an object", ip);
		if (og_json_only_keys(item, ip, keys, e) < 0 || og_json_str(item, "keyid", ip, 1, &kid, e) < 0 ||
		    og_json_str(item, "sig", ip, 1, &sig, e) < 0)
			return og_wrap(e, "signature file");
		if (!og_hex_valid(kid, 64))
			return og_fail(e, "signature file %s.keyid: expected 64 lowercase hex", ip);
		if (strlen(sig) > OG_MAX_SIGNATURE_BYTES * 2)
			return og_fail(e, "signature file %s.sig: too long", ip);
	}

	for (size_t r = 0; r < c->nroot; r++) {
		og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
		char kid[OG_KEYID_HEX];
		og_error ke = { 0 };
		int dup = 0, found = 0;

		if (og_key_load_file(c->root_keys[r], &k, &ke) < 0 || og_key_id(k, kid, &ke) < 0) {
			og_bfmt(why, sizeof why, "root key %.300s unusable: %.200s", c->root_keys[r], ke.msg);
			continue;
		}
		/* The same key listed twice counts once toward the threshold. */
		for (size_t s = 0; s < nseen; s++)
			dup |= strcmp(seen[s], kid) == 0;
		if (dup)
			continue;
		memcpy(seen[nseen++], kid, OG_KEYID_HEX);
		json_array_foreach(sigs, i, item) {
			const char *sig = json_string_value(json_object_get(item, "sig"));
			unsigned char *raw = NULL;
			size_t rlen;

			if (strcmp(json_string_value(json_object_get(item, "keyid")), kid) != 0)
				continue;
			found = 1;
			if (og_base64_decode(sig, strlen(sig), 0, "signature", &raw, &rlen, &ke) < 0) {
				og_bfmt(why, sizeof why, "root key %.16s: %.200s", kid, ke.msg);
				continue;
			}
			if (og_key_verify(k, store->data, store->len, raw, rlen, &ke) == 0) {
				free(raw);
				(*nsigned)++;
				break;
			}
			free(raw);
			og_bfmt(why, sizeof why, "bad signature by root key %.16s", kid);
		}
		if (!found && why[0] == '\0')
			og_bfmt(why, sizeof why, "no signature by root key %.16s", kid);
	}
	if ((int)*nsigned < c->threshold)
		return og_fail(e, "signed by %zu of the required %d root keys%s%s", *nsigned, c->threshold,
			       why[0] ? ": " : "", why);
	return 0;
}

static int parse_time(const json_t *obj, const char *key, const char *path, int required,
		      int64_t *out, og_error *e)
{
	const char *s;
	int r = og_json_str(obj, key, path, required, &s, e);

	*out = 0;
	if (r != 0)
		return r;
	if (og_parse_rfc3339(s, out, e) < 0)
		return og_wrap(e, "%s.%s", path, key);
	return 0;
}

static int valid_scope(const char *p)
{
	char norm[OG_REF_MAX], tmp[OG_REF_MAX];
	size_t len = strlen(p);

	if (strcmp(p, "*") == 0)
		return 1;
	if (len < 1 || len >= sizeof tmp)
		return 0;
	memcpy(tmp, p, len + 1);
	/* A prefix pattern: check "prefix/x", so a bare registry host with a port is fine. */
	if (len > 2 && strcmp(tmp + len - 2, "/*") == 0)
		tmp[len - 1] = 'x';
	if (strchr(tmp, '*') != NULL)
		return 0;
	/* A pattern must be a normalised repository so matching is exact. */
	return og_repo_normalize(tmp, norm, sizeof norm) == 0 && strcmp(norm, tmp) == 0;
}

static int parse_keys(struct og_trust_store *s, json_t *keys, og_error *e)
{
	static const char *const allowed[] = { "name", "key", "scopes", "not_before", "not_after", NULL };
	json_t *item;
	size_t i;

	if (json_array_size(keys) > OG_MAX_STORE_KEYS)
		return og_fail(e, "keys: more than %d keys", OG_MAX_STORE_KEYS);
	s->keys = calloc(json_array_size(keys) + 1, sizeof *s->keys);
	if (s->keys == NULL)
		return og_fail_errno(e, ENOMEM, "keys");
	json_array_foreach(keys, i, item) {
		struct og_trust_key *k = &s->keys[i];
		char path[64];
		json_t *sc;
		size_t j;

		og_bfmt(path, sizeof path, "keys[%zu]", i);
		s->nkeys = i + 1;
		if (!json_is_object(item))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(item));
		k->name = "";
		if (og_json_only_keys(item, path, allowed, e) < 0 ||
		    og_json_str(item, "name", path, 0, &k->name, e) < 0 ||
		    og_json_str(item, "key", path, 1, &k->pem, e) < 0 ||
		    og_json_arr(item, "scopes", path, 1, &k->scopes, e) < 0 ||
		    parse_time(item, "not_before", path, 0, &k->not_before, e) < 0 ||
		    parse_time(item, "not_after", path, 0, &k->not_after, e) < 0)
			return -1;
		if (strlen(k->pem) > OG_MAX_KEY_FILE_BYTES)
			return og_fail(e, "%s.key: larger than %d bytes", path, OG_MAX_KEY_FILE_BYTES);
		if (json_array_size(k->scopes) == 0 || json_array_size(k->scopes) > OG_MAX_KEY_SCOPES)
			return og_fail(e, "%s.scopes: expected 1 to %d scopes", path, OG_MAX_KEY_SCOPES);
		json_array_foreach(k->scopes, j, sc) {
			if (!json_is_string(sc))
				return og_fail(e, "%s.scopes[%zu]: expected a string, found %s", path, j,
					       og_json_type(sc));
			if (!valid_scope(json_string_value(sc)))
				return og_fail(e, "%s.scopes[%zu]: \"%.100s\" is not a repository, "
					       "repository/* or *", path, j, json_string_value(sc));
		}
		if (k->not_before && k->not_after && k->not_after <= k->not_before)
			return og_fail(e, "%s: not_after is not after not_before", path);
	}
	return 0;
}

static int check_string_list(const json_t *arr, const char *path, int digests, og_error *e)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return og_fail(e, "%s[%zu]: expected a string, found %s", path, i, og_json_type(v));
		if (digests ? !og_digest_valid(json_string_value(v)) : !og_hex_valid(json_string_value(v), 64))
			return og_fail(e, "%s[%zu]: expected %s", path, i,
				       digests ? "sha256:<64 lowercase hex>" : "a key id (64 lowercase hex)");
	}
	return 0;
}

static int parse_store(struct og_trust_store *s, og_error *e)
{
	static const char *const top[] = { "version", "expires", "keys", "images", "revoked", NULL };
	static const char *const rev[] = { "keys", "digests", NULL };
	static const char *const img[] = { "digest", "repository", NULL };
	json_t *keys = NULL, *revoked = NULL, *v;
	size_t i;
	int r;

	if (!json_is_object(s->doc))
		return og_fail(e, "expected a JSON object");
	if (og_json_only_keys(s->doc, "$", top, e) < 0 ||
	    og_json_int(s->doc, "version", "$", 1, 1, MAX_VERSION, &s->version, e) < 0 ||
	    parse_time(s->doc, "expires", "$", 1, &s->expires, e) < 0 ||
	    og_json_arr(s->doc, "keys", "$", 0, &keys, e) < 0 ||
	    og_json_arr(s->doc, "images", "$", 0, &s->images, e) < 0 ||
	    (r = og_json_obj(s->doc, "revoked", "$", 0, &revoked, e)) < 0)
		return -1;
	if (keys != NULL && parse_keys(s, keys, e) < 0)
		return og_wrap(e, "$");
	json_array_foreach(s->images, i, v) {
		char path[64];
		const char *d, *repo;
		char norm[OG_REF_MAX];

		og_bfmt(path, sizeof path, "$.images[%zu]", i);
		if (!json_is_object(v))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(v));
		if (og_json_only_keys(v, path, img, e) < 0 || og_json_str(v, "digest", path, 1, &d, e) < 0 ||
		    og_json_str(v, "repository", path, 1, &repo, e) < 0)
			return -1;
		if (!og_digest_valid(d))
			return og_fail(e, "%s.digest: expected sha256:<64 lowercase hex>", path);
		if (og_repo_normalize(repo, norm, sizeof norm) < 0)
			return og_fail(e, "%s.repository: not a repository name", path);
	}
	if (r == 0) {
		if (og_json_only_keys(revoked, "$.revoked", rev, e) < 0 ||
		    og_json_arr(revoked, "keys", "$.revoked", 0, &s->revoked_keys, e) < 0 ||
		    og_json_arr(revoked, "digests", "$.revoked", 0, &s->revoked_digests, e) < 0)
			return -1;
		if (check_string_list(s->revoked_keys, "$.revoked.keys", 0, e) < 0 ||
		    check_string_list(s->revoked_digests, "$.revoked.digests", 1, e) < 0)
			return -1;
	}
	return 0;
}

static int parse_version_file(const og_buf *b, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;

	for (; i < b->len && b->data[i] >= '0' && b->data[i] <= '9'; i++) {
		v = v * 10 + (b->data[i] - '0');
		if (v > MAX_VERSION)
			return -1;
	}
	if (i == 0 || (i < b->len && !(b->data[i] == '\n' && i + 1 == b->len)))
		return -1;
	*out = v;
	return 0;
}

/* Refuse a version lower than the highest accepted; persist a higher one. */
static int check_rollback(const struct og_trust_store_config *c, struct og_trust_store *s, og_error *e)
{
	og_cleanup_close int dfd = -1;
	og_cleanup_buf og_buf b = { 0 };
	og_error re = { 0 };
	char text[32];
	int n;

	dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && c->update_state) {
		if (og_mkdir_p(c->state_dir, 0700, e) < 0)
			return og_wrap(e, "state directory");
		dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0 && errno == ENOENT) {
		s->previous_version = 0;
		return 0;
	}
	if (dfd < 0)
		return og_fail_errno(e, errno, "state directory %s", c->state_dir);
	if (og_read_file_at(dfd, OG_TRUST_STATE_FILE, 64, &b, &re) < 0) {
		if (re.errnum != ENOENT)
			return og_fail(e, "state file %s/%s: %s", c->state_dir, OG_TRUST_STATE_FILE, re.msg);
		s->previous_version = 0;
	} else if (parse_version_file(&b, &s->previous_version) < 0) {
		return og_fail(e, "state file %s/%s: not a version number", c->state_dir,
			       OG_TRUST_STATE_FILE);
	}
	if (s->version < s->previous_version)
		return og_fail(e, "rolled back: version %" PRId64 " is lower than the accepted version %" PRId64,
			       s->version, s->previous_version);
	if (s->version > s->previous_version && c->update_state) {
		n = og_bfmt(text, sizeof text, "%" PRId64 "\n", s->version);
		if (og_write_file_atomic(dfd, OG_TRUST_STATE_FILE, text, (size_t)n, 0600, e) < 0)
			return og_wrap(e, "cannot record the accepted version in %s", c->state_dir);
	}
	return 0;
}

int og_trust_store_load(const struct og_trust_store_config *c, struct og_trust_store **out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	struct og_trust_store *s;
	char when[32];

	if (og_crypto_init() < 0)
		return og_fail(e, "OpenSSL initialisation failed");
	if (og_read_file(c->store_path, OG_MAX_TRUST_STORE_BYTES, &b, e) < 0)
		return og_wrap(e, "trust store");
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return og_fail_errno(e, ENOMEM, "trust store");
	/* Signature over the raw bytes first; only then parse what they say. */
	if (verify_roots(c, &b, &s->nsigned, e) < 0)
		goto fail;
	s->doc = og_json_parse(b.data, b.len, "document", e);
	if (s->doc == NULL || parse_store(s, e) < 0)
		goto fail;
	if (og_now() >= s->expires) {
		og_format_rfc3339(s->expires, when, sizeof when);
		og_fail(e, "expired at %s", when);
		goto fail;
	}
	if (c->state_dir != NULL && check_rollback(c, s, e) < 0)
		goto fail;
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
	for (size_t i = 0; i < s->nkeys; i++)
		EVP_PKEY_free(s->keys[i].pkey);
	free(s->keys);
	json_decref(s->doc);
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
	json_t *sc;
	size_t i;

	if (repo == NULL || repo[0] == '\0')
		return 0;
	json_array_foreach(k->scopes, i, sc)
		if (og_trust_scope_match(json_string_value(sc), repo))
			return 1;
	return 0;
}

static int in_list(const json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

int og_trust_key_revoked(const struct og_trust_store *s, const char *keyid)
{
	return s->revoked_keys != NULL && in_list(s->revoked_keys, keyid);
}

int og_trust_digest_revoked(const struct og_trust_store *s, const char *digest)
{
	return s->revoked_digests != NULL && in_list(s->revoked_digests, digest);
}

const char *og_trust_allowlisted(const struct og_trust_store *s, const char *digest)
{
	json_t *v;
	size_t i;

	json_array_foreach(s->images, i, v)
		if (strcmp(json_string_value(json_object_get(v, "digest")), digest) == 0)
			return json_string_value(json_object_get(v, "repository"));
	return NULL;
}

void og_trust_store_describe(struct og_trust_store *s, FILE *out)
{
	char when[32], desc[64];
	json_t *v;
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
		json_array_foreach(k->scopes, j, v)
			fprintf(out, "      scope %s\n", json_string_value(v));
	}
	fprintf(out, "allowlisted images: %zu\n", json_array_size(s->images));
	json_array_foreach(s->images, i, v)
		fprintf(out, "  %s %s\n", json_string_value(json_object_get(v, "digest")),
			json_string_value(json_object_get(v, "repository")));
	fprintf(out, "revoked keys: %zu\n", json_array_size(s->revoked_keys));
	json_array_foreach(s->revoked_keys, i, v)
		fprintf(out, "  %s\n", json_string_value(v));
	fprintf(out, "revoked digests: %zu\n", json_array_size(s->revoked_digests));
	json_array_foreach(s->revoked_digests, i, v)
		fprintf(out, "  %s\n", json_string_value(v));
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
