#include "hook/decision.h"
#include "hook/base/log.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

const char *og_result_name(enum og_result v)
{
	switch (v) {
	case OG_ALLOW: return "allow";
	case OG_AUDIT: return "audit";
	case OG_DENY: return "deny";
	}
	return "?";
}

const char *og_finding_action(const struct og_finding *f)
{
	if (f->exempt)
		return "exempt";
	switch (f->mode) {
	case OG_MODE_ENFORCE: return "deny";
	case OG_MODE_AUDIT: return "audit";
	case OG_MODE_OFF: return "off";
	}
	return "?";
}

static void add_rule(char *list, size_t size, const char *id)
{
	size_t len = strlen(list), idl = strlen(id);

	/* Each id once; the list names rules, not findings. */
	for (const char *p = list; (p = strstr(p, id)) != NULL; p += idl)
		if ((p == list || p[-1] == ',') && (p[idl] == ',' || p[idl] == '\0'))
			return;
	if (len + idl + 2 > size)
		return;
	if (len > 0)
		list[len++] = ',';
	memcpy(list + len, id, idl + 1);
}

void og_decide(const struct og_policy *p, const struct og_container *c, struct og_findings *r,
	       struct og_decision *d)
{
	struct og_exemption_subject subj = {
		.annotations = c->annotations,
		.image_name = c->image.name,
	};
	int deny = 0, audit = 0;

	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < r->n; i++) {
		struct og_finding *f = &r->items[i];

		f->mode = og_policy_rule_mode(p, f->rule);
		f->exempt = og_exemption_find(&p->exemptions, f->rule, &subj) != NULL;
		if (f->exempt || f->mode == OG_MODE_OFF)
			continue;
		if (f->mode == OG_MODE_ENFORCE)
			deny = 1;
		else
			audit = 1;
		add_rule(d->rules, sizeof d->rules, f->rule);
	}
	d->result = deny ? OG_DENY : audit ? OG_AUDIT : OG_ALLOW;
}

void og_decide_error(const struct og_policy *p, struct og_decision *d)
{
	memset(d, 0, sizeof *d);
	d->error = 1;
	d->result = p != NULL && p->on_error_allow ? OG_ALLOW : OG_DENY;
	snprintf(d->rules, sizeof d->rules, "error");
}

static const char *mode_word(const struct og_policy *p)
{
	return p != NULL && p->audit ? "audit" : "enforce";
}

void og_log_decision(const struct og_policy *p, const struct og_container *c,
		     const struct og_findings *r, const struct og_decision *d)
{
	char id[256], stage[64], image[600], digest[100], msg[1024];

	og_sanitize(c->id, id, sizeof id);
	og_sanitize(c->stage, stage, sizeof stage);
	og_sanitize(c->image.name, image, sizeof image);
	og_sanitize(c->image.digest, digest, sizeof digest);
	for (size_t i = 0; i < r->n; i++) {
		const struct og_finding *f = &r->items[i];

		if (f->mode == OG_MODE_OFF)
			continue;
		og_sanitize(f->message, msg, sizeof msg);
		og_log(f->exempt || f->mode == OG_MODE_AUDIT ? LOG_NOTICE : LOG_WARNING,
		       "violation container=\"%s\" rule=%s action=%s msg=\"%s\"", id, f->rule,
		       og_finding_action(f), msg);
	}
	og_log(d->result == OG_DENY ? LOG_WARNING : LOG_INFO,
	       "decision=%s container=\"%s\" stage=\"%s\" image=\"%s\" digest=\"%s\" mode=%s rules=\"%s\"",
	       og_result_name(d->result), id, stage, image, digest, mode_word(p), d->rules);
}

void og_log_error(const struct og_policy *p, const char *cid, const char *cstage, const char *emsg,
		  const struct og_decision *d)
{
	char id[256], stage[64], msg[1024];

	og_sanitize(cid ? cid : "", id, sizeof id);
	og_sanitize(cstage ? cstage : "", stage, sizeof stage);
	og_sanitize(emsg, msg, sizeof msg);
	og_log(LOG_ERR, "error container=\"%s\" stage=\"%s\" msg=\"%s\"", id, stage, msg);
	og_log(d->result == OG_DENY ? LOG_WARNING : LOG_INFO,
	       "decision=%s container=\"%s\" stage=\"%s\" image=\"\" digest=\"\" mode=%s rules=\"error\"",
	       og_result_name(d->result), id, stage, mode_word(p));
}
