/* `ocigate confinement-test [--policy FILE]`: apply exactly the hook's
 * self-confinement for this policy (both phases), then show it in force: the
 * kernel's view of the process (/proc/self/status: Seccomp, NoNewPrivs,
 * CapEff, CapBnd) and the outcome of calls the confined hook must not make.
 * Exit 0 when every forbidden call failed and the status is as expected. */
#include "hook/cmd/commands.h"
#include "hook/base/cleanup.h"
#include "hook/confine.h"
#include "hook/evaluate.h"
#include "hook/base/fileio.h"
#include "policy/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int attempt(const char *what, int rc, int *bad)
{
	int err = errno;

	printf("forbidden %-40s %s\n", what, rc < 0 ? "refused" : "SUCCEEDED");
	if (rc < 0)
		printf("  (%s)\n", strerror(err));
	else
		*bad = 1;
	return rc;
}

int og_cmd_confinement_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *policy_path = OG_DEFAULT_POLICY;
	og_cleanup_close int status_fd = -1;
	og_cleanup_buf og_buf status = { 0 };
	struct og_policy policy;
	og_error e = { 0 };
	int opt, landlock = 0, bad = 0, fd;
	char *argv_true[] = { "true", NULL };

	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': policy_path = optarg; break;
		case 'h':
			printf("Usage: ocigate confinement-test [--policy FILE]\n"
			       "Apply the hook's self-confinement and show it is in force.\n");
			return 0;
		default: return 2;
		}
	}
	if (og_policy_load(policy_path, &policy, &e) < 0) {
		fprintf(stderr, "ocigate confinement-test: %s\n", e.msg);
		return 2;
	}
	/* Opened before: procfs renders the file when it is read, after. */
	status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (og_bundle_policy_resolve(&policy.bundle, policy.sections.trust, policy.sections.scan, &e) < 0 ||
	    og_confine_for_policy(&policy, &e) < 0 || og_confine_finish(&landlock, &e) < 0) {
		fprintf(stderr, "ocigate confinement-test: %s\n", e.msg);
		og_policy_free(&policy);
		return 2;
	}
	if (status_fd < 0 || og_read_fd(status_fd, 65536, 0, "status", &status, &e) < 0) {
		fprintf(stderr, "ocigate confinement-test: cannot read /proc/self/status\n");
		og_policy_free(&policy);
		return 2;
	}
	for (char *line = strtok(status.data, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "Seccomp:", 8) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
		    strncmp(line, "Cap", 3) == 0)
			printf("%s\n", line);
	printf("Landlock: %s\n", landlock ? "applied" : "not available on this kernel");
	attempt("execve(/bin/true)", execv("/bin/true", argv_true), &bad);
	fd = attempt("socket(AF_INET)", socket(AF_INET, SOCK_STREAM, 0), &bad);
	if (fd >= 0)
		close(fd);
	fd = attempt("socket(AF_UNIX) (a new connection)", socket(AF_UNIX, SOCK_STREAM, 0), &bad);
	if (fd >= 0)
		close(fd);
	attempt("ptrace(PTRACE_TRACEME)", (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL), &bad);
	attempt("mount(tmpfs)", mount("none", "/mnt", "tmpfs", 0, NULL), &bad);
	fd = attempt("fork()", (int)fork(), &bad);
	if (fd == 0)
		_exit(0);	/* a child that should not exist */
	if (fd > 0)
		waitpid(fd, NULL, 0);
	if (landlock) {
		fd = attempt("open(/etc/passwd) (not a policy file)", open("/etc/passwd", O_RDONLY), &bad);
		if (fd >= 0)
			close(fd);
	}
	og_policy_free(&policy);
	printf("confinement: %s\n", bad ? "BROKEN" : "in force");
	return bad ? 1 : 0;
}
