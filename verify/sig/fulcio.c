#include "verify/sig/fulcio.h"
#include "verify/common/crypto_util.h"
#include "verify/common/keys.h"
#include "hook/base/cleanup.h"
#include "hook/base/strfmt.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <openssl/ct.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"	/* raw string bytes */
#define OID_ISSUER_V2 OG_FULCIO_OID_PREFIX "8"	/* DER UTF8String */

OG_DEFINE_CLEANUP(X509, X509_free)
OG_DEFINE_CLEANUP(X509_STORE, X509_STORE_free)
OG_DEFINE_CLEANUP(X509_STORE_CTX, X509_STORE_CTX_free)
OG_DEFINE_CLEANUP(ASN1_OBJECT, ASN1_OBJECT_free)
OG_DEFINE_CLEANUP(ASN1_UTF8STRING, ASN1_UTF8STRING_free)
OG_DEFINE_CLEANUP(GENERAL_NAMES, GENERAL_NAMES_free)

static void sct_list_free(STACK_OF(SCT) **l)
{
	if (*l != NULL)
		SCT_LIST_free(*l);
}

static void x509_stack_free(STACK_OF(X509) **s)
{
	if (*s != NULL)
		sk_X509_free(*s);
}

/* Copy a string value: printable, no NUL, bounded. */
static int copy_value(const unsigned char *p, int len, const char *what, char *out, size_t size, og_error *e)
{
	if (len <= 0 || (size_t)len >= size)
		return og_fail(e, "certificate %s: empty or longer than %zu bytes", what, size - 1);
	for (int i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return og_fail(e, "certificate %s: control character", what);
	memcpy(out, p, (size_t)len);
	out[len] = '\0';
	return 0;
}

/* The data of the one extension oid of the leaf: 1 and *os, 0 when absent,
 * -1 when repeated. */
static int one_extension(X509 *leaf, const char *oid, ASN1_OCTET_STRING **os, og_error *e)
{
	og_cleanup(ASN1_OBJECT_free) ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i;

	if (o == NULL)
		return og_fail(e, "certificate extension %s: out of memory", oid);
	if ((i = X509_get_ext_by_OBJ(leaf, o, -1)) < 0)
		return 0;
	if (X509_get_ext_by_OBJ(leaf, o, i) >= 0)
		return og_fail(e, "certificate extension %s repeated", oid);
	*os = X509_EXTENSION_get_data(X509_get_ext(leaf, i));
	return 1;
}

int og_fulcio_extension(X509 *leaf, int n, char *out, size_t size, og_error *e)
{
	char oid[40];
	ASN1_OCTET_STRING *os = NULL;
	const unsigned char *p;
	int rc;

	if (n < OG_FULCIO_EXT_MIN || n > OG_FULCIO_EXT_MAX)
		return og_fail(e, "Fulcio extension %d: only .1.%d to .1.%d are strings", n, OG_FULCIO_EXT_MIN,
			       OG_FULCIO_EXT_MAX);
	snprintf(oid, sizeof oid, OG_FULCIO_OID_PREFIX "%d", n);
	rc = one_extension(leaf, oid, &os, e);
	if (rc <= 0)
		return rc < 0 ? -1 : 0;
	p = ASN1_STRING_get0_data(os);
	{
		og_cleanup(ASN1_UTF8STRING_free) ASN1_UTF8STRING *u = d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(os));

		if (u == NULL || p != ASN1_STRING_get0_data(os) + ASN1_STRING_length(os))
			return og_fail(e, "certificate extension %s is not a UTF8String", oid);
		if (copy_value(ASN1_STRING_get0_data(u), ASN1_STRING_length(u), oid, out, size, e) < 0)
			return -1;
	}
	return 1;
}

static int read_issuer(X509 *leaf, char *out, size_t size, og_error *e)
{
	ASN1_OCTET_STRING *os = NULL;
	int rc = og_fulcio_extension(leaf, 8, out, size, e);

	if (rc != 0)
		return rc < 0 ? og_wrap(e, "certificate issuer") : 0;
	rc = one_extension(leaf, OID_ISSUER_V1, &os, e);
	if (rc < 0)
		return og_wrap(e, "certificate issuer");
	if (rc == 0)
		return og_fail(e, "certificate has no OIDC issuer extension (" OID_ISSUER_V2 " or " OID_ISSUER_V1 ")");
	return copy_value(ASN1_STRING_get0_data(os), ASN1_STRING_length(os), "issuer", out, size, e);
}

int og_fulcio_identity_read(X509 *leaf, struct og_fulcio_identity *out, og_error *e)
{
	og_cleanup(GENERAL_NAMES_free) GENERAL_NAMES *names = NULL;
	int crit = -1, n;

	memset(out, 0, sizeof *out);
	names = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	if (names == NULL)
		return og_fail(e, "certificate has no (single, valid) subject alternative name extension");
	n = sk_GENERAL_NAME_num(names);
	if (n != 1)
		return og_fail(e, "certificate has %d subject alternative names, Fulcio writes one", n);
	{
		GENERAL_NAME *g = sk_GENERAL_NAME_value(names, 0);
		ASN1_IA5STRING *s;

		if (g->type == GEN_URI)
			s = g->d.uniformResourceIdentifier;
		else if (g->type == GEN_EMAIL)
			s = g->d.rfc822Name;
		else
			return og_fail(e, "certificate SAN is neither a URI nor an email address");
		if (copy_value(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), "SAN", out->san, sizeof out->san,
			       e) < 0)
			return -1;
	}
	return read_issuer(leaf, out->issuer, sizeof out->issuer, e);
}

int og_cert_validity(X509 *c, int64_t *not_before, int64_t *not_after, og_error *e)
{
	struct tm a, b;

	if (ASN1_TIME_to_tm(X509_get0_notBefore(c), &a) != 1 || ASN1_TIME_to_tm(X509_get0_notAfter(c), &b) != 1)
		return og_fail(e, "certificate validity times unreadable");
	*not_before = (int64_t)timegm(&a);
	*not_after = (int64_t)timegm(&b);
	return 0;
}

static int verify_with_ca(X509 *leaf, const struct og_tr_ca *ca, int64_t t, X509 **issuer, og_error *e)
{
	og_cleanup(X509_STORE_free) X509_STORE *store = X509_STORE_new();
	og_cleanup(X509_STORE_CTX_free) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted __attribute__((cleanup(x509_stack_free))) = sk_X509_new_null();
	int n = sk_X509_num(ca->chain), rc;
	STACK_OF(X509) *built;

	if (store == NULL || ctx == NULL || untrusted == NULL)
		return og_fail(e, "certificate chain: out of memory");
	/* Every certificate of the CA's chain is pinned by the trusted root
	 * (signed with the store), so each is a trust anchor: the chain ends at
	 * the leaf's issuer and only the leaf's signature is verified.  The
	 * intermediate's signature by the root would check the trusted root
	 * against itself, for a P-384 verification (half a cold keyless check)
	 * per start.  Every certificate of the CA's chain must still be valid at
	 * t (below). */
	for (int i = 0; i < n; i++)
		if (X509_STORE_add_cert(store, sk_X509_value(ca->chain, i)) != 1)
			return og_fail(e, "certificate chain: cannot use the CA certificate");
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		return og_fail(e, "certificate chain: out of memory");
	/* Validity is checked below, at t and with both ends inclusive (RFC
	 * 5280; OpenSSL counts notAfter itself as expired). */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	rc = X509_verify_cert(ctx);
	if (rc != 1)
		return og_fail(e, "certificate chain to CA %s: %s", ca->uri[0] ? ca->uri : "(unnamed)",
			       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	built = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(built) < 2)
		return og_fail(e, "certificate chain: the leaf is itself a trusted CA");
	/* The built chain's certificates, and the CA's up to its root. */
	for (int i = 0, nb_built = sk_X509_num(built); i < nb_built + n; i++) {
		X509 *c = i < nb_built ? sk_X509_value(built, i) : sk_X509_value(ca->chain, i - nb_built);
		int64_t nb, na;

		if (og_cert_validity(c, &nb, &na, e) < 0)
			return og_wrap(e, "certificate chain");
		if (t < nb || t > na)
			return og_fail(e, "certificate chain to CA %s: %s %d not valid at %lld",
				       ca->uri[0] ? ca->uri : "(unnamed)",
				       i < nb_built ? "certificate of the chain" : "certificate of the CA's chain",
				       i < nb_built ? i : i - nb_built, (long long)t);
	}
	/* The issuer lives in the CA's chain, which outlives this call. */
	{
		X509 *iss = sk_X509_value(built, 1);

		*issuer = NULL;
		for (int i = 0; i < n; i++)
			if (X509_cmp(sk_X509_value(ca->chain, i), iss) == 0)
				*issuer = sk_X509_value(ca->chain, i);
		if (*issuer == NULL)
			return og_fail(e, "certificate chain: issuer not in the trusted root");
	}
	return 0;
}

int og_fulcio_chain_verify(X509 *leaf, const struct og_trusted_root *root, int64_t t, X509 **issuer,
			   og_error *e)
{
	og_error last = { 0 };
	size_t tried = 0;

	*issuer = NULL;
	if (X509_check_ca(leaf) != 0)
		return og_fail(e, "certificate chain: the signing certificate is a CA certificate");
	if (!(X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
		return og_fail(e, "certificate chain: the signing certificate is not for code signing");
	for (size_t i = 0; i < root->ncas; i++) {
		if (!og_tr_window_has(&root->cas[i].valid, t))
			continue;
		tried++;
		if (verify_with_ca(leaf, &root->cas[i], t, issuer, &last) == 0)
			return 0;
	}
	if (tried == 0)
		return og_fail(e, "certificate chain: no CA of the trusted root is valid at the signing time");
	return og_fail(e, "%s", last.msg);
}

static int put_be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
	return n;
}

int og_sct_signed_data(X509 *leaf, X509 *issuer, uint64_t timestamp_ms, const unsigned char *ext,
		       size_t ext_len, unsigned char **out, size_t *len, og_error *e)
{
	og_cleanup(X509_free) X509 *pre = X509_dup(leaf);
	og_cleanup_free unsigned char *spki = NULL, *tbs = NULL;
	unsigned char ikh[32];
	int spki_len, tbs_len, i;
	unsigned char *buf, *p;

	*out = NULL;
	if (pre == NULL)
		return og_fail(e, "SCT: out of memory");
	/* The precertificate is the certificate without its SCT list. */
	if ((i = X509_get_ext_by_NID(pre, NID_ct_precert_scts, -1)) < 0)
		return og_fail(e, "SCT: certificate has no SCT list");
	X509_EXTENSION_free(X509_delete_ext(pre, i));
	if (X509_get_ext_by_NID(pre, NID_ct_precert_scts, -1) >= 0)
		return og_fail(e, "SCT: certificate has more than one SCT list");
	spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	tbs_len = i2d_re_X509_tbs(pre, &tbs);
	if (spki_len <= 0 || tbs_len <= 0 || tbs_len >= (1 << 24) || ext_len >= (1 << 16))
		return og_fail(e, "SCT: cannot encode the precertificate");
	if (EVP_Digest(spki, (size_t)spki_len, ikh, NULL, EVP_sha256(), NULL) != 1)
		return og_fail(e, "SCT: cannot hash the issuer key");
	*len = 1 + 1 + 8 + 2 + 32 + 3 + (size_t)tbs_len + 2 + ext_len;
	buf = malloc(*len);
	if (buf == NULL)
		return og_fail(e, "SCT: out of memory");
	p = buf;
	p += put_be(p, 0, 1);	/* v1 */
	p += put_be(p, 0, 1);	/* certificate_timestamp */
	p += put_be(p, timestamp_ms, 8);
	p += put_be(p, 1, 2);	/* precert_entry */
	memcpy(p, ikh, 32);
	p += 32;
	p += put_be(p, (uint64_t)tbs_len, 3);
	memcpy(p, tbs, (size_t)tbs_len);
	p += tbs_len;
	p += put_be(p, ext_len, 2);
	if (ext_len)
		memcpy(p, ext, ext_len);
	*out = buf;
	return 0;
}

int og_fulcio_sct_verify(X509 *leaf, X509 *issuer, const struct og_trusted_root *root, og_error *e)
{
	STACK_OF(SCT) *scts __attribute__((cleanup(sct_list_free))) = NULL;
	int crit = -1, n;
	char why[300] = "no SCT from a CT log of the trusted root";

	scts = X509_get_ext_d2i(leaf, NID_ct_precert_scts, &crit, NULL);
	if (scts == NULL)
		return og_fail(e, "SCT: certificate has no (valid) embedded SCT list");
	n = sk_SCT_num(scts);
	if (n > OG_FULCIO_MAX_SCTS)
		return og_fail(e, "SCT: more than %d SCTs", OG_FULCIO_MAX_SCTS);
	for (int i = 0; i < n; i++) {
		SCT *s = sk_SCT_value(scts, i);
		unsigned char *id = NULL, *ext = NULL, *sig = NULL;
		size_t idlen = SCT_get0_log_id(s, &id), extlen, siglen;
		const struct og_tr_log *log;
		og_cleanup_free unsigned char *data = NULL;
		size_t dlen;
		uint64_t ts = SCT_get_timestamp(s);
		og_error ve = { 0 };

		if (SCT_get_version(s) != SCT_VERSION_V1)
			continue;
		log = og_tr_find_log(root->ctlogs, root->nctlogs, id, idlen);
		if (log == NULL)
			continue;
		if (!og_tr_window_has(&log->valid, (int64_t)(ts / 1000))) {
			og_bfmt(why, sizeof why, "SCT of CT log %s outside the log key's validity", log->url);
			continue;
		}
		extlen = SCT_get0_extensions(s, &ext);
		siglen = SCT_get0_signature(s, &sig);
		if (og_sct_signed_data(leaf, issuer, ts, ext, extlen, &data, &dlen, &ve) < 0 ||
		    og_key_verify(log->key, data, dlen, sig, siglen, &ve) < 0) {
			og_bfmt(why, sizeof why, "SCT of CT log %s does not verify: %s", log->url, ve.msg);
			continue;
		}
		return 0;
	}
	return og_fail(e, "SCT not verified by any CT log of the trusted root (%s)", why);
}
