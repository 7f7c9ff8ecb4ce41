#include "hook/deadline.h"
#include "hook/base/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t exit_code = 1;
static int armed_ms;

static void on_alarm(int sig)
{
	static const char msg[] = "ocigate: deadline exceeded, container start refused\n";

	(void)sig;
	og_log_emergency();
	if (exit_code != 0)
		(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(exit_code);
}

void og_deadline_describe(const char *container_id, const char *stage, int allow)
{
	char id[256], st[64], line[512];

	og_sanitize(container_id, id, sizeof id);
	og_sanitize(stage, st, sizeof st);
	snprintf(line, sizeof line,
		 "decision=%s container=\"%s\" stage=\"%s\" rules=\"error\" msg=\"deadline of %d ms exceeded\"",
		 allow ? "allow" : "deny", id, st, armed_ms);
	og_log_prepare_emergency(4 /* LOG_WARNING */, line);
}

void og_deadline_arm(int ms, int code)
{
	struct sigaction sa;
	struct itimerval it = { 0 };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	exit_code = code;
	armed_ms = ms;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}
