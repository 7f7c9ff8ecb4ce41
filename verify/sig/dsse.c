#include "verify/sig/dsse.h"
#include "verify/common/base64.h"
#include "hook/base/jsonutil.h"
#include "verify/common/keys.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int og_dsse_pae(const char *type, const unsigned char *body, size_t len, unsigned char **out,
		size_t *out_len, og_error *e)
{
	char head[128];
	size_t tlen = strlen(type);
	int n;
	unsigned char *buf;

	if (len > OG_MAX_DSSE_PAYLOAD_BYTES || tlen > 256)
		return og_fail(e, "DSSE payload too large");
	n = snprintf(head, sizeof head, "DSSEv1 %zu ", tlen);
	if (n < 0 || (size_t)n >= sizeof head)
		return og_fail(e, "DSSE: cannot encode");
	buf = malloc((size_t)n + tlen + 32 + len);
	if (buf == NULL)
		return og_fail_errno(e, ENOMEM, "DSSE");
	memcpy(buf, head, (size_t)n);
	memcpy(buf + n, type, tlen);
	*out_len = (size_t)n + tlen;
	n = snprintf((char *)buf + *out_len, 32, " %zu ", len);
	*out_len += (size_t)n;
	memcpy(buf + *out_len, body, len);
	*out_len += len;
	*out = buf;
	return 0;
}

void og_dsse_free(struct og_dsse_envelope *env)
{
	free(env->payload_type);
	free(env->payload);
	for (size_t i = 0; i < env->nsig; i++)
		free(env->sig[i]);
	memset(env, 0, sizeof *env);
}

int og_dsse_parse(const json_t *env, const char *path, struct og_dsse_envelope *out, og_error *e)
{
	static const char *const sig_keys[] = { "sig", "keyid", NULL };
	const char *type, *payload;
	json_t *sigs, *s;
	char spath[128];
	size_t i;

	memset(out, 0, sizeof *out);
	if (og_json_str(env, "payloadType", path, 1, &type, e) < 0 ||
	    og_json_str(env, "payload", path, 1, &payload, e) < 0 ||
	    og_json_arr(env, "signatures", path, 1, &sigs, e) < 0)
		return -1;
	if (json_array_size(sigs) == 0 || json_array_size(sigs) > OG_DSSE_MAX_SIGS)
		return og_fail(e, "%s.signatures: expected 1 to %d signatures", path, OG_DSSE_MAX_SIGS);
	if (strlen(type) > 256)
		return og_fail(e, "%s.payloadType: too long", path);
	if (strlen(payload) > OG_MAX_DSSE_PAYLOAD_BYTES / 3 * 4 + 4)
		return og_fail(e, "%s.payload: larger than %d bytes", path, OG_MAX_DSSE_PAYLOAD_BYTES);
	out->payload_type = strdup(type);
	if (out->payload_type == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	if (og_base64_decode(payload, strlen(payload), 0, "DSSE payload", &out->payload,
			     &out->payload_len, e) < 0)
		goto fail;
	json_array_foreach(sigs, i, s) {
		const char *sig, *keyid;

		og_bfmt(spath, sizeof spath, "%s.signatures[%zu]", path, i);
		if (!json_is_object(s)) {
			og_fail(e, "%s: expected an object", spath);
			goto fail;
		}
		if (og_json_only_keys(s, spath, sig_keys, e) < 0 ||
		    og_json_str(s, "sig", spath, 1, &sig, e) < 0 ||
		    og_json_str(s, "keyid", spath, 0, &keyid, e) < 0)
			goto fail;
		if (strlen(sig) > OG_MAX_SIGNATURE_BYTES * 2) {
			og_fail(e, "%s.sig: too long", spath);
			goto fail;
		}
		if (og_base64_decode(sig, strlen(sig), 0, spath, &out->sig[i], &out->sig_len[i], e) < 0)
			goto fail;
		out->nsig++;
	}
	return 0;
fail:
	og_dsse_free(out);
	return -1;
}

int og_dsse_verify(const struct og_dsse_envelope *env, EVP_PKEY *k, og_error *e)
{
	unsigned char *pae = NULL;
	size_t pae_len;
	int ok = -1;

	if (og_dsse_pae(env->payload_type, env->payload, env->payload_len, &pae, &pae_len, e) < 0)
		return -1;
	for (size_t i = 0; i < env->nsig && ok < 0; i++)
		ok = og_key_verify(k, pae, pae_len, env->sig[i], env->sig_len[i], e);
	free(pae);
	if (ok < 0)
		return og_fail(e, "DSSE signature does not verify");
	return 0;
}

int og_intoto_parse(const unsigned char *payload, size_t len, struct og_intoto *out, og_error *e)
{
	json_auto_t *doc = NULL;
	const char *type, *ptype;
	json_t *subjects, *s;
	size_t i;

	memset(out, 0, sizeof *out);
	doc = og_json_parse((const char *)payload, len, "in-toto statement", e);
	if (doc == NULL)
		return -1;
	if (og_json_str(doc, "_type", "statement", 1, &type, e) < 0 ||
	    og_json_str(doc, "predicateType", "statement", 1, &ptype, e) < 0 ||
	    og_json_arr(doc, "subject", "statement", 1, &subjects, e) < 0)
		return -1;
	if (strcmp(type, "https://in-toto.io/Statement/v0.1") != 0 &&
	    strcmp(type, "https://in-toto.io/Statement/v1") != 0)
		return og_fail(e, "statement._type: not an in-toto statement");
	if (strlen(ptype) >= sizeof out->predicate_type)
		return og_fail(e, "statement.predicateType: too long");
	og_bfmt(out->predicate_type, sizeof out->predicate_type, "%s", ptype);
	if (json_array_size(subjects) > OG_INTOTO_MAX_SUBJECTS)
		return og_fail(e, "statement.subject: more than %d subjects", OG_INTOTO_MAX_SUBJECTS);
	json_array_foreach(subjects, i, s) {
		const char *name = "", *hex = NULL;
		json_t *dg;

		if (!json_is_object(s))
			return og_fail(e, "statement.subject[%zu]: expected an object", i);
		if (og_json_str(s, "name", "statement.subject", 0, &name, e) < 0 ||
		    og_json_obj(s, "digest", "statement.subject", 1, &dg, e) < 0 ||
		    og_json_str(dg, "sha256", "statement.subject.digest", 0, &hex, e) < 0)
			return -1;
		if (hex == NULL)
			continue;	/* other algorithms cannot match an image digest */
		if (!og_hex_valid(hex, 64))
			return og_fail(e, "statement.subject[%zu].digest.sha256: not 64 lowercase hex", i);
		if (strlen(name) >= OG_REF_MAX)
			return og_fail(e, "statement.subject[%zu].name: longer than %d bytes", i, OG_REF_MAX - 1);
		og_bfmt(out->digest[out->nsub], OG_DIGEST_MAX, "sha256:%s", hex);
		og_bfmt(out->name[out->nsub], OG_REF_MAX, "%s", name);
		out->nsub++;
	}
	return 0;
}
