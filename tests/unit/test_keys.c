/* Public keys: the fast path for fixed-length key encodings must agree
 * with OpenSSL's general decoder and encoder, byte for byte. */
#include "testutil.h"
#include "verify/common/crypto_util.h"
#include "verify/common/keys.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

static EVP_PKEY *gen(const char *alg, const char *curve)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *k = NULL;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_PKEY_keygen_init(c), 1);
	if (curve)
		ck_assert_int_eq(EVP_PKEY_CTX_set_group_name(c, curve), 1);
	if (strcmp(alg, "RSA") == 0)
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048), 1);
	ck_assert_int_eq(EVP_PKEY_keygen(c, &k), 1);
	EVP_PKEY_CTX_free(c);
	return k;
}

static void agree(const char *alg, const char *curve)
{
	EVP_PKEY *priv = gen(alg, curve), *fast = NULL;
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	char want[OG_KEYID_HEX], got[OG_KEYID_HEX];
	og_error e = { 0 };
	int n = i2d_PUBKEY(priv, &der);

	ck_assert_int_gt(n, 0);
	SHA256(der, (size_t)n, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	ck_assert_msg(og_key_from_der(der, (size_t)n, alg, &fast, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(EVP_PKEY_eq(priv, fast), 1);
	ck_assert_int_eq(og_key_id(fast, got, &e), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(og_key_id(priv, got, &e), 0);
	ck_assert_str_eq(got, want);
	/* a point not on the curve (or a flipped key byte) is refused, not imported */
	if (curve != NULL) {
		EVP_PKEY *bad = NULL;
		der[n - 1] ^= 0x01;
		ck_assert_int_eq(og_key_from_der(der, (size_t)n, alg, &bad, &e), -1);
		ck_assert_ptr_null(bad);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(fast);
}

START_TEST(fast_path_agrees_with_openssl)
{
	agree("ED25519", NULL);
	agree("EC", "P-256");
	agree("EC", "P-384");
	agree("RSA", NULL);	/* general path */
}
END_TEST

START_TEST(keyid_of_a_published_key)
{
	/* B01's README gives sha256 of the npm registry key's SPKI. */
	char path[8192], id[OG_KEYID_HEX];
	EVP_PKEY *k = NULL;
	og_error e = { 0 };

	if (!tu_have_shared_fixtures()) {
		fprintf(stderr, "keyid_of_a_published_key: skipped, %s absent\n", tu_shared_fixtures());
		return;
	}
	snprintf(path, sizeof path, "%s/cosign/B01-sg-bundle-v0.1-dsse-publickey-npm/pub.pem",
		 tu_shared_fixtures());
	ck_assert_msg(og_key_load_file(path, &k, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_key_id(k, id, &e), 0);
	ck_assert_str_eq(id, "1e908a55459fe6ddac1ccbc137ea8631ee837032fec2a2ccc528b38d81f17108");
	EVP_PKEY_free(k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keys");
	TCase *t = tcase_create("keys");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, fast_path_agrees_with_openssl);
	tcase_add_test(t, keyid_of_a_published_key);
	suite_add_tcase(s, t);
	return tu_run(s);
}
