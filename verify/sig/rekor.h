/* Rekor transparency-log evidence, checked offline: the signed entry
 * timestamp (a log key's signature over the canonical JSON of body,
 * integratedTime, logID and logIndex), RFC 6962 inclusion proofs, and the
 * signed checkpoint (a signed note, C2SP tlog-checkpoint) naming the tree
 * the proof leads to. */
#ifndef OCIGATE_REKOR_H
#define OCIGATE_REKOR_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "hook/base/error.h"

#define OG_MAX_CHECKPOINT_BYTES 8192
#define OG_CHECKPOINT_MAX_SIGS 16
#define OG_CHECKPOINT_MAX_LINES 16	/* body lines: origin, size, root, extensions */
#define OG_MAX_PROOF_HASHES 64		/* a tree of 2^64 leaves needs no more */

struct og_checkpoint_sig {
	char name[256];
	unsigned char hint[4];
	unsigned char sig[512];
	size_t sig_len;
};

struct og_checkpoint {
	char origin[256];
	uint64_t size;
	unsigned char root[32];
	size_t text_len;	/* the signed text: the body with its final newline */
	size_t nsig;
	struct og_checkpoint_sig sigs[OG_CHECKPOINT_MAX_SIGS];
};

/* Parse a checkpoint envelope (len bytes of text, not NUL-terminated). */
int og_checkpoint_parse(const char *text, size_t len, struct og_checkpoint *out, og_error *e);
/* 0 when a signature whose key hint is the first 4 bytes of log_id verifies
 * the note with key; a signature by another key (a witness) is ignored. */
int og_checkpoint_verify(const struct og_checkpoint *cp, const char *text, EVP_PKEY *key,
			 const unsigned char *log_id, size_t log_id_len, og_error *e);

/* RFC 6962 leaf hash: SHA-256(0x00 || leaf). */
void og_rekor_leaf_hash(const void *leaf, size_t len, unsigned char out[32]);
/* 0 when hashes lead from leaf_hash at index to root in a tree of size. */
int og_inclusion_verify(uint64_t index, uint64_t size, const unsigned char leaf_hash[32],
			const unsigned char (*hashes)[32], size_t nhashes, const unsigned char root[32],
			og_error *e);

/* The signed entry timestamp payload for these values (canonical JSON). */
int og_rekor_set_payload(const char *body_b64, int64_t integrated_time, const unsigned char *log_id,
			 size_t log_id_len, int64_t log_index, char **out, size_t *len, og_error *e);

#endif
