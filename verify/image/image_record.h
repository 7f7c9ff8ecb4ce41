/* The engine's record of an image: its manifest and config, read from the
 * engine's store (image_store.h) and parsed here.  Both are content the image
 * author wrote: each is checked against the digest the engine recorded for it
 * (sha256 over the exact bytes) before a byte of it is parsed, bounded in
 * size, and read with the strict JSON reader (duplicate keys, depth).
 *
 * Manifest: an OCI image manifest or a Docker schema 2 manifest; an index or
 * a manifest list is refused (the engine records the platform's manifest).
 * Config: an OCI image config (or Docker's, the same fields). */
#ifndef OCIGATE_IMAGE_RECORD_H
#define OCIGATE_IMAGE_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

/* The distribution spec lets registries refuse manifests over 4 MiB. */
#define OG_IMAGE_MAX_MANIFEST_BYTES (4 * 1024 * 1024)
/* Configs carry history and labels; 8 MiB is far above any real one. */
#define OG_IMAGE_MAX_CONFIG_BYTES (8 * 1024 * 1024)
/* The names one engine record may hold for an image. */
#define OG_IMAGE_MAX_NAMES 64
#define OG_IMAGE_USER_MAX 256

#define OG_ANNOTATION_BASE_NAME "org.opencontainers.image.base.name"
#define OG_ANNOTATION_BASE_DIGEST "org.opencontainers.image.base.digest"

struct og_image_record {
	char manifest_digest[OG_DIGEST_MAX];	/* verified over the manifest's bytes */
	char config_digest[OG_DIGEST_MAX];	/* the image ID, verified over the config's bytes */
	size_t nlayers;
	uint64_t layers_size;			/* sum of the manifest's layer sizes */
	json_t *annotations;			/* the manifest's annotations (strings), or NULL */
	int64_t created;			/* config "created", epoch seconds; 0: unknown
						 * (absent, or on 1970-01-01 or 1980-01-01) */
	char created_text[40];			/* as written (cut), "" when absent */
	int has_user;				/* config.User present and not "" */
	char user[OG_IMAGE_USER_MAX];		/* config.User (cut; the log sanitizes) */
	json_t *labels;				/* config.Labels (strings), or NULL */
	char *names[OG_IMAGE_MAX_NAMES];	/* the names the engine holds for the image */
	size_t nnames;
};

/* 0 when sha256(data) is `digest` ("sha256:<64 hex>"), else -1 naming both. */
int og_image_digest_check(const char *data, size_t len, const char *digest, const char *what,
			  og_error *e);

/* Verify, then parse a manifest into rec (manifest_digest, nlayers,
 * layers_size, annotations); its config.digest goes to config_out. */
int og_image_manifest_parse(const char *data, size_t len, const char *digest,
			    struct og_image_record *rec, char config_out[OG_DIGEST_MAX], og_error *e);

/* The manifests an index may list for the rules to look through. */
#define OG_IMAGE_MAX_INDEX_MANIFESTS 64

/* 1 when the bytes (not yet verified nor parsed) say they are an index:
 * only a hint for which parser to try; the parsers decide. */
int og_image_looks_like_index(const char *data, size_t len);

/* Verify, then parse an image index (OCI, or a Docker manifest list): the
 * digests of the manifests it lists into out (at most
 * OG_IMAGE_MAX_INDEX_MANIFESTS), their number in *n. */
int og_image_index_parse(const char *data, size_t len, const char *digest,
			 char out[][OG_DIGEST_MAX], size_t *n, og_error *e);

/* Verify, then parse a config into rec (config_digest, created, user, labels). */
int og_image_config_parse(const char *data, size_t len, const char *digest,
			  struct og_image_record *rec, og_error *e);

/* Add a name the engine holds for the image (copied); -1 past the limit. */
int og_image_record_add_name(struct og_image_record *rec, const char *name, og_error *e);

void og_image_record_free(struct og_image_record *rec);

#endif
