/* `ocigate hook`: the OCI hook itself.  Reads the state on stdin, the
 * bundle's config.json, evaluates, logs, and exits 0 (allow) or 1 (deny). */
#include "hook/cmd/commands.h"
#include "hook/checks.h"
#include "hook/base/arena.h"
#include "hook/base/cleanup.h"
#include "hook/confine.h"
#include "hook/deadline.h"
#include "hook/decision.h"
#include "hook/evaluate.h"
#include "hook/base/fileio.h"
#include "hook/base/log.h"
#include "hook/base/timeutil.h"
#include "hook/oci/oci_state.h"
#include "verify/identity/identity.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* Generous for a local pipe; a runtime writes the state at once. */
#define OG_STATE_READ_TIMEOUT_MS 1000
/* With the policy unreadable the start is refused anyway: only a glance
 * at the state, to name the container in the log. */
#define OG_STATE_GLANCE_MS 100

static void usage(FILE *out)
{
	fprintf(out, "Usage: ocigate hook [--policy FILE] [--stage NAME]\n"
		     "Run as an OCI createRuntime (or prestart) hook: read the container state on\n"
		     "stdin, check the bundle against the policy (default %s),\n"
		     "log the decision to syslog, exit 0 to allow and 1 to deny.\n",
		OG_DEFAULT_POLICY);
}

static int finish(const struct og_decision *d)
{
	if (d->result == OG_DENY) {
		fprintf(stderr, "ocigate: container start refused (%s); see syslog for details\n",
			d->rules);
		return 1;
	}
	return 0;
}

static int fail(const struct og_policy *p, const char *id, const char *stage, og_error *e)
{
	struct og_decision d;
	char msg[OG_ERROR_MAX];

	og_decide_error(p, &d);
	og_log_error(p, id, stage, e->msg, &d);
	/* The runtime shows this to whoever started the container: the same
	 * sanitized text as the log, never raw bytes quoted from the input. */
	og_sanitize(e->msg, msg, sizeof msg);
	if (d.result == OG_DENY)
		fprintf(stderr, "ocigate: container start refused: %s\n", msg);
	return d.result == OG_DENY ? 1 : 0;
}

int og_cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "stage", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *policy_path = OG_DEFAULT_POLICY, *stage = "";
	struct og_policy policy;
	struct og_oci_state state = { 0 };
	struct og_container c;
	og_cleanup_findings struct og_findings r = { 0 };
	og_cleanup_buf og_buf in = { 0 }, config = { 0 };
	struct og_identity_prefetch pf;	/* 23 KiB: og_identity_prefetch fills what it uses */
	struct og_decision d;
	og_error e = { 0 }, se = { 0 };
	int opt, rc, state_ok;

	og_arena_use_for_json();
	og_container_init(&c, NULL, NULL);
	while ((opt = getopt_long(argc, argv, "p:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': policy_path = optarg; break;
		case 's': stage = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* Until the policy says otherwise, a hang denies. */
	og_deadline_arm(OG_DEFAULT_TIMEOUT_MS, 1);
	if (og_policy_load(policy_path, &policy, &e) < 0) {
		/* Name the container if the state says which, without waiting long. */
		state_ok = og_read_fd(STDIN_FILENO, OG_MAX_STATE_BYTES, OG_STATE_GLANCE_MS,
				      "state on stdin", &in, &se) == 0 &&
			   og_oci_state_parse(in.data, in.len, &state, &se) == 0;
		og_log_open(LOG_AUTH);
		rc = fail(NULL, state_ok ? state.id : "", stage, &e);
		goto out;
	}
	og_log_open(policy.facility);
	og_deadline_arm(policy.timeout_ms, policy.on_error_allow ? 0 : 1);
	og_deadline_describe("", stage, policy.on_error_allow);
	if (og_read_fd(STDIN_FILENO, OG_MAX_STATE_BYTES, OG_STATE_READ_TIMEOUT_MS, "state on stdin",
		       &in, &e) < 0 ||
	    og_oci_state_parse(in.data, in.len, &state, &e) < 0) {
		rc = fail(&policy, "", stage, &e);
		goto out;
	}
	pf.done = 0;
	og_deadline_describe(state.id, stage, policy.on_error_allow);
	c.id = state.id;
	c.stage = stage;
	/* Gather what needs the outside world, then confine, then parse and
	 * verify (see confine.h). */
	if (og_bundle_policy_resolve(&policy.bundle, policy.sections.trust, policy.sections.scan, &e) < 0 ||
	    og_container_read(&c, state.bundle, &config, &e) < 0) {
		rc = fail(&policy, state.id, stage, &e);
		goto out;
	}
	if (og_needs_identity(&policy)) {
		struct og_identity_input idin = { .container_id = state.id, .bundle = state.bundle,
						  .want_target = og_image_rules_on(&policy) };
		og_identity_prefetch(policy.sections.identity, &idin, &pf);
	}
	if (og_confine_for_policy(&policy, &e) < 0 ||
	    og_container_parse(&c, &config, state.annotations, &e) < 0 ||
	    og_evaluate_runtime(&policy, &c, &r, &e) < 0 || og_confine_finish(NULL, &e) < 0 ||
	    og_bundle_policy_check(&policy.bundle, policy.sections.trust, og_now(), 1, &r, &e) < 0 ||
	    og_check_image(&policy, &c, &pf, OG_CHECK_HOOK, &r, &e) < 0) {
		rc = fail(&policy, state.id, stage, &e);
		goto out;
	}
	og_decide(&policy, &c, &r, &d);
	og_log_decision(&policy, &c, &r, &d);
	rc = finish(&d);
	/* The decision is out and the process ends here: freeing the config,
	 * state and policy trees first would cost a tenth of a warm check
	 * (docs/benchmarks.md) for memory the kernel takes back anyway. */
	og_log_close();
	fflush(NULL);
	_exit(rc);
out:
	og_container_free(&c);
	og_oci_state_free(&state);
	og_policy_free(&policy);
	og_log_close();
	return rc;
}
