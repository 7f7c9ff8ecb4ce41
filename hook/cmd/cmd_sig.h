/* What `ocigate sig fetch` and `sig add --from-dir` (cmd_sig_fetch.c) share
 * with `sig add`: the digests an entry is filed under. */
#ifndef OCIGATE_CMD_SIG_H
#define OCIGATE_CMD_SIG_H

#include <stddef.h>
#include "hook/base/error.h"
#include "verify/common/image.h"
#include "verify/sig/sig_store.h"

/* The digests `sig add` would file en under: the digest its payload or
 * bundle signs and, when en->manifest is set, the manifest's and its
 * config's (the manifest must be the signed digest).  A bundle naming a
 * repository sets en->repository. */
int og_sig_cli_entry_digests(struct og_sig_entry *en, char list[][OG_DIGEST_MAX], size_t *n, og_error *e);

#endif
