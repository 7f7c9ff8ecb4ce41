/* `ocigate check`: the hook's evaluation as a dry run for operators, with
 * every finding and the rule that produced it.  Nothing is logged to syslog
 * and nothing on the node changes: no rollback floor raised, no
 * verification record read or written (every signature is verified). */
#include "hook/cmd/commands.h"
#include "hook/decision.h"
#include "hook/evaluate.h"
#include "hook/base/log.h"
#include "hook/base/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ocigate check --bundle DIR [--policy FILE] [--id ID] [--stage NAME]\n"
		"                     [--annotation KEY=VALUE ...] [--format text|json]\n"
		"Evaluate a bundle as the hook would and print every finding; a dry run that\n"
		"changes nothing on the node.  A relative DIR is taken from the current directory.\n"
		"Exit 0 allow (or audit), 1 deny, 2 error.\n");
}

static int set_annotation(json_t *ann, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[512];

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key)
		return -1;
	snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
	return json_object_set_new(ann, key, json_string(eq + 1));
}

static void print_text(const struct og_container *c, const struct og_findings *r,
		       const struct og_decision *d, const struct og_policy *p)
{
	printf("container: %s\nbundle: %s\n", c->id, c->bundle);
	if (c->image.name[0] || c->image.digest[0])
		printf("image: %s %s\n", c->image.name, c->image.digest);
	og_bundle_policy_print_generation(&p->bundle, stdout);
	printf("decision: %s (mode %s)\n", og_result_name(d->result), p->audit ? "audit" : "enforce");
	for (size_t i = 0; i < r->n; i++) {
		const struct og_finding *f = &r->items[i];
		char msg[1024];

		if (f->mode == OG_MODE_OFF)
			continue;
		og_sanitize_text(f->message, msg, sizeof msg);
		printf("  %-6s %-28s %s\n", og_finding_action(f), f->rule, msg);
	}
}

static void print_json(const struct og_container *c, const struct og_findings *r,
		       const struct og_decision *d, const struct og_policy *p)
{
	json_auto_t *out = json_object();
	json_t *findings = json_array();

	json_object_set_new(out, "container", json_string(c->id));
	json_object_set_new(out, "decision", json_string(og_result_name(d->result)));
	json_object_set_new(out, "mode", json_string(p->audit ? "audit" : "enforce"));
	json_object_set_new(out, "image", json_pack("{s:s,s:s}", "name", c->image.name, "digest",
						    c->image.digest));
	for (size_t i = 0; i < r->n; i++) {
		const struct og_finding *f = &r->items[i];
		if (f->mode == OG_MODE_OFF)
			continue;
		json_array_append_new(findings, json_pack("{s:s,s:s,s:s}", "rule", f->rule, "action",
							  og_finding_action(f), "message",
							  f->message));
	}
	if (p->bundle.resolved)
		json_object_set_new(out, "trust_bundle",
				    json_pack("{s:s,s:I,s:b}", "generation", p->bundle.gen.path, "version",
					      (json_int_t)p->bundle.gen.version, "expires_soon",
					      (p->bundle.freshness & OG_BUNDLE_EXPIRING) != 0));
	json_object_set_new(out, "findings", findings);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
}

int og_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "policy", required_argument, NULL, 'p' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "id", required_argument, NULL, 'i' },
		{ "stage", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *policy_path = OG_DEFAULT_POLICY, *bundle = NULL, *format = "text";
	char abs_bundle[PATH_MAX];
	json_auto_t *extra = json_object();
	struct og_policy policy;
	struct og_container c;
	og_cleanup_findings struct og_findings r = { 0 };
	struct og_decision d;
	og_error e = { 0 };
	int opt, rc;

	og_container_init(&c, "check", "check");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:p:a:f:i:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': bundle = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'f': format = optarg; break;
		case 'i': c.id = optarg; break;
		case 's': c.stage = optarg; break;
		case 'a':
			if (set_annotation(extra, optarg) < 0) {
				fprintf(stderr, "ocigate check: --annotation wants KEY=VALUE, got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (bundle == NULL || optind != argc ||
	    (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		usage(stderr);
		return 2;
	}
	/* The runtime hands the hook an absolute bundle path; an operator may
	 * type a relative one, which is made absolute (and canonical) here. */
	if (bundle[0] != '/') {
		if (realpath(bundle, abs_bundle) == NULL) {
			fprintf(stderr, "ocigate check: bundle %s: %s\n", bundle, strerror(errno));
			return 2;
		}
		bundle = abs_bundle;
	}
	if (og_policy_load(policy_path, &policy, &e) < 0) {
		fprintf(stderr, "ocigate check: %s\n", e.msg);
		return 2;
	}
	if (og_container_load(&c, bundle, NULL, &e) < 0) {
		fprintf(stderr, "ocigate check: %s\n", e.msg);
		rc = 2;
		goto out;
	}
	if (json_object_size(extra) > 0) {
		/* Annotations given on the command line stand in for the engine's. */
		json_t *merged = c.annotations ? json_deep_copy(c.annotations) : json_object();
		json_object_update(merged, extra);
		og_container_set_annotations(&c, merged);
	}
	/* A dry run: nothing on the node changes, no record is believed. */
	if (og_bundle_policy_resolve(&policy.bundle, policy.sections.trust, policy.sections.scan, &e) < 0 ||
	    og_bundle_policy_check(&policy.bundle, policy.sections.trust, og_now(), 0, &r, &e) < 0 ||
	    og_evaluate(&policy, &c, NULL, OG_CHECK_DRY_RUN, &r, &e) < 0) {
		fprintf(stderr, "ocigate check: %s\n", e.msg);
		rc = 2;
		goto out;
	}
	og_decide(&policy, &c, &r, &d);
	if (strcmp(format, "json") == 0)
		print_json(&c, &r, &d, &policy);
	else
		print_text(&c, &r, &d, &policy);
	rc = d.result == OG_DENY ? 1 : 0;
out:
	og_container_free(&c);
	og_policy_free(&policy);
	return rc;
}
