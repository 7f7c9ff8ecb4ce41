/* The engine's record of an image in containers/storage (Podman, CRI-O):
 *   GRAPHROOT/overlay-images/images.json   one entry per image: "id" (the
 *       config digest's hex), "digest" (the manifest's), "names",
 *       "big-data-names";
 *   GRAPHROOT/overlay-images/<id>/<file>   each big-data item, the file named
 *       by the key itself when it is only [.0-9a-z], else "=" + base64(key):
 *       the manifest under "manifest-<digest>" (or "manifest"), the config
 *       under its digest "sha256:<id>".
 * Everything is opened below a directory fd of the graph root without
 * following links, bounded, and each blob checked against its digest before
 * it is parsed (image_record.h).  containerd's content store is not read yet. */
#ifndef OCIGATE_IMAGE_STORE_H
#define OCIGATE_IMAGE_STORE_H

#include "hook/base/error.h"
#include "verify/image/image_record.h"

#define OG_STORAGE_IMAGES_DIR "overlay-images"
#define OG_STORAGE_IMAGES_FILE "images.json"
/* images.json lists every image on the host (~2 KiB each). */
#define OG_STORAGE_MAX_IMAGES_JSON_BYTES (32 * 1024 * 1024)

/* containers/storage's file name for a big-data key (its
 * makeBigDataBaseName): the key when it is only [.0-9a-z], else "=" and the
 * key in base64.  0, or -1 when it does not fit in size or a file name. */
int og_storage_big_data_file(const char *key, char *out, size_t size);

/* Fill rec with the record of the image whose config digest is
 * `config_digest` ("sha256:<hex>") in the graph root: its names, its
 * manifest (whose sha256 must be the recorded digest, and whose
 * config.digest must be the image's) and its config (whose sha256 must be
 * the image ID).  0, or -1 with the reason. */
int og_storage_image_record(const char *graphroot, const char *config_digest,
			    struct og_image_record *rec, og_error *e);

#endif
