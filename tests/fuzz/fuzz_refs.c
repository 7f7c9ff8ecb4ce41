/* Strings pod authors control directly, from annotations and reports:
 * image references and repository names (verify/common/reference.c
 * og_ref_parse, og_repo_normalize and og_repo_valid, each checked against
 * the distribution grammar as regular expressions, tests/unit/ref_grammar.h;
 * og_identity_resolve with each source kind), VEX product ids
 * (og_vex_product_digest), report references (og_verdict_repository_of),
 * trust-store scope patterns (og_trust_scope_match), containerd identifiers
 * and digests, and og_scan_clean.  The input is split at the first NUL byte
 * into a reference and a second string (a scope pattern).
 * fuzz-max-len: 4096 (annotation values longer than OG_MAX_ANNOTATION_VALUE are ignored) */
#include <jansson.h>
#include "verify/identity/containerd_messages.h"
#include "fuzz_util.h"
#include "verify/identity/identity.h"
#include "verify/trust/trust_store.h"
#include "verify/scan/verdict.h"
#include "verify/scan/verdict_import.h"
#include "verify/scan/vex.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "tests/unit/ref_grammar.h"

static struct og_identity_policy *pol[3];
static struct rg_oracle grammar;	/* the reference grammar as regular expressions */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const kinds[3] = { "config", "manifest", "reference" };

	(void)argc;
	(void)argv;
	if (rg_init(&grammar) != 0)
		fz_die("cannot compile the reference grammar");
	for (size_t i = 0; i < 3; i++) {
		json_t *sec = json_pack("{s:[{s:s,s:s}]}", "identity", "annotation", "fuzz.ref", "kind",
					kinds[i]);
		og_error e = { 0 };

		if (sec == NULL || og_identity_policy_parse(sec, "$.image", &pol[i], &e) < 0)
			fz_die("identity policy %s: %s", kinds[i], e.msg);
		json_decref(sec);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ref = fz_strndup(data, size);
	const char *second = ref + strlen(ref) + (strlen(ref) < size ? 1 : 0);
	char repo[OG_REF_MAX], digest[OG_DIGEST_MAX], norm[OG_REF_MAX], name[OG_REF_MAX], vd[72], clean[64];
	json_t *ann;

	/* The grammar, stated plainly, agrees on every input. */
	FZ_ASSERT((og_ref_parse(ref, repo, sizeof repo, digest, sizeof digest) == 0) ==
			  rg_ref(&grammar, ref, norm, sizeof norm),
		  "og_ref_parse disagrees with the reference grammar");
	FZ_ASSERT(og_repo_valid(ref) == rg_repo(&grammar, ref, norm, sizeof norm),
		  "og_repo_valid disagrees with the reference grammar");
	if (og_ref_parse(ref, repo, sizeof repo, digest, sizeof digest) == 0) {
		FZ_ASSERT(digest[0] == '\0' || og_digest_valid(digest), "reference digest not valid");
		FZ_ASSERT(og_repo_normalize(repo, norm, sizeof norm) == 0 && strcmp(norm, repo) == 0,
			  "normalised repository is not stable");
		/* The name as written (what a verdict shows) is the same split. */
		og_ref_name(ref, name, sizeof name);
		FZ_ASSERT(og_repo_normalize(name, norm, sizeof norm) == 0 && strcmp(norm, repo) == 0,
			  "og_ref_name disagrees with og_ref_parse");
	}
	FZ_ASSERT(og_repo_valid(ref) == (og_repo_normalize(ref, norm, sizeof norm) == 0),
		  "og_repo_valid disagrees with og_repo_normalize");
	if (og_vex_product_digest(ref, vd) == 0)
		FZ_ASSERT(og_digest_valid(vd), "VEX product digest not valid");
	og_ref_name(ref, name, sizeof name);
	(void)og_trust_scope_match(second, ref);
	(void)og_trust_scope_match(ref, second);
	(void)og_containerd_valid_identifier(ref);
	(void)og_digest_valid(ref);
	og_scan_clean(ref, clean, sizeof clean);
	FZ_ASSERT(strlen(clean) < sizeof clean, "og_scan_clean overflowed");
	for (const char *p = clean; *p; p++)
		FZ_ASSERT(*p >= 0x20 && *p < 0x7f, "og_scan_clean left a non-printable byte");

	ann = json_object();
	if (ann == NULL)
		fz_die("out of memory");
	/* jansson refuses strings that are not UTF-8: those never reach us. */
	if (json_object_set_new(ann, "fuzz.ref", json_string(ref)) == 0) {
		for (size_t i = 0; i < 3; i++) {
			struct og_identity_input in = { .annotations = ann };
			struct og_image img;
			og_error e = { 0 };

			memset(&img, 0, sizeof img);
			if (og_identity_resolve(pol[i], &in, NULL, &img, &e) == 0)
				FZ_ASSERT(img.digest[0] == '\0' || og_digest_valid(img.digest),
					  "resolved digest not valid");
		}
	}
	json_decref(ann);
	free(ref);
	return 0;
}
