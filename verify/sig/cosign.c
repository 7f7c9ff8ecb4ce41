#include "verify/sig/cosign.h"
#include "hook/base/jsonutil.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"

#include <errno.h>
#include <string.h>

int og_cosign_payload_parse(const char *data, size_t len, struct og_cosign_payload *out, og_error *e)
{
	/* The simple-signing format says unknown "critical" fields must be refused. */
	static const char *const crit_keys[] = { "identity", "image", "type", NULL };
	static const char *const ident_keys[] = { "docker-reference", NULL };
	static const char *const image_keys[] = { "docker-manifest-digest", NULL };
	json_auto_t *doc = NULL;
	json_t *crit, *ident, *image;
	const char *type, *ref, *digest;
	char dg[OG_DIGEST_MAX];

	if (len > OG_MAX_COSIGN_PAYLOAD_BYTES)
		return og_fail(e, "payload: larger than %d bytes", OG_MAX_COSIGN_PAYLOAD_BYTES);
	doc = og_json_parse(data, len, "payload", e);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc))
		return og_fail(e, "payload: not a simple-signing JSON object");
	if (og_json_obj(doc, "critical", "payload", 1, &crit, e) < 0 ||
	    og_json_only_keys(crit, "payload.critical", crit_keys, e) < 0 ||
	    og_json_str(crit, "type", "payload.critical", 1, &type, e) < 0)
		return -1;
	if (strcmp(type, OG_COSIGN_TYPE) != 0)
		return og_fail(e, "payload.critical.type: not \"%s\"", OG_COSIGN_TYPE);
	if (og_json_obj(crit, "identity", "payload.critical", 1, &ident, e) < 0 ||
	    og_json_only_keys(ident, "payload.critical.identity", ident_keys, e) < 0 ||
	    og_json_str(ident, "docker-reference", "payload.critical.identity", 1, &ref, e) < 0 ||
	    og_json_obj(crit, "image", "payload.critical", 1, &image, e) < 0 ||
	    og_json_only_keys(image, "payload.critical.image", image_keys, e) < 0 ||
	    og_json_str(image, "docker-manifest-digest", "payload.critical.image", 1, &digest, e) < 0)
		return -1;
	if (!og_digest_valid(digest))
		return og_fail(e, "payload.critical.image.docker-manifest-digest: not sha256:<64 hex>");
	if (strlen(ref) >= sizeof out->reference ||
	    og_ref_parse(ref, out->repository, sizeof out->repository, dg, sizeof dg) < 0)
		return og_fail(e, "payload.critical.identity.docker-reference: not a valid image reference");
	if (dg[0] != '\0' && strcmp(dg, digest) != 0)
		return og_fail(e, "payload: docker-reference digest differs from docker-manifest-digest");
	og_bfmt(out->reference, sizeof out->reference, "%s", ref);
	og_bfmt(out->digest, sizeof out->digest, "%s", digest);
	return 0;
}

int og_cosign_payload_build(const char *reference, const char *digest, char **out, size_t *len,
			    og_error *e)
{
	json_auto_t *doc = NULL;
	char repo[OG_REF_MAX], dg[OG_DIGEST_MAX];
	char *s;

	if (!og_digest_valid(digest))
		return og_fail(e, "digest \"%.80s\": expected sha256:<64 lowercase hex>", digest);
	if (og_ref_parse(reference, repo, sizeof repo, dg, sizeof dg) < 0)
		return og_fail(e, "repository \"%.80s\": not a valid image reference", reference);
	/* Key order as cosign writes it, so the bytes match what cosign signs. */
	doc = json_pack("{s:{s:{s:s},s:{s:s},s:s},s:n}", "critical", "identity", "docker-reference",
			reference, "image", "docker-manifest-digest", digest, "type", OG_COSIGN_TYPE,
			"optional");
	if (doc == NULL)
		return og_fail(e, "cannot build payload");
	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		return og_fail_errno(e, ENOMEM, "payload");
	*out = s;
	*len = strlen(s);
	return 0;
}
