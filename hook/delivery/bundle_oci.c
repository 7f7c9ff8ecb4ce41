#include "hook/delivery/bundle_oci.h"
#include "hook/base/strfmt.h"
#include "verify/common/digest.h"
#include "verify/trust/bundle_descriptor.h"
#include "verify/trust/bundle_layout.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

const char *og_bundle_layer_dir(const char *layer)
{
	if (strcmp(layer, OG_BUNDLE_LAYER_TRUST) == 0)
		return "trust";
	if (strcmp(layer, OG_BUNDLE_LAYER_SIGNATURES) == 0)
		return OG_BUNDLE_SIGNATURES;
	if (strcmp(layer, OG_BUNDLE_LAYER_VERDICTS) == 0)
		return OG_BUNDLE_VERDICTS;
	return NULL;
}

int og_bundle_fd_sha256(int fd, char digest[OG_DIGEST_MAX], uint64_t *size, og_error *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536], md[32];
	char hex[65];
	unsigned mdlen = 0;
	ssize_t n;
	int ok;

	*size = 0;
	if (ctx == NULL || lseek(fd, 0, SEEK_SET) < 0 || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return og_fail(e, "sha256: cannot start");
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			EVP_MD_CTX_free(ctx);
			return og_fail_errno(e, errno, "sha256: read");
		}
		*size += (uint64_t)n;
	}
	ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == sizeof md;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return og_fail(e, "sha256: cannot finish");
	og_hex_encode(md, sizeof md, hex);
	og_bfmt(digest, OG_DIGEST_MAX, "sha256:%s", hex);
	return lseek(fd, 0, SEEK_SET) < 0 ? og_fail_errno(e, errno, "sha256: seek") : 0;
}

void og_bundle_blob_name(const char *digest, char *out, size_t size)
{
	og_bfmt(out, size, "%s", digest + strlen("sha256:"));
}
