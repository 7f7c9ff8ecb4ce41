#include "verify/sig/trusted_root.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "verify/common/keys.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

int og_tr_window_has(const struct og_tr_window *w, int64_t t)
{
	return t >= w->start && (w->end == 0 || t <= w->end);
}

const struct og_tr_log *og_tr_find_log(const struct og_tr_log *logs, size_t n, const unsigned char *id,
				       size_t id_len)
{
	for (size_t i = 0; i < n; i++)
		if (logs[i].id_len == id_len && memcmp(logs[i].id, id, id_len) == 0)
			return &logs[i];
	return NULL;
}

X509 *og_tr_cert_from_der(const unsigned char *der, size_t len, const char *what, og_error *e)
{
	const unsigned char *p = der;
	X509 *c;

	if (len == 0 || len > OG_TR_MAX_CERT_BYTES) {
		og_fail(e, "%s: certificate of %zu bytes (1 to %d accepted)", what, len, OG_TR_MAX_CERT_BYTES);
		return NULL;
	}
	c = d2i_X509(NULL, &p, (long)len);
	if (c == NULL || p != der + len) {
		X509_free(c);
		og_fail(e, "%s: not one DER certificate", what);
		return NULL;
	}
	return c;
}

/* A base64 "rawBytes" member of obj, decoded. */
static int raw_bytes(const json_t *obj, const char *path, size_t max, unsigned char **out, size_t *len,
		     og_error *e)
{
	const char *s;

	if (og_json_str(obj, "rawBytes", path, 1, &s, e) < 0)
		return -1;
	if (strlen(s) > max / 3 * 4 + 4)
		return og_fail(e, "%s.rawBytes: longer than %zu bytes", path, max);
	return og_base64_decode(s, strlen(s), 0, path, out, len, e);
}

static int window(const json_t *obj, const char *path, struct og_tr_window *w, og_error *e)
{
	json_t *vf;
	const char *start = NULL, *end = NULL;
	char p[160];

	og_bfmt(p, sizeof p, "%s.validFor", path);
	if (og_json_obj(obj, "validFor", path, 1, &vf, e) < 0 ||
	    og_json_str(vf, "start", p, 1, &start, e) < 0 || og_json_str(vf, "end", p, 0, &end, e) < 0)
		return -1;
	if (og_parse_rfc3339(start, &w->start, e) < 0)
		return og_wrap(e, "%s.start", p);
	w->end = 0;
	if (end != NULL && og_parse_rfc3339(end, &w->end, e) < 0)
		return og_wrap(e, "%s.end", p);
	if (end != NULL && w->end < w->start)
		return og_fail(e, "%s: ends before it starts", p);
	return 0;
}

/* PKIX keys are DER SubjectPublicKeyInfo; CT logs may list a PKCS#1 RSA key. */
static int log_key(const json_t *pk, const char *path, EVP_PKEY **out, og_error *e)
{
	og_cleanup_free unsigned char *der = NULL;
	const char *details = "";
	size_t len;

	if (raw_bytes(pk, path, OG_MAX_KEY_FILE_BYTES, &der, &len, e) < 0 ||
	    og_json_str(pk, "keyDetails", path, 0, &details, e) < 0)
		return -1;
	if (strncmp(details, "PKCS1_RSA", 9) == 0) {
		const unsigned char *p = der;

		*out = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
		if (*out == NULL || p != der + len)
			return og_fail(e, "%s: not a PKCS#1 RSA public key", path);
		return og_key_check_type(*out, path, e);
	}
	return og_key_from_der(der, len, path, out, e);
}

/* The array doc[key] (absent: NULL, no entries) of at most OG_TR_MAX_ENTRIES. */
static int entries(const json_t *doc, const char *key, json_t **arr, og_error *e)
{
	if (og_json_arr(doc, key, "trusted root", 0, arr, e) < 0)
		return -1;
	if (*arr != NULL && json_array_size(*arr) > OG_TR_MAX_ENTRIES)
		return og_fail(e, "trusted root.%s: more than %d entries", key, OG_TR_MAX_ENTRIES);
	return 0;
}

static int parse_logs(const json_t *doc, const char *key, struct og_tr_log *logs, size_t *n, og_error *e)
{
	json_t *arr, *it;
	size_t i;

	if (entries(doc, key, &arr, e) < 0)
		return -1;
	json_array_foreach(arr, i, it) {
		struct og_tr_log *l = &logs[*n];
		json_t *pk, *lid;
		const char *url = "", *kid;
		char path[96];
		og_cleanup_free unsigned char *id = NULL;
		size_t idlen;

		og_bfmt(path, sizeof path, "trusted root.%s[%zu]", key, i);
		if (!json_is_object(it))
			return og_fail(e, "%s: expected an object", path);
		if (og_json_str(it, "baseUrl", path, 0, &url, e) < 0 ||
		    og_json_obj(it, "publicKey", path, 1, &pk, e) < 0 ||
		    og_json_obj(it, "logId", path, 1, &lid, e) < 0 ||
		    og_json_str(lid, "keyId", path, 1, &kid, e) < 0)
			return -1;
		if (strlen(kid) > 64 || og_base64_decode(kid, strlen(kid), 0, path, &id, &idlen, e) < 0 ||
		    idlen == 0 || idlen > sizeof l->id)
			return og_fail(e, "%s.logId.keyId: not a base64 id of at most 32 bytes", path);
		if (window(pk, path, &l->valid, e) < 0)
			return -1;
		if (log_key(pk, path, &l->key, e) < 0)
			return -1;
		memcpy(l->id, id, idlen);
		l->id_len = idlen;
		og_bfmt(l->url, sizeof l->url, "%s", url);
		(*n)++;
	}
	return 0;
}

static int parse_cas(const json_t *doc, const char *key, struct og_tr_ca *cas, size_t *n, og_error *e)
{
	json_t *arr, *it;
	size_t i;

	if (entries(doc, key, &arr, e) < 0)
		return -1;
	json_array_foreach(arr, i, it) {
		struct og_tr_ca *ca = &cas[*n];
		json_t *chain, *certs, *c;
		const char *uri = "";
		char path[96];
		size_t j;

		og_bfmt(path, sizeof path, "trusted root.%s[%zu]", key, i);
		if (!json_is_object(it))
			return og_fail(e, "%s: expected an object", path);
		if (og_json_str(it, "uri", path, 0, &uri, e) < 0 ||
		    og_json_obj(it, "certChain", path, 1, &chain, e) < 0 ||
		    og_json_arr(chain, "certificates", path, 1, &certs, e) < 0 ||
		    window(it, path, &ca->valid, e) < 0)
			return -1;
		if (json_array_size(certs) == 0 || json_array_size(certs) > OG_TR_MAX_CHAIN)
			return og_fail(e, "%s.certChain: 1 to %d certificates", path, OG_TR_MAX_CHAIN);
		og_bfmt(ca->uri, sizeof ca->uri, "%s", uri);
		ca->chain = sk_X509_new_null();
		if (ca->chain == NULL)
			return og_fail(e, "out of memory");
		(*n)++;
		json_array_foreach(certs, j, c) {
			og_cleanup_free unsigned char *der = NULL;
			size_t len;
			X509 *x;

			if (!json_is_object(c))
				return og_fail(e, "%s.certChain.certificates[%zu]: expected an object", path, j);
			if (raw_bytes(c, path, OG_TR_MAX_CERT_BYTES, &der, &len, e) < 0)
				return -1;
			x = og_tr_cert_from_der(der, len, path, e);
			if (x == NULL)
				return -1;
			if (!sk_X509_push(ca->chain, x)) {
				X509_free(x);
				return og_fail(e, "out of memory");
			}
		}
	}
	return 0;
}

int og_trusted_root_parse(const char *data, size_t len, const char *what, struct og_trusted_root *out,
			  og_error *e)
{
	json_auto_t *doc = NULL;
	const char *mt;

	memset(out, 0, sizeof *out);
	if (len > OG_MAX_TRUSTED_ROOT_BYTES)
		return og_fail(e, "%s: larger than %d bytes", what, OG_MAX_TRUSTED_ROOT_BYTES);
	if (og_crypto_init() < 0)
		return og_fail(e, "%s: OpenSSL cannot be initialised", what);
	doc = og_json_parse(data, len, what, e);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc))
		return og_fail(e, "%s: expected a JSON object", what);
	if (og_json_str(doc, "mediaType", "trusted root", 1, &mt, e) < 0)
		return og_wrap(e, "%s", what);
	if (strcmp(mt, OG_TRUSTED_ROOT_MEDIA_TYPE) != 0)
		return og_fail(e, "%s: media type %.80s is not %s", what, mt, OG_TRUSTED_ROOT_MEDIA_TYPE);
	if (parse_logs(doc, "tlogs", out->tlogs, &out->ntlogs, e) < 0 ||
	    parse_logs(doc, "ctlogs", out->ctlogs, &out->nctlogs, e) < 0 ||
	    parse_cas(doc, "certificateAuthorities", out->cas, &out->ncas, e) < 0 ||
	    parse_cas(doc, "timestampAuthorities", out->tsas, &out->ntsas, e) < 0)
		return og_wrap(e, "%s", what);
	return 0;
}

static int check_chains(const struct og_tr_ca *cas, size_t n, const char *key, const char *what, og_error *e)
{
	for (size_t i = 0; i < n; i++) {
		int len = sk_X509_num(cas[i].chain);

		for (int j = 0; j < len; j++) {
			X509 *c = sk_X509_value(cas[i].chain, j);
			X509 *by = j + 1 < len ? sk_X509_value(cas[i].chain, j + 1) : c;
			EVP_PKEY *k = X509_get0_pubkey(by);

			/* The last certificate is checked only when it is self-issued. */
			if (j + 1 == len && X509_check_issued(c, c) != X509_V_OK)
				continue;
			if (k == NULL || X509_verify(c, k) != 1) {
				ERR_clear_error();
				return og_fail(e, "%s: %s[%zu] (%s): certificate %d of the chain is not signed by %s", what,
					       key, i, cas[i].uri[0] ? cas[i].uri : "unnamed",
					       j, j + 1 < len ? "the next one" : "itself");
			}
		}
	}
	return 0;
}

int og_trusted_root_check_chains(const struct og_trusted_root *r, const char *what, og_error *e)
{
	if (check_chains(r->cas, r->ncas, "certificateAuthorities", what, e) < 0 ||
	    check_chains(r->tsas, r->ntsas, "timestampAuthorities", what, e) < 0)
		return -1;
	return 0;
}

void og_trusted_root_free(struct og_trusted_root *r)
{
	for (size_t i = 0; i < OG_TR_MAX_ENTRIES; i++) {
		EVP_PKEY_free(r->tlogs[i].key);
		EVP_PKEY_free(r->ctlogs[i].key);
		sk_X509_pop_free(r->cas[i].chain, X509_free);
		sk_X509_pop_free(r->tsas[i].chain, X509_free);
	}
	memset(r, 0, sizeof *r);
}
