/* `ocigate trust install NEW_STORE`: replace the host's trust store and its
 * signature file without a moment in which a hook could read a store and a
 * signature file that do not belong together, and raise the rollback floor
 * with the swap, so that the store installed is the lowest one a later
 * install (or a copy put in place by hand) may bring back.
 *
 * A store and its detached signatures are two files, and no rename moves
 * two files at once.  So, under the rollback state's lock (trust_state.h:
 * a second install waits, then meets the floor this one set):
 *   1. verify NEW_STORE with NEW_STORE.sig exactly as the hook would
 *      (roots, threshold, expiry, not below the floor);
 *   2. replace STORE.sig with the union of the old and the new signatures,
 *      valid for either store;
 *   3. write the new store's bytes beside STORE and sync them;
 *   4. rename the new bytes over STORE;
 *   5. raise the floor to the new version (synced);
 *   6. replace STORE.sig with the new signatures alone.
 * Every step is atomic and every state a reader can see verifies: between
 * 4 and 5 the new store is above the floor, which a hook accepts (and then
 * raises the floor itself, waiting for the lock).  The other order had the
 * old store below the new floor for one rename, and hooks that read then
 * refused valid starts as rollbacks (test_stress.sh saw 2 of 420).  An
 * older store cannot slip in between: every install holds the lock from
 * step 1 to 6.  A crash between 4 and 5 leaves the floor one version
 * behind until the first start reads the new store. */
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/trust_cli.h"
#include "verify/trust/trust_state.h"
#include "verify/trust/trust_store.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The directory of path, open for atomic writes in it; *name is path's
 * last component. */
static int open_parent(const char *path, const char **name, og_error *e)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int dfd;

	if (slash == NULL)
		og_bfmt(dir, sizeof dir, ".");
	else
		og_bfmt(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	*name = slash ? slash + 1 : path;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	return dfd;
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

/* The steps above; new is verified while the rollback state is locked. */
static int install(const struct og_trust_policy *p, const char *new_store, og_error *e)
{
	og_cleanup_trust_state struct og_trust_state_lock lock = { .dirfd = -1 };
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_cleanup_buf og_buf store = { 0 }, new_sig = { 0 }, old_sig = { 0 };
	og_cleanup_free char *both = NULL;
	og_cleanup_close int dfd = -1;
	char path[PATH_MAX], sig_name[NAME_MAX + 1], tmp[NAME_MAX + 1];
	const char *live, *name;
	int64_t version;
	og_error ignored = { 0 };

	og_trust_policy_store_config(p, &c);
	live = c.store_path;
	if (og_trust_state_lock(c.state_dir, &lock, e) < 0)
		return og_wrap(e, "%s not installed", new_store);
	c.store_path = new_store;
	c.update_state = 0;	/* the floor moves below, with the swap */
	if (og_trust_store_load(&c, &s, e) < 0 || og_trust_store_check_keys(s, e) < 0) {
		og_trust_store_free(s);
		return og_wrap(e, "%s not installed", new_store);
	}
	version = s->version;
	og_trust_store_free(s);
	/* What was verified is what is read: NEW_STORE passed StrictModes, so
	 * only root can change it meanwhile. */
	og_bfmt(path, sizeof path, "%s.sig", new_store);
	if (og_read_file(new_store, OG_MAX_TRUST_STORE_BYTES, &store, e) < 0 ||
	    og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &new_sig, e) < 0)
		return -1;
	og_bfmt(path, sizeof path, "%s.sig", live);
	(void)og_read_file(path, OG_MAX_TRUST_SIG_BYTES, &old_sig, &ignored);
	both = merged_signatures(&old_sig, &new_sig, e);
	if (both == NULL || (dfd = open_parent(live, &name, e)) < 0)
		return -1;
	if (og_bfmt(sig_name, sizeof sig_name, "%s.sig", name) >= (int)sizeof sig_name)
		return og_fail(e, "%s: name too long", live);
	if (og_write_file_atomic(dfd, sig_name, both, strlen(both), 0644, e) < 0 ||
	    og_write_file_prepare(dfd, name, store.data, store.len, 0644, tmp, e) < 0)
		return og_wrap(e, "installing %s", new_store);
	/* The store first, then the floor, both under the lock.  A hook that
	 * starts in between reads the new store under the old floor (allowed);
	 * the other order would have it read the old store under the new floor
	 * and refuse a valid start as a rollback (test_stress.sh).  Installs and
	 * the hook's own floor raise wait for the lock, so no older store can be
	 * installed in between; after a crash in between, the first start that
	 * reads the new store raises the floor itself. */
	if (og_write_file_commit(dfd, tmp, name, e) < 0)
		return og_wrap(e, "installing %s", new_store);
	if (og_trust_state_record(&lock, version, e) < 0)
		return og_wrap(e, "%s installed, but the floor not raised (the next start raises it)",
			       new_store);
	if (og_write_file_atomic(dfd, sig_name, new_sig.data, new_sig.len, 0644, e) < 0)
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
	struct og_bundle_policy bundle;
	og_error e = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: ocigate trust install [options] NEW_STORE\n"
			       "Verify NEW_STORE (with NEW_STORE.sig) as the hook would, then replace the\n"
			       "policy's store and signature file so that no hook ever reads a mismatched pair,\n"
			       "and record its version as the lowest any store may have from now on.\n"
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
	if (og_trust_cli_bundle(&cli, &bundle, &e) < 0) {
		fprintf(stderr, "ocigate trust: %s\n", e.msg);
		return 1;
	}
	if (bundle.configured) {
		fprintf(stderr, "ocigate trust: install refused: the policy has a \"bundle\" section, so the "
				"trust store is the installed bundle's (%s); deliver a new store in a bundle "
				"(ocigate bundle pull)\n", bundle.dir);
		return 1;
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
