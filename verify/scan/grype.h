/* Grype (`grype -o json`) reports into verdicts, on a parsed document.
 * Errors name the JSON path ("$.matches[0]..."); the caller adds the file's
 * name. */
#ifndef OCIGATE_GRYPE_H
#define OCIGATE_GRYPE_H

#include <jansson.h>
#include "hook/base/error.h"
#include "verify/scan/verdict.h"

int og_grype_parse(const json_t *root, struct og_verdict *v, og_error *e);

#endif
