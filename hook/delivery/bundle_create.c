/* `bundle create`: see bundle_create.h. */
#include "hook/delivery/bundle_create.h"
#include "hook/delivery/bundle_oci.h"
#include "hook/delivery/ustar.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/crypto_util.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "verify/trust/bundle_layout.h"
#include "verify/trust/trust_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct layer {
	const char *title, *media_type;
	char digest[OG_DIGEST_MAX];
	uint64_t size;
};

/* Rename the file tmp (in blobs/sha256) to its digest's name. */
static int publish_blob(int blobs, const char *tmp, struct layer *l, og_error *e)
{
	og_cleanup_close int fd = openat(blobs, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char name[80];

	if (fd < 0)
		return og_fail_errno(e, errno, "%s", tmp);
	if (og_bundle_fd_sha256(fd, l->digest, &l->size, e) < 0 || fsync(fd) < 0)
		return og_wrap(e, "%s", l->title);
	og_bundle_blob_name(l->digest, name, sizeof name);
	if (renameat(blobs, tmp, blobs, name) < 0)
		return og_fail_errno(e, errno, "%s", l->title);
	return 0;
}

/* A blob from bytes. */
static int write_blob(int blobs, const char *data, size_t len, struct layer *l, og_error *e)
{
	char name[80];

	og_sha256_digest(data, len, l->digest, sizeof l->digest);
	l->size = len;
	og_bundle_blob_name(l->digest, name, sizeof name);
	return og_write_file_atomic(blobs, name, data, len, 0644, e);
}

/* Write one tar layer: fill(w) adds its entries. */
static int write_tar(int blobs, struct layer *l, size_t *nfiles,
		     int (*fill)(struct og_ustar_writer *, const void *, og_error *), const void *arg, og_error *e)
{
	char tmp[64];
	og_cleanup_close int fd = -1;
	FILE *f;
	struct og_ustar_writer w = { 0 };
	int rc;

	og_bfmt(tmp, sizeof tmp, ".tmp-%s", l->title);
	fd = openat(blobs, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(og_steal_fd(&fd), "w")) == NULL)
		return og_fail_errno(e, errno, "%s", l->title);
	w.out = f;
	rc = fill(&w, arg, e) < 0 || og_ustar_finish(&w, e) < 0 ? -1 : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = og_fail_errno(e, errno, "%s: write", l->title);
	if (rc < 0)
		return og_wrap(e, "%s", l->title);
	*nfiles = w.files;
	return publish_blob(blobs, tmp, l, e);
}

static int fill_trust(struct og_ustar_writer *w, const void *arg, og_error *e)
{
	const char *store = arg;
	og_cleanup_buf og_buf b = { 0 }, s = { 0 };
	char sig[PATH_MAX];

	og_bfmt(sig, sizeof sig, "%s.sig", store);
	if (og_read_file(store, OG_MAX_TRUST_STORE_BYTES, &b, e) < 0 ||
	    og_read_file(sig, OG_MAX_TRUST_SIG_BYTES, &s, e) < 0)
		return og_wrap(e, "trust store");
	return og_ustar_add_file(w, "store.json", b.data, b.len, e) < 0 ? -1
	       : og_ustar_add_file(w, "store.json.sig", s.data, s.len, e);
}

static int fill_tree(struct og_ustar_writer *w, const void *arg, og_error *e)
{
	return arg == NULL ? 0 : og_ustar_add_tree(w, arg, "", e);
}

static char *descriptor_text(const struct og_bundle_create_opts *o, const struct layer *tars, size_t ntars,
			     size_t nsigs, size_t nverdicts)
{
	char created[32], expires[32];
	json_auto_t *doc = NULL, *contents = json_array();

	og_format_rfc3339(o->created, created, sizeof created);
	og_format_rfc3339(o->created + o->lifetime, expires, sizeof expires);
	for (size_t i = 0; i < ntars; i++)
		json_array_append_new(contents, json_pack("{s:s,s:s,s:I}", "name", tars[i].title, "digest",
							  tars[i].digest, "size", (json_int_t)tars[i].size));
	doc = json_pack("{s:s,s:I,s:s,s:s,s:O,s:{s:I,s:I}}", "type", OG_BUNDLE_TYPE, "version",
			(json_int_t)o->version, "created", created, "expires", expires, "contents", contents,
			"summary", "signatures", (json_int_t)nsigs, "verdicts", (json_int_t)nverdicts);
	return doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
}

/* bundle.json and its signatures, made in a staging directory (the
 * signing code writes NAME.sig beside NAME). */
static int sign_descriptor(int outfd, const struct og_bundle_create_opts *o, const char *text, og_buf *sig,
			   og_error *e)
{
	char staging[PATH_MAX], path[PATH_MAX + 32];
	og_cleanup_close int sfd = -1;
	int rc = 0;

	og_bfmt(staging, sizeof staging, "%s/.staging", o->out);
	if (mkdirat(outfd, ".staging", 0700) < 0 || (sfd = openat(outfd, ".staging", O_RDONLY | O_DIRECTORY)) < 0)
		return og_fail_errno(e, errno, "%s", staging);
	og_bfmt(path, sizeof path, "%s/%s", staging, OG_BUNDLE_DESCRIPTOR);
	if (og_write_file_atomic(sfd, OG_BUNDLE_DESCRIPTOR, text, strlen(text), 0644, e) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < o->nkeys; i++) {
		og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
		char kid[OG_KEYID_HEX];

		if (og_key_load_private(o->keys[i], &k, e) < 0 || og_trust_store_sign(path, k, kid, e) < 0)
			rc = og_wrap(e, "signing with %s", o->keys[i]);
	}
	if (rc == 0 && og_read_file_at(sfd, OG_BUNDLE_DESCRIPTOR_SIG, OG_MAX_TRUST_SIG_BYTES, sig, e) < 0)
		rc = -1;
	(void)og_ustar_empty_dir(sfd, &(og_error){ 0 });
	unlinkat(outfd, ".staging", AT_REMOVEDIR);
	return rc;
}

static int empty_or_new(const char *out, og_error *e)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (mkdir(out, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return og_fail_errno(e, errno, "%s", out);
	d = opendir(out);
	if (d == NULL)
		return og_fail_errno(e, errno, "%s", out);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n == 0 ? 0 : og_fail(e, "%s: not an empty directory", out);
}

static int write_layout(int outfd, int blobs, struct layer *layers, size_t n, og_error *e)
{
	struct layer config = { .title = "config", .media_type = OG_BUNDLE_MT_CONFIG }, manifest = { 0 };
	json_auto_t *m = NULL, *idx = NULL;
	json_t *ls = json_array();
	og_cleanup_free char *mtext = NULL, *itext = NULL;
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

	if (write_blob(blobs, "{}", 2, &config, e) < 0) {
		json_decref(ls);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ls, json_pack("{s:s,s:s,s:I,s:{s:s}}", "mediaType", layers[i].media_type,
						    "digest", layers[i].digest, "size", (json_int_t)layers[i].size,
						    "annotations", OG_OCI_TITLE, layers[i].title));
	m = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType", OG_OCI_MANIFEST_MT,
		      "config", "mediaType", config.media_type, "digest", config.digest, "size",
		      (json_int_t)config.size, "layers", ls);
	mtext = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (mtext == NULL)
		return og_fail_errno(e, ENOMEM, "manifest");
	if (write_blob(blobs, mtext, strlen(mtext), &manifest, e) < 0)
		return -1;
	idx = json_pack("{s:i,s:s,s:[{s:s,s:s,s:I,s:{s:s}}]}", "schemaVersion", 2, "mediaType",
			"application/vnd.oci.image.index.v1+json", "manifests", "mediaType", OG_OCI_MANIFEST_MT,
			"digest", manifest.digest, "size", (json_int_t)manifest.size, "annotations",
			"org.opencontainers.image.ref.name", OG_BUNDLE_LAYOUT_TAG);
	itext = idx ? json_dumps(idx, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (itext == NULL)
		return og_fail_errno(e, ENOMEM, "index");
	if (og_write_file_atomic(outfd, "oci-layout", layout, strlen(layout), 0644, e) < 0 ||
	    og_write_file_atomic(outfd, "index.json", itext, strlen(itext), 0644, e) < 0)
		return -1;
	return 0;
}

int og_bundle_create(const struct og_bundle_create_opts *o, struct og_bundle_descriptor *d, og_error *e)
{
	struct layer tars[3] = {
		{ .title = OG_BUNDLE_LAYER_TRUST, .media_type = OG_BUNDLE_MT_TAR },
		{ .title = OG_BUNDLE_LAYER_SIGNATURES, .media_type = OG_BUNDLE_MT_TAR },
		{ .title = OG_BUNDLE_LAYER_VERDICTS, .media_type = OG_BUNDLE_MT_TAR },
	};
	struct layer layers[5] = {
		{ .title = OG_BUNDLE_DESCRIPTOR, .media_type = OG_BUNDLE_MT_DESCRIPTOR },
		{ .title = OG_BUNDLE_DESCRIPTOR_SIG, .media_type = OG_BUNDLE_MT_SIGNATURES },
	};
	og_cleanup_close int outfd = -1, blobs = -1;
	og_cleanup_free char *text = NULL;
	og_cleanup_buf og_buf sig = { 0 };
	size_t ntrust = 0, nsigs = 0, nverdicts = 0;

	if (o->version < 1 || o->version > OG_TRUST_MAX_VERSION)
		return og_fail(e, "--version: expected 1 to %" PRId64, OG_TRUST_MAX_VERSION);
	if (o->lifetime <= 0)
		return og_fail(e, "--expires: expected a positive duration");
	if (o->nkeys == 0)
		return og_fail(e, "no root key to sign with (--key)");
	if (empty_or_new(o->out, e) < 0)
		return -1;
	outfd = open(o->out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (outfd < 0 || mkdirat(outfd, "blobs", 0755) < 0 || mkdirat(outfd, "blobs/sha256", 0755) < 0 ||
	    (blobs = openat(outfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return og_fail_errno(e, errno, "%s", o->out);
	if (write_tar(blobs, &tars[0], &ntrust, fill_trust, o->trust_store, e) < 0 ||
	    write_tar(blobs, &tars[1], &nsigs, fill_tree, o->signatures_dir, e) < 0 ||
	    write_tar(blobs, &tars[2], &nverdicts, fill_tree, o->verdicts_dir, e) < 0)
		return -1;
	text = descriptor_text(o, tars, 3, nsigs, nverdicts);
	if (text == NULL)
		return og_fail_errno(e, ENOMEM, "descriptor");
	/* What is signed is what a node will parse. */
	if (og_bundle_descriptor_parse(text, strlen(text), d, e) < 0)
		return -1;
	if (sign_descriptor(outfd, o, text, &sig, e) < 0 ||
	    write_blob(blobs, text, strlen(text), &layers[0], e) < 0 ||
	    write_blob(blobs, sig.data, sig.len, &layers[1], e) < 0)
		return -1;
	memcpy(&layers[2], tars, sizeof tars);
	return write_layout(outfd, blobs, layers, 5, e);
}
