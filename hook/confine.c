#include "hook/confine.h"
#include "hook/base/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

OG_DEFINE_CLEANUP(void, seccomp_release)
OG_DEFINE_CLEANUP(struct _cap_struct, cap_free)

/* The capabilities the runtime-rule phase still needs: comparing a
 * namespace path (a /proc/PID/ns link) with the host's takes ptrace access to
 * the sandbox's process, and resolving a mount source takes searching
 * directories uid 0 does not own.  Both go with og_confine_finish(). */
static const cap_value_t rule_phase_caps[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };
#define N_RULE_PHASE_CAPS (sizeof rule_phase_caps / sizeof rule_phase_caps[0])

static int kept(cap_value_t c, int keep_rule_caps)
{
	for (size_t i = 0; keep_rule_caps && i < N_RULE_PHASE_CAPS; i++)
		if (rule_phase_caps[i] == c)
			return 1;
	return 0;
}

/* Read the sets back: a partial drop must not pass as a full one.  The
 * bounding set can only shrink, so it is read back once (check_bounding). */
static int verify_caps(int last, int keep_rule_caps, int check_bounding, og_error *e)
{
	og_cleanup(cap_free) struct _cap_struct *caps = cap_get_proc();

	if (caps == NULL)
		return og_fail_errno(e, errno, "read capabilities back");
	for (int c = 0; c < last; c++) {
		cap_flag_value_t v;
		for (cap_flag_t f = CAP_EFFECTIVE; f <= CAP_INHERITABLE; f++) {
			int want = f != CAP_INHERITABLE && kept(c, keep_rule_caps);

			if (cap_get_flag(caps, c, f, &v) < 0 || (v == CAP_SET) != want)
				return og_fail(e, "capability %d is %s after dropping", c,
					       want ? "missing" : "still held");
		}
		if (check_bounding && prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
			return og_fail(e, "capability %d is still in the bounding set", c);
	}
	return 0;
}

static int drop(int keep_rule_caps, og_error *e)
{
	og_cleanup(cap_free) struct _cap_struct *caps = NULL;
	int last = (int)cap_max_bits();

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return og_fail_errno(e, errno, "clear ambient capabilities");
	for (int c = 0; c < last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return og_fail_errno(e, errno, "drop capability %d from the bounding set", c);
	caps = cap_init();	/* empty effective, permitted, inheritable */
	if (caps == NULL ||
	    (keep_rule_caps &&
	     (cap_set_flag(caps, CAP_EFFECTIVE, (int)N_RULE_PHASE_CAPS, rule_phase_caps, CAP_SET) < 0 ||
	      cap_set_flag(caps, CAP_PERMITTED, (int)N_RULE_PHASE_CAPS, rule_phase_caps, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0)
		return og_fail_errno(e, errno, "drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return og_fail_errno(e, errno, "set no_new_privs");
	return verify_caps(last, keep_rule_caps, 1, e);
}

int og_drop_privileges(og_error *e)
{
	return drop(0, e);
}

/* Whether the rule phase's capabilities are ours to keep (a test run as
 * an ordinary user has none). */
static int has_rule_caps(void)
{
	og_cleanup(cap_free) struct _cap_struct *caps = cap_get_proc();
	cap_flag_value_t v;

	for (size_t i = 0; caps != NULL && i < N_RULE_PHASE_CAPS; i++)
		if (cap_get_flag(caps, rule_phase_caps[i], CAP_PERMITTED, &v) < 0 || v != CAP_SET)
			return 0;
	return caps != NULL;
}

/* Landlock: best effort, as a kernel without it still gets the seccomp filter. */
static int landlock_apply(const struct og_confine_paths *p, og_error *e)
{
	const uint64_t file_read = LANDLOCK_ACCESS_FS_READ_FILE;
	const uint64_t dir_read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	const uint64_t dir_write = dir_read | LANDLOCK_ACCESS_FS_WRITE_FILE |
				   LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |
				   LANDLOCK_ACCESS_FS_MAKE_DIR;
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
				     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
				     LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
				     LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
				     LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
				     LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
				     LANDLOCK_ACCESS_FS_MAKE_SYM,
	};
	og_cleanup_close int rs = -1;
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 1)
		return 0;	/* not available: seccomp alone */
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0)
		return og_fail_errno(e, errno, "landlock ruleset");
	for (int w = 0; w < 2; w++) {
		const char *const *list = w ? p->write : p->read;
		size_t n = w ? p->nwrite : p->nread;

		for (size_t i = 0; i < n; i++) {
			struct landlock_path_beneath_attr pb = { 0 };
			og_cleanup_close int fd = open(list[i], O_PATH | O_CLOEXEC);
			struct stat st;

			if (fd < 0 || fstat(fd, &st) < 0)
				continue;	/* missing now: nothing to allow */
			pb.parent_fd = fd;
			pb.allowed_access = !S_ISDIR(st.st_mode) ? file_read : w ? dir_write : dir_read;
			if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
				return og_fail_errno(e, errno, "landlock rule for %s", list[i]);
		}
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return og_fail_errno(e, errno, "landlock restrict");
	return 1;
}

#include "hook/seccomp_allowlist.h"

#if __has_include("seccomp_bpf.h")
/* The filter, compiled from the allowlist with libseccomp at build time. */
#include "seccomp_bpf.h"
#include <linux/seccomp.h>

static int seccomp_apply(og_error *e)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof og_seccomp_bpf / sizeof og_seccomp_bpf[0]),
		.filter = (struct sock_filter *)og_seccomp_bpf,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	/* seccomp(2) arrived in Linux 3.17; prctl is the older door (and the
	 * one valgrind knows). */
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return og_fail_errno(e, errno, "seccomp filter");
}
#else
/* Builds without the generated header: compile the same list now. */
static int seccomp_apply(og_error *e)
{
	og_cleanup(seccomp_release) void *ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc;

	if (ctx == NULL)
		return og_fail(e, "seccomp_init failed");
	for (const char *const *s = og_seccomp_allowed; *s; s++) {
		int nr = seccomp_syscall_resolve_name(*s);

		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return og_fail_errno(e, -rc, "seccomp rule for %s", *s);
	}
	rc = seccomp_load(ctx);
	if (rc < 0)
		return og_fail_errno(e, -rc, "seccomp_load");
	return 0;
}
#endif

/* Phase two's file rules, kept from og_confine() (the strings belong to
 * the policy, which lives until the process ends). */
static struct og_confine_paths saved_paths;

int og_confine(const struct og_confine_paths *p, og_error *e)
{
	/* syslog(3) formats local time: load the zone while files can be read. */
	tzset();
	saved_paths = *p;
	/* Where the process holds them, keep the rule phase's two until
	 * og_confine_finish(); the bounding set goes at once. */
	if (drop(cap_get_bound(CAP_SYS_PTRACE) > 0 && cap_get_bound(CAP_DAC_READ_SEARCH) > 0 &&
		 has_rule_caps(), e) < 0)
		return og_wrap(e, "confinement");
	if (seccomp_apply(e) < 0)
		return og_wrap(e, "confinement");
	return 0;
}

int og_confine_finish(int *landlock_out, og_error *e)
{
	og_cleanup(cap_free) struct _cap_struct *none = NULL;
	int ll;

	/* Landlock also forbids ptrace access to processes outside the domain,
	 * which the namespace comparison needs: it comes in this phase. */
	ll = landlock_apply(&saved_paths, e);
	if (ll < 0)
		return og_wrap(e, "confinement");
	if (landlock_out)
		*landlock_out = ll;
	/* The bounding set is already empty: only effective and permitted remain. */
	none = cap_init();
	if (none == NULL || cap_set_proc(none) < 0)
		return og_fail_errno(e, errno, "confinement: drop the last capabilities");
	if (verify_caps((int)cap_max_bits(), 0, 0, e) < 0)
		return og_wrap(e, "confinement");
	return 0;
}
