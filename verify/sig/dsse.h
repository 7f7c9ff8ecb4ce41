/* DSSE envelopes (payloadType, base64 payload, signatures over the
 * pre-authentication encoding) and the in-toto statements they carry. */
#ifndef OCIGATE_DSSE_H
#define OCIGATE_DSSE_H

#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

#define OG_DSSE_MAX_SIGS 8
#define OG_MAX_DSSE_PAYLOAD_BYTES (1024 * 1024)
#define OG_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define OG_INTOTO_MAX_SUBJECTS 64

struct og_dsse_envelope {
	char *payload_type;
	unsigned char *payload;
	size_t payload_len;
	size_t nsig;
	unsigned char *sig[OG_DSSE_MAX_SIGS];
	size_t sig_len[OG_DSSE_MAX_SIGS];
};

/* PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body */
int og_dsse_pae(const char *type, const unsigned char *body, size_t len, unsigned char **out,
		size_t *out_len, og_error *e);
/* Decode an envelope object ({"payloadType","payload","signatures":[{"sig","keyid"}]}). */
int og_dsse_parse(const json_t *env, const char *path, struct og_dsse_envelope *out, og_error *e);
void og_dsse_free(struct og_dsse_envelope *env);
/* 0 when any of the envelope's signatures verifies with k over the PAE. */
int og_dsse_verify(const struct og_dsse_envelope *env, EVP_PKEY *k, og_error *e);

/* What a verified in-toto statement says. */
struct og_intoto {
	char predicate_type[256];
	size_t nsub;
	char digest[OG_INTOTO_MAX_SUBJECTS][OG_DIGEST_MAX];	/* "sha256:<hex>" per subject with one */
	char name[OG_INTOTO_MAX_SUBJECTS][OG_REF_MAX];		/* subject name, may be "" */
};
int og_intoto_parse(const unsigned char *payload, size_t len, struct og_intoto *out, og_error *e);

#endif
