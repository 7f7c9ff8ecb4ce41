/* Detached-in-file signatures over verdict and VEX cache payloads: verified
 * over the exact bytes before those bytes are parsed. */
#include "verify/scan/scan_sign.h"
#include "verify/common/base64.h"
#include "hook/base/cleanup.h"
#include "verify/common/crypto_util.h"
#include "hook/base/fileio.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <string.h>

static int key_type_ok(EVP_PKEY *k, const char *path, og_error *e)
{
	char group[64] = "";
	size_t glen = 0;

	if (EVP_PKEY_is_a(k, "ED25519"))
		return 0;
	if (EVP_PKEY_is_a(k, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
						   &glen) != 1)
			return og_fail(e, "%s: cannot read the EC curve", path);
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			return 0;
		return og_fail(e, "%s: EC key on curve %s; only P-256 is accepted", path, group);
	}
	return og_fail(e, "%s: key type %s is not accepted (Ed25519 or ECDSA P-256)", path,
		       EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown");
}

static int load_key(const char *path, int private, EVP_PKEY **out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup(BIO_free) BIO *bio = NULL;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;

	if (og_crypto_init() < 0)
		return og_fail(e, "OpenSSL initialisation failed");
	if (og_read_file(path, OG_MAX_SCAN_KEY_BYTES, &b, e) < 0)
		return -1;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	if (bio == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	k = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
		    : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (b.len > 0)
		OPENSSL_cleanse(b.data, b.len);	/* private key material */
	if (k == NULL)
		return og_fail(e, "%s: not a PEM %s key", path, private ? "private" : "public");
	if (key_type_ok(k, path, e) < 0)
		return -1;
	*out = og_steal_pointer(&k);
	return 0;
}

int og_scan_load_public_key(const char *path, EVP_PKEY **out, og_error *e)
{
	return load_key(path, 0, out, e);
}

int og_scan_load_private_key(const char *path, EVP_PKEY **out, og_error *e)
{
	return load_key(path, 1, out, e);
}

static const EVP_MD *md_for(EVP_PKEY *k)
{
	return EVP_PKEY_is_a(k, "ED25519") ? NULL : EVP_sha256();
}

int og_scan_envelope(const char *payload, size_t len, EVP_PKEY *key, char **out, size_t *out_len,
		     og_error *e)
{
	og_cleanup(EVP_MD_CTX_free) EVP_MD_CTX *ctx = NULL;
	og_cleanup_free unsigned char *sig = NULL;
	og_cleanup_free char *b64 = NULL;
	size_t siglen = 0, blen = 0, total;
	char *buf;

	if (memchr(payload, '\n', len) != NULL)
		return og_fail(e, "internal error: payload is not one line");
	if (key != NULL) {
		ctx = EVP_MD_CTX_new();
		if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, md_for(key), NULL, key) != 1 ||
		    EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)payload, len) != 1)
			return og_fail(e, "signing failed");
		sig = malloc(siglen);
		if (sig == NULL)
			return og_fail_errno(e, ENOMEM, "signing");
		if (EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)payload, len) != 1)
			return og_fail(e, "signing failed");
		b64 = og_base64_encode(sig, siglen);
		if (b64 == NULL)
			return og_fail_errno(e, ENOMEM, "signing");
		blen = strlen(b64);
	}
	total = len + 1 + (b64 ? strlen(OG_SCAN_SIG_PREFIX) + blen + 1 : 0);
	buf = malloc(total + 1);
	if (buf == NULL)
		return og_fail_errno(e, ENOMEM, "signing");
	memcpy(buf, payload, len);
	buf[len] = '\n';
	if (b64 != NULL)
		snprintf(buf + len + 1, total - len, "%s%s\n", OG_SCAN_SIG_PREFIX, b64);
	buf[total] = '\0';
	*out = buf;
	*out_len = total;
	return 0;
}

int og_scan_split(const char *data, size_t len, size_t *payload_len, const char **sig,
		  size_t *sig_len, og_error *e)
{
	const char *nl = memchr(data, '\n', len), *rest, *end;
	size_t plen = strlen(OG_SCAN_SIG_PREFIX);

	*sig = NULL;
	*sig_len = 0;
	if (nl == NULL)
		return og_fail(e, "truncated: no end of line after the payload");
	*payload_len = (size_t)(nl - data);
	rest = nl + 1;
	end = data + len;
	if (rest == end)
		return 0;
	if ((size_t)(end - rest) < plen + 2 || memcmp(rest, OG_SCAN_SIG_PREFIX, plen) != 0 ||
	    end[-1] != '\n')
		return og_fail(e, "unexpected bytes after the payload line");
	rest += plen;
	if (memchr(rest, '\n', (size_t)(end - 1 - rest)) != NULL ||
	    (size_t)(end - 1 - rest) > OG_MAX_SCAN_SIG_B64)
		return og_fail(e, "malformed signature line");
	*sig = rest;
	*sig_len = (size_t)(end - 1 - rest);
	return 0;
}

int og_scan_verify(const char *payload, size_t len, const char *sig, size_t sig_len,
		   EVP_PKEY *const *keys, size_t nkeys, og_error *e)
{
	og_cleanup_free unsigned char *raw = NULL;
	size_t rawlen = 0;

	if (sig == NULL)
		return og_fail(e, "not signed, and the policy requires signed verdicts");
	if (og_base64_decode(sig, sig_len, 0, "signature", &raw, &rawlen, e) < 0)
		return -1;
	for (size_t i = 0; i < nkeys; i++) {
		og_cleanup(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		if (ctx == NULL)
			return og_fail_errno(e, ENOMEM, "signature");
		if (EVP_DigestVerifyInit(ctx, NULL, md_for(keys[i]), NULL, keys[i]) != 1)
			continue;
		if (EVP_DigestVerify(ctx, raw, rawlen, (const unsigned char *)payload, len) == 1)
			return 0;
	}
	return og_fail(e, "signature does not verify with any of the %zu signer key(s)", nkeys);
}
