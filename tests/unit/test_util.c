/* Shared infrastructure: bounded reads with a deadline, atomic writes,
 * durations and RFC 3339 timestamps, error wrapping. */
#include "testutil.h"
#include "hook/base/arena.h"
#include "hook/base/array.h"
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <time.h>

START_TEST(read_fd_limits_and_timeout)
{
	int p[2];
	og_buf b = { 0 };
	og_error e = { 0 };
	struct timespec t0, t1;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "hello", 5), 5);
	close(p[1]);
	ck_assert_int_eq(og_read_fd(p[0], 5, 100, "in", &b, &e), 0);
	ck_assert_str_eq(b.data, "hello");
	og_buf_free(&b);
	close(p[0]);
	/* one byte over the limit */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "hello!", 6), 6);
	close(p[1]);
	ck_assert_int_eq(og_read_fd(p[0], 5, 100, "in", &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "in: larger than the limit of 5 bytes"));
	close(p[0]);
	/* a writer that never closes: bounded wait */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "{", 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(og_read_fd(p[0], 1000, 200, "state on stdin", &b, &e), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_ptr_nonnull(strstr(e.msg, "no end of input within 200 ms"));
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 3);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(atomic_write)
{
	char dir[] = "/tmp/ocigate-atomic-XXXXXX";
	og_error e = { 0 };
	og_buf b = { 0 };
	int dfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_DIRECTORY | O_RDONLY);
	ck_assert_int_eq(og_write_file_atomic(dfd, "f", "one", 3, 0600, &e), 0);
	ck_assert_int_eq(og_write_file_atomic(dfd, "f", "two!", 4, 0600, &e), 0);
	ck_assert_int_eq(og_read_file_at(dfd, "f", 100, &b, &e), 0);
	ck_assert_str_eq(b.data, "two!");
	og_buf_free(&b);
	ck_assert_int_eq(og_read_file_at(dfd, "../etc/passwd", 100, &b, &e), -1);
	ck_assert_int_eq(og_read_file_at(dfd, "/etc/passwd", 100, &b, &e), -1);
	unlinkat(dfd, "f", 0);
	close(dfd);
	rmdir(dir);
}
END_TEST

/* Large files are read into a huge-page mapping: same bytes, NUL after
 * them, the same limit, and og_buf_free releases either kind. */
START_TEST(large_file_reads)
{
	char dir[] = "/tmp/ocigate-large-XXXXXX", path[64];
	size_t sizes[] = { OG_READ_HUGE_MIN - 1, OG_READ_HUGE_MIN, 3 * OG_READ_HUGE_MIN / 2 };
	og_error e = { 0 };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f", dir);
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char *data = malloc(sizes[i]);
		og_buf b = { 0 };
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(data);
		for (size_t j = 0; j < sizes[i]; j++)
			data[j] = (char)('a' + (j * 7 + i) % 26);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(data, 1, sizes[i], f), sizes[i]);
		fclose(f);
		ck_assert_msg(og_read_file(path, 4 * OG_READ_HUGE_MIN, &b, &e) == 0, "%s", e.msg);
		ck_assert_uint_eq(b.len, sizes[i]);
		ck_assert_int_eq(memcmp(b.data, data, sizes[i]), 0);
		ck_assert_int_eq(b.data[b.len], '\0');
		ck_assert_int_eq(b.mapped != 0, sizes[i] >= OG_READ_HUGE_MIN);
		og_buf_free(&b);
		ck_assert_ptr_null(b.data);
		ck_assert_uint_eq(b.mapped, 0);
		/* one byte under the size: refused, naming the limit */
		ck_assert_int_eq(og_read_file(path, sizes[i] - 1, &b, &e), -1);
		ck_assert_ptr_nonnull(strstr(e.msg, "larger than the limit"));
		free(data);
	}
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(durations)
{
	int64_t s;
	og_error e = { 0 };

	ck_assert_int_eq(og_parse_duration("90s", &s, &e), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(og_parse_duration("24h", &s, &e), 0);
	ck_assert_int_eq(s, 86400);
	ck_assert_int_eq(og_parse_duration("7d", &s, &e), 0);
	ck_assert_int_eq(s, 7 * 86400);
	ck_assert_int_eq(og_parse_duration("2w", &s, &e), 0);
	ck_assert_int_eq(og_parse_duration("", &s, &e), -1);
	ck_assert_int_eq(og_parse_duration("7", &s, &e), -1);
	ck_assert_int_eq(og_parse_duration("0d", &s, &e), -1);
	ck_assert_int_eq(og_parse_duration("-1d", &s, &e), -1);
	ck_assert_int_eq(og_parse_duration("1dd", &s, &e), -1);
	ck_assert_int_eq(og_parse_duration("99999999999999999999d", &s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "too long"));
}
END_TEST

START_TEST(timestamps)
{
	int64_t t;
	og_error e = { 0 };
	char buf[32];

	ck_assert_int_eq(og_parse_rfc3339("1970-01-01T00:00:00Z", &t, &e), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(og_parse_rfc3339("2026-11-27T15:48:11Z", &t, &e), 0);
	ck_assert_int_eq(t, 1795794491);
	ck_assert_int_eq(og_parse_rfc3339("2026-11-27T16:48:11.123456789+01:00", &t, &e), 0);
	ck_assert_int_eq(t, 1795794491);
	ck_assert_int_eq(og_parse_rfc3339("2024-02-29", &t, &e), 0);
	og_format_rfc3339(t, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-02-29T00:00:00Z");
	ck_assert_int_eq(og_parse_rfc3339("2024-02-30", &t, &e), -1);
	ck_assert_int_eq(og_parse_rfc3339("2024-13-01T00:00:00Z", &t, &e), -1);
	ck_assert_int_eq(og_parse_rfc3339("2024-01-01T00:00:00", &t, &e), -1);
	ck_assert_int_eq(og_parse_rfc3339("2024-01-01T25:00:00Z", &t, &e), -1);
	ck_assert_int_eq(og_parse_rfc3339("yesterday", &t, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "RFC 3339"));
}
END_TEST

/* The hook's JSON arena: aligned, never failing where malloc would not,
 * and free routing each pointer to where it came from (a wrong routing is a
 * crash under ASan and valgrind, which run this suite). */
START_TEST(arena_allocations)
{
	char *first = og_arena_alloc(1), *p = first, *big;
	size_t used = 16;

	ck_assert_ptr_nonnull(first);
	ck_assert_uint_eq((uintptr_t)first % 16, 0);
	memset(first, 'x', 1);
	/* Fill the arena: every pointer inside it, aligned and ascending. */
	while (used + 4000 <= OG_ARENA_BYTES) {
		char *q = og_arena_alloc(4000);	/* a multiple of 16: no padding */
		ck_assert_ptr_eq(q, p + (p == first ? 16 : 4000));
		ck_assert_uint_eq((uintptr_t)q % 16, 0);
		memset(q, 'y', 4000);
		p = q;
		used += 4000;
		og_arena_free(q);	/* nothing: the memory stays valid */
		ck_assert_int_eq(q[3999], 'y');
	}
	/* Past the reservation: malloc's memory, given back with free(3). */
	big = og_arena_alloc(OG_ARENA_BYTES);
	ck_assert_ptr_nonnull(big);
	ck_assert(big < first || big >= first + OG_ARENA_BYTES);
	memset(big, 'z', OG_ARENA_BYTES);
	og_arena_free(big);
	og_arena_free(NULL);
	/* JSON trees built under it: jansson allocates and frees through it. */
	og_arena_use_for_json();
	{
		json_t *o = json_pack("{s:[i,i,s]}", "k", 1, 2, "v");

		ck_assert_ptr_nonnull(o);
		ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(o, "k"), 1)), 2);
		json_decref(o);
	}
}
END_TEST

/* og_array_reserve: doubling, the caller's array untouched on overflow. */
START_TEST(array_growth)
{
	size_t cap = 0;
	int *a = og_array_reserve(NULL, &cap, 0, sizeof *a), *b;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(cap, 8);
	ck_assert_ptr_eq(og_array_reserve(a, &cap, 7, sizeof *a), a);
	b = og_array_reserve(a, &cap, 8, sizeof *a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(cap, 16);
	a = b;
	ck_assert_ptr_null(og_array_reserve(a, &cap, SIZE_MAX / 2, sizeof *a));
	ck_assert_uint_eq(cap, 16);
	ck_assert_ptr_null(og_array_reserve(a, &cap, 1000, SIZE_MAX / 4));
	ck_assert_uint_eq(cap, 16);
	free(a);
}
END_TEST

START_TEST(error_wrapping)
{
	og_error e = { 0 };

	ck_assert_int_eq(og_fail(&e, "keys[%d]: bad", 2), -1);
	og_wrap(&e, "trust store %s", "/etc/ocigate/trust.json");
	ck_assert_str_eq(e.msg, "trust store /etc/ocigate/trust.json: keys[2]: bad");
	og_fail_errno(&e, 2, "open %s", "x");
	ck_assert_str_eq(e.msg, "open x: No such file or directory");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *t = tcase_create("util");

	tcase_add_test(t, read_fd_limits_and_timeout);
	tcase_add_test(t, atomic_write);
	tcase_add_test(t, large_file_reads);
	tcase_add_test(t, durations);
	tcase_add_test(t, timestamps);
	tcase_add_test(t, error_wrapping);
	tcase_add_test(t, arena_allocations);
	tcase_add_test(t, array_growth);
	suite_add_tcase(s, t);
	return tu_run(s);
}
