/* OpenVEX: statements that a vulnerability does not affect an image.  Only
 * statements whose product names an image digest (bare "sha256:..",
 * "repo@sha256:..", or "pkg:oci/NAME@sha256%3A..") are kept, and they apply
 * to that digest only.  Per digest they are cached as one line of JSON:
 *   {"ocigate_vex":1,"digest":"sha256:..","statements":[{"id":..,"status":..,
 *    "justification":..,"author":..,"timestamp":..,"packages":[..]}]}
 * The latest statement for a vulnerability (and package) wins, so a later
 * "affected" withdraws an earlier "not_affected". */
#ifndef OCIGATE_VEX_H
#define OCIGATE_VEX_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

#define OG_MAX_VEX_DOC_BYTES (8u * 1024 * 1024)
#define OG_MAX_VEX_FILE_BYTES (4u * 1024 * 1024)
#define OG_MAX_VEX_STATEMENTS 20000
#define OG_MAX_VEX_TEXT_BYTES 1024	/* author, justification, package */
#define OG_MAX_VEX_PACKAGES 256

struct og_vex_stmt {
	char *id;		/* vulnerability id or alias */
	char *status;		/* not_affected, fixed, affected, under_investigation */
	char *justification;	/* may be "" */
	char *author;
	int64_t timestamp;
	char **packages;	/* empty: the whole image */
	size_t npackages;
};

struct og_vex_entry {
	char digest[72];
	struct og_vex_stmt stmt;
};

/* Statements of one OpenVEX document, flattened per (digest, id). */
struct og_vex_doc {
	struct og_vex_entry *items;
	size_t n, cap;
	size_t skipped_products;	/* products naming no digest */
};

/* Statements cached for one digest. */
struct og_vex_set {
	char digest[72];
	struct og_vex_stmt *items;
	size_t n, cap;
};

void og_vex_doc_free(struct og_vex_doc *d);
void og_vex_set_free(struct og_vex_set *s);
#define og_cleanup_vex_doc __attribute__((cleanup(og_vex_doc_free)))
#define og_cleanup_vex_set __attribute__((cleanup(og_vex_set_free)))

/* Parse an OpenVEX document; refused when no statement names a digest. */
int og_vex_parse_openvex(const char *data, size_t len, const char *what, struct og_vex_doc *out,
			 og_error *e);

/* Digest named by a VEX product id, into out (72 bytes); 0 or -1 if none. */
int og_vex_product_digest(const char *product, char out[72]);

/* The cache form for one digest. */
int og_vex_set_load(const char *data, size_t len, const char *what, const char *digest,
		    struct og_vex_set *out, og_error *e);
char *og_vex_set_dump(const struct og_vex_set *s, size_t *len);
/* Merge one statement in (replacing an older one with the same id and packages). */
int og_vex_set_merge(struct og_vex_set *s, const struct og_vex_stmt *st, og_error *e);

/* The statement deciding (id, pkg) for this digest, or NULL. */
const struct og_vex_stmt *og_vex_lookup(const struct og_vex_set *s, const char *id, const char *pkg);
/* 1 when the statement suppresses the finding (not_affected or fixed). */
int og_vex_suppresses(const struct og_vex_stmt *st);

#endif
