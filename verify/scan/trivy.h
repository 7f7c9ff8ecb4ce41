/* Trivy (`trivy image -f json`, schema 2) reports into verdicts, on a parsed
 * document.  Errors name the JSON path ("$.Results[0]..."); the caller adds
 * the file's name. */
#ifndef OCIGATE_TRIVY_H
#define OCIGATE_TRIVY_H

#include <jansson.h>
#include "hook/base/error.h"
#include "verify/scan/verdict.h"

int og_trivy_parse(const json_t *root, struct og_verdict *v, og_error *e);

#endif
