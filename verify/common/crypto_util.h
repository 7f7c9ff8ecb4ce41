/* Cleanup handles for the OpenSSL types the trust code owns, defined once
 * here for the whole verify/ area, and the one place OpenSSL is initialised
 * (never with config loading: a root-run hook must not read openssl.cnf). */
#ifndef OCIGATE_CRYPTO_UTIL_H
#define OCIGATE_CRYPTO_UTIL_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include "hook/base/cleanup.h"

OG_DEFINE_CLEANUP(EVP_PKEY, EVP_PKEY_free)
OG_DEFINE_CLEANUP(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
OG_DEFINE_CLEANUP(EVP_MD_CTX, EVP_MD_CTX_free)
OG_DEFINE_CLEANUP(ECDSA_SIG, ECDSA_SIG_free)
OG_DEFINE_CLEANUP(BIO, BIO_free)

static inline int og_crypto_init(void)
{
	/* No config file, and no table of every legacy cipher and digest name:
	 * the first fetch would otherwise walk it (millions of instructions).
	 * No error strings either: ocigate never prints OpenSSL's, and the
	 * first ERR_set_mark (every key import makes one) would load them all
	 * (0.9 M instructions, a sixth of a cold check). */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
					OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
				NULL) != 1)
		return -1;
	/* X.509 and CMS (RFC 3161) signatures name their digest by OID and need
	 * it in that table.  Registered before anything is hashed: a digest
	 * fetched earlier keeps no NID, and a later CMS check would then fail
	 * (idempotent, three hash-table inserts). */
	return EVP_add_digest(EVP_sha256()) == 1 && EVP_add_digest(EVP_sha384()) == 1 &&
			       EVP_add_digest(EVP_sha512()) == 1 ? 0 : -1;
}

#endif
