/* Exemptions: skip named rules for containers the engine identifies by
 * Kubernetes namespace, by image name, or by engine-owned annotations. */
#ifndef OCIGATE_EXEMPTIONS_H
#define OCIGATE_EXEMPTIONS_H

#include <jansson.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "policy/strlist.h"

struct og_exemption {
	struct og_strlist rules;	/* rule ids or globs ("runtime.*") */
	struct og_strlist namespaces;	/* Kubernetes namespaces */
	struct og_strlist images;	/* image name globs */
	json_t *annotations;		/* engine-owned key -> value glob */
	char *reason;
};

struct og_exemption_list {
	struct og_exemption *v;
	size_t n;
};

/* What an exemption can be matched against. */
struct og_exemption_subject {
	const json_t *annotations;	/* the container's (engine-set) annotations */
	const char *image_name;		/* "" when unknown */
};

int og_exemptions_parse(struct og_exemption_list *l, const json_t *arr, og_error *e);
void og_exemptions_free(struct og_exemption_list *l);
void og_exemptions_describe(const struct og_exemption_list *l, FILE *out);
/* The exemption that covers rule `id` for this subject, or NULL. */
const struct og_exemption *og_exemption_find(const struct og_exemption_list *l, const char *id,
					     const struct og_exemption_subject *s);
/* The Kubernetes namespace the engine recorded, or NULL. */
const char *og_engine_namespace(const json_t *annotations);
/* 1 when an annotation key is set by the engine after pod annotations. */
int og_engine_owned_annotation(const char *key);

#endif
