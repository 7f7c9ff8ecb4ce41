/* Report format detection and the steps shared by the Trivy and Grype
 * importers. */
#include "verify/scan/verdict_import.h"
#include "verify/scan/grype.h"
#include "verify/scan/trivy.h"
#include "hook/base/jsonutil.h"
#include "hook/base/timeutil.h"

#include <string.h>

enum og_scan_doc_kind og_scan_doc_kind(const json_t *root)
{
	if (json_object_get(root, "SchemaVersion") != NULL &&
	    (json_object_get(root, "ArtifactName") != NULL || json_object_get(root, "Results") != NULL))
		return OG_SCAN_DOC_TRIVY;
	if (json_object_get(root, "matches") != NULL && json_object_get(root, "source") != NULL)
		return OG_SCAN_DOC_GRYPE;
	if (json_object_get(root, "@context") != NULL && json_object_get(root, "statements") != NULL)
		return OG_SCAN_DOC_OPENVEX;
	if (json_object_get(root, "bomFormat") != NULL)
		return OG_SCAN_DOC_CYCLONEDX;
	return OG_SCAN_DOC_UNKNOWN;
}

const char *og_scan_doc_kind_name(enum og_scan_doc_kind kind)
{
	switch (kind) {
	case OG_SCAN_DOC_TRIVY: return "a Trivy report";
	case OG_SCAN_DOC_GRYPE: return "a Grype report";
	case OG_SCAN_DOC_OPENVEX: return "an OpenVEX document";
	case OG_SCAN_DOC_CYCLONEDX: return "a CycloneDX document";
	default: return "not a document ocigate knows";
	}
}

static enum og_scan_format detect(const json_t *root, const char *what, og_error *e)
{
	enum og_scan_doc_kind kind = og_scan_doc_kind(root);

	if (kind == OG_SCAN_DOC_TRIVY)
		return OG_SCAN_FORMAT_TRIVY;
	if (kind == OG_SCAN_DOC_GRYPE)
		return OG_SCAN_FORMAT_GRYPE;
	if (kind == OG_SCAN_DOC_OPENVEX)
		og_fail(e, "%s: an OpenVEX document, not a scan report (use `ocigate verdict vex import`)",
			what);
	else if (kind == OG_SCAN_DOC_CYCLONEDX)
		og_fail(e, "%s: CycloneDX documents are not supported (use trivy -f json or grype -o json)",
			what);
	else
		og_fail(e, "%s: not a Trivy (-f json) or Grype (-o json) report", what);
	return OG_SCAN_FORMAT_AUTO;
}

int og_verdict_import(const char *data, size_t len, enum og_scan_format fmt, const char *what,
		      int64_t now, struct og_verdict *out, og_error *e)
{
	og_cleanup_verdict struct og_verdict v = { 0 };
	json_auto_t *root = NULL;
	int r;

	if (len > OG_MAX_SCAN_REPORT_BYTES)
		return og_fail(e, "%s: %zu bytes, larger than the limit of %u bytes", what, len,
			       OG_MAX_SCAN_REPORT_BYTES);
	root = og_json_parse(data, len, what, e);
	if (root == NULL)
		return -1;
	if (!json_is_object(root))
		return og_fail(e, "%s: expected a JSON object, found %s", what, og_json_type(root));
	if (fmt == OG_SCAN_FORMAT_AUTO && (fmt = detect(root, what, e)) == OG_SCAN_FORMAT_AUTO)
		return -1;
	v.imported_at = now;
	if (fmt == OG_SCAN_FORMAT_TRIVY)
		r = og_trivy_parse(root, &v, e);
	else
		r = og_grype_parse(root, &v, e);
	if (r < 0)
		return og_wrap(e, "%s", what);
	if (v.ndigests == 0)
		return og_fail(e, "%s: the report names no image digest (%s), so it cannot be matched "
			       "to an image; scan the image by reference or digest, not a directory or archive "
			       "without an ID",
			       what, fmt == OG_SCAN_FORMAT_TRIVY ? "$.Metadata.ImageID, $.Metadata.RepoDigests"
							    : "$.source.target.imageID, manifestDigest, repoDigests");
	*out = v;
	memset(&v, 0, sizeof v);
	return 0;
}
