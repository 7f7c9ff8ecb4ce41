/* The parts of the keyless verifier one by one, with keys and certificates
 * made here: canonical JSON and the signed entry timestamp payload, RFC 6962
 * inclusion proofs over a tree built here, signed checkpoints (parse, key
 * hints, witnesses, tampering), trusted-root windows, and the Fulcio
 * identity read from certificate extensions. */
#include "testutil.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/common/keys.h"
#include "verify/sig/canonical_json.h"
#include "verify/sig/fulcio.h"
#include "verify/sig/rekor.h"
#include "verify/sig/san_pattern.h"
#include "verify/sig/trusted_root.h"

#include <openssl/x509v3.h>

START_TEST(canonical_json_and_set_payload)
{
	og_error e = { 0 };
	static const char in[] =
		"{ \"z\" : [1, -2], \"a\":{\"y\":\"\\u0001\\\"\\n\",\"b\":null} , \"\\u00e9\":true}";
	json_t *v = og_json_parse(in, strlen(in), "t", &e);
	char *out = NULL;
	size_t len;
	const unsigned char id[2] = { 0xc0, 0xd2 };

	ck_assert_msg(v != NULL, "%s", e.msg);
	ck_assert_int_eq(og_canonical_json(v, &out, &len, &e), 0);
	ck_assert_str_eq(out, "{\"a\":{\"b\":null,\"y\":\"\\u0001\\\"\\n\"},\"z\":[1,-2],\"\xc3\xa9\":true}");
	free(out);
	json_decref(v);
	v = json_real(1.5);
	ck_assert_int_eq(og_canonical_json(v, &out, &len, &e), -1);
	ck_assert_ptr_null(out);
	ck_assert(strstr(e.msg, "real numbers") != NULL);
	json_decref(v);
	ck_assert_int_eq(og_rekor_set_payload("eyJ9", 1710869186, id, 2, 7, &out, &len, &e), 0);
	ck_assert_str_eq(out, "{\"body\":\"eyJ9\",\"integratedTime\":1710869186,\"logID\":\"c0d2\",\"logIndex\":7}");
	free(out);
}
END_TEST

static void node(const unsigned char *l, const unsigned char *r, unsigned char out[32])
{
	unsigned char b[65];

	b[0] = 1;
	memcpy(b + 1, l, 32);
	memcpy(b + 33, r, 32);
	EVP_Digest(b, sizeof b, out, NULL, EVP_sha256(), NULL);
}

/* A tree of 5 leaves: ((l0 l1)(l2 l3)) l4, every proof written out. */
START_TEST(inclusion_proofs)
{
	unsigned char l[5][32], h01[32], h23[32], h0123[32], root[32], bad[32];
	og_error e = { 0 };
	const char *leaf_data[5] = { "a", "b", "c", "d", "e" };

	for (int i = 0; i < 5; i++)
		og_rekor_leaf_hash(leaf_data[i], 1, l[i]);
	node(l[0], l[1], h01);
	node(l[2], l[3], h23);
	node(h01, h23, h0123);
	node(h0123, l[4], root);
	{
		const unsigned char p0[3][32];
		unsigned char (*p)[32] = (unsigned char (*)[32])p0;

		memcpy(p[0], l[1], 32);
		memcpy(p[1], h23, 32);
		memcpy(p[2], l[4], 32);
		ck_assert_int_eq(og_inclusion_verify(0, 5, l[0], (const unsigned char (*)[32])p, 3, root, &e), 0);
		/* Any other index, size or leaf: refused. */
		ck_assert_int_eq(og_inclusion_verify(1, 5, l[0], (const unsigned char (*)[32])p, 3, root, &e), -1);
		/* (Size 6 has the same path to leaf 0: the root hash, bound to the size
		 * by the signed checkpoint, is what tells them apart.) */
		ck_assert_int_eq(og_inclusion_verify(0, 3, l[0], (const unsigned char (*)[32])p, 3, root, &e), -1);
		ck_assert_int_eq(og_inclusion_verify(0, 5, l[1], (const unsigned char (*)[32])p, 3, root, &e), -1);
		ck_assert(strstr(e.msg, "computed root hash differs") != NULL);
		ck_assert_int_eq(og_inclusion_verify(0, 5, l[0], (const unsigned char (*)[32])p, 2, root, &e), -1);
		ck_assert(strstr(e.msg, "too few hashes") != NULL);
		ck_assert_int_eq(og_inclusion_verify(5, 5, l[0], (const unsigned char (*)[32])p, 3, root, &e), -1);
		ck_assert(strstr(e.msg, "outside a tree") != NULL);
	}
	{
		unsigned char p[1][32];

		memcpy(p[0], h0123, 32);
		ck_assert_int_eq(og_inclusion_verify(4, 5, l[4], (const unsigned char (*)[32])p, 1, root, &e), 0);
		memset(bad, 0, sizeof bad);
		ck_assert_int_eq(og_inclusion_verify(4, 5, l[4], (const unsigned char (*)[32])p, 1, bad, &e), -1);
	}
	{
		unsigned char p[2][32];

		memcpy(p[0], l[2], 32);
		memcpy(p[1], h01, 32);
		/* Leaf 3 of a 4-leaf tree. */
		ck_assert_int_eq(og_inclusion_verify(3, 4, l[3], (const unsigned char (*)[32])p, 2, h0123, &e), 0);
		/* One hash too many for the tree's height. */
		{
			unsigned char q[3][32];

			memcpy(q, p, sizeof p);
			memcpy(q[2], l[4], 32);
			ck_assert_int_eq(og_inclusion_verify(3, 4, l[3], (const unsigned char (*)[32])q, 3, h0123, &e), -1);
			ck_assert(strstr(e.msg, "more hashes than the tree has levels") != NULL);
		}
	}
	ck_assert_int_eq(og_inclusion_verify(0, 1, l[0], NULL, OG_MAX_PROOF_HASHES + 1, l[0], &e), -1);
	ck_assert_int_eq(og_inclusion_verify(0, 1, l[0], NULL, 0, l[0], &e), 0);
}
END_TEST

/* A checkpoint signed here: "— NAME base64(keyhint(4) || signature)". */
static char *signed_note(const char *body, EVP_PKEY *k, const unsigned char hint[4], const char *extra)
{
	unsigned char *sig = NULL, *blob;
	size_t siglen;
	og_error e = { 0 };
	char *b64, *out;
	size_t n;

	ck_assert_int_eq(og_key_sign(k, body, strlen(body), &sig, &siglen, &e), 0);
	blob = malloc(siglen + 4);
	memcpy(blob, hint, 4);
	memcpy(blob + 4, sig, siglen);
	b64 = og_base64_encode(blob, siglen + 4);
	n = strlen(body) + strlen(b64) + strlen(extra) + 64;
	out = malloc(n);
	og_bfmt(out, n, "%s\n%s\xe2\x80\x94 log.test %s\n", body, extra, b64);
	free(sig);
	free(blob);
	free(b64);
	return out;
}

START_TEST(checkpoints)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char id[32], wrong[32];
	const char *body = "log.test - 1\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	struct og_checkpoint *cp = calloc(1, sizeof *cp);
	og_error e = { 0 };
	char *note, big[OG_MAX_CHECKPOINT_BYTES + 2];

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_nonnull(cp);
	memset(id, 0xab, sizeof id);
	memset(wrong, 0xcd, sizeof wrong);
	note = signed_note(body, k, id, "\xe2\x80\x94 witness.test AAAAAAAA\n");
	ck_assert_int_eq(og_checkpoint_parse(note, strlen(note), cp, &e), 0);
	ck_assert_str_eq(cp->origin, "log.test - 1");
	ck_assert_uint_eq(cp->size, 5);
	ck_assert_uint_eq(cp->nsig, 2);
	ck_assert_uint_eq(cp->text_len, strlen(body));
	/* The witness line is skipped; the log's line verifies. */
	ck_assert_int_eq(og_checkpoint_verify(cp, note, k, id, sizeof id, &e), 0);
	ck_assert_int_eq(og_checkpoint_verify(cp, note, other, id, sizeof id, &e), -1);
	ck_assert(strstr(e.msg, "does not verify") != NULL);
	ck_assert_int_eq(og_checkpoint_verify(cp, note, k, wrong, sizeof wrong, &e), -1);
	ck_assert(strstr(e.msg, "no matching key hint") != NULL);
	/* Tampered tree size: the same signature no longer verifies. */
	note[strlen("log.test - 1\n")] = '6';
	ck_assert_int_eq(og_checkpoint_parse(note, strlen(note), cp, &e), 0);
	ck_assert_int_eq(og_checkpoint_verify(cp, note, k, id, sizeof id, &e), -1);
	free(note);
	/* Malformed notes. */
	{
		static const struct {
			const char *text, *why;
		} bad[] = {
			{ "origin\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "no blank line" },
			{ "\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 x AAAAAAAA\n", "origin line" },
			{ "o\n05\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 x AAAAAAAA\n", "tree size" },
			{ "o\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 x AAAAAAAA\n", "tree size" },
			{ "o\n5\nAAAA\n\n\xe2\x80\x94 x AAAAAAAA\n", "root hash" },
			{ "o\n5\n\n\xe2\x80\x94 x AAAAAAAA\n", "needs origin, size and root hash" },
			{ "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "no signature" },
			{ "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n- x AAAAAAAA\n", "em dash" },
			{ "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 x AAAAAAAA", "not terminated" },
			{ "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 x AAAA\n", "has 3 bytes" },
		};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			ck_assert_msg(og_checkpoint_parse(bad[i].text, strlen(bad[i].text), cp, &e) == -1, "%zu", i);
			ck_assert_msg(strstr(e.msg, bad[i].why) != NULL, "%zu: %s", i, e.msg);
		}
	}
	memset(big, 'a', sizeof big);
	ck_assert_int_eq(og_checkpoint_parse(big, sizeof big, cp, &e), -1);
	ck_assert(strstr(e.msg, "8192") != NULL);
	{
		char many[4096];
		size_t off = (size_t)snprintf(many, sizeof many, "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n");

		for (int i = 0; i < OG_CHECKPOINT_MAX_SIGS + 1; i++)
			off += (size_t)snprintf(many + off, sizeof many - off, "\xe2\x80\x94 w%d AAAAAAAA\n", i);
		ck_assert_int_eq(og_checkpoint_parse(many, off, cp, &e), -1);
		ck_assert(strstr(e.msg, "more than 16 signatures") != NULL);
	}
	free(cp);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}
END_TEST

static int parse_root(const char *tlog_window, og_error *e)
{
	char doc[1024];
	struct og_trusted_root *r = calloc(1, sizeof *r);
	int rc;

	og_bfmt(doc, sizeof doc,
		"{\"mediaType\":\"%s\",\"tlogs\":[{\"publicKey\":{\"rawBytes\":"
		"\"MCowBQYDK2VwAyEAPn+AREHoBaZ7wgS1zBqpxmLSGnyhxXj4lFxSdWVB8o8=\",\"keyDetails\":\"PKIX_ED25519\","
		"\"validFor\":%s},\"logId\":{\"keyId\":\"8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=\"}}]}",
		OG_TRUSTED_ROOT_MEDIA_TYPE, tlog_window);
	rc = og_trusted_root_parse(doc, strlen(doc), "root", r, e);
	if (rc == 0) {
		ck_assert_uint_eq(r->ntlogs, 1);
		/* Both ends inclusive. */
		ck_assert(og_tr_window_has(&r->tlogs[0].valid, r->tlogs[0].valid.start));
		ck_assert(!og_tr_window_has(&r->tlogs[0].valid, r->tlogs[0].valid.start - 1));
		if (r->tlogs[0].valid.end) {
			ck_assert(og_tr_window_has(&r->tlogs[0].valid, r->tlogs[0].valid.end));
			ck_assert(!og_tr_window_has(&r->tlogs[0].valid, r->tlogs[0].valid.end + 1));
		}
	}
	og_trusted_root_free(r);
	free(r);
	return rc;
}

START_TEST(trusted_root_windows)
{
	og_error e = { 0 };
	struct og_trusted_root *r = calloc(1, sizeof *r);

	ck_assert_int_eq(parse_root("{\"start\":\"2025-04-16T00:00:00Z\"}", &e), 0);
	ck_assert_int_eq(parse_root("{\"start\":\"2025-04-16T00:00:00Z\",\"end\":\"2026-01-01T00:00:00Z\"}", &e), 0);
	ck_assert_int_eq(parse_root("{\"end\":\"2026-01-01T00:00:00Z\"}", &e), -1);
	ck_assert_msg(strstr(e.msg, "validFor.start: missing") != NULL, "%s", e.msg);
	ck_assert_int_eq(parse_root("{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2025-01-01T00:00:00Z\"}", &e), -1);
	ck_assert(strstr(e.msg, "ends before it starts") != NULL);
	ck_assert_int_eq(parse_root("{\"start\":\"yesterday\"}", &e), -1);
	ck_assert_int_eq(og_trusted_root_parse("{\"mediaType\":\"x\"}", 17, "root", r, &e), -1);
	ck_assert(strstr(e.msg, "is not application/vnd.dev.sigstore.trustedroot+json;version=0.1") != NULL);
	og_trusted_root_free(r);
	ck_assert_int_eq(og_trusted_root_parse("[]", 2, "root", r, &e), -1);
	og_trusted_root_free(r);
	free(r);
}
END_TEST

static void add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static void add_raw_ext(X509 *x, const char *oid, const unsigned char *der, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;

	ck_assert_int_eq(ASN1_OCTET_STRING_set(os, der, len), 1);
	ext = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(o);
}

static X509 *make_cert(EVP_PKEY *k)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 600);
	X509_set_pubkey(x, k);
	return x;
}

START_TEST(fulcio_identity)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct og_fulcio_identity id;
	og_error e = { 0 };
	X509 *x;
	/* UTF8String "https://issuer.test" */
	static const unsigned char utf8[] = { 0x0c, 19, 'h', 't', 't', 'p', 's', ':', '/', '/', 'i', 's', 's',
					      'u', 'e', 'r', '.', 't', 'e', 's', 't' };
	int64_t nb, na;

	ck_assert_ptr_nonnull(k);
	/* The .1.8 issuer (DER UTF8String) and a URI SAN. */
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "critical,URI:https://github.com/o/r/.github/workflows/w.yml@refs/heads/main");
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.8", utf8, sizeof utf8);
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.1", (const unsigned char *)"https://old.test", 16);
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), 0);
	ck_assert_str_eq(id.san, "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main");
	ck_assert_str_eq(id.issuer, "https://issuer.test");	/* .1.8 wins over .1.1 */
	ck_assert_int_eq(og_cert_validity(x, &nb, &na, &e), 0);
	ck_assert_int_eq(na - nb, 600);
	X509_free(x);
	/* Only the older .1.1 (raw bytes), an email SAN. */
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "email:dev@example.test");
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.1", (const unsigned char *)"https://old.test", 16);
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), 0);
	ck_assert_str_eq(id.san, "dev@example.test");
	ck_assert_str_eq(id.issuer, "https://old.test");
	X509_free(x);
	/* No issuer extension; two SANs; a control character; .1.8 not a UTF8String. */
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "email:dev@example.test");
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), -1);
	ck_assert(strstr(e.msg, "no OIDC issuer extension") != NULL);
	X509_free(x);
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "email:a@example.test,URI:https://b.test");
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), -1);
	ck_assert(strstr(e.msg, "2 subject alternative names") != NULL);
	X509_free(x);
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "email:dev@example.test");
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.1", (const unsigned char *)"https://a\nb", 11);
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), -1);
	ck_assert(strstr(e.msg, "control character") != NULL);
	X509_free(x);
	x = make_cert(k);
	add_ext(x, NID_subject_alt_name, "email:dev@example.test");
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.8", (const unsigned char *)"https://x", 9);
	ck_assert_int_eq(og_fulcio_identity_read(x, &id, &e), -1);
	ck_assert(strstr(e.msg, "is not a UTF8String") != NULL);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(san_patterns)
{
	og_error e = { 0 };
	const char *san = "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main";
	char big[OG_SAN_PATTERN_MAX + 2];

	ck_assert_int_eq(og_san_pattern_match("https://github.com/org/repo/.*@refs/heads/main", san, &e), 1);
	ck_assert_int_eq(og_san_pattern_match("^https://github.com/org/repo/.*$", san, &e), 1);
	/* Always the whole SAN: a prefix or an infix is no match. */
	ck_assert_int_eq(og_san_pattern_match("https://github.com/org/", san, &e), 0);
	ck_assert_int_eq(og_san_pattern_match("org/repo", san, &e), 0);
	ck_assert_int_eq(og_san_pattern_match("https://github.com/org/repo/.*@refs/heads/(main|release)", san, &e), 1);
	ck_assert_int_eq(og_san_pattern_match("https://github.com/org/other/.*", san, &e), 0);
	/* An alternative cannot escape the whole-match rule. */
	ck_assert_int_eq(og_san_pattern_match("x|https://github.com/org/", san, &e), 0);
	ck_assert_int_eq(og_san_pattern_match("(a)\\1", san, &e), -1);
	ck_assert(strstr(e.msg, "back-references") != NULL);
	ck_assert_int_eq(og_san_pattern_match("(", san, &e), -1);
	ck_assert(strstr(e.msg, "not a valid POSIX extended") != NULL);
	ck_assert_int_eq(og_san_pattern_match("", san, &e), -1);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(og_san_pattern_match(big, san, &e), -1);
}
END_TEST

START_TEST(fulcio_extensions)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	/* UTF8String "refs/heads/main" */
	static const unsigned char ref[] = { 0x0c, 15, 'r', 'e', 'f', 's', '/', 'h', 'e', 'a', 'd', 's', '/',
					     'm', 'a', 'i', 'n' };
	char v[256];
	og_error e = { 0 };
	X509 *x = make_cert(k);

	add_raw_ext(x, "1.3.6.1.4.1.57264.1.14", ref, sizeof ref);
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.12", (const unsigned char *)"raw", 3);
	ck_assert_int_eq(og_fulcio_extension(x, 14, v, sizeof v, &e), 1);
	ck_assert_str_eq(v, "refs/heads/main");
	ck_assert_int_eq(og_fulcio_extension(x, 13, v, sizeof v, &e), 0);
	ck_assert_int_eq(og_fulcio_extension(x, 12, v, sizeof v, &e), -1);
	ck_assert(strstr(e.msg, "1.3.6.1.4.1.57264.1.12 is not a UTF8String") != NULL);
	ck_assert_int_eq(og_fulcio_extension(x, 23, v, sizeof v, &e), -1);
	ck_assert_int_eq(og_fulcio_extension(x, 14, v, 8, &e), -1);	/* longer than the buffer */
	add_raw_ext(x, "1.3.6.1.4.1.57264.1.14", ref, sizeof ref);
	ck_assert_int_eq(og_fulcio_extension(x, 14, v, sizeof v, &e), -1);
	ck_assert(strstr(e.msg, "repeated") != NULL);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keyless_parts");
	TCase *t = tcase_create("keyless_parts");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, canonical_json_and_set_payload);
	tcase_add_test(t, inclusion_proofs);
	tcase_add_test(t, checkpoints);
	tcase_add_test(t, trusted_root_windows);
	tcase_add_test(t, fulcio_identity);
	tcase_add_test(t, san_patterns);
	tcase_add_test(t, fulcio_extensions);
	suite_add_tcase(s, t);
	return tu_run(s);
}
