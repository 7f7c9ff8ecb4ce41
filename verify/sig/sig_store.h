/* The image signature directory (default /var/lib/ocigate/signatures),
 * content-addressed by digest: signatures_dir/sha256/<hex>/<entry-id>.json.
 * An entry is filed under every digest it can vouch for (the signed digest
 * and, when the manifest is stored with it, the manifest and config
 * digests), so the hook reads only the directory of the running image's
 * digest.  Where an entry is filed proves nothing: the hook re-derives every
 * link from the signed bytes.
 *
 * Entry file (written by `ocigate sig add`; every byte string base64):
 *   {"repository": "registry/x",    hint for key lookup (unsigned: it orders
 *                                    the keys tried and decides nothing)
 *    "payload": ..., "signature": ...       cosign simple signing, keyed or with
 *    "certificate": ..., "chain": ...,      cosign's keyless registry form: the
 *    "rekor_bundle": ...,                   dev.sigstore.cosign/certificate, /chain,
 *    "rfc3161_timestamp": ...               /bundle and /rfc3161timestamp annotations
 *                                           (exact bytes), or
 *    "bundle": ...                          Sigstore bundle / DSSE envelope
 *    "manifest": ..., "index": ...}         optional, for config digests */
#ifndef OCIGATE_SIG_STORE_H
#define OCIGATE_SIG_STORE_H

#include <stddef.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "verify/common/image.h"
#include "verify/common/keys.h"

#define OG_MAX_SIG_ENTRY_BYTES (8 * 1024 * 1024)
#define OG_MAX_MANIFEST_BYTES (2 * 1024 * 1024)
#define OG_MAX_SIG_ENTRIES 64		/* entries read per digest */
#define OG_MAX_SIG_DIGESTS 16		/* digests one entry is filed under */
#define OG_MAX_SIG_CERT_BYTES (64 * 1024)	/* a PEM certificate or chain, a Rekor bundle */

struct og_sig_entry {
	char id[OG_KEYID_HEX];		/* sha256 of the entry file */
	char repository[OG_REF_MAX];	/* hint, "" when absent */
	og_buf payload, signature;	/* simple signing (signature raw bytes) */
	og_buf certificate, chain;	/* keyless simple signing: PEM leaf, PEM chain */
	og_buf rekor_bundle, rfc3161_timestamp;	/* ... cosign's Rekor bundle, TSA JSON */
	og_buf bundle;			/* raw bundle / envelope bytes */
	og_buf manifest, index;		/* optional */
};

void og_sig_entry_free(struct og_sig_entry *en);
int og_sig_entry_decode(const char *data, size_t len, struct og_sig_entry *out, og_error *e);
/* Serialise an entry (fresh NUL-terminated JSON). */
char *og_sig_entry_encode(const struct og_sig_entry *en);

/* Read the entries filed under digest.  A missing directory means none. */
int og_sig_store_lookup(const char *dir, const char *digest, struct og_sig_entry **out, size_t *n,
			og_error *e);
void og_sig_entries_free(struct og_sig_entry *v, size_t n);
/* File an encoded entry under each digest; id receives its name. */
int og_sig_store_add(const char *dir, const char *text, const char *const *digests, size_t nd,
		     char id[OG_KEYID_HEX], og_error *e);
/* Print "digest entry-id kind signed-repositories [(unsigned repository
 * hint: ...)] [+manifest[+index]]" for every entry (kind
 * "simple-signing+certificate" for cosign's keyless registry form). */
int og_sig_store_list(const char *dir, FILE *out, og_error *e);

#endif
