/* Sigstore trusted roots (application/vnd.dev.sigstore.trustedroot+json;
 * version=0.1): the Fulcio CA chains, Rekor transparency-log keys, CT log
 * keys and timestamp authorities a keyless signature is checked against,
 * each with its validFor window.  Every window needs a start (a missing
 * start is refused, never read as "forever"); start and end are inclusive. */
#ifndef OCIGATE_TRUSTED_ROOT_H
#define OCIGATE_TRUSTED_ROOT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "hook/base/error.h"

#define OG_TRUSTED_ROOT_MEDIA_TYPE "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
#define OG_MAX_TRUSTED_ROOT_BYTES (1024 * 1024)
#define OG_TR_MAX_ENTRIES 32	/* logs, CT logs, CAs, TSAs: each */
#define OG_TR_MAX_CHAIN 8	/* certificates in one CA or TSA chain */
#define OG_TR_MAX_CERT_BYTES 16384

struct og_tr_window {
	int64_t start;		/* always set */
	int64_t end;		/* 0: open */
};

struct og_tr_log {
	EVP_PKEY *key;
	unsigned char id[32];	/* logId.keyId: sha256 of the key's DER (RFC 6962) */
	size_t id_len;
	struct og_tr_window valid;
	char url[256];
};

struct og_tr_ca {
	STACK_OF(X509) *chain;	/* as listed: leaf-most first, the root last */
	struct og_tr_window valid;
	char uri[256];
};

struct og_trusted_root {
	size_t ntlogs, nctlogs, ncas, ntsas;
	struct og_tr_log tlogs[OG_TR_MAX_ENTRIES];
	struct og_tr_log ctlogs[OG_TR_MAX_ENTRIES];
	struct og_tr_ca cas[OG_TR_MAX_ENTRIES];
	struct og_tr_ca tsas[OG_TR_MAX_ENTRIES];
};

/* Parse a trusted root document; `what` names it in errors.  The caller
 * frees *out with og_trusted_root_free, also after a failure. */
int og_trusted_root_parse(const char *data, size_t len, const char *what, struct og_trusted_root *out,
			  og_error *e);
void og_trusted_root_free(struct og_trusted_root *r);
/* Each CA and TSA chain is a chain: every certificate signed by the next,
 * a self-issued last one by itself.  For `trust sign`: the hook trusts every
 * certificate of a chain as listed (fulcio.c) and verifies only the leaf's
 * signature, so the chain's own signatures are checked where a root enters
 * the store. */
int og_trusted_root_check_chains(const struct og_trusted_root *r, const char *what, og_error *e);
/* 1 when t lies in w (both ends inclusive). */
int og_tr_window_has(const struct og_tr_window *w, int64_t t);
/* The transparency or CT log with this id, or NULL. */
const struct og_tr_log *og_tr_find_log(const struct og_tr_log *logs, size_t n, const unsigned char *id,
				       size_t id_len);
/* Decode one DER certificate (bounded). */
X509 *og_tr_cert_from_der(const unsigned char *der, size_t len, const char *what, og_error *e);

#endif
