/* og_child_run: see child.h. */
#include "hook/delivery/child.h"
#include "hook/base/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_pair(int p[2])
{
	og_closep(&p[0]);
	og_closep(&p[1]);
	p[0] = p[1] = -1;
}

/* In the child: stdin /dev/null, the pipes as stdout and stderr, default
 * signal handling, its own process group; never returns. */
static void __attribute__((noreturn)) exec_child(char *const argv[], int nullfd, int out, int err)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (dup2(nullfd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* Kill the child's whole group and reap it. */
static void kill_reap(pid_t pid)
{
	int st;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static void keep_tail(struct og_child_result *r, size_t *elen, const char *d, size_t n)
{
	if (n >= OG_CHILD_STDERR_KEEP) {
		memcpy(r->err, d + n - OG_CHILD_STDERR_KEEP, OG_CHILD_STDERR_KEEP);
		*elen = OG_CHILD_STDERR_KEEP;
	} else {
		if (*elen + n > OG_CHILD_STDERR_KEEP) {
			size_t drop = *elen + n - OG_CHILD_STDERR_KEEP;

			memmove(r->err, r->err + drop, *elen - drop);
			*elen -= drop;
		}
		memcpy(r->err + *elen, d, n);
		*elen += n;
	}
	r->err[*elen] = '\0';
}

/* Append n bytes to out, which may hold at most max. */
static int append_out(og_buf *out, size_t *cap, const char *d, size_t n, size_t max)
{
	if (out->len + n > max)
		return -1;
	if (out->len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 8192;
		char *p;

		while (ncap < out->len + n + 1)
			ncap *= 2;
		if (ncap > max + 1)
			ncap = max + 1;
		p = realloc(out->data, ncap);
		if (p == NULL)
			return -1;
		out->data = p;
		*cap = ncap;
	}
	memcpy(out->data + out->len, d, n);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

/* Read both pipes to EOF before the deadline.  1 on timeout, -1 on a
 * failure (error set), 0 at EOF of both. */
static int drain(int fo, int fe, long deadline, size_t max_out, struct og_child_result *r,
		 og_error *e)
{
	struct pollfd p[2] = { { .fd = fo, .events = POLLIN }, { .fd = fe, .events = POLLIN } };
	size_t cap = 0, elen = 0;
	char buf[16384];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return 1;
		n = poll(p, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return og_fail_errno(e, errno, "poll");
		for (int i = 0; i < 2; i++) {
			ssize_t got;

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			got = read(p[i].fd, buf, sizeof buf);
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got <= 0) {
				p[i].fd = -1;
				continue;
			}
			if (i == 1) {
				keep_tail(r, &elen, buf, (size_t)got);
			} else if (append_out(&r->out, &cap, buf, (size_t)got, max_out) < 0) {
				if (r->out.len + (size_t)got > max_out)
					return og_fail(e, "its output is larger than the limit of %zu bytes",
						       max_out);
				return og_fail_errno(e, ENOMEM, "output");
			}
		}
	}
	if (r->out.data == NULL) {
		r->out.data = calloc(1, 1);
		if (r->out.data == NULL)
			return og_fail_errno(e, ENOMEM, "output");
	}
	return 0;
}

/* Reap the child before the deadline; 1 on timeout. */
static int reap(pid_t pid, long deadline, int *status)
{
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return 1;
		nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
	}
}

int og_child_run(char *const argv[], size_t max_out, int timeout_ms, struct og_child_result *r,
		 og_error *e)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	og_cleanup_close int nullfd = -1;
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	pid_t pid;
	int rc;

	memset(r, 0, sizeof *r);
	if (argv[0] == NULL || argv[0][0] != '/')
		return og_fail(e, "%s: not an absolute path", argv[0] ? argv[0] : "(none)");
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0)
		return og_fail_errno(e, errno, "/dev/null");
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		rc = errno;
		close_pair(po);
		close_pair(pe);
		return og_fail_errno(e, rc, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		rc = errno;
		close_pair(po);
		close_pair(pe);
		return og_fail_errno(e, rc, "fork");
	}
	if (pid == 0)
		exec_child(argv, nullfd, po[1], pe[1]);
	setpgid(pid, pid);	/* also in the child: whichever runs first */
	og_closep(&po[1]);
	og_closep(&pe[1]);
	rc = drain(po[0], pe[0], deadline, max_out, r, e);
	og_closep(&po[0]);
	og_closep(&pe[0]);
	if (rc == 0)
		rc = reap(pid, deadline, &r->status);
	if (rc == 0)
		return 0;
	kill_reap(pid);
	og_buf_free(&r->out);
	if (rc == 1) {
		og_fail(e, "no answer within %d ms (killed)", timeout_ms);
		e->errnum = ETIMEDOUT;
	} else if (!e->set) {
		og_fail_errno(e, errno, "waitpid");
	}
	return -1;
}

void og_child_last_line(const struct og_child_result *r, char *out, size_t size)
{
	size_t end = strlen(r->err), start, n, i;

	while (end > 0 && (r->err[end - 1] == '\n' || r->err[end - 1] == '\r' || r->err[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && r->err[start - 1] != '\n')
		start--;
	n = end - start;
	if (size == 0)
		return;
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r->err[start + i];

		out[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out[n] = '\0';
}
