#include "verify/sig/rekor.h"
#include "verify/sig/canonical_json.h"
#include "verify/common/base64.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "hook/base/cleanup.h"
#include "verify/common/crypto_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

#define EM_DASH "\xe2\x80\x94"

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_sig_line(const char *l, size_t n, struct og_checkpoint_sig *s, og_error *e)
{
	const char *sp;
	og_cleanup_free unsigned char *raw = NULL;
	size_t rlen;

	if (n < 4 || memcmp(l, EM_DASH " ", 4) != 0)
		return og_fail(e, "checkpoint: signature line does not start with an em dash");
	l += 4;
	n -= 4;
	sp = memchr(l, ' ', n);
	if (sp == NULL || sp == l || (size_t)(sp - l) >= sizeof s->name)
		return og_fail(e, "checkpoint: signature line without a key name");
	memcpy(s->name, l, (size_t)(sp - l));
	s->name[sp - l] = '\0';
	n -= (size_t)(sp - l) + 1;
	if (n > (sizeof s->sig + 4) / 3 * 4 + 4 ||
	    og_base64_decode(sp + 1, n, 0, "checkpoint signature", &raw, &rlen, e) < 0)
		return og_fail(e, "checkpoint: signature of %s is not base64 of at most %zu bytes", s->name,
			       sizeof s->sig);
	if (rlen < 5 || rlen - 4 > sizeof s->sig)
		return og_fail(e, "checkpoint: signature of %s has %zu bytes", s->name, rlen);
	memcpy(s->hint, raw, 4);
	memcpy(s->sig, raw + 4, rlen - 4);
	s->sig_len = rlen - 4;
	return 0;
}

int og_checkpoint_parse(const char *text, size_t len, struct og_checkpoint *out, og_error *e)
{
	const char *p = text, *end = text + len, *sep = NULL, *nl;
	og_cleanup_free unsigned char *root = NULL;
	size_t rlen, line = 0;

	memset(out, 0, sizeof *out);
	if (len == 0 || len > OG_MAX_CHECKPOINT_BYTES)
		return og_fail(e, "checkpoint: %zu bytes (1 to %d accepted)", len, OG_MAX_CHECKPOINT_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return og_fail(e, "checkpoint: contains a NUL byte");
	for (const char *q = text; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			sep = q;
			break;
		}
	if (sep == NULL)
		return og_fail(e, "checkpoint: no blank line between the note and its signatures");
	out->text_len = (size_t)(sep - text) + 1;
	/* The body: origin, tree size, root hash, then optional extension lines. */
	while (p < sep + 1) {
		nl = memchr(p, '\n', (size_t)(sep + 1 - p));
		if (++line > OG_CHECKPOINT_MAX_LINES)
			return og_fail(e, "checkpoint: more than %d note lines", OG_CHECKPOINT_MAX_LINES);
		if (line == 1) {
			if (nl == p || (size_t)(nl - p) >= sizeof out->origin)
				return og_fail(e, "checkpoint: origin line empty or too long");
			memcpy(out->origin, p, (size_t)(nl - p));
		} else if (line == 2) {
			if (parse_u64(p, (size_t)(nl - p), &out->size) < 0)
				return og_fail(e, "checkpoint: tree size line is not a decimal number");
		} else if (line == 3) {
			if ((size_t)(nl - p) != 44 ||
			    og_base64_decode(p, 44, 0, "checkpoint root hash", &root, &rlen, e) < 0 || rlen != 32)
				return og_fail(e, "checkpoint: root hash line is not base64 of 32 bytes");
			memcpy(out->root, root, 32);
		}
		p = nl + 1;
	}
	if (line < 3)
		return og_fail(e, "checkpoint: note has %zu lines, needs origin, size and root hash", line);
	p = sep + 2;
	if (p >= end)
		return og_fail(e, "checkpoint: no signature");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return og_fail(e, "checkpoint: signature line not terminated by a newline");
		if (out->nsig == OG_CHECKPOINT_MAX_SIGS)
			return og_fail(e, "checkpoint: more than %d signatures", OG_CHECKPOINT_MAX_SIGS);
		if (parse_sig_line(p, (size_t)(nl - p), &out->sigs[out->nsig], e) < 0)
			return -1;
		out->nsig++;
		p = nl + 1;
	}
	return 0;
}

int og_checkpoint_verify(const struct og_checkpoint *cp, const char *text, EVP_PKEY *key,
			 const unsigned char *log_id, size_t log_id_len, og_error *e)
{
	int hinted = 0;

	if (log_id_len < 4)
		return og_fail(e, "checkpoint: log id too short for a key hint");
	for (size_t i = 0; i < cp->nsig; i++) {
		og_error ve = { 0 };

		if (memcmp(cp->sigs[i].hint, log_id, 4) != 0)
			continue;
		hinted = 1;
		if (og_key_verify(key, text, cp->text_len, cp->sigs[i].sig, cp->sigs[i].sig_len, &ve) == 0)
			return 0;
	}
	if (hinted)
		return og_fail(e, "the signature by the log key does not verify");
	return og_fail(e, "no signature by the log key (no matching key hint)");
}

void og_rekor_leaf_hash(const void *leaf, size_t len, unsigned char out[32])
{
	og_cleanup(EVP_MD_CTX_free) EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char z = 0;

	/* On an allocation failure the hash is all zeros and matches no root. */
	memset(out, 0, 32);
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, &z, 1) != 1 ||
	    EVP_DigestUpdate(c, leaf, len) != 1 || EVP_DigestFinal_ex(c, out, NULL) != 1)
		memset(out, 0, 32);
}

static void node_hash(const unsigned char *l, const unsigned char *r, unsigned char out[32])
{
	unsigned char buf[65];

	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, sizeof buf, out);
}

/* RFC 9162 2.1.3.2. */
int og_inclusion_verify(uint64_t index, uint64_t size, const unsigned char leaf_hash[32],
			const unsigned char (*hashes)[32], size_t nhashes, const unsigned char root[32],
			og_error *e)
{
	uint64_t fn = index, sn;
	unsigned char r[32];

	if (size == 0 || index >= size)
		return og_fail(e, "inclusion proof: index %" PRIu64 " outside a tree of size %" PRIu64,
			       index, size);
	if (nhashes > OG_MAX_PROOF_HASHES)
		return og_fail(e, "inclusion proof: more than %d hashes", OG_MAX_PROOF_HASHES);
	sn = size - 1;
	memcpy(r, leaf_hash, 32);
	for (size_t i = 0; i < nhashes; i++) {
		if (sn == 0)
			return og_fail(e, "inclusion proof: more hashes than the tree has levels");
		if ((fn & 1) || fn == sn) {
			node_hash(hashes[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			node_hash(r, hashes[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return og_fail(e, "inclusion proof: too few hashes for the tree size");
	if (memcmp(r, root, 32) != 0)
		return og_fail(e, "inclusion proof: computed root hash differs from the proof's root hash");
	return 0;
}

int og_rekor_set_payload(const char *body_b64, int64_t integrated_time, const unsigned char *log_id,
			 size_t log_id_len, int64_t log_index, char **out, size_t *len, og_error *e)
{
	char hex[2 * 32 + 1];
	json_auto_t *o = NULL;

	if (log_id_len > 32)
		return og_fail(e, "signed entry timestamp: log id longer than 32 bytes");
	og_hex_encode(log_id, log_id_len, hex);
	o = json_pack("{s:s, s:I, s:s, s:I}", "body", body_b64, "integratedTime", (json_int_t)integrated_time,
		      "logID", hex, "logIndex", (json_int_t)log_index);
	if (o == NULL)
		return og_fail(e, "signed entry timestamp: out of memory");
	return og_canonical_json(o, out, len, e);
}
