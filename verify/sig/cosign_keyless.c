#include "verify/sig/cosign_keyless.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "verify/common/digest.h"
#include "verify/sig/keyless.h"
#include "verify/sig/trusted_root.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The PEM certificate blocks of an annotation, 1 to max of them, each
 * strict base64; the first (DER, base64) into leaf_b64 when asked.  Not
 * parsed as X.509 here: the leaf is parsed once, by the verifier, and the
 * chain is not used (OpenSSL 3 spends a million instructions decoding the
 * key of each certificate). */
static int read_pem_certs(const og_buf *pem, const char *what, size_t max, char **leaf_b64, og_error *e)
{
	static const char end[] = "-----END CERTIFICATE-----";
	const char *p = pem->data, *stop = pem->data + pem->len, *f;
	size_t n = 0;

	if (pem->len == 0 || pem->len > OG_MAX_SIG_CERT_BYTES)
		return og_fail(e, "%s: empty or larger than %d bytes", what, OG_MAX_SIG_CERT_BYTES);
	while (p < stop && memmem(p, (size_t)(stop - p), "-----BEGIN", 10) != NULL) {
		og_cleanup_free unsigned char *der = NULL;
		size_t dlen;

		if (++n > max)
			return og_fail(e, "%s: more than %zu certificate%s", what, max, max == 1 ? "" : "s");
		if (og_pem_cert_der((const unsigned char *)p, (size_t)(stop - p), &der, &dlen, e) < 0)
			return og_wrap(e, "%s", what);
		if (dlen == 0 || dlen > OG_TR_MAX_CERT_BYTES)
			return og_fail(e, "%s: certificate of %zu bytes", what, dlen);
		if (n == 1 && leaf_b64 != NULL && (*leaf_b64 = og_base64_encode(der, dlen)) == NULL)
			return og_fail(e, "out of memory");
		f = memmem(p, (size_t)(stop - p), end, sizeof end - 1);
		p = f + sizeof end - 1;
	}
	if (n == 0)
		return og_fail(e, "%s: no PEM certificate", what);
	return 0;
}

/* cosign's dev.sigstore.cosign/bundle annotation as a bundle tlog entry. */
static json_t *tlog_entry(const og_buf *raw, og_error *e)
{
	json_auto_t *doc = og_json_parse(raw->data, raw->len, "rekor bundle", e);
	json_auto_t *body = NULL;
	json_t *p, *it, *ix;
	const char *set, *b64body, *logid, *kind, *ver;
	og_cleanup_free unsigned char *bbytes = NULL;
	unsigned char id[32];
	char idb64[48], num[2][24];
	og_cleanup_free char *idenc = NULL;
	size_t blen;

	if (doc == NULL)
		return NULL;
	if (og_json_str(doc, "SignedEntryTimestamp", "rekor bundle", 1, &set, e) < 0 ||
	    og_json_obj(doc, "Payload", "rekor bundle", 1, &p, e) < 0 ||
	    og_json_str(p, "body", "rekor bundle.Payload", 1, &b64body, e) < 0 ||
	    og_json_str(p, "logID", "rekor bundle.Payload", 1, &logid, e) < 0)
		return NULL;
	it = json_object_get(p, "integratedTime");
	ix = json_object_get(p, "logIndex");
	if (!json_is_integer(it) || json_integer_value(it) <= 0) {
		og_fail(e, "rekor bundle.Payload.integratedTime: expected a positive integer");
		return NULL;
	}
	if (!json_is_integer(ix) || json_integer_value(ix) < 0) {
		og_fail(e, "rekor bundle.Payload.logIndex: expected a non-negative integer");
		return NULL;
	}
	if (strlen(logid) != 64 || !og_hex_valid(logid, 64)) {
		og_fail(e, "rekor bundle.Payload.logID: expected 64 lowercase hex digits");
		return NULL;
	}
	for (size_t i = 0; i < 32; i++) {
		unsigned int byte;

		sscanf(logid + 2 * i, "%2x", &byte);
		id[i] = (unsigned char)byte;
	}
	idenc = og_base64_encode(id, sizeof id);
	if (idenc == NULL) {
		og_fail(e, "out of memory");
		return NULL;
	}
	og_bfmt(idb64, sizeof idb64, "%s", idenc);
	/* kindVersion is what the body says it is; the SET covers the body. */
	if (strlen(b64body) > OG_KEYLESS_MAX_BODY_BYTES / 3 * 4 + 4 ||
	    og_base64_decode(b64body, strlen(b64body), 0, "rekor bundle.Payload.body", &bbytes, &blen, e) < 0 ||
	    (body = og_json_parse((const char *)bbytes, blen, "rekor bundle.Payload.body", e)) == NULL ||
	    og_json_str(body, "kind", "rekor bundle.Payload.body", 1, &kind, e) < 0 ||
	    og_json_str(body, "apiVersion", "rekor bundle.Payload.body", 1, &ver, e) < 0)
		return NULL;
	og_bfmt(num[0], sizeof num[0], "%" JSON_INTEGER_FORMAT, json_integer_value(ix));
	og_bfmt(num[1], sizeof num[1], "%" JSON_INTEGER_FORMAT, json_integer_value(it));
	return json_pack("{s:s, s:{s:s}, s:{s:s, s:s}, s:s, s:{s:s}, s:s}", "logIndex", num[0], "logId", "keyId",
			 idb64, "kindVersion", "kind", kind, "version", ver, "integratedTime", num[1],
			 "inclusionPromise", "signedEntryTimestamp", set, "canonicalizedBody", b64body);
}

/* cosign's dev.sigstore.cosign/rfc3161timestamp annotation. */
static json_t *timestamps(const og_buf *raw, og_error *e)
{
	json_auto_t *doc = og_json_parse(raw->data, raw->len, "rfc3161 timestamp", e);
	const char *ts;

	if (doc == NULL || og_json_str(doc, "SignedRFC3161Timestamp", "rfc3161 timestamp", 1, &ts, e) < 0)
		return NULL;
	return json_pack("{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp", ts);
}

int og_cosign_keyless_bundle(const struct og_sig_entry *en, char **out, size_t *len,
			     char payload_digest[OG_DIGEST_MAX], og_error *e)
{
	og_cleanup_free char *leaf = NULL, *sig = NULL, *md = NULL;
	json_auto_t *doc = NULL;
	json_t *entry, *vm;
	unsigned char h[32];

	*out = NULL;
	if (en->payload.data == NULL || en->signature.data == NULL || en->certificate.data == NULL)
		return og_fail(e, "keyless entry: needs the payload, its signature and the certificate");
	if (en->signature.len == 0 || en->signature.len > OG_MAX_SIGNATURE_BYTES)
		return og_fail(e, "keyless entry: signature of %zu bytes", en->signature.len);
	/* cosign requires the transparency-log entry for a keyless signature;
	 * without it (or a timestamp) nothing dates the signature. */
	if (en->rekor_bundle.data == NULL)
		return og_fail(e, "keyless entry: no Rekor bundle (annotation dev.sigstore.cosign/bundle)%s: "
			       "no transparency-log entry and no verified signing time",
			       en->rfc3161_timestamp.data ? "" : " and no RFC 3161 timestamp");
	if (read_pem_certs(&en->certificate, "certificate", 1, &leaf, e) < 0 ||
	    (en->chain.data != NULL && read_pem_certs(&en->chain, "chain", OG_TR_MAX_CHAIN, NULL, e) < 0))
		return og_wrap(e, "keyless entry");
	EVP_Digest(en->payload.data, en->payload.len, h, NULL, EVP_sha256(), NULL);
	og_sha256_digest(en->payload.data, en->payload.len, payload_digest, OG_DIGEST_MAX);
	sig = og_base64_encode(en->signature.data, en->signature.len);
	md = og_base64_encode(h, sizeof h);
	entry = tlog_entry(&en->rekor_bundle, e);
	if (entry == NULL)
		return og_wrap(e, "keyless entry");
	if (sig == NULL || md == NULL)
		return og_fail(e, "out of memory");
	doc = json_pack("{s:s, s:{s:{s:[{s:s}]}, s:[o]}, s:{s:{s:s, s:s}, s:s}}", "mediaType",
			OG_COSIGN_BUNDLE_MEDIA_TYPE, "verificationMaterial", "x509CertificateChain", "certificates",
			"rawBytes", leaf, "tlogEntries", entry, "messageSignature", "messageDigest", "algorithm",
			"SHA2_256", "digest", md, "signature", sig);
	if (doc == NULL)
		return og_fail(e, "out of memory");
	if (en->rfc3161_timestamp.data != NULL) {
		json_t *tvd = timestamps(&en->rfc3161_timestamp, e);

		vm = json_object_get(doc, "verificationMaterial");
		if (tvd == NULL)
			return og_wrap(e, "keyless entry");
		if (json_object_set_new(vm, "timestampVerificationData", tvd) < 0)
			return og_fail(e, "out of memory");
	}
	/* Into malloc'd memory (json_dumps would use jansson's allocator: the
	 * hook's arena, which free(3) must not see). */
	*len = json_dumpb(doc, NULL, 0, JSON_COMPACT);
	if (*len == 0 || (*out = malloc(*len + 1)) == NULL)
		return og_fail(e, "out of memory");
	if (json_dumpb(doc, *out, *len, JSON_COMPACT) != *len) {
		free(*out);
		*out = NULL;
		return og_fail(e, "cannot serialise the bundle");
	}
	(*out)[*len] = '\0';
	return 0;
}
