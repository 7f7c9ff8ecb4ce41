/* Trivy (`trivy image -f json`, schema 2) reports into verdicts, on a parsed document. */
#ifndef OCIGATE_TRIVY_H
#define OCIGATE_TRIVY_H

#include <jansson.h>
#include "hook/base/error.h"
#include "verify/scan/verdict.h"

int og_trivy_parse(const json_t *root, const char *what, struct og_verdict *v, og_error *e);

#endif
