/* spawnbench: time a command by spawning it N times (stdin from a file) and
 * waiting for it, as a runtime spawns a hook.  Prints median, min, max
 * (microseconds) and the peak RSS (KiB) over all runs, one line:
 *   median_us=... min_us=... max_us=... maxrss_kib=... fails=...
 * usage: spawnbench [-n] [-w WARMUP] [-p PRE_CMD] RUNS STDIN_FILE|- COMMAND [ARGS...]
 *   -n          replace the literal "@N@" in every argument with the run number
 *               (warm-up runs count too), e.g. unique container ids for runc
 *   -w WARMUP   untimed runs first (not in the figures, fails not counted)
 *   -p PRE_CMD  run `/bin/sh -c PRE_CMD` before every run, outside the timed
 *               interval (e.g. touch an input file to force a cold path)
 * A run "fails" when the exit status is not 0; fails are counted, not hidden. */
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* arg with every "@N@" replaced by n (a fresh string, or arg itself). */
static char *subst(const char *arg, long n)
{
	char num[24], *out, *o;
	const char *p;
	size_t count = 0;

	for (p = arg; (p = strstr(p, "@N@")) != NULL; p += 3)
		count++;
	if (count == 0)
		return (char *)arg;
	snprintf(num, sizeof num, "%ld", n);
	out = malloc(strlen(arg) + count * strlen(num) + 1);
	if (out == NULL)
		return NULL;
	for (o = out, p = arg; *p != '\0';) {
		if (strncmp(p, "@N@", 3) == 0) {
			o = stpcpy(o, num);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static int run_pre(const char *pre)
{
	char *const av[] = { "sh", "-c", (char *)pre, NULL };
	pid_t pid;
	int status;

	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, av, environ) != 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long runs, warmup = 0, *us, maxrss = 0;
	int fails = 0, opt, number = 0;
	const char *pre = NULL;
	char **cmd, **av;
	int ncmd;

	while ((opt = getopt(argc, argv, "+nw:p:")) != -1) {
		switch (opt) {
		case 'n': number = 1; break;
		case 'w': warmup = strtol(optarg, NULL, 10); break;
		case 'p': pre = optarg; break;
		default: goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || (runs = strtol(argv[0], NULL, 10)) < 1 || runs > 1000000 || warmup < 0 ||
	    warmup > 1000000) {
usage:
		fprintf(stderr, "usage: spawnbench [-n] [-w WARMUP] [-p PRE_CMD] RUNS STDIN_FILE|- COMMAND [ARGS...]\n");
		return 2;
	}
	cmd = argv + 2;
	ncmd = argc - 2;
	us = calloc((size_t)runs, sizeof *us);
	av = calloc((size_t)ncmd + 1, sizeof *av);
	if (us == NULL || av == NULL)
		return 2;
	for (long i = -warmup; i < runs; i++) {
		posix_spawn_file_actions_t fa;
		struct timespec t0, t1;
		struct rusage ru;
		int status;
		pid_t pid;

		for (int k = 0; k < ncmd; k++) {
			av[k] = number ? subst(cmd[k], i + warmup) : cmd[k];
			if (av[k] == NULL)
				return 2;
		}
		if (pre != NULL && run_pre(pre) < 0) {
			fprintf(stderr, "spawnbench: pre-command failed: %s\n", pre);
			return 2;
		}
		posix_spawn_file_actions_init(&fa);
		if (strcmp(argv[1], "-") != 0)
			posix_spawn_file_actions_addopen(&fa, 0, argv[1], O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (posix_spawn(&pid, av[0], &fa, NULL, av, environ) != 0) {
			perror("posix_spawn");
			return 2;
		}
		if (wait4(pid, &status, 0, &ru) < 0) {
			perror("wait4");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		posix_spawn_file_actions_destroy(&fa);
		for (int k = 0; k < ncmd; k++)
			if (av[k] != cmd[k])
				free(av[k]);
		if (i < 0)
			continue;
		us[i] = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fails++;
	}
	qsort(us, (size_t)runs, sizeof *us, cmp);
	printf("median_us=%ld min_us=%ld max_us=%ld maxrss_kib=%ld fails=%d\n", us[runs / 2], us[0],
	       us[runs - 1], maxrss, fails);
	free(us);
	free(av);
	return 0;
}
