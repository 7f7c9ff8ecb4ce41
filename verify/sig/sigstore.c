#include "verify/sig/sigstore.h"
#include "verify/common/base64.h"
#include "hook/base/jsonutil.h"
#include "verify/common/keys.h"

#include <stdlib.h>
#include <string.h>

static const char *const media_types[] = {
	"application/vnd.dev.sigstore.bundle+json;version=0.1",
	"application/vnd.dev.sigstore.bundle+json;version=0.2",
	"application/vnd.dev.sigstore.bundle+json;version=0.3",
	"application/vnd.dev.sigstore.bundle.v0.3+json",
	NULL,
};

static int parse_material(const json_t *doc, int allow_certificate, og_error *e)
{
	json_t *vm, *pk;

	if (og_json_obj(doc, "verificationMaterial", "bundle", 1, &vm, e) < 0)
		return -1;
	if (json_object_get(vm, "x509CertificateChain") || json_object_get(vm, "certificate")) {
		if (allow_certificate)
			return 0;	/* verify/sig/keyless.c reads and checks it */
		return og_fail(e, "bundle: " OG_CERT_BUNDLE_REFUSED
			       " (only bundles verified by a plain public key are accepted)");
	}
	if (og_json_obj(vm, "publicKey", "bundle.verificationMaterial", 1, &pk, e) < 0)
		return -1;
	return 0;
}

static int parse_message(const json_t *ms, struct og_bundle *out, og_error *e)
{
	json_t *md;
	const char *alg, *dg, *sig;
	unsigned char *raw = NULL;
	size_t rlen;

	if (og_json_obj(ms, "messageDigest", "bundle.messageSignature", 1, &md, e) < 0 ||
	    og_json_str(md, "algorithm", "bundle.messageSignature.messageDigest", 1, &alg, e) < 0 ||
	    og_json_str(md, "digest", "bundle.messageSignature.messageDigest", 1, &dg, e) < 0 ||
	    og_json_str(ms, "signature", "bundle.messageSignature", 1, &sig, e) < 0)
		return -1;
	if (strcmp(alg, "SHA2_256") != 0)
		return og_fail(e, "bundle.messageSignature.messageDigest.algorithm: only SHA2_256 can name an image digest");
	if (strlen(dg) > 64 || og_base64_decode(dg, strlen(dg), 0, "messageDigest", &raw, &rlen, e) < 0)
		return og_fail(e, "bundle.messageSignature.messageDigest.digest: invalid base64");
	if (rlen != 32) {
		free(raw);
		return og_fail(e, "bundle.messageSignature.messageDigest.digest: not 32 bytes");
	}
	memcpy(out->msg_digest, raw, 32);
	free(raw);
	if (strlen(sig) > OG_MAX_SIGNATURE_BYTES * 2)
		return og_fail(e, "bundle.messageSignature.signature: too long");
	if (og_base64_decode(sig, strlen(sig), 0, "bundle.messageSignature.signature", &out->sig,
			     &out->sig_len, e) < 0)
		return -1;
	out->kind = OG_BUNDLE_MESSAGE;
	return 0;
}

int og_bundle_parse(const char *data, size_t len, struct og_bundle *out, og_error *e)
{
	json_auto_t *doc = NULL;

	memset(out, 0, sizeof *out);
	if (len > OG_MAX_BUNDLE_BYTES)
		return og_fail(e, "bundle: larger than %d bytes", OG_MAX_BUNDLE_BYTES);
	doc = og_json_parse(data, len, "bundle", e);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc))
		return og_fail(e, "bundle: expected a JSON object");
	if (json_object_get(doc, "payloadType") != NULL) {
		if (og_dsse_parse(doc, "envelope", &out->env, e) < 0)
			return -1;
		out->kind = OG_BUNDLE_DSSE;
		return 0;
	}
	return og_bundle_parse_doc(doc, 0, out, e);
}

int og_bundle_parse_doc(const json_t *doc, int allow_certificate, struct og_bundle *out, og_error *e)
{
	const char *mt;
	json_t *env = NULL, *ms = NULL;
	size_t i;
	int r1, r2;

	memset(out, 0, sizeof *out);
	if (og_json_str(doc, "mediaType", "bundle", 1, &mt, e) < 0)
		return -1;
	for (i = 0; media_types[i] != NULL; i++)
		if (strcmp(mt, media_types[i]) == 0)
			break;
	if (media_types[i] == NULL)
		return og_fail(e, "bundle.mediaType: unsupported media type");
	if (parse_material(doc, allow_certificate, e) < 0)
		return -1;
	if ((r1 = og_json_obj(doc, "dsseEnvelope", "bundle", 0, &env, e)) < 0 ||
	    (r2 = og_json_obj(doc, "messageSignature", "bundle", 0, &ms, e)) < 0)
		return -1;
	if ((r1 == 0) == (r2 == 0))
		return og_fail(e, "bundle: needs exactly one of dsseEnvelope and messageSignature");
	if (r1 == 0) {
		if (og_dsse_parse(env, "bundle.dsseEnvelope", &out->env, e) < 0)
			return -1;
		out->kind = OG_BUNDLE_DSSE;
		return 0;
	}
	if (parse_message(ms, out, e) < 0) {
		og_bundle_free(out);
		return -1;
	}
	return 0;
}

void og_bundle_free(struct og_bundle *b)
{
	og_dsse_free(&b->env);
	free(b->sig);
	b->sig = NULL;
	b->sig_len = 0;
}

int og_bundle_verify(const struct og_bundle *b, EVP_PKEY *k, og_error *e)
{
	if (b->kind == OG_BUNDLE_DSSE)
		return og_dsse_verify(&b->env, k, e);
	if (b->kind == OG_BUNDLE_MESSAGE)
		return og_key_verify_sha256_prehash(k, b->msg_digest, b->sig, b->sig_len, e);
	return og_fail(e, "bundle: nothing to verify");
}
