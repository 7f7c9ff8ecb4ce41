#include "hook/base/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

static int log_stderr;
static int log_facility = LOG_AUTH;
static int emergency_fd = -1;
static char emergency_line[1024];
static size_t emergency_len;

void og_log_open(int facility)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };

	log_facility = facility;
	openlog("ocigate", LOG_PID | LOG_NDELAY, facility);
	/* A second, private socket for the deadline handler (see log.h). */
	emergency_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (emergency_fd >= 0 && connect(emergency_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(emergency_fd);
		emergency_fd = -1;
	}
}

void og_log_set_stderr(int on)
{
	log_stderr = on;
}

void og_log_close(void)
{
	closelog();
	if (emergency_fd >= 0)
		close(emergency_fd);
	emergency_fd = -1;
}

void og_log(int priority, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	syslog(priority, "%s", line);
	if (log_stderr)
		fprintf(stderr, "ocigate: %s\n", line);
}

/* quote_escapes: '"' and '\\' escaped too, for values quoted in a log line. */
static void sanitize(const char *in, int quote_escapes, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (size == 0)
		return;
	if (in == NULL)
		in = "";
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char enc[4];
		size_t n;

		if (quote_escapes && (*p == '"' || *p == '\\')) {
			enc[0] = '\\';
			enc[1] = (char)*p;
			n = 2;
		} else if (*p >= 0x20 && *p < 0x7f) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '\\';
			enc[1] = 'x';
			enc[2] = hex[*p >> 4];
			enc[3] = hex[*p & 15];
			n = 4;
		}
		if (o + n + 4 > size) {	/* room for "..." and NUL */
			if (size >= 4) {
				memcpy(out + (o < size - 4 ? o : size - 4), "...", 3);
				o = (o < size - 4 ? o : size - 4) + 3;
			}
			break;
		}
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o < size ? o : size - 1] = '\0';
}

void og_sanitize(const char *in, char *out, size_t size)
{
	sanitize(in, 1, out, size);
}

void og_sanitize_text(const char *in, char *out, size_t size)
{
	sanitize(in, 0, out, size);
}

int og_log_facility(const char *name)
{
	static const struct { const char *name; int value; } map[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].value;
	return -1;
}

void og_log_prepare_emergency(int priority, const char *line)
{
	int n = snprintf(emergency_line, sizeof emergency_line, "<%d>ocigate[%ld]: %s",
			 log_facility | priority, (long)getpid(), line);

	emergency_len = n < 0 ? 0 : (size_t)n < sizeof emergency_line ? (size_t)n
								  : sizeof emergency_line - 1;
}

void og_log_emergency(void)
{
	if (emergency_fd >= 0 && emergency_len > 0)
		(void)send(emergency_fd, emergency_line, emergency_len, MSG_DONTWAIT);
}
