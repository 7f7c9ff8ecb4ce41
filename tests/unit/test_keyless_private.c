/* The keyless verifier against a private Sigstore made by this test: its own
 * Fulcio CA, CT log, Rekor log keys and trusted root, a leaf certificate
 * with an embedded SCT, a signed entry timestamp, an inclusion proof and a
 * signed checkpoint.  Runs without the shared fixtures; each case breaks one
 * thing and expects the refusal that names it: forged SET, corrupted
 * inclusion proof, certificate outside its validity at the integrated time,
 * an expired trusted-root log key, an SCT from an unknown log, a bundle that
 * carries the root, a CA not valid at the signing time, a future signing
 * time, a wrong identity or issuer; and cosign's registry form (payload,
 * certificate, chain and Rekor bundle annotations) made by the same instance,
 * through the hook's code: accepted, refused for a forged SET, a certificate
 * expired at the integrated time, another repository. */
#include "testutil.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/base64.h"
#include "verify/common/image.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "verify/sig/fulcio.h"
#include "verify/sig/keyless.h"
#include "verify/sig/rekor.h"
#include "verify/sig/trusted_root.h"
#include "verify/sig/sig_store.h"
#include "verify/sig/cosign.h"
#include "verify/trust/sig_keyless.h"
#include "verify/trust/sig_verify.h"
#include "verify/trust/trust_store.h"

#include <fcntl.h>

#include <openssl/ct.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define SAN "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main"
#define ISSUER "https://token.actions.githubusercontent.com"
#define T0 1750000000	/* the signing time */
#define ARTIFACT "hello, keyless"

struct params {
	int64_t integrated_time;
	int64_t cert_from, cert_to;	/* leaf validity */
	const char *tlog_window;	/* validFor JSON of the Rekor key */
	const char *ca_window;
	int ct_unknown;			/* the root lists another CT key */
	int forge_set, corrupt_root, chain_with_root;
};

static const struct params good = {
	.integrated_time = T0 + 60,
	.cert_from = T0,
	.cert_to = T0 + 600,
	.tlog_window = "{\"start\":\"2020-01-01T00:00:00Z\"}",
	.ca_window = "{\"start\":\"2020-01-01T00:00:00Z\"}",
};

static EVP_PKEY *ca_key, *leaf_key, *ct_key, *other_ct_key, *rekor_key;

static char *b64(const void *p, size_t n)
{
	char *s = og_base64_encode(p, n);

	ck_assert_ptr_nonnull(s);
	return s;
}

static char *key_b64(EVP_PKEY *k, unsigned char id[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	char *s;

	ck_assert_int_gt(n, 0);
	EVP_Digest(der, (size_t)n, id, NULL, EVP_sha256(), NULL);
	s = b64(der, (size_t)n);
	OPENSSL_free(der);
	return s;
}

static char *cert_b64(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	char *s;

	ck_assert_int_gt(n, 0);
	s = b64(der, (size_t)n);
	OPENSSL_free(der);
	return s;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *make_ca(void)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test fulcio", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &(time_t){ T0 - 86400 * 365 });
	X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &(time_t){ T0 + 86400 * 365 });
	X509_set_pubkey(x, ca_key);
	add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha256()), 0);
	return x;
}

/* The leaf, with an SCT by ct_key over its precertificate. */
static X509 *make_leaf(X509 *ca, const struct params *p)
{
	X509 *x = X509_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.57264.1.8", 1);
	static const unsigned char issuer_der[] = "\x0c\x2b" ISSUER;
	unsigned char id[32], *data = NULL, *sig = NULL;
	size_t dlen, siglen;
	og_error e = { 0 };
	char *unused = key_b64(ct_key, id);
	STACK_OF(SCT) *scts = sk_SCT_new_null();
	SCT *sct = SCT_new();
	X509_EXTENSION *ext;

	free(unused);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 2);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &(time_t){ p->cert_from });
	X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &(time_t){ p->cert_to });
	X509_set_pubkey(x, leaf_key);
	add_ext(x, ca, NID_key_usage, "critical,digitalSignature");
	add_ext(x, ca, NID_ext_key_usage, "codeSigning");
	add_ext(x, ca, NID_subject_alt_name, "critical,URI:" SAN);
	ck_assert_int_eq(ASN1_OCTET_STRING_set(os, issuer_der, (int)sizeof issuer_der - 1), 1);
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	/* A placeholder SCT list first: the signed data leaves the list out. */
	SCT_set_version(sct, SCT_VERSION_V1);
	SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT);
	SCT_set1_log_id(sct, id, sizeof id);
	SCT_set_timestamp(sct, (uint64_t)p->cert_from * 1000 + 5);
	SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256);
	SCT_set1_signature(sct, (const unsigned char *)"x", 1);
	sk_SCT_push(scts, sct);
	ck_assert_int_eq(X509_add1_ext_i2d(x, NID_ct_precert_scts, scts, 0, X509V3_ADD_REPLACE), 1);
	ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha384()), 0);	/* X509_dup needs a whole certificate */
	ck_assert_msg(og_sct_signed_data(x, ca, SCT_get_timestamp(sct), NULL, 0, &data, &dlen, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_key_sign(ct_key, data, dlen, &sig, &siglen, &e), 0);
	SCT_set1_signature(sct, sig, siglen);
	ck_assert_int_eq(X509_add1_ext_i2d(x, NID_ct_precert_scts, scts, 0, X509V3_ADD_REPLACE), 1);
	ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha384()), 0);
	free(data);
	free(sig);
	SCT_LIST_free(scts);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	return x;
}

static char *trusted_root(X509 *ca, const struct params *p)
{
	unsigned char rid[32], cid[32];
	char *rk = key_b64(rekor_key, rid), *ck = key_b64(p->ct_unknown ? other_ct_key : ct_key, cid);
	char *rid64 = b64(rid, 32), *cid64 = b64(cid, 32), *cab = cert_b64(ca);
	char *doc = malloc(16384);

	og_bfmt(doc, 16384,
		"{\"mediaType\":\"%s\",\"tlogs\":[{\"baseUrl\":\"https://rekor.test\",\"hashAlgorithm\":\"SHA2_256\","
		"\"publicKey\":{\"rawBytes\":\"%s\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":%s},"
		"\"logId\":{\"keyId\":\"%s\"}}],"
		"\"certificateAuthorities\":[{\"uri\":\"https://fulcio.test\",\"certChain\":{\"certificates\":"
		"[{\"rawBytes\":\"%s\"}]},\"validFor\":%s}],"
		"\"ctlogs\":[{\"baseUrl\":\"https://ct.test\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":"
		"{\"rawBytes\":\"%s\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":"
		"{\"start\":\"2020-01-01T00:00:00Z\"}},\"logId\":{\"keyId\":\"%s\"}}],\"timestampAuthorities\":[]}",
		OG_TRUSTED_ROOT_MEDIA_TYPE, rk, p->tlog_window, rid64, cab, p->ca_window, ck, cid64);
	free(rk);
	free(ck);
	free(rid64);
	free(cid64);
	free(cab);
	return doc;
}

static char *bundle(X509 *ca, X509 *leaf, const struct params *p)
{
	unsigned char dg[32], *sig = NULL, *set = NULL, rid[32], leafh[32], *cpsig = NULL, *blob;
	size_t siglen, setlen, cplen, plen;
	char hex[65], *sig64, *pem, *pem64, *body, *body64, *payload, *set64, *cert64, *root64, *cp, *cp64;
	char *out, *rk = key_b64(rekor_key, rid), *ca64, *rid64, *dg64;
	og_error e = { 0 };
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	json_t *doc;

	free(rk);
	EVP_Digest(ARTIFACT, strlen(ARTIFACT), dg, NULL, EVP_sha256(), NULL);
	og_hex_encode(dg, 32, hex);
	ck_assert_int_eq(og_key_sign(leaf_key, ARTIFACT, strlen(ARTIFACT), &sig, &siglen, &e), 0);
	sig64 = b64(sig, siglen);
	PEM_write_bio_X509(bio, leaf);
	BIO_get_mem_ptr(bio, &bm);
	pem64 = b64(bm->data, bm->length);
	pem = NULL;
	body = malloc(16384);
	og_bfmt(body, 16384,
		"{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":"
		"\"sha256\",\"value\":\"%s\"}},\"signature\":{\"content\":\"%s\",\"publicKey\":{\"content\":\"%s\"}}}}",
		hex, sig64, pem64);
	body64 = b64(body, strlen(body));
	ck_assert_int_eq(og_rekor_set_payload(body64, p->integrated_time, rid, 32, 0, &payload, &plen, &e), 0);
	ck_assert_int_eq(og_key_sign(rekor_key, payload, plen, &set, &setlen, &e), 0);
	if (p->forge_set)
		set[setlen / 2] ^= 1;
	set64 = b64(set, setlen);
	og_rekor_leaf_hash(body, strlen(body), leafh);
	root64 = b64(leafh, 32);
	cp = malloc(1024);
	og_bfmt(cp, 1024, "rekor.test - 1\n1\n%s\n", root64);
	ck_assert_int_eq(og_key_sign(rekor_key, cp, strlen(cp), &cpsig, &cplen, &e), 0);
	blob = malloc(cplen + 4);
	memcpy(blob, rid, 4);
	memcpy(blob + 4, cpsig, cplen);
	cp64 = b64(blob, cplen + 4);
	og_bfmt(cp + strlen(cp), 1024 - strlen(cp), "\n\xe2\x80\x94 rekor.test %s\n", cp64);
	if (p->corrupt_root)
		leafh[0] ^= 1;
	free(root64);
	root64 = b64(leafh, 32);
	cert64 = cert_b64(leaf);
	ca64 = cert_b64(ca);
	rid64 = b64(rid, 32);
	dg64 = b64(dg, 32);
	doc = json_pack("{s:s, s:{s:o, s:[{s:s, s:{s:s}, s:{s:s, s:s}, s:s, s:{s:s}, s:{s:s, s:s, s:s, s:[], s:{s:s}}, s:s}]},"
			" s:{s:{s:s, s:s}, s:s}}",
			"mediaType", p->chain_with_root ? "application/vnd.dev.sigstore.bundle+json;version=0.2"
							: "application/vnd.dev.sigstore.bundle.v0.3+json",
			"verificationMaterial", p->chain_with_root ? "x509CertificateChain" : "certificate",
			p->chain_with_root ? json_pack("{s:[{s:s},{s:s}]}", "certificates", "rawBytes", cert64,
						       "rawBytes", ca64)
					   : json_pack("{s:s}", "rawBytes", cert64),
			"tlogEntries", "logIndex", "0", "logId", "keyId", rid64, "kindVersion", "kind",
			"hashedrekord", "version", "0.0.1", "integratedTime",
			(snprintf(hex, sizeof hex, "%lld", (long long)p->integrated_time), hex), "inclusionPromise",
			"signedEntryTimestamp", set64, "inclusionProof", "logIndex", "0", "rootHash", root64,
			"treeSize", "1", "hashes", "checkpoint", "envelope", cp, "canonicalizedBody", body64,
			"messageSignature", "messageDigest", "algorithm", "SHA2_256", "digest", dg64,
			"signature", sig64);
	ck_assert_ptr_nonnull(doc);
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	BIO_free(bio);
	free(sig);
	free(sig64);
	free(pem);
	free(pem64);
	free(body);
	free(body64);
	free(payload);
	free(set);
	free(set64);
	free(root64);
	free(cp);
	free(cp64);
	free(cpsig);
	free(blob);
	free(cert64);
	free(ca64);
	free(rid64);
	free(dg64);
	return out;
}

/* Build the private instance for p and verify; 0 or -1 with e. */
static int run(const struct params *p, const char *san, const char *issuer, og_error *e)
{
	X509 *ca = make_ca(), *leaf = make_leaf(ca, p);
	char *root_doc = trusted_root(ca, p), *b = bundle(ca, leaf, p), digest[OG_DIGEST_MAX];
	struct og_trusted_root *root = calloc(1, sizeof *root);
	struct og_keyless_result r;
	int rc = -1;

	og_sha256_digest(ARTIFACT, strlen(ARTIFACT), digest, sizeof digest);
	if (og_trusted_root_parse(root_doc, strlen(root_doc), "test root", root, e) == 0) {
		struct og_keyless_opts o = { .root = root, .identity = san, .issuer = issuer, .now = og_now() };

		rc = og_keyless_verify(b, strlen(b), digest, &o, &r, e);
		if (rc == 0) {
			ck_assert_str_eq(r.san, SAN);
			ck_assert_str_eq(r.issuer, ISSUER);
			ck_assert_int_eq(r.signed_at, p->integrated_time);
		}
	}
	og_trusted_root_free(root);
	free(root);
	free(root_doc);
	free(b);
	X509_free(ca);
	X509_free(leaf);
	return rc;
}

static void expect_refused(const struct params *p, const char *why)
{
	og_error e = { 0 };

	ck_assert_int_eq(run(p, SAN, ISSUER, &e), -1);
	ck_assert_msg(strstr(e.msg, why) != NULL, "refused for \"%s\", expected \"%s\"", e.msg, why);
}

static void setup(void)
{
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ct_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	other_ct_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	rekor_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(ca_key && leaf_key && ct_key && other_ct_key && rekor_key);
}

static void teardown(void)
{
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ct_key);
	EVP_PKEY_free(other_ct_key);
	EVP_PKEY_free(rekor_key);
}

START_TEST(private_instance_verifies)
{
	og_error e = { 0 };

	ck_assert_msg(run(&good, SAN, ISSUER, &e) == 0, "%s", e.msg);
}
END_TEST

START_TEST(wrong_identity_or_issuer)
{
	og_error e = { 0 };

	ck_assert_int_eq(run(&good, "https://github.com/org/other/.github/workflows/x.yml@refs/heads/main", ISSUER, &e),
			 -1);
	ck_assert_msg(strstr(e.msg, "identity: certificate SAN") != NULL, "%s", e.msg);
	ck_assert_int_eq(run(&good, SAN, "https://accounts.google.com", &e), -1);
	ck_assert_msg(strstr(e.msg, "identity: certificate issuer") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(forged_set)
{
	struct params p = good;

	p.forge_set = 1;
	expect_refused(&p, "signed entry timestamp: does not verify");
}
END_TEST

START_TEST(corrupted_inclusion_proof)
{
	struct params p = good;

	p.corrupt_root = 1;
	expect_refused(&p, "inclusion proof: computed root hash differs");
}
END_TEST

START_TEST(certificate_outside_validity)
{
	struct params p = good;

	p.integrated_time = p.cert_to + 1;	/* the last second is still inside */
	expect_refused(&p, "certificate: not valid at the signing time");
	{
		og_error e = { 0 };

		/* Both ends inclusive. */
		p.integrated_time = p.cert_to;
		ck_assert_msg(run(&p, SAN, ISSUER, &e) == 0, "%s", e.msg);
		p.integrated_time = p.cert_from;
		ck_assert_msg(run(&p, SAN, ISSUER, &e) == 0, "%s", e.msg);
	}
	p.integrated_time = p.cert_from - 1;
	expect_refused(&p, "certificate: not valid at the signing time");
}
END_TEST

START_TEST(expired_log_key)
{
	struct params p = good;

	p.tlog_window = "{\"start\":\"2020-01-01T00:00:00Z\",\"end\":\"2025-01-01T00:00:00Z\"}";
	expect_refused(&p, "outside the validity of log key https://rekor.test");
	p.tlog_window = "{\"end\":\"2030-01-01T00:00:00Z\"}";
	expect_refused(&p, "validFor.start: missing");
}
END_TEST

START_TEST(sct_from_unknown_log)
{
	struct params p = good;

	p.ct_unknown = 1;
	expect_refused(&p, "SCT not verified by any CT log of the trusted root");
}
END_TEST

START_TEST(bundle_carrying_root)
{
	struct params p = good;

	p.chain_with_root = 1;
	expect_refused(&p, "the bundle carries a root certificate");
}
END_TEST

START_TEST(ca_not_valid_then)
{
	struct params p = good;

	p.ca_window = "{\"start\":\"2026-01-01T00:00:00Z\"}";
	expect_refused(&p, "no CA of the trusted root is valid at the signing time");
}
END_TEST

START_TEST(future_signing_time)
{
	struct params p = good;

	og_now_override = p.integrated_time - 1;
	expect_refused(&p, "time: signing time");
	og_now_override = 0;
}
END_TEST

/* The hook's path: a trust store whose sigstore section holds the private
 * root and an identity, an entry as `sig add` files it, og_sig_entry_verify
 * for an image the engine records as `repository`.  The entry's unsigned
 * --repository hint is always team-a: it must decide nothing (issue 17). */
static char *pem_of(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	char *s;

	PEM_write_bio_X509(bio, x);
	BIO_get_mem_ptr(bio, &bm);
	s = strndup(bm->data, bm->length);
	BIO_free(bio);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* cosign's registry form made by this private instance: a simple-signing
 * payload for (repository, digest) signed with the leaf's key, the leaf and
 * the CA as the certificate and chain annotations, and the Rekor bundle
 * annotation (hashedrekord of sha256(payload), SET by the Rekor key). */
static void registry_entry(X509 *ca, X509 *leaf, const struct params *p, const char *repository,
			   const char *digest, struct og_sig_entry *en)
{
	unsigned char ph[32], rid[32], *sig = NULL, *set = NULL;
	size_t siglen, setlen, plen;
	char hex[65], ridhex[65], *rk = key_b64(rekor_key, rid), *sig64, *cert_pem = pem_of(leaf), *pem64, *body,
					     *body64, *setp, *set64;
	og_error e = { 0 };

	free(rk);
	memset(en, 0, sizeof *en);
	ck_assert_int_eq(og_cosign_payload_build(repository, digest, &en->payload.data, &en->payload.len, &e), 0);
	ck_assert_int_eq(og_key_sign(leaf_key, en->payload.data, en->payload.len, &sig, &siglen, &e), 0);
	en->signature.data = (char *)sig;
	en->signature.len = siglen;
	en->certificate.data = cert_pem;
	en->certificate.len = strlen(cert_pem);
	en->chain.data = pem_of(ca);
	en->chain.len = strlen(en->chain.data);
	EVP_Digest(en->payload.data, en->payload.len, ph, NULL, EVP_sha256(), NULL);
	og_hex_encode(ph, 32, hex);
	og_hex_encode(rid, 32, ridhex);
	sig64 = b64(sig, siglen);
	pem64 = b64(cert_pem, strlen(cert_pem));
	body = malloc(16384);
	og_bfmt(body, 16384,
		"{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":"
		"\"sha256\",\"value\":\"%s\"}},\"signature\":{\"content\":\"%s\",\"publicKey\":{\"content\":\"%s\"}}}}",
		hex, sig64, pem64);
	body64 = b64(body, strlen(body));
	ck_assert_int_eq(og_rekor_set_payload(body64, p->integrated_time, rid, 32, 7, &setp, &plen, &e), 0);
	ck_assert_int_eq(og_key_sign(rekor_key, setp, plen, &set, &setlen, &e), 0);
	if (p->forge_set)
		set[setlen / 2] ^= 1;
	set64 = b64(set, setlen);
	en->rekor_bundle.data = malloc(32768);
	og_bfmt(en->rekor_bundle.data, 32768,
		"{\"SignedEntryTimestamp\":\"%s\",\"Payload\":{\"body\":\"%s\",\"integratedTime\":%lld,"
		"\"logIndex\":7,\"logID\":\"%s\"}}", set64, body64, (long long)p->integrated_time, ridhex);
	en->rekor_bundle.len = strlen(en->rekor_bundle.data);
	free(sig64);
	free(pem64);
	free(body);
	free(body64);
	free(setp);
	free(set);
	free(set64);
}

static enum og_sig_outcome hook_path_p(const char *identity_json, const char *repository, const struct params *p,
				       int registry, char *message, size_t msize);

static enum og_sig_outcome hook_path(const char *identity_json, const char *repository, char *message, size_t msize)
{
	return hook_path_p(identity_json, repository, &good, 0, message, msize);
}

/* The hook's code (og_sig_entry_verify) with a store holding the private
 * root and the identity; the entry a certificate bundle, or with registry
 * cosign's registry form for the same image. */
static enum og_sig_outcome hook_path_p(const char *identity_json, const char *repository, const struct params *p,
				       int registry, char *message, size_t msize)
{
	char dir[] = "/tmp/og-keyless-XXXXXX", store[64], rootpub[64], text[65536], kid[OG_KEYID_HEX], digest[OG_DIGEST_MAX];
	const char *roots[1] = { rootpub };
	struct og_trust_store_config c = { .store_path = store, .root_keys = roots, .nroot = 1, .threshold = 1 };
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *ca = make_ca(), *leaf = make_leaf(ca, p);
	char *root_doc = trusted_root(ca, p), *root64 = b64(root_doc, strlen(root_doc)), *b = bundle(ca, leaf, p);
	struct og_sig_entry en;
	struct og_sig_verdict v;
	struct og_sig_verify_opts o = { 0 };
	struct og_trust_store *s = NULL;
	og_error e = { 0 };
	FILE *f;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	og_bfmt(store, sizeof store, "%s/trust.json", dir);
	og_bfmt(rootpub, sizeof rootpub, "%s/root.pem", dir);
	f = fopen(rootpub, "w");
	PEM_write_PUBKEY(f, rk);
	fclose(f);
	og_bfmt(text, sizeof text,
		"{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],\"sigstore\":{\"roots\":"
		"[{\"name\":\"private\",\"trusted_root\":\"%s\"}],\"identities\":[%s]}}",
		root64, identity_json);
	fd = open(store, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_msg(og_trust_store_sign(store, rk, kid, &e) == 0, "%s", e.msg);
	ck_assert_msg(og_trust_store_load(&c, &s, &e) == 0, "%s", e.msg);
	memset(&en, 0, sizeof en);
	og_bfmt(en.repository, sizeof en.repository, "%s", "registry.example.com/team-a/app");
	o.image_repository = repository;
	o.image_name = repository;
	o.image_name_from = "the test's engine";
	o.match_repository = 1;
	og_sha256_digest(ARTIFACT, strlen(ARTIFACT), digest, sizeof digest);
	if (registry) {
		registry_entry(ca, leaf, p, "registry.example.com/team-a/app", digest, &en);
	} else {
		en.bundle.data = b;
		en.bundle.len = strlen(b);
	}
	ck_assert_int_eq(og_sig_entry_verify(s, &en, digest, &o, &v, &e), 0);
	if (registry)
		og_sig_entry_free(&en);
	og_bfmt(message, msize, "%s", v.message);
	if (v.outcome == OG_SIG_ACCEPTED) {
		/* The cache keeps the acceptance no longer than the identity's window. */
		ck_assert_str_eq(v.keyid, "keyless:0");
		ck_assert_int_eq(og_sig_keyless_valid_until(s, v.keyid), s->sigstore.identities[0].not_after);
	}
	ck_assert_int_eq(og_sig_keyless_valid_until(s, "keyless:7"), 0);
	ck_assert_int_eq(og_sig_keyless_valid_until(s, "0123abcd"), 0);
	og_trust_store_free(s);
	og_bfmt(text, sizeof text, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(text), 0);
	EVP_PKEY_free(rk);
	X509_free(ca);
	X509_free(leaf);
	free(root_doc);
	free(root64);
	free(b);
	return v.outcome;
}

START_TEST(hook_path_through_the_trust_store)
{
	char msg[512];
	enum og_sig_outcome r;

	r = hook_path("{\"name\":\"release\",\"scopes\":[\"registry.example.com/team-a/*\"],\"san\":\"" SAN
		      "\",\"issuer\":\"" ISSUER "\",\"root\":\"private\"}", "registry.example.com/team-a/app", msg,
		      sizeof msg);
	ck_assert_msg(r == OG_SIG_ACCEPTED, "%s", msg);
	ck_assert_msg(strstr(msg, "signed keyless by " SAN " (issuer " ISSUER ", identity release") != NULL, "%s", msg);
	/* Out of the identity's scope. */
	r = hook_path("{\"scopes\":[\"registry.example.com/team-a/*\"],\"san\":\"" SAN "\",\"issuer\":\"" ISSUER "\"}",
		      "registry.example.com/team-b/app", msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "no keyless identity of the trust store covers registry.example.com/team-b/app") != NULL,
		      "%s", msg);
	/* Another issuer; a pattern that matches; one that does not. */
	r = hook_path("{\"scopes\":[\"*\"],\"san\":\"" SAN "\",\"issuer\":\"https://accounts.google.com\"}",
		      "registry.example.com/team-a/app", msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "identity: certificate issuer") != NULL, "%s", msg);
	r = hook_path("{\"scopes\":[\"*\"],\"san_regex\":\"https://github.com/org/repo/.*\",\"issuer\":\"" ISSUER "\","
		      "\"not_after\":\"2099-01-01T00:00:00Z\"}",
		      "registry.example.com/team-a/app", msg, sizeof msg);
	ck_assert_msg(r == OG_SIG_ACCEPTED, "%s", msg);
	r = hook_path("{\"scopes\":[\"*\"],\"san_regex\":\"https://github.com/org/other/.*\",\"issuer\":\"" ISSUER "\"}",
		      "registry.example.com/team-a/app", msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "does not match") != NULL, "%s", msg);
	/* An identity whose window has passed. */
	r = hook_path("{\"scopes\":[\"*\"],\"san\":\"" SAN "\",\"issuer\":\"" ISSUER "\",\"not_after\":\"2021-01-01T00:00:00Z\"}",
		      "registry.example.com/team-a/app", msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "no keyless identity") != NULL, "%s", msg);
}
END_TEST

/* cosign's registry form, made by the private instance (the test's own CA,
 * CT log and Rekor key), through the hook's code. */
START_TEST(registry_form_through_the_trust_store)
{
	static const char *const id = "{\"name\":\"release\",\"scopes\":[\"registry.example.com/team-a/*\"],\"san\":\"" SAN
				      "\",\"issuer\":\"" ISSUER "\"}";
	struct params p = good;
	char msg[512];
	enum og_sig_outcome r;

	r = hook_path_p(id, "registry.example.com/team-a/app", &p, 1, msg, sizeof msg);
	ck_assert_msg(r == OG_SIG_ACCEPTED, "%s", msg);
	ck_assert_msg(strstr(msg, "signed keyless by " SAN " (issuer " ISSUER ", identity release, log index 7") != NULL,
		      "%s", msg);
	p.forge_set = 1;
	r = hook_path_p(id, "registry.example.com/team-a/app", &p, 1, msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "signed entry timestamp: does not verify with the key of log https://rekor.test") != NULL,
		      "%s", msg);
	/* Logged after the certificate expired. */
	p = good;
	p.integrated_time = good.cert_to + 1;
	r = hook_path_p(id, "registry.example.com/team-a/app", &p, 1, msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_BAD_SIGNATURE);
	ck_assert_msg(strstr(msg, "certificate: not valid at the signing time") != NULL, "%s", msg);
	/* The engine runs it as another repository than the payload names. */
	r = hook_path_p(id, "registry.example.com/team-a/other", &good, 1, msg, sizeof msg);
	ck_assert_int_eq(r, OG_SIG_OTHER_REPOSITORY);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keyless_private");
	TCase *t = tcase_create("keyless_private");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, private_instance_verifies);
	tcase_add_test(t, wrong_identity_or_issuer);
	tcase_add_test(t, forged_set);
	tcase_add_test(t, corrupted_inclusion_proof);
	tcase_add_test(t, certificate_outside_validity);
	tcase_add_test(t, expired_log_key);
	tcase_add_test(t, sct_from_unknown_log);
	tcase_add_test(t, bundle_carrying_root);
	tcase_add_test(t, ca_not_valid_then);
	tcase_add_test(t, future_signing_time);
	tcase_add_test(t, hook_path_through_the_trust_store);
	tcase_add_test(t, registry_form_through_the_trust_store);
	suite_add_tcase(s, t);
	return tu_run(s);
}
