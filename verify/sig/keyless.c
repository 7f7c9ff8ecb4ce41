#include "verify/sig/keyless.h"
#include "verify/sig/dsse.h"
#include "verify/sig/rekor.h"
#include "verify/sig/san_pattern.h"
#include "verify/sig/sigstore.h"
#include "verify/sig/tsa.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

OG_DEFINE_CLEANUP(X509, X509_free)

struct tlog_entry {
	int64_t log_index, integrated_time;
	unsigned char log_id[32];
	size_t log_id_len;
	const char *kind, *version;
	const char *body_b64;
	unsigned char *body;
	size_t body_len;
	unsigned char *set;
	size_t set_len;
	int has_proof;
	int64_t proof_index, tree_size;
	unsigned char root_hash[32];
	unsigned char (*hashes)[32];
	size_t nhashes;
	const char *checkpoint;
	size_t checkpoint_len;
	const struct og_tr_log *log;
	int set_verified;
};

/* Everything read from the bundle; strings point into doc. */
struct material {
	json_t *doc;
	struct og_bundle b;
	int v01;			/* media type version 0.1: SET required */
	X509 *leaf;			/* certificate bundles */
	size_t ntlog;
	struct tlog_entry tlog[OG_KEYLESS_MAX_TLOG_ENTRIES];
	size_t nts;
	unsigned char *ts[OG_KEYLESS_MAX_TIMESTAMPS];
	size_t ts_len[OG_KEYLESS_MAX_TIMESTAMPS];
	const unsigned char *sig;	/* the signature the log and the TSAs saw */
	size_t sig_len;
};

static void material_free(struct material *m)
{
	for (size_t i = 0; i < OG_KEYLESS_MAX_TLOG_ENTRIES; i++) {
		free(m->tlog[i].body);
		free(m->tlog[i].set);
		free(m->tlog[i].hashes);
	}
	for (size_t i = 0; i < OG_KEYLESS_MAX_TIMESTAMPS; i++)
		free(m->ts[i]);
	X509_free(m->leaf);
	og_bundle_free(&m->b);
	json_decref(m->doc);
	memset(m, 0, sizeof *m);
}

/* protobuf JSON writes int64 as a decimal string; a number is accepted too. */
static int get_i64(const json_t *obj, const char *key, const char *path, int required, int64_t *out, og_error *e)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char *end;
	long long n;

	if (v == NULL) {
		if (required)
			return og_fail(e, "%s.%s: missing", path, key);
		return 1;
	}
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		if (s[0] == '-')
			return og_fail(e, "%s.%s: negative", path, key);
		if (s[0] < '0' || s[0] > '9' || strlen(s) > 19 || (s[0] == '0' && s[1] != '\0'))
			return og_fail(e, "%s.%s: not a decimal integer of at most 19 digits", path, key);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return og_fail(e, "%s.%s: not a decimal integer of at most 19 digits", path, key);
		*out = n;
	} else {
		return og_fail(e, "%s.%s: expected an integer, found %s", path, key, og_json_type(v));
	}
	if (*out < 0)
		return og_fail(e, "%s.%s: negative", path, key);
	return 0;
}

static int get_b64(const json_t *obj, const char *key, const char *path, size_t max, unsigned char **out,
		   size_t *len, og_error *e)
{
	const char *s;
	char p[128];

	if (og_json_str(obj, key, path, 1, &s, e) < 0)
		return -1;
	og_bfmt(p, sizeof p, "%s.%s", path, key);
	if (strlen(s) > max / 3 * 4 + 4)
		return og_fail(e, "%s: longer than %zu bytes", p, max);
	return og_base64_decode(s, strlen(s), 0, p, out, len, e);
}

static int get_b64_fixed(const json_t *obj, const char *key, const char *path, unsigned char *out, size_t n,
			 og_error *e)
{
	og_cleanup_free unsigned char *raw = NULL;
	size_t len;

	if (get_b64(obj, key, path, n, &raw, &len, e) < 0)
		return -1;
	if (len != n)
		return og_fail(e, "%s.%s: %zu bytes, expected %zu", path, key, len, n);
	memcpy(out, raw, n);
	return 0;
}

static int read_certificate(const json_t *c, const char *path, X509 **out, og_error *e)
{
	og_cleanup_free unsigned char *der = NULL;
	size_t len;

	if (!json_is_object(c))
		return og_fail(e, "%s: expected an object", path);
	if (get_b64(c, "rawBytes", path, OG_TR_MAX_CERT_BYTES, &der, &len, e) < 0)
		return -1;
	*out = og_tr_cert_from_der(der, len, path, e);
	return *out == NULL ? -1 : 0;
}

static int read_material(struct material *m, og_error *e)
{
	json_t *vm = json_object_get(m->doc, "verificationMaterial"), *c, *chain, *certs;

	if ((c = json_object_get(vm, "certificate")) != NULL)
		return read_certificate(c, "bundle.verificationMaterial.certificate", &m->leaf, e);
	if ((chain = json_object_get(vm, "x509CertificateChain")) != NULL) {
		size_t n;

		if (!json_is_object(chain) ||
		    og_json_arr(chain, "certificates", "bundle.verificationMaterial.x509CertificateChain", 1, &certs, e) < 0)
			return og_fail(e, "bundle: x509CertificateChain without a certificates list");
		n = json_array_size(certs);
		if (n == 0)
			return og_fail(e, "bundle: empty certificate chain");
		if (n > OG_TR_MAX_CHAIN)
			return og_fail(e, "bundle: certificate chain of more than %d certificates", OG_TR_MAX_CHAIN);
		/* Only the leaf is used: the CAs come from the trusted root.  A
		 * bundle carrying a root certificate is refused outright. */
		for (size_t i = 1; i < n; i++) {
			og_cleanup(X509_free) X509 *x = NULL;

			if (read_certificate(json_array_get(certs, i), "bundle.x509CertificateChain", &x, e) < 0)
				return -1;
			if (X509_check_issued(x, x) == X509_V_OK)
				return og_fail(e, "certificate chain: the bundle carries a root certificate");
		}
		return read_certificate(json_array_get(certs, 0), "bundle.x509CertificateChain[0]", &m->leaf, e);
	}
	return 0;	/* publicKey: og_bundle_parse_doc checked it */
}

static int read_proof(const json_t *pr, struct tlog_entry *t, const char *path, og_error *e)
{
	json_t *hashes, *h, *cp;
	const char *env = NULL;
	size_t i;

	if (!json_is_object(pr))
		return og_fail(e, "%s.inclusionProof: expected an object", path);
	if (get_i64(pr, "logIndex", path, 1, &t->proof_index, e) < 0 ||
	    get_i64(pr, "treeSize", path, 1, &t->tree_size, e) < 0 ||
	    get_b64_fixed(pr, "rootHash", path, t->root_hash, 32, e) < 0 ||
	    og_json_arr(pr, "hashes", path, 1, &hashes, e) < 0 ||
	    og_json_obj(pr, "checkpoint", path, 0, &cp, e) < 0 ||
	    (cp != NULL && og_json_str(cp, "envelope", path, 1, &env, e) < 0))
		return -1;
	if (json_array_size(hashes) > OG_MAX_PROOF_HASHES)
		return og_fail(e, "inclusion proof: more than %d hashes", OG_MAX_PROOF_HASHES);
	t->hashes = calloc(json_array_size(hashes) + 1, 32);
	if (t->hashes == NULL)
		return og_fail(e, "out of memory");
	json_array_foreach(hashes, i, h) {
		og_cleanup_free unsigned char *raw = NULL;
		size_t len;

		if (!json_is_string(h) || json_string_length(h) != 44 ||
		    og_base64_decode(json_string_value(h), 44, 0, "inclusion proof hash", &raw, &len, e) < 0 ||
		    len != 32)
			return og_fail(e, "inclusion proof: hash %zu is not base64 of 32 bytes", i);
		memcpy(t->hashes[i], raw, 32);
	}
	t->nhashes = json_array_size(hashes);
	t->checkpoint = env;	/* required, checked after the proof itself */
	t->checkpoint_len = env != NULL ? strlen(env) : 0;
	t->has_proof = 1;
	return 0;
}

static int read_tlog_entry(const json_t *it, struct tlog_entry *t, const char *path, og_error *e)
{
	json_t *lid, *kv, *promise, *proof;
	og_cleanup_free unsigned char *id = NULL;
	size_t idlen;

	if (!json_is_object(it))
		return og_fail(e, "%s: expected an object", path);
	if (get_i64(it, "logIndex", path, 1, &t->log_index, e) < 0 ||
	    og_json_obj(it, "logId", path, 1, &lid, e) < 0 ||
	    get_b64(lid, "keyId", path, 32, &id, &idlen, e) < 0 ||
	    og_json_obj(it, "kindVersion", path, 1, &kv, e) < 0 ||
	    og_json_str(kv, "kind", path, 1, &t->kind, e) < 0 ||
	    og_json_str(kv, "version", path, 1, &t->version, e) < 0 ||
	    get_i64(it, "integratedTime", path, 0, &t->integrated_time, e) < 0 ||
	    og_json_str(it, "canonicalizedBody", path, 1, &t->body_b64, e) < 0 ||
	    og_json_obj(it, "inclusionPromise", path, 0, &promise, e) < 0 ||
	    og_json_obj(it, "inclusionProof", path, 0, &proof, e) < 0)
		return -1;
	if (idlen == 0 || idlen > sizeof t->log_id)
		return og_fail(e, "%s.logId.keyId: %zu bytes", path, idlen);
	memcpy(t->log_id, id, idlen);
	t->log_id_len = idlen;
	if (strlen(t->body_b64) > OG_KEYLESS_MAX_BODY_BYTES / 3 * 4 + 4 ||
	    og_base64_decode(t->body_b64, strlen(t->body_b64), 0, "canonicalizedBody", &t->body, &t->body_len, e) < 0)
		return og_fail(e, "%s.canonicalizedBody: not base64 of at most %d bytes", path,
			       OG_KEYLESS_MAX_BODY_BYTES);
	if (promise != NULL &&
	    get_b64(promise, "signedEntryTimestamp", path, OG_MAX_SIGNATURE_BYTES, &t->set, &t->set_len, e) < 0)
		return -1;
	if (proof != NULL && read_proof(proof, t, path, e) < 0)
		return -1;
	return 0;
}

static int read_tlog(struct material *m, og_error *e)
{
	json_t *vm = json_object_get(m->doc, "verificationMaterial"), *arr, *tvd, *list, *it;
	size_t i;

	if (og_json_arr(vm, "tlogEntries", "bundle.verificationMaterial", 1, &arr, e) < 0)
		return og_fail(e, "tlog entry: %s", "the bundle has no tlogEntries list");
	if (json_array_size(arr) == 0 || json_array_size(arr) > OG_KEYLESS_MAX_TLOG_ENTRIES)
		return og_fail(e, "tlog entry: the bundle has %zu entries (1 to %d accepted)", json_array_size(arr),
			       OG_KEYLESS_MAX_TLOG_ENTRIES);
	json_array_foreach(arr, i, it) {
		char path[64];

		og_bfmt(path, sizeof path, "bundle.tlogEntries[%zu]", i);
		if (read_tlog_entry(it, &m->tlog[i], path, e) < 0)
			return -1;
		m->ntlog++;
	}
	if (og_json_obj(vm, "timestampVerificationData", "bundle.verificationMaterial", 0, &tvd, e) < 0)
		return -1;
	if (tvd == NULL)
		return 0;
	if (og_json_arr(tvd, "rfc3161Timestamps", "bundle.timestampVerificationData", 0, &list, e) < 0)
		return -1;
	if (list == NULL)
		return 0;
	if (json_array_size(list) > OG_KEYLESS_MAX_TIMESTAMPS)
		return og_fail(e, "timestamp: more than %d RFC 3161 timestamps", OG_KEYLESS_MAX_TIMESTAMPS);
	json_array_foreach(list, i, it) {
		if (!json_is_object(it))
			return og_fail(e, "bundle.rfc3161Timestamps[%zu]: expected an object", i);
		const char *ts;

		/* Line breaks are skipped here as protobuf JSON readers do (base64
		 * tools wrap lines); the token itself is verified bit for bit. */
		if (og_json_str(it, "signedTimestamp", "bundle.rfc3161Timestamps", 1, &ts, e) < 0)
			return -1;
		if (strlen(ts) > OG_MAX_TIMESTAMP_BYTES * 2 ||
		    og_base64_decode(ts, strlen(ts), 1, "bundle.rfc3161Timestamps.signedTimestamp", &m->ts[i],
				     &m->ts_len[i], e) < 0)
			return og_wrap(e, "timestamp");
		m->nts++;
	}
	return 0;
}

static int read_bundle(const char *data, size_t len, struct material *m, og_error *e)
{
	const char *mt;

	if (len > OG_MAX_BUNDLE_BYTES)
		return og_fail(e, "bundle: larger than %d bytes", OG_MAX_BUNDLE_BYTES);
	m->doc = og_json_parse(data, len, "bundle", e);
	if (m->doc == NULL)
		return -1;
	if (!json_is_object(m->doc))
		return og_fail(e, "bundle: expected a JSON object");
	if (og_bundle_parse_doc(m->doc, 1, &m->b, e) < 0)
		return -1;
	if (og_json_str(m->doc, "mediaType", "bundle", 1, &mt, e) < 0)
		return -1;
	m->v01 = strstr(mt, "version=0.1") != NULL;
	if (read_material(m, e) < 0 || read_tlog(m, e) < 0)
		return -1;
	if (m->b.kind == OG_BUNDLE_MESSAGE) {
		m->sig = m->b.sig;
		m->sig_len = m->b.sig_len;
	} else {
		if (m->b.env.nsig != 1)
			return og_fail(e, "bundle: the DSSE envelope has %zu signatures, a Sigstore bundle has one",
				       m->b.env.nsig);
		m->sig = m->b.env.sig[0];
		m->sig_len = m->b.env.sig_len[0];
	}
	return 0;
}

int og_pem_cert_der(const unsigned char *pem, size_t len, unsigned char **der, size_t *dlen, og_error *e)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	const char *s = (const char *)pem, *b, *f;

	b = memmem(s, len, begin, sizeof begin - 1);
	if (b == NULL)
		return og_fail(e, "no PEM certificate");
	b += sizeof begin - 1;
	f = memmem(b, len - (size_t)(b - s), end, sizeof end - 1);
	if (f == NULL)
		return og_fail(e, "PEM certificate not terminated");
	return og_base64_decode(b, (size_t)(f - b), 1, "PEM certificate", der, dlen, e);
}

/* The log's verifier (PEM text or DER) is the bundle's certificate or key. */
static int verifier_matches(const unsigned char *v, size_t len, int is_pem, const struct material *m,
			    EVP_PKEY *key)
{
	og_error pe = { 0 };

	if (m->leaf != NULL) {
		og_cleanup_free unsigned char *der = NULL, *mine = NULL;
		size_t dlen = len;
		int mlen = i2d_X509(m->leaf, &mine);

		if (is_pem && og_pem_cert_der(v, len, &der, &dlen, &pe) < 0)
			return 0;
		return mlen > 0 && (size_t)mlen == dlen && memcmp(mine, der ? der : v, dlen) == 0;
	}
	{
		og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
		int rc = is_pem ? og_key_from_pem((const char *)v, len, "log entry key", &k, &pe)
				: og_key_from_der(v, len, "log entry key", &k, &pe);

		return rc == 0 && EVP_PKEY_eq(k, key) == 1;
	}
}

static int b64_equals(const json_t *obj, const char *key, const unsigned char *want, size_t wlen)
{
	og_cleanup_free unsigned char *raw = NULL;
	og_error pe = { 0 };
	size_t len;

	return get_b64(obj, key, "log entry", OG_KEYLESS_MAX_BODY_BYTES, &raw, &len, &pe) == 0 && len == wlen &&
	       memcmp(raw, want, wlen) == 0;
}

static int hex_equals(const json_t *hash, const char *alg, const unsigned char want[32])
{
	const json_t *a = json_object_get(hash, "algorithm"), *v = json_object_get(hash, "value");
	char hex[65];

	og_hex_encode(want, 32, hex);
	return json_is_string(a) && strcmp(json_string_value(a), alg) == 0 && json_is_string(v) &&
	       strcmp(json_string_value(v), hex) == 0;
}

static int digest_b64_equals(const json_t *hash, const unsigned char want[32])
{
	const json_t *a = json_object_get(hash, "algorithm");

	return json_is_string(a) && strcmp(json_string_value(a), "SHA2_256") == 0 &&
	       b64_equals(hash, "digest", want, 32);
}

/* A protobuf verifier {x509Certificate{rawBytes}} or {publicKey{rawBytes}}. */
static int v2_verifier_matches(const json_t *ver, const struct material *m, EVP_PKEY *key)
{
	const json_t *c = json_object_get(ver, "x509Certificate"), *pk = json_object_get(ver, "publicKey");
	og_cleanup_free unsigned char *raw = NULL;
	og_error pe = { 0 };
	size_t len;
	const json_t *holder = m->leaf != NULL ? c : pk;

	if (!json_is_object(holder) ||
	    get_b64(holder, "rawBytes", "verifier", OG_TR_MAX_CERT_BYTES, &raw, &len, &pe) < 0)
		return 0;
	return verifier_matches(raw, len, 0, m, key);
}

static const json_t *path_get(const json_t *v, const char *const *keys)
{
	for (; *keys != NULL && v != NULL; keys++)
		v = json_is_object(v) ? json_object_get(v, *keys) : NULL;
	return v;
}
#define GET(v, ...) path_get((v), (const char *const[]){ __VA_ARGS__, NULL })

/* What the log recorded is what the bundle carries: the signature, the
 * certificate or key, and the digest (artifact, or PAE for DSSE in a
 * hashedrekord) or the DSSE payload. */
static int match_body(const struct material *m, const struct tlog_entry *t, EVP_PKEY *key, og_error *e)
{
	json_auto_t *body = og_json_parse((const char *)t->body, t->body_len, "tlog entry body", e);
	const json_t *spec, *kind, *ver;
	unsigned char hashed[32], payload_hash[32];
	const struct og_dsse_envelope *env = &m->b.env;
	int dsse = m->b.kind == OG_BUNDLE_DSSE;

	if (body == NULL)
		return og_wrap(e, "tlog entry");
	kind = GET(body, "kind");
	ver = GET(body, "apiVersion");
	spec = GET(body, "spec");
	if (!json_is_string(kind) || !json_is_string(ver) || !json_is_object(spec))
		return og_fail(e, "tlog entry: body without kind, apiVersion and spec");
	if (strcmp(json_string_value(kind), t->kind) != 0 || strcmp(json_string_value(ver), t->version) != 0)
		return og_fail(e, "tlog entry: body is %.40s %.20s, kindVersion says %.40s %.20s",
			       json_string_value(kind), json_string_value(ver), t->kind, t->version);
	if (dsse) {
		og_cleanup_free unsigned char *pae = NULL;
		size_t pae_len;

		if (og_dsse_pae(env->payload_type, env->payload, env->payload_len, &pae, &pae_len, e) < 0)
			return -1;
		EVP_Digest(pae, pae_len, hashed, NULL, EVP_sha256(), NULL);
		EVP_Digest(env->payload, env->payload_len, payload_hash, NULL, EVP_sha256(), NULL);
	} else {
		memcpy(hashed, m->b.msg_digest, 32);
	}

	if (strcmp(t->kind, "hashedrekord") == 0 && strcmp(t->version, "0.0.1") == 0) {
		const json_t *pk = GET(spec, "signature", "publicKey");
		og_cleanup_free unsigned char *pem = NULL;
		og_error pe = { 0 };
		size_t plen;

		if (!hex_equals(GET(spec, "data", "hash"), "sha256", hashed))
			return og_fail(e, "tlog entry: the logged digest is not the bundle's");
		if (!b64_equals(GET(spec, "signature"), "content", m->sig, m->sig_len))
			return og_fail(e, "tlog entry: the logged signature is not the bundle's");
		if (!json_is_object(pk) || get_b64(pk, "content", "publicKey", OG_TR_MAX_CERT_BYTES * 2, &pem, &plen, &pe) < 0 ||
		    !verifier_matches(pem, plen, 1, m, key))
			return og_fail(e, "tlog entry: the logged certificate or key is not the bundle's");
		return 0;
	}
	if (strcmp(t->kind, "hashedrekord") == 0 && strcmp(t->version, "0.0.2") == 0) {
		const json_t *h = GET(spec, "hashedRekordV002");

		if (!digest_b64_equals(GET(h, "data"), hashed))
			return og_fail(e, "tlog entry: the logged digest is not the bundle's");
		if (!b64_equals(GET(h, "signature"), "content", m->sig, m->sig_len))
			return og_fail(e, "tlog entry: the logged signature is not the bundle's");
		if (!v2_verifier_matches(GET(h, "signature", "verifier"), m, key))
			return og_fail(e, "tlog entry: the logged certificate or key is not the bundle's");
		return 0;
	}
	if (!dsse)
		return og_fail(e, "tlog entry: a %.40s %.20s entry cannot log a message signature", t->kind, t->version);
	if (strcmp(t->kind, "dsse") == 0 && strcmp(t->version, "0.0.1") == 0) {
		const json_t *sigs = GET(spec, "signatures"), *s0;
		og_cleanup_free unsigned char *pem = NULL;
		og_error pe = { 0 };
		size_t plen;

		if (!hex_equals(GET(spec, "payloadHash"), "sha256", payload_hash))
			return og_fail(e, "tlog entry: the logged payload hash is not the envelope's");
		if (!json_is_array(sigs) || json_array_size(sigs) != 1 || !json_is_object(s0 = json_array_get(sigs, 0)))
			return og_fail(e, "tlog entry: the logged envelope does not have one signature");
		if (!b64_equals(s0, "signature", m->sig, m->sig_len))
			return og_fail(e, "tlog entry: the logged signature is not the envelope's");
		if (get_b64(s0, "verifier", "verifier", OG_TR_MAX_CERT_BYTES * 2, &pem, &plen, &pe) < 0 ||
		    !verifier_matches(pem, plen, 1, m, key))
			return og_fail(e, "tlog entry: the logged certificate or key is not the bundle's");
		return 0;
	}
	if (strcmp(t->kind, "dsse") == 0 && strcmp(t->version, "0.0.2") == 0) {
		const json_t *d = GET(spec, "dsseV002"), *sigs = GET(d, "signatures"), *s0;

		if (!digest_b64_equals(GET(d, "payloadHash"), payload_hash))
			return og_fail(e, "tlog entry: the logged payload hash is not the envelope's");
		if (!json_is_array(sigs) || json_array_size(sigs) != 1 || !json_is_object(s0 = json_array_get(sigs, 0)))
			return og_fail(e, "tlog entry: the logged envelope does not have one signature");
		if (!b64_equals(s0, "content", m->sig, m->sig_len))
			return og_fail(e, "tlog entry: the logged signature is not the envelope's");
		if (!v2_verifier_matches(GET(s0, "verifier"), m, key))
			return og_fail(e, "tlog entry: the logged certificate or key is not the bundle's");
		return 0;
	}
	if (strcmp(t->kind, "intoto") == 0 && strcmp(t->version, "0.0.2") == 0) {
		const json_t *c = GET(spec, "content"), *le = GET(c, "envelope"), *sigs = GET(le, "signatures"), *s0;
		const json_t *pt = GET(le, "payloadType");
		og_cleanup_free unsigned char *sig_b64 = NULL, *sig = NULL, *pem = NULL;
		og_error pe = { 0 };
		size_t l1, l2, plen;

		if (!hex_equals(GET(c, "payloadHash"), "sha256", payload_hash))
			return og_fail(e, "tlog entry: the logged payload hash is not the envelope's");
		if (!json_is_string(pt) || strcmp(json_string_value(pt), env->payload_type) != 0)
			return og_fail(e, "tlog entry: the logged payload type is not the envelope's");
		if (!json_is_array(sigs) || json_array_size(sigs) != 1 || !json_is_object(s0 = json_array_get(sigs, 0)))
			return og_fail(e, "tlog entry: the logged envelope does not have one signature");
		/* intoto 0.0.2 base64-encodes the envelope's base64 signature once more. */
		if (get_b64(s0, "sig", "sig", OG_MAX_SIGNATURE_BYTES * 2, &sig_b64, &l1, &pe) < 0 ||
		    og_base64_decode((const char *)sig_b64, l1, 0, "sig", &sig, &l2, &pe) < 0 || l2 != m->sig_len ||
		    memcmp(sig, m->sig, l2) != 0)
			return og_fail(e, "tlog entry: the logged signature is not the envelope's");
		if (get_b64(s0, "publicKey", "publicKey", OG_TR_MAX_CERT_BYTES * 2, &pem, &plen, &pe) < 0 ||
		    !verifier_matches(pem, plen, 1, m, key))
			return og_fail(e, "tlog entry: the logged certificate or key is not the bundle's");
		return 0;
	}
	return og_fail(e, "tlog entry: kind %.40s version %.20s is not supported", t->kind, t->version);
}

static int verify_entry(const struct material *m, struct tlog_entry *t, const struct og_keyless_opts *o,
			EVP_PKEY *key, og_error *e)
{
	const struct og_tr_log *log = og_tr_find_log(o->root->tlogs, o->root->ntlogs, t->log_id, t->log_id_len);
	og_error ve = { 0 };

	if (match_body(m, t, key, e) < 0)
		return -1;
	if (log == NULL)
		return og_fail(e, "tlog entry: its log is not a transparency log of the trusted root");
	t->log = log;
	if (t->set != NULL) {
		og_cleanup_free char *payload = NULL;
		size_t plen;

		if (t->integrated_time <= 0)
			return og_fail(e, "signed entry timestamp: the entry has no integrated time");
		if (og_rekor_set_payload(t->body_b64, t->integrated_time, t->log_id, t->log_id_len, t->log_index,
					 &payload, &plen, e) < 0)
			return og_wrap(e, "signed entry timestamp");
		if (og_key_verify(log->key, payload, plen, t->set, t->set_len, &ve) < 0)
			return og_fail(e, "signed entry timestamp: does not verify with the key of log %s", log->url);
		t->set_verified = 1;
	} else if (m->v01) {
		return og_fail(e, "signed entry timestamp: missing (a v0.1 bundle needs one)");
	}
	if (t->has_proof) {
		struct og_checkpoint *cp = malloc(sizeof *cp);
		unsigned char leaf[32];
		int rc;

		if (cp == NULL)
			return og_fail(e, "out of memory");
		og_rekor_leaf_hash(t->body, t->body_len, leaf);
		rc = og_inclusion_verify((uint64_t)t->proof_index, (uint64_t)t->tree_size, leaf,
					 (const unsigned char (*)[32])t->hashes, t->nhashes, t->root_hash, e);
		if (rc == 0 && t->checkpoint == NULL)
			rc = og_fail(e, "checkpoint: the inclusion proof has none");
		if (rc == 0 && (rc = og_checkpoint_parse(t->checkpoint, t->checkpoint_len, cp, e)) == 0) {
			if (cp->size != (uint64_t)t->tree_size || memcmp(cp->root, t->root_hash, 32) != 0)
				rc = og_fail(e, "checkpoint: names another tree than the inclusion proof");
			else if (og_checkpoint_verify(cp, t->checkpoint, log->key, t->log_id, t->log_id_len, e) < 0)
				rc = og_wrap(e, "checkpoint of log %s", log->url);
		}
		free(cp);
		if (rc < 0)
			return -1;
	} else if (!m->v01 || t->integrated_time <= 0) {
		return og_fail(e, "inclusion proof: missing (required from bundle v0.2 on and for Rekor v2)");
	}
	return 0;
}

static int check_content(const struct material *m, EVP_PKEY *key, const unsigned char digest[32],
			 const char *digest_str, og_error *e)
{
	og_error ve = { 0 };

	if (og_bundle_verify(&m->b, key, &ve) < 0)
		return og_fail(e, "signature: does not verify with the bundle's %s (%s)",
			       m->leaf != NULL ? "certificate" : "key", ve.msg);
	if (m->b.kind == OG_BUNDLE_MESSAGE) {
		if (memcmp(m->b.msg_digest, digest, 32) != 0)
			return og_fail(e, "artifact: the signed messageDigest is not %s", digest_str);
		return 0;
	}
	{
		struct og_intoto *st;
		int found = 0;

		if (m->b.env.payload_type == NULL || strcmp(m->b.env.payload_type, OG_INTOTO_PAYLOAD_TYPE) != 0)
			return og_fail(e, "artifact: DSSE payloadType is not %s", OG_INTOTO_PAYLOAD_TYPE);
		st = calloc(1, sizeof *st);
		if (st == NULL)
			return og_fail(e, "out of memory");
		if (og_intoto_parse(m->b.env.payload, m->b.env.payload_len, st, e) < 0) {
			free(st);
			return og_wrap(e, "artifact: signed statement");
		}
		for (size_t i = 0; i < st->nsub; i++)
			found |= strcmp(st->digest[i], digest_str) == 0;
		free(st);
		if (!found)
			return og_fail(e, "artifact: no in-toto subject names %s", digest_str);
	}
	return 0;
}

/* SAN (exact or whole-match pattern), issuer (exact), pinned extensions. */
static int check_identity(X509 *leaf, const struct og_fulcio_identity *id, const struct og_keyless_opts *o,
			  og_error *e)
{
	char value[OG_FULCIO_MAX_IDENTITY];
	int rc;

	if (o->identity_regex != NULL) {
		rc = og_san_pattern_match(o->identity_regex, id->san, e);
		if (rc < 0)
			return og_wrap(e, "identity");
		if (rc == 0)
			return og_fail(e, "identity: certificate SAN %.300s does not match %.300s", id->san,
				       o->identity_regex);
	} else if (o->identity == NULL || strcmp(id->san, o->identity) != 0) {
		return og_fail(e, "identity: certificate SAN %.300s is not %.300s", id->san,
			       o->identity ? o->identity : "(none given)");
	}
	if (o->issuer == NULL || strcmp(id->issuer, o->issuer) != 0)
		return og_fail(e, "identity: certificate issuer %.300s is not %.300s", id->issuer,
			       o->issuer ? o->issuer : "(none given)");
	if (o->nextensions > OG_KEYLESS_MAX_EXTENSIONS)
		return og_fail(e, "identity: more than %d pinned extensions", OG_KEYLESS_MAX_EXTENSIONS);
	for (size_t i = 0; i < o->nextensions; i++) {
		const struct og_keyless_extension *x = &o->extensions[i];

		rc = og_fulcio_extension(leaf, x->n, value, sizeof value, e);
		if (rc < 0)
			return og_wrap(e, "identity");
		if (rc == 0)
			return og_fail(e, "identity: certificate has no extension " OG_FULCIO_OID_PREFIX "%d", x->n);
		if (strcmp(value, x->value) != 0)
			return og_fail(e, "identity: certificate extension " OG_FULCIO_OID_PREFIX "%d is %.300s, not %.300s",
				       x->n, value, x->value);
	}
	return 0;
}

static int check_certificate(const struct material *m, const struct og_keyless_opts *o, const int64_t *times,
			     size_t ntimes, struct og_keyless_result *r, og_error *e)
{
	struct og_fulcio_identity id;
	int64_t nb, na;
	X509 *issuer = NULL;

	if (og_cert_validity(m->leaf, &nb, &na, e) < 0)
		return og_wrap(e, "certificate");
	for (size_t i = 0; i < ntimes; i++) {
		if (times[i] < nb || times[i] > na)
			return og_fail(e, "certificate: not valid at the signing time %" PRId64
				       " (valid from %" PRId64 " to %" PRId64 ")", times[i], nb, na);
		if (og_fulcio_chain_verify(m->leaf, o->root, times[i], &issuer, e) < 0)
			return -1;
	}
	if (og_fulcio_sct_verify(m->leaf, issuer, o->root, e) < 0)
		return -1;
	if (og_fulcio_identity_read(m->leaf, &id, e) < 0)
		return og_wrap(e, "identity");
	if (check_identity(m->leaf, &id, o, e) < 0)
		return -1;
	og_bfmt(r->san, sizeof r->san, "%s", id.san);
	og_bfmt(r->issuer, sizeof r->issuer, "%s", id.issuer);
	return 0;
}

static int verify_material(struct material *m, const char *digest, const struct og_keyless_opts *o,
			   struct og_keyless_result *r, og_error *e)
{
	unsigned char dg[32];
	int64_t times[OG_KEYLESS_MAX_TLOG_ENTRIES + OG_KEYLESS_MAX_TIMESTAMPS];
	size_t ntimes = 0;
	EVP_PKEY *key;

	if (!og_digest_valid(digest))
		return og_fail(e, "artifact: %.100s is not a sha256 digest", digest);
	for (size_t i = 0; i < 32; i++) {
		unsigned int byte;

		sscanf(digest + 7 + 2 * i, "%2x", &byte);
		dg[i] = (unsigned char)byte;
	}
	if (m->leaf != NULL && o->key != NULL)
		return og_fail(e, "bundle: it carries a certificate, but a key was given to verify it");
	if (m->leaf == NULL && o->key == NULL)
		return og_fail(e, "bundle: it has no certificate, and no key was given to verify it");
	key = m->leaf != NULL ? X509_get0_pubkey(m->leaf) : o->key;
	if (key == NULL || og_key_check_type(key, "certificate key", e) < 0)
		return og_wrap(e, "certificate");
	if (check_content(m, key, dg, digest, e) < 0)
		return -1;
	for (size_t i = 0; i < m->ntlog; i++) {
		if (verify_entry(m, &m->tlog[i], o, key, e) < 0)
			return -1;
		if (m->tlog[i].set_verified)
			times[ntimes++] = m->tlog[i].integrated_time;
	}
	for (size_t i = 0; i < m->nts; i++) {
		int64_t t;

		if (og_tsa_verify(m->ts[i], m->ts_len[i], m->sig, m->sig_len, o->root, &t, e) < 0)
			return -1;
		times[ntimes++] = t;
	}
	if (ntimes == 0)
		return og_fail(e, "time: no verified signing time (no signed entry timestamp, no RFC 3161 timestamp)");
	for (size_t i = 0; i < ntimes; i++)
		if (times[i] > o->now)
			return og_fail(e, "time: signing time %" PRId64 " is in the future", times[i]);
	/* Each log key must be valid when its entry was made: at the integrated
	 * time, or for entries without one at every verified time. */
	for (size_t i = 0; i < m->ntlog; i++) {
		const struct tlog_entry *t = &m->tlog[i];

		for (size_t j = 0; j < ntimes; j++) {
			int64_t at = t->set_verified ? t->integrated_time : times[j];

			if (!og_tr_window_has(&t->log->valid, at))
				return og_fail(e, "tlog entry: time %" PRId64 " outside the validity of log key %s", at,
					       t->log->url);
		}
	}
	if (m->leaf != NULL && check_certificate(m, o, times, ntimes, r, e) < 0)
		return -1;
	r->log_index = m->tlog[0].log_index;
	og_bfmt(r->log_url, sizeof r->log_url, "%s", m->tlog[0].log->url);
	r->signed_at = times[0];
	for (size_t i = 1; i < ntimes; i++)
		if (times[i] < r->signed_at)
			r->signed_at = times[i];
	return 0;
}

int og_keyless_verify(const char *data, size_t len, const char *digest, const struct og_keyless_opts *o,
		      struct og_keyless_result *r, og_error *e)
{
	struct material *m;
	int rc;

	memset(r, 0, sizeof *r);
	if (og_crypto_init() < 0)
		return og_fail(e, "OpenSSL cannot be initialised");
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return og_fail(e, "out of memory");
	rc = read_bundle(data, len, m, e);
	if (rc == 0)
		rc = verify_material(m, digest, o, r, e);
	material_free(m);
	free(m);
	return rc;
}
