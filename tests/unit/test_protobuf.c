/* The minimal protobuf wire reader/writer: round trips, malformed varints,
 * lengths past the end, wire types and nesting limits. */
#include "testutil.h"
#include "verify/identity/protobuf.h"

#include <stdint.h>

static struct og_pb_field next_ok(struct og_pb_reader *r)
{
	struct og_pb_field f;
	og_error e = { 0 };

	ck_assert_int_eq(og_pb_next(r, &f, &e), 1);
	return f;
}

START_TEST(varint_round_trip)
{
	static const uint64_t values[] = { 0, 1, 127, 128, 300, 16383, 16384, 0xffffffffu,
					   (uint64_t)1 << 63, UINT64_MAX };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		uint8_t buf[16];
		struct og_pb_writer w;
		uint64_t v = 12345;
		size_t used = 0;
		og_error e = { 0 };

		og_pb_writer_init(&w, buf, sizeof buf);
		og_pb_put_raw_varint(&w, values[i]);
		ck_assert_int_eq(og_pb_writer_check(&w, "t", &e), 0);
		ck_assert_int_eq(og_pb_varint(buf, w.len, &v, &used, &e), 0);
		ck_assert(v == values[i]);
		ck_assert_uint_eq(used, w.len);
	}
}
END_TEST

START_TEST(varint_known_encodings)
{
	uint8_t b300[] = { 0xac, 0x02 };
	uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	uint64_t v;
	size_t used;
	og_error e = { 0 };

	ck_assert_int_eq(og_pb_varint(b300, 2, &v, &used, &e), 0);
	ck_assert(v == 300);
	ck_assert_int_eq(og_pb_varint(max, 10, &v, &used, &e), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_uint_eq(used, 10);
}
END_TEST

START_TEST(varint_truncated)
{
	uint8_t b[] = { 0xac, 0x82 };
	uint64_t v;
	size_t used;
	og_error e = { 0 };

	ck_assert_int_eq(og_pb_varint(b, 2, &v, &used, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	ck_assert_int_eq(og_pb_varint(b, 0, &v, &used, &e), -1);
}
END_TEST

START_TEST(varint_overlong)
{
	/* 10th byte with more than bit 63, and an 11-byte varint. */
	uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	uint64_t v;
	size_t used;
	og_error e = { 0 };

	ck_assert_int_eq(og_pb_varint(over, sizeof over, &v, &used, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "overflows"));
	og_error_clear(&e);
	ck_assert_int_eq(og_pb_varint(eleven, sizeof eleven, &v, &used, &e), -1);
}
END_TEST

START_TEST(message_round_trip)
{
	uint8_t inner[64], outer[256];
	struct og_pb_writer wi, wo;
	struct og_pb_reader r, sub;
	struct og_pb_field f;
	og_error e = { 0 };
	char s[32];

	og_pb_writer_init(&wi, inner, sizeof inner);
	og_pb_put_string(&wi, 1, "hello");
	og_pb_put_uint(&wi, 3, 150);
	ck_assert_int_eq(og_pb_writer_check(&wi, "inner", &e), 0);

	og_pb_writer_init(&wo, outer, sizeof outer);
	og_pb_put_string(&wo, 1, "id-1");
	og_pb_put_bytes(&wo, 10, inner, wi.len);
	og_pb_put_uint(&wo, 536870911, 7);	/* the largest field number */
	ck_assert_int_eq(og_pb_writer_check(&wo, "outer", &e), 0);

	og_pb_reader_init(&r, outer, wo.len);
	f = next_ok(&r);
	ck_assert_uint_eq(f.number, 1);
	ck_assert_int_eq(og_pb_string(&f, "id", s, sizeof s, &e), 0);
	ck_assert_str_eq(s, "id-1");
	f = next_ok(&r);
	ck_assert_uint_eq(f.number, 10);
	ck_assert_int_eq(og_pb_enter(&r, &f, &sub, &e), 0);
	ck_assert_uint_eq(sub.depth, 1);
	f = next_ok(&sub);
	ck_assert_int_eq(og_pb_string(&f, "s", s, sizeof s, &e), 0);
	ck_assert_str_eq(s, "hello");
	f = next_ok(&sub);
	ck_assert_uint_eq(f.number, 3);
	ck_assert_int_eq(f.wire, OG_PB_VARINT);
	ck_assert(f.u64 == 150);
	ck_assert_int_eq(og_pb_next(&sub, &f, &e), 0);
	f = next_ok(&r);
	ck_assert_uint_eq(f.number, 536870911);
	ck_assert_int_eq(og_pb_next(&r, &f, &e), 0);
}
END_TEST

START_TEST(known_bytes)
{
	/* protobuf docs: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67. */
	uint8_t buf[32];
	struct og_pb_writer w;
	og_error e = { 0 };
	static const uint8_t want[] = { 0x08, 0x96, 0x01, 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g' };

	og_pb_writer_init(&w, buf, sizeof buf);
	og_pb_put_uint(&w, 1, 150);
	og_pb_put_string(&w, 2, "testing");
	ck_assert_int_eq(og_pb_writer_check(&w, "t", &e), 0);
	ck_assert_uint_eq(w.len, sizeof want);
	ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(fixed_width_fields_skipped)
{
	static const uint8_t msg[] = { 0x09, 1, 2, 3, 4, 5, 6, 7, 8,	/* field 1 fixed64 */
				       0x15, 1, 0, 0, 0,		/* field 2 fixed32 */
				       0x18, 0x05 };			/* field 3 varint */
	struct og_pb_reader r;
	struct og_pb_field f;

	og_pb_reader_init(&r, msg, sizeof msg);
	f = next_ok(&r);
	ck_assert_int_eq(f.wire, OG_PB_I64);
	ck_assert(f.u64 == 0x0807060504030201ull);
	f = next_ok(&r);
	ck_assert_int_eq(f.wire, OG_PB_I32);
	ck_assert(f.u64 == 1);
	f = next_ok(&r);
	ck_assert(f.u64 == 5);
}
END_TEST

START_TEST(length_past_end)
{
	static const uint8_t msg[] = { 0x0a, 0x05, 'a', 'b' };	/* says 5, has 2 */
	struct og_pb_reader r;
	struct og_pb_field f;
	og_error e = { 0 };

	og_pb_reader_init(&r, msg, sizeof msg);
	ck_assert_int_eq(og_pb_next(&r, &f, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "runs past the end"));
}
END_TEST

START_TEST(huge_length_past_end)
{
	/* A length near 2^64 must not wrap the bounds check. */
	static const uint8_t msg[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x' };
	struct og_pb_reader r;
	struct og_pb_field f;
	og_error e = { 0 };

	og_pb_reader_init(&r, msg, sizeof msg);
	ck_assert_int_eq(og_pb_next(&r, &f, &e), -1);
}
END_TEST

START_TEST(truncated_fixed)
{
	static const uint8_t msg[] = { 0x09, 1, 2, 3 };
	struct og_pb_reader r;
	struct og_pb_field f;
	og_error e = { 0 };

	og_pb_reader_init(&r, msg, sizeof msg);
	ck_assert_int_eq(og_pb_next(&r, &f, &e), -1);
}
END_TEST

START_TEST(bad_tags)
{
	static const uint8_t field0[] = { 0x02, 0x00 };		/* field 0 */
	static const uint8_t group[] = { 0x0b };			/* field 1, start group */
	static const uint8_t wire7[] = { 0x0f };
	static const uint8_t bigfield[] = { 0xf8, 0xff, 0xff, 0xff, 0x1f, 0x00 };	/* field 2^32-1 */
	static const uint8_t trunc_tag[] = { 0x80 };
	const struct { const uint8_t *m; size_t n; } cases[] = {
		{ field0, sizeof field0 }, { group, sizeof group }, { wire7, sizeof wire7 },
		{ bigfield, sizeof bigfield }, { trunc_tag, sizeof trunc_tag },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct og_pb_reader r;
		struct og_pb_field f;
		og_error e = { 0 };

		og_pb_reader_init(&r, cases[i].m, cases[i].n);
		ck_assert_msg(og_pb_next(&r, &f, &e) == -1, "case %zu accepted", i);
	}
}
END_TEST

START_TEST(nesting_limit)
{
	/* Each level wraps the previous one in field 1; entering stops at OG_PB_MAX_DEPTH. */
	uint8_t a[256], b[256];
	uint8_t *cur = a, *other = b;
	size_t len = 0;
	struct og_pb_reader r;
	struct og_pb_field f;
	og_error e = { 0 };
	int levels = OG_PB_MAX_DEPTH + 2, entered = 0;

	for (int i = 0; i < levels; i++) {
		struct og_pb_writer w;
		uint8_t *t;

		og_pb_writer_init(&w, other, sizeof a);
		og_pb_put_bytes(&w, 1, cur, len);
		ck_assert_int_eq(og_pb_writer_check(&w, "n", &e), 0);
		len = w.len;
		t = cur, cur = other, other = t;
	}
	og_pb_reader_init(&r, cur, len);
	for (;;) {
		struct og_pb_reader sub;

		ck_assert_int_eq(og_pb_next(&r, &f, &e), 1);
		if (og_pb_enter(&r, &f, &sub, &e) < 0)
			break;
		entered++;
		r = sub;
	}
	ck_assert_int_eq(entered, OG_PB_MAX_DEPTH);
	ck_assert_ptr_nonnull(strstr(e.msg, "nested deeper"));
}
END_TEST

START_TEST(enter_needs_len)
{
	static const uint8_t msg[] = { 0x08, 0x01 };
	struct og_pb_reader r, sub;
	struct og_pb_field f;
	og_error e = { 0 };

	og_pb_reader_init(&r, msg, sizeof msg);
	f = next_ok(&r);
	ck_assert_int_eq(og_pb_enter(&r, &f, &sub, &e), -1);
	ck_assert_int_eq(og_pb_expect(&f, OG_PB_LEN, "thing", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "thing"));
}
END_TEST

START_TEST(string_limits)
{
	static const uint8_t nul[] = { 0x0a, 0x03, 'a', 0, 'b' };
	static const uint8_t longer[] = { 0x0a, 0x05, 'a', 'b', 'c', 'd', 'e' };
	struct og_pb_reader r;
	struct og_pb_field f;
	og_error e = { 0 };
	char s[6];

	og_pb_reader_init(&r, nul, sizeof nul);
	f = next_ok(&r);
	ck_assert_int_eq(og_pb_string(&f, "s", s, sizeof s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "NUL"));
	og_pb_reader_init(&r, longer, sizeof longer);
	f = next_ok(&r);
	ck_assert_int_eq(og_pb_string(&f, "s", s, 5, &e), -1);	/* 5 bytes + NUL > 5 */
	ck_assert_int_eq(og_pb_string(&f, "s", s, sizeof s, &e), 0);
	ck_assert_str_eq(s, "abcde");
}
END_TEST

START_TEST(writer_overflow)
{
	uint8_t buf[4];
	struct og_pb_writer w;
	og_error e = { 0 };

	og_pb_writer_init(&w, buf, sizeof buf);
	og_pb_put_string(&w, 1, "toolong");
	og_pb_put_uint(&w, 2, 1);	/* later writes stay refused */
	ck_assert_int_eq(og_pb_writer_check(&w, "req", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "req"));
	og_pb_writer_init(&w, buf, sizeof buf);
	og_pb_put_uint(&w, 0, 1);	/* field 0 is invalid */
	ck_assert_int_eq(og_pb_writer_check(&w, "req", &e), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("protobuf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, varint_round_trip);
	tcase_add_test(tc, varint_known_encodings);
	tcase_add_test(tc, varint_truncated);
	tcase_add_test(tc, varint_overlong);
	tcase_add_test(tc, message_round_trip);
	tcase_add_test(tc, known_bytes);
	tcase_add_test(tc, fixed_width_fields_skipped);
	tcase_add_test(tc, length_past_end);
	tcase_add_test(tc, huge_length_past_end);
	tcase_add_test(tc, truncated_fixed);
	tcase_add_test(tc, bad_tags);
	tcase_add_test(tc, nesting_limit);
	tcase_add_test(tc, enter_needs_len);
	tcase_add_test(tc, string_limits);
	tcase_add_test(tc, writer_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
