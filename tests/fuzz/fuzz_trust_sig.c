/* The trust store's detached signature file STORE.sig (verify/trust/trust_store.c
 * verify_roots): the input is the .sig file for a fixed valid store, with two
 * fixed root keys (Ed25519 and ECDSA P-256) and a threshold of 1.  Seeds carry
 * the real key ids (and a valid signature), so keyid matching, base64
 * decoding and both verification algorithms are reached.
 * fuzz-max-len: 65536 (OG_MAX_TRUST_SIG_BYTES) */
#include "fuzz_testkeys.h"
#include "verify/trust/trust_store.h"

/* The store every input claims to sign; seeds/trust_sig/ were made for it. */
static const char store_doc[] =
	"{\"version\":1,\"expires\":\"2999-01-01T00:00:00Z\",\"keys\":[],\"images\":[]}\n";
static char store_path[512], root_paths[2][512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *privs[2] = { fz_ed25519_priv, fz_p256_priv };

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < 2; i++) {
		EVP_PKEY *k = fz_private_key(privs[i]);
		char *pub = fz_public_pem(k), name[16];

		snprintf(name, sizeof name, "root%zu.pem", i);
		fz_write(name, pub, strlen(pub), root_paths[i], sizeof root_paths[i]);
		free(pub);
		EVP_PKEY_free(k);
	}
	fz_write("trust.json", store_doc, strlen(store_doc), store_path, sizeof store_path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *roots[2] = { root_paths[0], root_paths[1] };
	struct og_trust_store_config c = { .store_path = store_path, .root_keys = roots, .nroot = 2,
					   .threshold = 1, .state_dir = NULL, .update_state = 0 };
	struct og_trust_store *s = NULL;
	og_error e = { 0 };
	char path[512];

	fz_write("trust.json.sig", data, size, path, sizeof path);
	int rc = og_trust_store_load(&c, &s, &e);

	fz_note("trust store", rc, e.msg);
	if (rc == 0)
		FZ_ASSERT(s->nsigned >= 1, "store accepted below the threshold");
	og_trust_store_free(s);
	return 0;
}
