/* What the hook knows about the image a container runs. */
#ifndef OCIGATE_IMAGE_H
#define OCIGATE_IMAGE_H

#define OG_DIGEST_MAX 80	/* "sha256:" + 64 hex, or "sha384:"/"sha512:" forms */
#define OG_REF_MAX 512

/* Annotations the engines set (after the pod's own) about the image. */
#define OG_ANNOTATION_CRI_IMAGE_NAME "io.kubernetes.cri.image-name"	/* containerd's CRI */
#define OG_ANNOTATION_CRIO_IMAGE_NAME "io.kubernetes.cri-o.ImageName"	/* CRI-O */
#define OG_ANNOTATION_CRIO_IMAGE_REF "io.kubernetes.cri-o.ImageRef"	/* CRI-O: the image ID */

enum og_digest_kind {
	OG_DIGEST_NONE = 0,
	OG_DIGEST_CONFIG,	/* image ID: sha256 of the image config */
	OG_DIGEST_MANIFEST,	/* sha256 of the manifest (or index) bytes */
};

struct og_image {
	char name[OG_REF_MAX];		/* reference as the engine gave it, may be "" */
	/* When name_from is set, name is the image's name in the record of the
	 * engine that gave the digest (what signatures are matched with) and
	 * repository its normalised repository, "" when name is not a valid
	 * reference.  Otherwise name is for display only and repository "". */
	char name_from[64];
	char repository[OG_REF_MAX];
	char digest[OG_DIGEST_MAX];	/* "sha256:<64 lowercase hex>", or "" */
	enum og_digest_kind kind;
	char source[64];		/* which identity source gave the digest */
	char target[OG_DIGEST_MAX];	/* containerd's image record target (manifest or
					 * index digest) when asked for, else "" */
	char problem[256];		/* why a source that applied gave none, or "" */
};

#endif
