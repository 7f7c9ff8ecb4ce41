/* Grype (`grype -o json`) reports into verdicts, on a parsed document. */
#ifndef OCIGATE_GRYPE_H
#define OCIGATE_GRYPE_H

#include <jansson.h>
#include "hook/base/error.h"
#include "verify/scan/verdict.h"

int og_grype_parse(const json_t *root, const char *what, struct og_verdict *v, og_error *e);

#endif
