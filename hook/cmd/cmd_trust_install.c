/* `ocigate trust install NEW_STORE`: replace the host's trust store and its
 * signature file without a moment in which a hook could read a store and a
 * signature file that do not belong together.
 *
 * A store and its detached signatures are two files, and no rename moves
 * two files at once.  So: (1) verify NEW_STORE with NEW_STORE.sig exactly
 * as the hook would (roots, threshold, expiry, not older than the accepted
 * version); (2) replace STORE.sig with the union of the old and the new
 * signatures, valid for either store; (3) replace STORE with the new bytes;
 * (4) replace STORE.sig with the new signatures alone.  Every step is an
 * atomic rename, and every state a reader can see verifies. */
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/trust_cli.h"
#include "verify/trust/trust_store.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Write data over path atomically (a temporary file in the same directory). */
static int replace_file(const char *path, const char *data, size_t len, og_error *e)
{
	char dir[PATH_MAX], base[PATH_MAX];
	og_cleanup_close int dfd = -1;

	og_bfmt(dir, sizeof dir, "%s", path);
	og_bfmt(base, sizeof base, "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	return og_write_file_atomic(dfd, basename(base), data, len, 0644, e);
}

/* The signatures of NEW.sig added to those of OLD.sig (when it parses). */
static char *merged_signatures(const og_buf *old_sig, const og_buf *new_sig, og_error *e)
{
	json_auto_t *merged = NULL, *fresh = NULL;
	json_t *list, *item;
	size_t i;

	fresh = og_json_parse(new_sig->data, new_sig->len, "new signature file", e);
	if (fresh == NULL || !json_is_array(json_object_get(fresh, "signatures"))) {
		og_fail(e, "new signature file: no \"signatures\" array");
		return NULL;
	}
	merged = old_sig->data ? og_json_parse(old_sig->data, old_sig->len, "signature file", e) : NULL;
	if (merged == NULL || !json_is_array(json_object_get(merged, "signatures")))
		return json_dumps(fresh, JSON_COMPACT);	/* nothing valid to keep */
	list = json_object_get(merged, "signatures");
	json_array_foreach(json_object_get(fresh, "signatures"), i, item)
		json_array_append(list, item);
	return json_dumps(merged, JSON_COMPACT);
}

static int install(const struct og_trust_policy *p, const char *new_store, og_error *e)
{
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_cleanup_buf og_buf store = { 0 }, new_sig = { 0 }, old_sig = { 0 };
	og_cleanup_free char *both = NULL;
	char path[PATH_MAX];
	og_error ignored = { 0 };

	og_trust_policy_store_config(p, &c);
	c.store_path = new_store;
	c.update_state = 0;	/* the hooks advance the rollback state when they accept it */
	if (og_trust_store_load(&c, &s, e) < 0 || og_trust_store_check_keys(s, e) < 0) {
		og_trust_store_free(s);
		return og_wrap(e, "%s not installed", new_store);
	}
	og_trust_store_free(s);
	og_bfmt(path, sizeof path, "%s.sig", new_store);
	if (og_read_file(new_store, OG_MAX_TRUST_STORE_BYTES, &store, e) < 0 ||
	    og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &new_sig, e) < 0)
		return -1;
	og_trust_policy_store_config(p, &c);
	og_bfmt(path, sizeof path, "%s.sig", c.store_path);
	(void)og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &old_sig, &ignored);
	both = merged_signatures(&old_sig, &new_sig, e);
	if (both == NULL)
		return -1;
	if (replace_file(path, both, strlen(both), e) < 0 ||
	    replace_file(c.store_path, store.data, store.len, e) < 0 ||
	    replace_file(path, new_sig.data, new_sig.len, e) < 0)
		return og_wrap(e, "installing %s", new_store);
	return 0;
}

int og_cmd_trust_install(int argc, char **argv)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct og_trust_cli cli = { 0 };
	struct og_trust_policy *p = NULL;
	og_error e = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: ocigate trust install [options] NEW_STORE\n"
			       "Verify NEW_STORE (with NEW_STORE.sig) as the hook would, then replace the\n"
			       "policy's store and signature file so that no hook ever reads a mismatched pair.\n"
			       OG_TRUST_CLI_USAGE);
			return 0;
		}
		r = og_trust_cli_option(&cli, c, optarg, &e);
		if (r <= 0) {
			if (r < 0)
				fprintf(stderr, "ocigate trust: %s\n", e.msg);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ocigate trust: install needs one NEW_STORE\n");
		return 2;
	}
	if (og_trust_cli_policy(&cli, &p, &e) < 0 || install(p, argv[optind], &e) < 0) {
		fprintf(stderr, "ocigate trust: %s\n", e.msg);
		og_trust_policy_free(p);
		return 1;
	}
	og_trust_policy_free(p);
	printf("installed %s\n", argv[optind]);
	return 0;
}
