#include "verify/sig/sig_store.h"
#include "verify/common/base64.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"
#include "verify/sig/sig_claims.h"
#include "verify/sig/sigstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void og_sig_entry_free(struct og_sig_entry *en)
{
	og_buf_free(&en->payload);
	og_buf_free(&en->signature);
	og_buf_free(&en->certificate);
	og_buf_free(&en->chain);
	og_buf_free(&en->rekor_bundle);
	og_buf_free(&en->rfc3161_timestamp);
	og_buf_free(&en->bundle);
	og_buf_free(&en->manifest);
	og_buf_free(&en->index);
}

void og_sig_entries_free(struct og_sig_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		og_sig_entry_free(&v[i]);
	free(v);
}

static int get_b64(const json_t *doc, const char *key, size_t max, og_buf *out, og_error *e)
{
	const char *s;
	unsigned char *raw;
	int r = og_json_str(doc, key, "entry", 0, &s, e);

	if (r != 0)
		return r;
	if (strlen(s) > max / 3 * 4 + 4)
		return og_fail(e, "entry.%s: larger than %zu bytes", key, max);
	if (og_base64_decode(s, strlen(s), 0, key, &raw, &out->len, e) < 0)
		return og_wrap(e, "entry");
	out->data = (char *)raw;
	return 0;
}

int og_sig_entry_decode(const char *data, size_t len, struct og_sig_entry *out, og_error *e)
{
	static const char *const keys[] = { "repository", "payload", "signature", "certificate", "chain",
					    "rekor_bundle", "rfc3161_timestamp", "bundle", "manifest",
					    "index", NULL };
	json_auto_t *doc = NULL;
	const char *repo = "";
	char norm[OG_REF_MAX];

	memset(out, 0, sizeof *out);
	if (len > OG_MAX_SIG_ENTRY_BYTES)
		return og_fail(e, "entry: larger than %d bytes", OG_MAX_SIG_ENTRY_BYTES);
	og_sha256_hex(data, len, out->id);
	doc = og_json_parse(data, len, "entry", e);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc))
		return og_fail(e, "entry: expected an object");
	if (og_json_only_keys(doc, "entry", keys, e) < 0 ||
	    og_json_str(doc, "repository", "entry", 0, &repo, e) < 0)
		return -1;
	if (repo[0] != '\0' && og_repo_normalize(repo, norm, sizeof norm) < 0)
		return og_fail(e, "entry.repository: not a repository name");
	if (repo[0] != '\0')
		og_bfmt(out->repository, sizeof out->repository, "%s", norm);
	if (get_b64(doc, "payload", OG_MAX_SIGNATURE_BYTES * 64, &out->payload, e) < 0 ||
	    get_b64(doc, "signature", OG_MAX_SIGNATURE_BYTES, &out->signature, e) < 0 ||
	    get_b64(doc, "certificate", OG_MAX_SIG_CERT_BYTES, &out->certificate, e) < 0 ||
	    get_b64(doc, "chain", OG_MAX_SIG_CERT_BYTES, &out->chain, e) < 0 ||
	    get_b64(doc, "rekor_bundle", OG_MAX_SIG_CERT_BYTES, &out->rekor_bundle, e) < 0 ||
	    get_b64(doc, "rfc3161_timestamp", OG_MAX_SIG_CERT_BYTES, &out->rfc3161_timestamp, e) < 0 ||
	    get_b64(doc, "bundle", OG_MAX_SIG_ENTRY_BYTES, &out->bundle, e) < 0 ||
	    get_b64(doc, "manifest", OG_MAX_MANIFEST_BYTES, &out->manifest, e) < 0 ||
	    get_b64(doc, "index", OG_MAX_MANIFEST_BYTES, &out->index, e) < 0)
		goto fail;
	if ((out->payload.data != NULL) != (out->signature.data != NULL)) {
		og_fail(e, "entry: payload and signature go together");
		goto fail;
	}
	if ((out->payload.data != NULL) == (out->bundle.data != NULL)) {
		og_fail(e, "entry: needs either payload+signature or bundle");
		goto fail;
	}
	if (out->payload.data == NULL &&
	    (out->certificate.data || out->chain.data || out->rekor_bundle.data || out->rfc3161_timestamp.data)) {
		og_fail(e, "entry: certificate, chain, rekor_bundle and rfc3161_timestamp go with a payload");
		goto fail;
	}
	if (out->certificate.data == NULL && (out->chain.data || out->rfc3161_timestamp.data)) {
		og_fail(e, "entry: a chain or timestamp needs the certificate");
		goto fail;
	}
	if (out->index.data != NULL && out->manifest.data == NULL) {
		og_fail(e, "entry: an index needs the manifest too");
		goto fail;
	}
	return 0;
fail:
	og_sig_entry_free(out);
	return -1;
}

static int put_b64(json_t *doc, const char *key, const og_buf *b)
{
	char *s;
	int r;

	if (b->data == NULL)
		return 0;
	s = og_base64_encode(b->data, b->len);
	if (s == NULL)
		return -1;
	r = json_object_set_new(doc, key, json_string(s));
	free(s);
	return r;
}

char *og_sig_entry_encode(const struct og_sig_entry *en)
{
	json_auto_t *doc = json_object();

	if (doc == NULL)
		return NULL;
	if ((en->repository[0] && json_object_set_new(doc, "repository", json_string(en->repository))) ||
	    put_b64(doc, "payload", &en->payload) || put_b64(doc, "signature", &en->signature) ||
	    put_b64(doc, "certificate", &en->certificate) || put_b64(doc, "chain", &en->chain) ||
	    put_b64(doc, "rekor_bundle", &en->rekor_bundle) ||
	    put_b64(doc, "rfc3161_timestamp", &en->rfc3161_timestamp) ||
	    put_b64(doc, "bundle", &en->bundle) || put_b64(doc, "manifest", &en->manifest) ||
	    put_b64(doc, "index", &en->index))
		return NULL;
	return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static int entry_name_ok(const char *name)
{
	return strlen(name) == 69 && og_hex_prefix_valid(name, 64) && strcmp(name + 64, ".json") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

/* Sorted entry names in dfd (at most OG_MAX_SIG_ENTRIES). */
static int read_names(int dfd, char *names[OG_MAX_SIG_ENTRIES], size_t *n, og_error *e)
{
	int fd2 = dup(dfd);
	DIR *d;
	struct dirent *de;

	*n = 0;
	if (fd2 < 0)
		return og_fail_errno(e, errno, "dup");
	d = fdopendir(fd2);
	if (d == NULL) {
		close(fd2);
		return og_fail_errno(e, errno, "opendir");
	}
	while ((de = readdir(d)) != NULL && *n < OG_MAX_SIG_ENTRIES) {
		if (!entry_name_ok(de->d_name))
			continue;
		names[*n] = strdup(de->d_name);
		if (names[*n] == NULL) {
			closedir(d);
			free_names(names, *n);
			return og_fail_errno(e, ENOMEM, "signatures");
		}
		(*n)++;
	}
	closedir(d);
	qsort(names, *n, sizeof names[0], cmp_names);
	return 0;
}

static int open_digest_dir(const char *dir, const char *digest, int create, int *out, og_error *e)
{
	og_cleanup_close int root = -1;
	og_cleanup_close int shafd = -1;
	char sub[80];
	int fd;

	*out = -1;
	if (!og_digest_valid(digest))
		return og_fail(e, "digest: expected sha256:<64 lowercase hex>");
	root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0 && errno == ENOENT && create) {
		if (og_mkdir_p(dir, 0755, e) < 0)
			return -1;
		root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (root < 0 && errno == ENOENT)
		return 0;
	if (root < 0)
		return og_fail_errno(e, errno, "signatures directory %s", dir);
	if (create && mkdirat(root, "sha256", 0755) < 0 && errno != EEXIST)
		return og_fail_errno(e, errno, "%s/sha256", dir);
	/* One component per open: works without openat2 too. */
	shafd = og_open_beneath(root, "sha256", O_RDONLY | O_DIRECTORY, e);
	if (shafd < 0) {
		if (e->errnum == ENOENT && !create) {
			og_error_clear(e);
			return 0;
		}
		return og_wrap(e, "signatures directory %s", dir);
	}
	og_bfmt(sub, sizeof sub, "%s", digest + 7);
	if (create && mkdirat(shafd, sub, 0755) < 0 && errno != EEXIST)
		return og_fail_errno(e, errno, "%s/sha256/%s", dir, sub);
	fd = og_open_beneath(shafd, sub, O_RDONLY | O_DIRECTORY, e);
	if (fd < 0) {
		if (e->errnum == ENOENT && !create) {
			og_error_clear(e);
			return 0;
		}
		return og_wrap(e, "signatures directory %s", dir);
	}
	*out = fd;
	return 0;
}

int og_sig_store_lookup(const char *dir, const char *digest, struct og_sig_entry **out, size_t *n,
			og_error *e)
{
	og_cleanup_close int dfd = -1;
	char *names[OG_MAX_SIG_ENTRIES];
	size_t nn = 0, k = 0;
	struct og_sig_entry *v;

	*out = NULL;
	*n = 0;
	if (open_digest_dir(dir, digest, 0, &dfd, e) < 0)
		return -1;
	if (dfd < 0)
		return 0;
	if (read_names(dfd, names, &nn, e) < 0)
		return -1;
	if (nn == 0)
		return 0;
	v = calloc(nn, sizeof *v);
	if (v == NULL) {
		free_names(names, nn);
		return og_fail_errno(e, ENOMEM, "signatures");
	}
	for (size_t i = 0; i < nn; i++) {
		og_cleanup_buf og_buf b = { 0 };
		og_error ie = { 0 };

		/* An unreadable or malformed entry is skipped: it cannot vouch. */
		if (og_read_file_at(dfd, names[i], OG_MAX_SIG_ENTRY_BYTES, &b, &ie) < 0 ||
		    og_sig_entry_decode(b.data, b.len, &v[k], &ie) < 0)
			continue;
		k++;
	}
	free_names(names, nn);
	*out = v;
	*n = k;
	return 0;
}

int og_sig_store_add(const char *dir, const char *text, const char *const *digests, size_t nd,
		     char id[OG_KEYID_HEX], og_error *e)
{
	char name[80];

	og_sha256_hex(text, strlen(text), id);
	og_bfmt(name, sizeof name, "%s.json", id);
	for (size_t i = 0; i < nd; i++) {
		og_cleanup_close int dfd = -1;

		if (open_digest_dir(dir, digests[i], 1, &dfd, e) < 0)
			return -1;
		if (og_write_file_atomic(dfd, name, text, strlen(text), 0644, e) < 0)
			return og_wrap(e, "%s/sha256/%.64s", dir, digests[i] + 7);
	}
	return 0;
}

/* What an entry is for, as its signed bytes say (unverified here): their
 * kind and the repositories they name, then the entry's unsigned
 * repository hint when it is none of those. */
static void describe_entry(const struct og_sig_entry *en, char *out, size_t size)
{
	og_cleanup_free struct og_sig_claims *c = malloc(sizeof *c);
	struct og_bundle b;
	og_error e = { 0 };
	size_t len;
	int hinted = en->repository[0] != '\0';

	memset(&b, 0, sizeof b);
	if (c == NULL || (en->bundle.data != NULL && og_bundle_parse(en->bundle.data, en->bundle.len, &b, &e) < 0) ||
	    og_sig_claims_read(&en->payload, &b, c, &e) < 0) {
		og_bfmt(out, size, "unreadable (%s)", c ? e.msg : "out of memory");
		og_bundle_free(&b);
		return;
	}
	og_bundle_free(&b);
	/* cosign's keyless registry form: simple signing with a certificate. */
	len = (size_t)og_bfmt(out, size, "%s%s ", og_sig_kind_name(c->kind), en->certificate.data ? "+certificate" : "");
	for (size_t i = 0; i < c->n && len < size; i++) {
		int seen = c->repo[i][0] == '\0';

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(c->repo[i], c->repo[j]) == 0;
		hinted &= strcmp(c->repo[i], en->repository) != 0;
		if (!seen)
			len += (size_t)og_bfmt(out + len, size - len, "%s%s", out[len - 1] == ' ' ? "" : ",",
					       c->repo[i]);
	}
	if (len < size && out[len - 1] == ' ')
		len += (size_t)og_bfmt(out + len, size - len, "-");
	if (len < size && hinted)
		og_bfmt(out + len, size - len, " (unsigned repository hint: %s)", en->repository);
}

int og_sig_store_list(const char *dir, FILE *out, og_error *e)
{
	og_cleanup_close int root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	og_cleanup_close int shafd = -1;
	DIR *d;
	struct dirent *de;

	if (root < 0 && errno == ENOENT)
		return 0;
	if (root < 0)
		return og_fail_errno(e, errno, "signatures directory %s", dir);
	shafd = og_open_beneath(root, "sha256", O_RDONLY | O_DIRECTORY, e);
	if (shafd < 0) {
		if (e->errnum == ENOENT) {
			og_error_clear(e);
			return 0;
		}
		return -1;
	}
	d = fdopendir(og_steal_fd(&shafd));
	if (d == NULL)
		return og_fail_errno(e, errno, "%s/sha256", dir);
	while ((de = readdir(d)) != NULL) {
		char digest[OG_DIGEST_MAX];
		struct og_sig_entry *v = NULL;
		size_t n = 0;

		if (strlen(de->d_name) != 64 || !og_hex_valid(de->d_name, 64))
			continue;
		og_bfmt(digest, sizeof digest, "sha256:%s", de->d_name);
		if (og_sig_store_lookup(dir, digest, &v, &n, e) < 0) {
			closedir(d);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			char what[1024];

			describe_entry(&v[i], what, sizeof what);
			fprintf(out, "%s %.16s %s%s\n", digest, v[i].id, what,
				v[i].manifest.data ? (v[i].index.data ? " +manifest+index" : " +manifest") : "");
		}
		og_sig_entries_free(v, n);
	}
	closedir(d);
	return 0;
}
