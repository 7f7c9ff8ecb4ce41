#include "verify/sig/tsa.h"
#include "verify/common/crypto_util.h"

#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

OG_DEFINE_CLEANUP(TS_RESP, TS_RESP_free)
OG_DEFINE_CLEANUP(TS_VERIFY_CTX, TS_VERIFY_CTX_free)
OG_DEFINE_CLEANUP(X509_STORE, X509_STORE_free)

static void x509_stack_pop_free(STACK_OF(X509) **s)
{
	if (*s != NULL)
		sk_X509_pop_free(*s, X509_free);
}

static int verify_with_tsa(TS_RESP *resp, const struct og_tr_ca *tsa, const unsigned char *data, size_t dlen,
			   int64_t t, og_error *e)
{
	og_cleanup(TS_VERIFY_CTX_free) TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	og_cleanup(X509_STORE_free) X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs __attribute__((cleanup(x509_stack_pop_free))) = sk_X509_new_null();
	og_cleanup(BIO_free) BIO *bio = BIO_new_mem_buf(data, (int)dlen);
	X509_VERIFY_PARAM *param;
	int n = sk_X509_num(tsa->chain);

	if (ctx == NULL || store == NULL || certs == NULL || bio == NULL || dlen > INT32_MAX)
		return og_fail(e, "timestamp: out of memory");
	if (X509_STORE_add_cert(store, sk_X509_value(tsa->chain, n - 1)) != 1)
		return og_fail(e, "timestamp: cannot use the TSA root certificate");
	/* The chain is checked at the time the token states, not now. */
	param = X509_STORE_get0_param(store);
	X509_VERIFY_PARAM_set_time(param, (time_t)t);
	if (n == 1)
		X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	/* The whole chain is offered for building (a token need not embed its
	 * signer); trust comes from the store's anchor only. */
	for (int i = 0; i < n; i++) {
		X509 *c = sk_X509_value(tsa->chain, i);

		if (!X509_up_ref(c))
			return og_fail(e, "timestamp: out of memory");
		if (!sk_X509_push(certs, c)) {
			X509_free(c);
			return og_fail(e, "timestamp: out of memory");
		}
	}
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
	/* The context owns what it is given from here on. */
	TS_VERIFY_CTX_set_store(ctx, og_steal_pointer(&store));
	TS_VERIFY_CTX_set_certs(ctx, og_steal_pointer(&certs));
	TS_VERIFY_CTX_set_data(ctx, og_steal_pointer(&bio));
	ERR_clear_error();	/* the reason read below must be this call's */
	if (TS_RESP_verify_response(ctx, resp) != 1) {
		int reason = ERR_GET_REASON(ERR_peek_last_error());
		const char *why = "does not verify";

		ERR_clear_error();
		if (reason == TS_R_CERTIFICATE_VERIFY_ERROR)
			why = "signer's certificate does not chain to the TSA at the stated time";
		else if (reason == TS_R_MESSAGE_IMPRINT_MISMATCH)
			why = "imprint is not of the bundle's signature";
		else if (reason == TS_R_SIGNATURE_FAILURE || reason == TS_R_NO_CONTENT)
			why = "signature does not verify";
		else if (reason == TS_R_TSA_UNTRUSTED || reason == TS_R_UNSUPPORTED_VERSION ||
			 reason == TS_R_ESS_SIGNING_CERTIFICATE_ERROR)
			why = "signer is not the TSA's certificate";
		return og_fail(e, "timestamp: %s (TSA %s, time %lld)", why, tsa->uri[0] ? tsa->uri : "(unnamed)",
			       (long long)t);
	}
	return 0;
}

int og_tsa_verify(const unsigned char *der, size_t len, const unsigned char *data, size_t dlen,
		  const struct og_trusted_root *root, int64_t *gen_time, og_error *e)
{
	const unsigned char *p = der;
	og_cleanup(TS_RESP_free) TS_RESP *resp = NULL;
	TS_TST_INFO *info;
	const ASN1_GENERALIZEDTIME *gt;
	struct tm tm;
	og_error last = { 0 };
	size_t tried = 0;

	if (len == 0 || len > OG_MAX_TIMESTAMP_BYTES)
		return og_fail(e, "timestamp: %zu bytes (1 to %d accepted)", len, OG_MAX_TIMESTAMP_BYTES);
	if (og_crypto_init() < 0)
		return og_fail(e, "timestamp: OpenSSL cannot be initialised");
	resp = d2i_TS_RESP(NULL, &p, (long)len);
	if (resp == NULL || p != der + len)
		return og_fail(e, "timestamp: not one DER TimeStampResp");
	info = TS_RESP_get_tst_info(resp);
	if (info == NULL || (gt = TS_TST_INFO_get_time(info)) == NULL || ASN1_TIME_to_tm(gt, &tm) != 1)
		return og_fail(e, "timestamp: no readable time in the token");
	*gen_time = (int64_t)timegm(&tm);
	for (size_t i = 0; i < root->ntsas; i++) {
		if (!og_tr_window_has(&root->tsas[i].valid, *gen_time))
			continue;
		tried++;
		if (verify_with_tsa(resp, &root->tsas[i], data, dlen, *gen_time, &last) == 0)
			return 0;
	}
	if (tried == 0)
		return og_fail(e, "timestamp: no TSA of the trusted root is valid at the stated time %lld",
			       (long long)*gen_time);
	return og_fail(e, "%s", last.msg);
}
