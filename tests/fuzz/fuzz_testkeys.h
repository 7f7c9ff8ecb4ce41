/* Fixed keys for the fuzz harnesses only (generated for this purpose, never
 * trusted anywhere): fixed so that committed seeds can carry the right key
 * ids and valid signatures, which lets the fuzzer reach the code behind
 * signature checks.  make-corpus.sh reads the private keys from this file. */
#ifndef OCIGATE_FUZZ_TESTKEYS_H
#define OCIGATE_FUZZ_TESTKEYS_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include "fuzz_util.h"

/* fuzz-key ed25519 */
static const char fz_ed25519_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIJnFI7ovBwQryIfeoK3sp47XWAfOsvN4oIN5pHBQvKpN\n"
	"-----END PRIVATE KEY-----\n";
/* fuzz-key p256 */
static const char fz_p256_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0j64NtDoGFNr+sUy\n"
	"+xU98wHxEJ8d5YRooVCDUJrKXeuhRANCAAQAcaE/+tKIvxFgm63bWpEF/HAiiNMd\n"
	"zwvozQaOs7KubIbVi4b/ndCHZV9pUzcPbleKiNPztWVl4pUavJvCCFlA\n"
	"-----END PRIVATE KEY-----\n";

static inline EVP_PKEY *fz_private_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	if (k == NULL)
		fz_die("cannot load a built-in test key");
	return k;
}

/* The public half as PEM text (malloc'd, NUL-terminated). */
static inline char *fz_public_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, k) != 1)
		fz_die("cannot encode a test public key");
	n = BIO_get_mem_data(b, &p);
	s = fz_strndup((const uint8_t *)p, (size_t)n);
	BIO_free(b);
	return s;
}

#endif
