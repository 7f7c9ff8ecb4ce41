/* Helpers shared by the fuzz targets.  Each target is one translation unit
 * exporting LLVMFuzzerTestOneInput (and optionally LLVMFuzzerInitialize); it
 * links either with libFuzzer (clang -fsanitize=fuzzer) or with replay_main.c
 * (any compiler) to replay a corpus as a plain test. */
#ifndef OCIGATE_FUZZ_UTIL_H
#define OCIGATE_FUZZ_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness precondition failed (not a finding in the code under test). */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fz_die(const char *fmt, ...);
#include <stdarg.h>
static inline void fz_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz harness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* A property the code under test must keep (e.g. dump then load round-trips):
 * abort so that libFuzzer records the input as a crash. */
#define FZ_ASSERT(cond, msg)                                                        \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", msg, \
				__FILE__, __LINE__);                                \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* With FUZZ_DEBUG set, print why an input was refused (to check that seeds
 * reach the code they are meant for). */
static inline void fz_note(const char *what, int rc, const char *msg)
{
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "%s: %s%s\n", what, rc == 0 ? "accepted" : "refused: ", rc == 0 ? "" : msg);
}

/* NUL-terminated copy for APIs that take C strings (annotation values...). */
static inline char *fz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		fz_die("out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* /dev/null as a FILE for the describe functions (their output is not checked,
 * only that producing it is memory-safe). */
static inline FILE *fz_devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		fz_die("/dev/null: %s", strerror(errno));
	return f;
}

/* A private temporary directory for targets whose parser reads a file; it is
 * removed at exit (only the files the harness itself created). */
static char fz_tmp[256] __attribute__((unused));
static inline void fz_tmp_cleanup(void);
static inline const char *fz_tmpdir(void)
{
	if (fz_tmp[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(fz_tmp, sizeof fz_tmp, "%s/ocigate-fuzz-XXXXXX", base && *base ? base : "/tmp");
		if (mkdtemp(fz_tmp) == NULL)
			fz_die("mkdtemp %s: %s", fz_tmp, strerror(errno));
		atexit(fz_tmp_cleanup);
	}
	return fz_tmp;
}

/* Paths (relative to fz_tmpdir()) created by fz_write, removed at exit. */
static char fz_made[16][128] __attribute__((unused));
static size_t fz_nmade __attribute__((unused));

static inline void fz_tmp_cleanup(void)
{
	char p[512];

	for (size_t i = fz_nmade; i-- > 0;) {
		snprintf(p, sizeof p, "%s/%s", fz_tmp, fz_made[i]);
		if (unlink(p) < 0)
			rmdir(p);	/* a directory made by fz_mkdir */
	}
	rmdir(fz_tmp);
}

static inline void fz_remember(const char *rel)
{
	for (size_t i = 0; i < fz_nmade; i++)
		if (strcmp(fz_made[i], rel) == 0)
			return;
	if (fz_nmade < sizeof fz_made / sizeof fz_made[0])
		snprintf(fz_made[fz_nmade++], sizeof fz_made[0], "%s", rel);
}

/* mkdir below fz_tmpdir(); returns the absolute path in out. */
static inline void fz_mkdir(const char *rel, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", fz_tmpdir(), rel);
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		fz_die("mkdir %s: %s", out, strerror(errno));
	fz_remember(rel);
}

/* Write (replace) a file below fz_tmpdir(); returns the absolute path in out. */
static inline void fz_write(const char *rel, const void *data, size_t len, char *out, size_t size)
{
	int fd;

	snprintf(out, size, "%s/%s", fz_tmpdir(), rel);
	fz_remember(rel);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fz_die("open %s: %s", out, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fz_die("write %s: %s", out, strerror(errno));
		off += (size_t)n;
	}
	if (close(fd) < 0)
		fz_die("close %s: %s", out, strerror(errno));
}

#endif
