#include "verify/trust/bundle_descriptor.h"
#include "verify/trust/bundle_layout.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define MAX_LAYER_SIZE ((int64_t)1 << 40)	/* a sanity bound; pull applies its own limits */
#define MAX_SUMMARY_COUNT ((int64_t)1 << 32)

static const char *const layer_names[] = { OG_BUNDLE_LAYER_TRUST, OG_BUNDLE_LAYER_SIGNATURES,
					   OG_BUNDLE_LAYER_VERDICTS, NULL };

static int known_layer(const char *name)
{
	for (size_t i = 0; layer_names[i] != NULL; i++)
		if (strcmp(layer_names[i], name) == 0)
			return 1;
	return 0;
}

static int parse_time(const json_t *doc, const char *key, int64_t *out, og_error *e)
{
	const char *s;

	if (og_json_str(doc, key, "$", 1, &s, e) < 0)
		return -1;
	if (og_parse_rfc3339(s, out, e) < 0)
		return og_wrap(e, "$.%s", key);
	return 0;
}

static int parse_content(const json_t *item, size_t i, struct og_bundle_descriptor *d, og_error *e)
{
	static const char *const keys[] = { "name", "digest", "size", NULL };
	struct og_bundle_content *c = &d->contents[d->ncontents];
	const char *name, *digest;
	char path[48];

	og_bfmt(path, sizeof path, "$.contents[%zu]", i);
	if (!json_is_object(item))
		return og_fail(e, "%s: expected an object, got %s", path, og_json_type(item));
	if (og_json_only_keys(item, path, keys, e) < 0 || og_json_str(item, "name", path, 1, &name, e) < 0 ||
	    og_json_str(item, "digest", path, 1, &digest, e) < 0 ||
	    og_json_int(item, "size", path, 1, 0, MAX_LAYER_SIZE, &c->size, e) < 0)
		return -1;
	if (!known_layer(name))
		return og_fail(e, "%s.name: \"%.64s\" is not %s, %s or %s", path, name, OG_BUNDLE_LAYER_TRUST,
			       OG_BUNDLE_LAYER_SIGNATURES, OG_BUNDLE_LAYER_VERDICTS);
	if (og_bundle_descriptor_content(d, name) != NULL)
		return og_fail(e, "%s.name: \"%s\" listed twice", path, name);
	if (!og_digest_valid(digest))
		return og_fail(e, "%s.digest: expected sha256:<64 lowercase hex>", path);
	og_bfmt(c->name, sizeof c->name, "%s", name);
	og_bfmt(c->digest, sizeof c->digest, "%s", digest);
	d->ncontents++;
	return 0;
}

static int parse_summary(const json_t *doc, struct og_bundle_descriptor *d, og_error *e)
{
	static const char *const keys[] = { "signatures", "verdicts", NULL };
	json_t *sum;

	if (og_json_obj(doc, "summary", "$", 1, &sum, e) < 0 || og_json_only_keys(sum, "$.summary", keys, e) < 0 ||
	    og_json_int(sum, "signatures", "$.summary", 1, 0, MAX_SUMMARY_COUNT, &d->nsignatures, e) < 0 ||
	    og_json_int(sum, "verdicts", "$.summary", 1, 0, MAX_SUMMARY_COUNT, &d->nverdicts, e) < 0)
		return -1;
	return 0;
}

static int parse_doc(const json_t *doc, struct og_bundle_descriptor *d, og_error *e)
{
	static const char *const keys[] = { "type", "version", "created", "expires", "contents", "summary", NULL };
	const char *type;
	json_t *contents, *item;
	size_t i;

	if (!json_is_object(doc))
		return og_fail(e, "$: expected an object");
	if (og_json_only_keys(doc, "$", keys, e) < 0 || og_json_str(doc, "type", "$", 1, &type, e) < 0)
		return -1;
	if (strcmp(type, OG_BUNDLE_TYPE) != 0)
		return og_fail(e, "$.type: expected \"%s\"", OG_BUNDLE_TYPE);
	if (og_json_int(doc, "version", "$", 1, 1, OG_TRUST_MAX_VERSION, &d->version, e) < 0 ||
	    parse_time(doc, "created", &d->created, e) < 0 || parse_time(doc, "expires", &d->expires, e) < 0)
		return -1;
	if (d->expires <= d->created)
		return og_fail(e, "$.expires: not after $.created");
	if (og_json_arr(doc, "contents", "$", 1, &contents, e) < 0)
		return -1;
	if (json_array_size(contents) > OG_BUNDLE_MAX_CONTENTS)
		return og_fail(e, "$.contents: more than %d entries", OG_BUNDLE_MAX_CONTENTS);
	json_array_foreach(contents, i, item)
		if (parse_content(item, i, d, e) < 0)
			return -1;
	if (og_bundle_descriptor_content(d, OG_BUNDLE_LAYER_TRUST) == NULL)
		return og_fail(e, "$.contents: no %s", OG_BUNDLE_LAYER_TRUST);
	return parse_summary(doc, d, e);
}

int og_bundle_descriptor_parse(const char *data, size_t len, struct og_bundle_descriptor *d, og_error *e)
{
	json_auto_t *doc = NULL;
	char hex[65];

	memset(d, 0, sizeof *d);
	if (len > OG_BUNDLE_DESCRIPTOR_MAX)
		return og_fail(e, "bundle descriptor: larger than %d bytes", OG_BUNDLE_DESCRIPTOR_MAX);
	doc = og_json_parse(data, len, "bundle descriptor", e);
	if (doc == NULL)
		return -1;
	if (parse_doc(doc, d, e) < 0) {
		memset(d, 0, sizeof *d);
		return og_wrap(e, "bundle descriptor");
	}
	og_sha256_hex(data, len, hex);
	if (hex[0] == '\0')
		return og_fail(e, "bundle descriptor: cannot compute its sha256");
	memcpy(d->id, hex, OG_BUNDLE_ID_HEX);
	d->id[OG_BUNDLE_ID_HEX] = '\0';
	return 0;
}

int og_bundle_descriptor_verify(const struct og_trust_roots *r, const og_buf *desc, const og_buf *sig,
				struct og_bundle_descriptor *d, og_error *e)
{
	size_t nsigned = 0;

	memset(d, 0, sizeof *d);
	if (desc->len > OG_BUNDLE_DESCRIPTOR_MAX)
		return og_fail(e, "bundle descriptor: larger than %d bytes", OG_BUNDLE_DESCRIPTOR_MAX);
	/* The signatures over the raw bytes first; only then parse what they say. */
	if (og_trust_roots_verify(r, desc, sig->data, sig->len, OG_BUNDLE_DESCRIPTOR_SIG, &nsigned, e) < 0)
		return og_wrap(e, "bundle descriptor");
	if (og_bundle_descriptor_parse(desc->data, desc->len, d, e) < 0)
		return -1;
	d->nsigned = nsigned;
	return 0;
}

int og_bundle_descriptor_load_at(int dirfd, const struct og_trust_roots *r, struct og_bundle_descriptor *d,
				 og_error *e)
{
	og_cleanup_buf og_buf desc = { 0 }, sig = { 0 };

	memset(d, 0, sizeof *d);
	if (og_read_file_at(dirfd, OG_BUNDLE_DESCRIPTOR, OG_BUNDLE_DESCRIPTOR_MAX, &desc, e) < 0 ||
	    og_read_file_at(dirfd, OG_BUNDLE_DESCRIPTOR_SIG, OG_MAX_TRUST_SIG_BYTES, &sig, e) < 0)
		return og_wrap(e, "bundle descriptor");
	return og_bundle_descriptor_verify(r, &desc, &sig, d, e);
}

int og_bundle_descriptor_check_time(const struct og_bundle_descriptor *d, int64_t now, og_error *e)
{
	char when[32];

	if (now >= d->expires) {
		og_format_rfc3339(d->expires, when, sizeof when);
		return og_fail(e, "bundle version %" PRId64 ": expired at %s", d->version, when);
	}
	if (d->created > now + OG_BUNDLE_CLOCK_SKEW) {
		og_format_rfc3339(d->created, when, sizeof when);
		return og_fail(e, "bundle version %" PRId64 ": created in the future (%s)", d->version, when);
	}
	return 0;
}

const struct og_bundle_content *og_bundle_descriptor_content(const struct og_bundle_descriptor *d,
							     const char *name)
{
	for (size_t i = 0; i < d->ncontents; i++)
		if (strcmp(d->contents[i].name, name) == 0)
			return &d->contents[i];
	return NULL;
}

void og_bundle_generation_name(const struct og_bundle_descriptor *d, char out[OG_BUNDLE_GEN_NAME_MAX])
{
	og_bfmt(out, OG_BUNDLE_GEN_NAME_MAX, "%s%" PRId64 "-%s", OG_BUNDLE_GEN_PREFIX, d->version, d->id);
}
