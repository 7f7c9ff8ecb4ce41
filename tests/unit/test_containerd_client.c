/* The containerd image-identity client: deadlines and failures against fake
 * servers on a unix socket, and the real thing against a private containerd
 * started by tests/integration/containerd-fixture.sh (skipped, with a message,
 * when not root or when containerd is not installed). */
#include "testutil.h"
#include "verify/identity/containerd_client.h"

#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- fake servers ---- */

enum fake_mode { FAKE_SILENT, FAKE_CLOSE, FAKE_HTTP1, FAKE_TRICKLE };

struct fake {
	char dir[64];
	char sock[96];
	pid_t pid;
};

static void fake_serve(int lfd, enum fake_mode mode)
{
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		char buf[4096];

		if (c < 0)
			_exit(1);
		switch (mode) {
		case FAKE_SILENT:
			/* Accept and read the request, never answer. */
			while (read(c, buf, sizeof buf) > 0)
				;
			break;
		case FAKE_CLOSE:
			break;
		case FAKE_HTTP1: {
			static const char r[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

			(void)!read(c, buf, sizeof buf);
			(void)!write(c, r, sizeof r - 1);
			sleep(30);
			break;
		}
		case FAKE_TRICKLE: {
			/* A valid SETTINGS frame, then PINGs, one byte every 20 ms: each
			 * read succeeds, so only an overall deadline stops the client. */
			static const unsigned char settings[] = { 0, 0, 0, 4, 0, 0, 0, 0, 0 };
			static const unsigned char ping[] = { 0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };

			for (size_t i = 0; i < sizeof settings; i++) {
				(void)!write(c, settings + i, 1);
				usleep(20000);
			}
			for (;;)
				for (size_t i = 0; i < sizeof ping; i++) {
					if (write(c, ping + i, 1) < 0)
						_exit(0);
					usleep(20000);
				}
		}
		}
		close(c);
	}
}

static void fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;

	snprintf(f->dir, sizeof f->dir, "/tmp/og-fake-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->sock, sizeof f->sock, "%s/s.sock", f->dir);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	f->pid = fork();
	ck_assert_int_ge(f->pid, 0);
	if (f->pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		fake_serve(lfd, mode);
		_exit(0);
	}
	close(lfd);
}

static void fake_stop(struct fake *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	unlink(f->sock);
	rmdir(f->dir);
}

/* Call the client; returns elapsed ms, result in *rc. */
static long lookup(const char *sock, const char *ns, const char *id, int timeout_ms, int *rc, og_error *e,
		   char *digest, enum og_digest_kind *kind, char *name)
{
	long t0 = now_ms();

	*rc = og_containerd_image(sock, ns, id, timeout_ms, digest, kind, name, NULL, e);
	return now_ms() - t0;
}

START_TEST(silent_server_times_out)
{
	struct fake f;
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;
	long ms;

	fake_start(&f, FAKE_SILENT);
	ms = lookup(f.sock, "k8s.io", "abc", 300, &rc, &e, d, &k, n);
	fake_stop(&f);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "within 300 ms") != NULL, "%s", e.msg);
	ck_assert_msg(ms >= 290 && ms < 1000, "took %ld ms", ms);
	ck_assert_str_eq(d, "");
	ck_assert_int_eq(k, OG_DIGEST_NONE);
}
END_TEST

START_TEST(trickling_server_bounded_overall)
{
	struct fake f;
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;
	long ms;

	fake_start(&f, FAKE_TRICKLE);
	ms = lookup(f.sock, "k8s.io", "abc", 400, &rc, &e, d, &k, n);
	fake_stop(&f);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(ms >= 390 && ms < 1100, "took %ld ms: %s", ms, e.msg);
}
END_TEST

START_TEST(closing_server_fails_fast)
{
	struct fake f;
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;
	long ms;

	fake_start(&f, FAKE_CLOSE);
	ms = lookup(f.sock, "k8s.io", "abc", 2000, &rc, &e, d, &k, n);
	fake_stop(&f);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(ms < 1000, "took %ld ms", ms);
	ck_assert_msg(strstr(e.msg, "closed") != NULL || strstr(e.msg, "reset") != NULL ||
		      strstr(e.msg, "send") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(http1_server_refused)
{
	struct fake f;
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;
	long ms;

	fake_start(&f, FAKE_HTTP1);
	ms = lookup(f.sock, "k8s.io", "abc", 2000, &rc, &e, d, &k, n);
	fake_stop(&f);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(ms < 1000, "took %ld ms", ms);
	ck_assert_msg(strstr(e.msg, "HTTP/2") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(no_socket)
{
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;

	lookup("/nonexistent/containerd.sock", "k8s.io", "abc", 500, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "connect") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(bad_arguments)
{
	char d[OG_DIGEST_MAX], n[OG_REF_MAX], longpath[200];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;

	lookup("/run/x.sock", "bad ns", "abc", 500, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "namespace"));
	lookup("/run/x.sock", "k8s.io", "../etc", 500, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "container id"));
	lookup("/run/x.sock", "k8s.io", "abc", 0, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	lookup("/run/x.sock", "k8s.io", "abc", 600000, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	lookup("relative.sock", "k8s.io", "abc", 500, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	lookup(longpath, "k8s.io", "abc", 500, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
}
END_TEST

/* ---- a real containerd ---- */

static char live_dir[64];
static char live_skip[256];
static char live_sock[256], live_ns[80], live_image[OG_REF_MAX], live_manifest[OG_DIGEST_MAX],
	live_config[OG_DIGEST_MAX];

static int have_cmd(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static void env_value(const char *line, const char *key, char *out, size_t size)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) == 0 && line[n] == '=')
		snprintf(out, size, "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
}

static void live_setup(void)
{
	const char *src = getenv("OCIGATE_SRC");
	char cmd[PATH_MAX + 128], line[1024], path[128];
	FILE *f;

	if (geteuid() != 0) {
		snprintf(live_skip, sizeof live_skip, "not root");
		return;
	}
	if (!have_cmd("containerd") || !have_cmd("ctr")) {
		snprintf(live_skip, sizeof live_skip, "containerd is not installed");
		return;
	}
	snprintf(live_dir, sizeof live_dir, "/tmp/og-cd-XXXXXX");
	if (mkdtemp(live_dir) == NULL) {
		snprintf(live_skip, sizeof live_skip, "mkdtemp failed");
		return;
	}
	snprintf(cmd, sizeof cmd, "sh %s/tests/integration/containerd-fixture.sh start %s", src ? src : ".",
		 live_dir);
	if (system(cmd) != 0) {
		/* Installed but not startable: a real failure, reported by the tests. */
		snprintf(live_skip, sizeof live_skip, "FAILED: containerd-fixture.sh start %s", live_dir);
		return;
	}
	snprintf(path, sizeof path, "%s/env", live_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		env_value(line, "SOCK", live_sock, sizeof live_sock);
		env_value(line, "NS", live_ns, sizeof live_ns);
		env_value(line, "IMAGE", live_image, sizeof live_image);
		env_value(line, "MANIFEST_DIGEST", live_manifest, sizeof live_manifest);
		env_value(line, "CONFIG_DIGEST", live_config, sizeof live_config);
	}
	fclose(f);
}

static void live_teardown(void)
{
	char cmd[PATH_MAX + 128];
	const char *src = getenv("OCIGATE_SRC");

	if (live_dir[0] == '\0' || live_sock[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "sh %s/tests/integration/containerd-fixture.sh stop %s", src ? src : ".",
		 live_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "containerd-fixture stop %s failed\n", live_dir);
}

/* 1 when the live tests must be skipped (prints why once per test). */
static int live_skipped(const char *test)
{
	ck_assert_msg(strncmp(live_skip, "FAILED", 6) != 0, "%s", live_skip);
	if (live_skip[0] != '\0') {
		printf("SKIP test_containerd_client %s: %s\n", test, live_skip);
		return 1;
	}
	ck_assert_msg(live_sock[0] != '\0' && live_config[0] != '\0', "fixture env incomplete");
	return 0;
}

START_TEST(live_plain_container_resolves_image_target)
{
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;

	if (live_skipped("live_plain_container_resolves_image_target"))
		return;
	lookup(live_sock, live_ns, "og-plain", 2000, &rc, &e, d, &k, n);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_str_eq(d, live_manifest);
	ck_assert_int_eq(k, OG_DIGEST_MANIFEST);
	ck_assert_str_eq(n, live_image);
}
END_TEST

START_TEST(live_cri_extension_gives_config_digest)
{
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;

	if (live_skipped("live_cri_extension_gives_config_digest"))
		return;
	lookup(live_sock, live_ns, "og-cri", 2000, &rc, &e, d, &k, n);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_str_eq(d, live_config);
	ck_assert_int_eq(k, OG_DIGEST_CONFIG);
	ck_assert_str_eq(n, live_image);
}
END_TEST

START_TEST(live_failures)
{
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;
	og_error e = { 0 };
	int rc;

	if (live_skipped("live_failures"))
		return;
	/* A broken CRI record is an error, not a reason to fall back to the name. */
	lookup(live_sock, live_ns, "og-badcri", 2000, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "ImageRef") != NULL, "%s", e.msg);
	og_error_clear(&e);
	lookup(live_sock, live_ns, "og-noimage", 2000, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "NOT_FOUND") != NULL, "%s", e.msg);
	og_error_clear(&e);
	lookup(live_sock, live_ns, "no-such-container", 2000, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "not found") != NULL, "%s", e.msg);
	og_error_clear(&e);
	/* The namespace scopes the lookup. */
	lookup(live_sock, "default", "og-cri", 2000, &rc, &e, d, &k, n);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(d, "");
}
END_TEST

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

START_TEST(live_latency)
{
	enum { N = 200 };
	static long us[N];
	char d[OG_DIGEST_MAX], n[OG_REF_MAX];
	enum og_digest_kind k;

	if (live_skipped("live_latency"))
		return;
	for (int i = 0; i < N; i++) {
		struct timespec a, b;
		og_error e = { 0 };
		const char *id = i % 2 ? "og-cri" : "og-plain";

		clock_gettime(CLOCK_MONOTONIC, &a);
		ck_assert_msg(og_containerd_image(live_sock, live_ns, id, 2000, d, &k, n, NULL, &e) == 0, "%s", e.msg);
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[i] = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000L;
	}
	qsort(us, N, sizeof us[0], cmp_long);
	printf("containerd identity latency over %d calls (CRI and fallback alternating): "
	       "median %.2f ms, p95 %.2f ms, max %.2f ms\n", N, (double)us[N / 2] / 1000.0,
	       (double)us[N * 95 / 100] / 1000.0, (double)us[N - 1] / 1000.0);
	/* Spawning ctr costs ~40 ms; the native client must be far below that. */
	ck_assert_msg(us[N / 2] < 20000, "median %ld us", us[N / 2]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containerd_client");
	TCase *tc = tcase_create("transport");
	TCase *live = tcase_create("live");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, silent_server_times_out);
	tcase_add_test(tc, trickling_server_bounded_overall);
	tcase_add_test(tc, closing_server_fails_fast);
	tcase_add_test(tc, http1_server_refused);
	tcase_add_test(tc, no_socket);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);

	tcase_set_timeout(live, 60);
	tcase_add_unchecked_fixture(live, live_setup, live_teardown);
	tcase_add_test(live, live_plain_container_resolves_image_target);
	tcase_add_test(live, live_cri_extension_gives_config_digest);
	tcase_add_test(live, live_failures);
	tcase_add_test(live, live_latency);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
