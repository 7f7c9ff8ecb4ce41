/* The trust store document (verify/trust/trust_store.c parse_store and the lookups
 * the image check runs on it).  The hook only parses a store after k of n
 * root signatures verified, so the harness signs each input with a fixed
 * test root key and calls og_trust_store_load on files in a private
 * temporary directory: the whole load path runs, signature first.
 * fuzz-max-len: 1048576 (OG_MAX_TRUST_STORE_BYTES is 4 MiB) */
#include "verify/common/base64.h"
#include "fuzz_testkeys.h"
#include "verify/common/keys.h"
#include "verify/trust/trust_store.h"

static EVP_PKEY *root;
static char keyid[OG_KEYID_HEX];
static char store_path[512], root_path[512], state_dir[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	og_error e = { 0 };
	char *pub;

	(void)argc;
	(void)argv;
	root = fz_private_key(fz_ed25519_priv);
	if (og_key_id(root, keyid, &e) < 0)
		fz_die("key id: %s", e.msg);
	pub = fz_public_pem(root);
	fz_write("root.pem", pub, strlen(pub), root_path, sizeof root_path);
	free(pub);
	/* Rollback check against an empty state directory (nothing persisted). */
	fz_mkdir("state", state_dir, sizeof state_dir);
	snprintf(store_path, sizeof store_path, "%s/trust.json", fz_tmpdir());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *roots[1] = { root_path };
	struct og_trust_store_config c = { .store_path = store_path, .root_keys = roots, .nroot = 1,
					   .threshold = 1, .state_dir = state_dir, .update_state = 0 };
	struct og_trust_store *s = NULL;
	unsigned char *sig = NULL;
	size_t siglen;
	char *b64, *sigdoc, path[512];
	og_error e = { 0 };

	if (og_key_sign(root, data, size, &sig, &siglen, &e) < 0)
		fz_die("sign: %s", e.msg);
	b64 = og_base64_encode(sig, siglen);
	if (b64 == NULL || asprintf(&sigdoc, "{\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}]}", keyid,
				    b64) < 0)
		fz_die("out of memory");
	fz_write("trust.json", data, size, path, sizeof path);
	fz_write("trust.json.sig", sigdoc, strlen(sigdoc), path, sizeof path);
	free(sig);
	free(b64);
	free(sigdoc);

	int rc = og_trust_store_load(&c, &s, &e);

	fz_note("trust store", rc, e.msg);
	if (rc == 0) {
		FZ_ASSERT(s->nsigned == 1, "store accepted without its root signature counted");
		og_trust_store_describe(s, fz_devnull());
		for (size_t i = 0; i < s->nkeys; i++) {
			EVP_PKEY *k = NULL;
			og_error ke = { 0 };

			(void)og_trust_store_key(s, i, &k, &ke);
			(void)og_trust_key_in_scope(&s->keys[i], "registry.example.com/team-a/app");
			(void)og_trust_key_in_scope(&s->keys[i], "docker.io/library/alpine");
			(void)og_trust_key_revoked(s, s->keys[i].keyid);
		}
		(void)og_trust_digest_revoked(s, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
		(void)og_trust_allowlisted(s, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	}
	og_trust_store_free(s);
	return 0;
}
