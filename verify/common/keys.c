#include "verify/common/keys.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "hook/base/fileio.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#define PEM_BEGIN "-----BEGIN PUBLIC KEY-----"
#define PEM_END "-----END PUBLIC KEY-----"

static void freep_uc(unsigned char **p)
{
	free(*p);
}
#define cleanup_uc __attribute__((cleanup(freep_uc)))

enum key_kind { KEY_BAD = 0, KEY_P256, KEY_P384, KEY_ED25519, KEY_RSA };

static enum key_kind key_kind(EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC: {
		char group[64];
		size_t glen = 0;

		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
						   &glen) != 1)
			return KEY_BAD;
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			return KEY_P256;
		if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
			return KEY_P384;
		return KEY_BAD;
	}
	case EVP_PKEY_ED25519:
		return KEY_ED25519;
	case EVP_PKEY_RSA:
		return KEY_RSA;
	default:
		return KEY_BAD;
	}
}

int og_key_check_type(EVP_PKEY *k, const char *what, og_error *e)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		if (key_kind(k) == KEY_BAD)
			return og_fail(e, "%s: unsupported key type: ECDSA on a curve other than P-256 or P-384",
				       what);
		return 0;
	case EVP_PKEY_ED25519:
		return 0;
	case EVP_PKEY_RSA: {
		int bits = EVP_PKEY_get_bits(k);

		if (bits < OG_RSA_MIN_BITS)
			return og_fail(e, "%s: RSA key of %d bits refused: at least %d bits required", what,
				       bits, OG_RSA_MIN_BITS);
		if (bits > OG_RSA_MAX_BITS)
			return og_fail(e, "%s: RSA key of %d bits refused: at most %d bits accepted", what,
				       bits, OG_RSA_MAX_BITS);
		return 0;
	}
	default:
		return og_fail(e, "%s: unsupported key type (accepted: ECDSA P-256/P-384, Ed25519, RSA >= %d)",
			       what, OG_RSA_MIN_BITS);
	}
}

/* The fixed DER prefixes of SubjectPublicKeyInfo for the key types whose
 * encoding has one length: recognised here, such keys are built directly
 * from their raw public part, skipping OpenSSL 3's decoder machinery (the
 * bulk of a cold check's time; see docs/benchmarks.md).  Anything else
 * (RSA, or bytes that merely look alike) takes the general path. */
static const unsigned char spki_ed25519[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
					      0x70, 0x03, 0x21, 0x00 };
static const unsigned char spki_p256[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00 };
static const unsigned char spki_p384[] = { 0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
					   0x00, 0x22, 0x03, 0x62, 0x00 };

static EVP_PKEY *ec_from_point(const char *group, const unsigned char *pt, size_t len)
{
	og_cleanup(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM params[3];
	EVP_PKEY *k = NULL;

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, len);
	params[2] = OSSL_PARAM_construct_end();
	/* The import decodes the point, which must lie on the curve. */
	if (EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		return NULL;
	return k;
}

static EVP_PKEY *key_from_fixed_spki(const unsigned char *der, size_t len)
{
	if (len == sizeof spki_ed25519 + 32 && memcmp(der, spki_ed25519, sizeof spki_ed25519) == 0)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der + sizeof spki_ed25519, 32);
	if (len == sizeof spki_p256 + 65 && memcmp(der, spki_p256, sizeof spki_p256) == 0 &&
	    der[sizeof spki_p256] == 0x04)
		return ec_from_point("P-256", der + sizeof spki_p256, 65);
	if (len == sizeof spki_p384 + 97 && memcmp(der, spki_p384, sizeof spki_p384) == 0 &&
	    der[sizeof spki_p384] == 0x04)
		return ec_from_point("P-384", der + sizeof spki_p384, 97);
	return NULL;
}

int og_key_from_der(const unsigned char *der, size_t len, const char *what, EVP_PKEY **out,
		    og_error *e)
{
	const unsigned char *p = der;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;

	if (og_crypto_init() < 0)
		return og_fail(e, "%s: OpenSSL initialisation failed", what);
	if (len == 0 || len > OG_MAX_KEY_FILE_BYTES)
		return og_fail(e, "%s: bad public key length %zu", what, len);
	k = key_from_fixed_spki(der, len);
	if (k != NULL) {
		if (og_key_check_type(k, what, e) < 0)
			return -1;
		*out = og_steal_pointer(&k);
		return 0;
	}
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k == NULL)
		return og_fail(e, "%s: not a valid DER SubjectPublicKeyInfo public key", what);
	if (p != der + len)
		return og_fail(e, "%s: trailing bytes after the public key", what);
	if (og_key_check_type(k, what, e) < 0)
		return -1;
	*out = og_steal_pointer(&k);
	return 0;
}

static const char *memfind(const char *hay, size_t hlen, const char *needle)
{
	return memmem(hay, hlen, needle, strlen(needle));
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
			return 0;
	return 1;
}

int og_key_from_pem(const char *pem, size_t len, const char *what, EVP_PKEY **out, og_error *e)
{
	const char *begin, *body, *end;
	cleanup_uc unsigned char *der = NULL;
	size_t dlen;

	if (len > OG_MAX_KEY_FILE_BYTES)
		return og_fail(e, "%s: public key larger than %d bytes", what, OG_MAX_KEY_FILE_BYTES);
	begin = memfind(pem, len, PEM_BEGIN);
	if (begin == NULL || !only_space(pem, begin))
		return og_fail(e, "%s: expected a \"" PEM_BEGIN "\" block", what);
	body = begin + strlen(PEM_BEGIN);
	end = memfind(body, len - (size_t)(body - pem), PEM_END);
	if (end == NULL)
		return og_fail(e, "%s: missing \"" PEM_END "\"", what);
	if (!only_space(end + strlen(PEM_END), pem + len))
		return og_fail(e, "%s: unexpected text after the public key", what);
	if (og_base64_decode(body, (size_t)(end - body), OG_B64_ANY_SPACE, what, &der, &dlen, e) < 0)
		return -1;
	return og_key_from_der(der, dlen, what, out, e);
}

int og_key_load_file(const char *path, EVP_PKEY **out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };

	if (og_read_file(path, OG_MAX_KEY_FILE_BYTES, &b, e) < 0)
		return -1;
	return og_key_from_pem(b.data, b.len, path, out, e);
}

/* The SubjectPublicKeyInfo DER of the fixed-length key types, rebuilt from
 * the raw public part (the inverse of key_from_fixed_spki); 0 when k is
 * not one of them. */
static size_t fixed_spki(EVP_PKEY *k, unsigned char *buf, size_t size)
{
	const unsigned char *prefix;
	size_t plen, rlen = 0;

	switch (key_kind(k)) {
	case KEY_ED25519:
		prefix = spki_ed25519, plen = sizeof spki_ed25519, rlen = 32;
		if (plen + rlen > size || EVP_PKEY_get_raw_public_key(k, buf + plen, &rlen) != 1 || rlen != 32)
			return 0;
		break;
	case KEY_P256:
	case KEY_P384:
		if (key_kind(k) == KEY_P256)
			prefix = spki_p256, plen = sizeof spki_p256;
		else
			prefix = spki_p384, plen = sizeof spki_p384;
		if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf + plen,
						    size - plen, &rlen) != 1 ||
		    rlen != (key_kind(k) == KEY_P256 ? 65u : 97u) || buf[plen] != 0x04)
			return 0;
		break;
	default:
		return 0;
	}
	memcpy(buf, prefix, plen);
	return plen + rlen;
}

int og_key_id(EVP_PKEY *k, char out[OG_KEYID_HEX], og_error *e)
{
	unsigned char fixed[160], *der = NULL;
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t flen = fixed_spki(k, fixed, sizeof fixed);
	int n;

	if (flen > 0) {
		SHA256(fixed, flen, md);
	} else {
		n = i2d_PUBKEY(k, &der);
		if (n <= 0)
			return og_fail(e, "cannot encode public key");
		SHA256(der, (size_t)n, md);
		OPENSSL_free(der);
	}
	og_hex_encode(md, sizeof md, out);
	return 0;
}

void og_key_describe(EVP_PKEY *k, char *buf, size_t size)
{
	switch (key_kind(k)) {
	case KEY_P256: og_bfmt(buf, size, "ECDSA P-256"); break;
	case KEY_P384: og_bfmt(buf, size, "ECDSA P-384"); break;
	case KEY_ED25519: og_bfmt(buf, size, "Ed25519"); break;
	case KEY_RSA: og_bfmt(buf, size, "RSA-%d", EVP_PKEY_get_bits(k)); break;
	default: og_bfmt(buf, size, "unsupported"); break;
	}
}

static const EVP_MD *key_md(enum key_kind kind)
{
	switch (kind) {
	case KEY_P256: return EVP_sha256();
	case KEY_P384: return EVP_sha384();
	case KEY_RSA: return EVP_sha256();
	default: return NULL;
	}
}

/* cosign and most tools emit ASN.1 DER; some (JOSE-style, Web Crypto) emit
 * the fixed-size r||s form.  Convert the latter to DER for OpenSSL. */
static int ecdsa_to_der(EVP_PKEY *k, const unsigned char *sig, size_t siglen, unsigned char **der,
			size_t *derlen)
{
	const unsigned char *p = sig;
	og_cleanup(ECDSA_SIG_free) ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
	size_t half = key_kind(k) == KEY_P256 ? 32 : 48;
	BIGNUM *r, *sv;
	int n;

	if (s != NULL && p == sig + siglen)
		return 0;	/* already DER; OpenSSL checks it is strict DER */
	if (siglen != 2 * half)
		return 0;	/* neither form: let verification fail */
	ECDSA_SIG_free(s);
	s = ECDSA_SIG_new();
	r = BN_bin2bn(sig, (int)half, NULL);
	sv = BN_bin2bn(sig + half, (int)half, NULL);
	if (s == NULL || r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		return -1;
	}
	n = i2d_ECDSA_SIG(s, der);
	if (n <= 0)
		return -1;
	*derlen = (size_t)n;
	return 0;
}

static int verify_once(EVP_PKEY *k, const EVP_MD *md, int pss, const void *msg, size_t len,
		       const unsigned char *sig, size_t siglen)
{
	og_cleanup(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	if (ctx == NULL)
		return -1;
	if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k) != 1)
		return -1;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		return -1;
	return EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1 ? 0 : -1;
}

static int verify_prehash_once(EVP_PKEY *k, int pss, const unsigned char dgst[32],
			       const unsigned char *sig, size_t siglen)
{
	og_cleanup(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);

	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1)
		return -1;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1))
		return -1;
	return EVP_PKEY_verify(ctx, sig, siglen, dgst, 32) == 1 ? 0 : -1;
}

/* One verification attempt: over a message (msg, len) or, when dgst is
 * given, over a SHA-256 prehash; pss selects RSA-PSS. */
struct verify_input {
	const void *msg;
	size_t len;
	const unsigned char *dgst;	/* 32 bytes, or NULL */
};

static int verify_attempt(EVP_PKEY *k, enum key_kind kind, int pss, const struct verify_input *in,
			  const unsigned char *sig, size_t siglen)
{
	if (in->dgst != NULL)
		return verify_prehash_once(k, pss, in->dgst, sig, siglen);
	return verify_once(k, kind == KEY_ED25519 ? NULL : key_md(kind), pss, in->msg, in->len, sig,
			   siglen);
}

/* The checks and the per-type dispatch both entry points share: ECDSA
 * signatures may come DER-encoded or as IEEE P1363 r||s; RSA tries PKCS#1
 * v1.5, then PSS. */
static int verify_any(EVP_PKEY *k, const struct verify_input *in, const unsigned char *sig,
		      size_t siglen, og_error *e)
{
	enum key_kind kind = key_kind(k);
	unsigned char *der = NULL;
	size_t derlen = 0;
	int r;

	if (og_crypto_init() < 0)
		return og_fail(e, "OpenSSL initialisation failed");
	if (siglen == 0 || siglen > OG_MAX_SIGNATURE_BYTES)
		return og_fail(e, "signature of %zu bytes is not a valid length", siglen);
	switch (kind) {
	case KEY_P256:
	case KEY_P384:
		if (ecdsa_to_der(k, sig, siglen, &der, &derlen) < 0)
			return og_fail(e, "cannot decode ECDSA signature");
		r = verify_attempt(k, kind, 0, in, der ? der : sig, der ? derlen : siglen);
		/* Sigstore's registry also pairs P-384 with SHA-256
		 * (PKIX_ECDSA_P384_SHA_256, deprecated): cosign and
		 * sigstore-python sign with it.  A prehash is SHA-256 already. */
		if (r < 0 && kind == KEY_P384 && in->dgst == NULL)
			r = verify_once(k, EVP_sha256(), 0, in->msg, in->len, der ? der : sig,
					der ? derlen : siglen);
		OPENSSL_free(der);
		break;
	case KEY_ED25519:
		if (in->dgst != NULL)
			return og_fail(e, "an Ed25519 key cannot verify a prehashed message signature");
		r = verify_attempt(k, kind, 0, in, sig, siglen);
		break;
	case KEY_RSA:
		r = verify_attempt(k, kind, 0, in, sig, siglen);
		if (r < 0)
			r = verify_attempt(k, kind, 1, in, sig, siglen);
		break;
	default:
		return og_fail(e, "unsupported key type");
	}
	if (r < 0)
		return og_fail(e, "signature does not verify");
	return 0;
}

int og_key_verify(EVP_PKEY *k, const void *msg, size_t len, const unsigned char *sig, size_t siglen,
		  og_error *e)
{
	struct verify_input in = { .msg = msg, .len = len };

	return verify_any(k, &in, sig, siglen, e);
}

int og_key_verify_sha256_prehash(EVP_PKEY *k, const unsigned char dgst[32], const unsigned char *sig,
				 size_t siglen, og_error *e)
{
	struct verify_input in = { .dgst = dgst };

	return verify_any(k, &in, sig, siglen, e);
}

int og_key_load_private(const char *path, EVP_PKEY **out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup(BIO_free) BIO *bio = NULL;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;

	if (og_crypto_init() < 0)
		return og_fail(e, "OpenSSL initialisation failed");
	if (og_read_file(path, OG_MAX_KEY_FILE_BYTES, &b, e) < 0)
		return -1;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	if (bio == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	OPENSSL_cleanse(b.data, b.len);
	if (k == NULL)
		return og_fail(e, "%s: not an unencrypted PEM private key", path);
	if (og_key_check_type(k, path, e) < 0)
		return -1;
	*out = og_steal_pointer(&k);
	return 0;
}

int og_key_sign(EVP_PKEY *k, const void *msg, size_t len, unsigned char **sig, size_t *siglen,
		og_error *e)
{
	og_cleanup(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum key_kind kind = key_kind(k);
	unsigned char *buf;
	size_t n = 0;

	if (kind == KEY_BAD)
		return og_fail(e, "unsupported key type");
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, key_md(kind), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1)
		return og_fail(e, "cannot sign: OpenSSL error");
	buf = malloc(n);
	if (buf == NULL)
		return og_fail_errno(e, ENOMEM, "sign");
	if (EVP_DigestSign(ctx, buf, &n, msg, len) != 1) {
		free(buf);
		return og_fail(e, "cannot sign: OpenSSL error");
	}
	*sig = buf;
	*siglen = n;
	return 0;
}
