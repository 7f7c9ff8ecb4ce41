/* The pull reader behind the trust store (hook/base/json_reader.c): what it
 * accepts and refuses must be what jansson (og_json_parse) does, strings
 * must decode exactly, and every refusal must say where. */
#include "testutil.h"
#include "hook/base/json_reader.h"
#include "hook/base/jsonutil.h"

#include <jansson.h>

/* Run the reader over a copy of text: 0 accepted, -1 refused (why in e). */
static int read_all(const char *text, size_t len, og_error *e)
{
	char *copy = malloc(len + 1);
	struct og_jr r;
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	og_jr_init(&r, copy, len, "doc", e);
	rc = og_jr_skip(&r) == 0 && og_jr_finish(&r) == 0 ? 0 : -1;
	free(copy);
	return rc;
}

static int jansson_accepts(const char *text, size_t len)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);

	json_decref(v);
	return v != NULL;
}

static const char *const good[] = {
	"{}", "[]", "0", "-0", "1.5", "-1.5e+10", "1E-3", "123456789", "true", "false", "null", "\"\"",
	" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
	"\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\\b\\f\\r\\t\"",
	"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\x7f\"",
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",	/* 32 deep */
	/* long strings: the reader scans eight bytes at a time */
	"[\"0123456789abcdef\",\"0123456789abcdefghi\\n0123456789\",\"01234567\xc3\xa9" "89abcdef\"]",
	"{        \"a\":                 1,\n                \"b\": 2}",
};

static const char *const bad[] = {
	"", " ", "{", "[", "]", "}", "{,}", "[,]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{1:2}",
	"[1 2]", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "tru", "nul", "True", "NaN",
	"\"abc", "\"a\x01\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\u0000\"", "\"\\udc00\"",
	"\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
	"\"\x80\"", "\"\xe2\x82\"", "\"\xff\"", "{} {}", "1 2", "[1]x", "\"a\"\"b\"",
	"{\"a\":1}\x00",
	"\"0123456789abcde\x01f\"", "\"0123456789\xff" "0123456\"", "\"01234567\x7f\x80" "abcdefgh\"",
	"\"0123456789abcdefghijklmnop", "[\"0123456789abcdef\"      ,      ]",
};

START_TEST(agrees_with_jansson)
{
	og_error e = { 0 };

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		ck_assert_msg(read_all(good[i], strlen(good[i]), &e) == 0, "refused %s: %s", good[i], e.msg);
		ck_assert_msg(jansson_accepts(good[i], strlen(good[i])), "jansson refuses %s", good[i]);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t len = strlen(bad[i]) + (strcmp(bad[i], "{\"a\":1}") == 0);	/* the trailing NUL */

		ck_assert_msg(read_all(bad[i], len, &e) < 0, "accepted %s", bad[i]);
		ck_assert_msg(strstr(e.msg, "doc: invalid JSON at line 1 column") != NULL, "%s: %s", bad[i],
			      e.msg);
		ck_assert_msg(!jansson_accepts(bad[i], len), "jansson accepts %s", bad[i]);
	}
}
END_TEST

/* jansson's own parser skips a NUL byte after a number; og_json_parse may not. */
START_TEST(nul_bytes_refused)
{
	static const char doc[] = "[1\0,2]";
	og_error e = { 0 };
	json_t *v;

	ck_assert_int_eq(read_all(doc, sizeof doc - 1, &e), -1);
	v = og_json_parse(doc, sizeof doc - 1, "doc", &e);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(e.msg, "doc: invalid JSON at line 1 column 3: expected ',' or ']'");
}
END_TEST

START_TEST(depth_limit)
{
	char deep[2 * (OG_JR_MAX_DEPTH + 1) + 1];
	og_error e = { 0 };

	memset(deep, '[', OG_JR_MAX_DEPTH + 1);
	memset(deep + OG_JR_MAX_DEPTH + 1, ']', OG_JR_MAX_DEPTH + 1);
	deep[sizeof deep - 1] = '\0';
	ck_assert_int_eq(read_all(deep, strlen(deep), &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "nested too deeply"));
}
END_TEST

START_TEST(strings_decode_in_place)
{
	char text[] = "{\"k\\u00e9y\": \"a\\nb\\u0041\\ud83d\\ude00\", \"plain\": \"x/y\"}";
	static const char *const keys[] = { "plain", "k\xc3\xa9y", NULL };
	const char *v[2] = { NULL, NULL };
	struct og_jr r;
	og_error e = { 0 };
	unsigned seen = 0;
	size_t len;
	int i, m;

	og_jr_init(&r, text, strlen(text), "doc", &e);
	ck_assert_int_eq(og_jr_object(&r, "$"), 0);
	while ((m = og_jr_member_of(&r, keys, &seen, "$", &i)) == 1)
		ck_assert_msg(og_jr_string(&r, "$.x", &v[i], &len) == 0, "%s", e.msg);
	ck_assert_msg(m == 0 && og_jr_finish(&r) == 0, "%s", e.msg);
	ck_assert_str_eq(v[0], "x/y");
	ck_assert_str_eq(v[1], "a\nbA\xf0\x9f\x98\x80");
	ck_assert_uint_eq(seen, 3);
}
END_TEST

START_TEST(keys_types_and_positions)
{
	static const char *const keys[] = { "a", "b", NULL };
	char dup[] = "{\"a\": 1, \"a\": 2}", unknown[] = "{\"c\": 1}", typed[] = "{\"a\": [1]}";
	char late[] = "{\n  \"a\": 1,\n}";
	struct og_jr r;
	og_error e = { 0 };
	unsigned seen = 0;
	int64_t n;
	int i;

	og_jr_init(&r, dup, strlen(dup), "doc", &e);
	ck_assert_int_eq(og_jr_object(&r, "$"), 0);
	ck_assert_int_eq(og_jr_member_of(&r, keys, &seen, "$", &i), 1);
	ck_assert_int_eq(og_jr_int(&r, "$.a", 0, 10, &n), 0);
	ck_assert_int_eq(og_jr_member_of(&r, keys, &seen, "$", &i), -1);
	ck_assert_str_eq(e.msg, "$: duplicate key \"a\"");

	seen = 0;
	og_jr_init(&r, unknown, strlen(unknown), "doc", &e);
	ck_assert_int_eq(og_jr_object(&r, "$"), 0);
	ck_assert_int_eq(og_jr_member_of(&r, keys, &seen, "$", &i), -1);
	ck_assert_str_eq(e.msg, "$: unknown key \"c\"");

	seen = 0;
	og_jr_init(&r, typed, strlen(typed), "doc", &e);
	ck_assert_int_eq(og_jr_object(&r, "$"), 0);
	ck_assert_int_eq(og_jr_member_of(&r, keys, &seen, "$", &i), 1);
	ck_assert_int_eq(og_jr_int(&r, "$.a", 0, 10, &n), -1);
	ck_assert_str_eq(e.msg, "$.a: expected a number, found array");

	/* the position of a syntax error is its line and column */
	ck_assert_int_eq(read_all(late, strlen(late), &e), -1);
	ck_assert_str_eq(e.msg, "doc: invalid JSON at line 3 column 1: expected a key (a string)");
}
END_TEST

START_TEST(string_objects)
{
	static const char *const keys[] = { "digest", "repository", NULL };
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "{\"repository\": \"r\", \"digest\": \"d\"}", NULL },
		{ "{}", NULL },
		{ "{\"digest\": 1}", "$.images[3].digest: expected a string, found number" },
		{ "{\"digest\": \"a\", \"digest\": \"b\"}", "$.images[3]: duplicate key \"digest\"" },
		{ "{\"tag\": \"x\"}", "$.images[3]: unknown key \"tag\"" },
		{ "[\"digest\"]", "$.images[3]: expected an object, found array" },
		/* what the one-pass path leaves to the general reader, and the
		 * same answers */
		{ "{\"digest\": \"a\\u0041\\n\", \"repository\": \"r\"}", NULL },
		{ "{\"dig\\u0065st\": \"d\", \"repository\": \"\xc3\xa9\"}", NULL },
		{ "{\"digest\": \"a\", \"tag\": \"x\"}", "$.images[3]: unknown key \"tag\"" },
		{ "{\"digest\": \"a\", \"dig\\u0065st\": \"b\"}", "$.images[3]: duplicate key \"digest\"" },
		{ "{\"digest\": \"a\",}", "doc: invalid JSON at line 1 column 16: expected a key (a string)" },
		{ "{\"digest\" \"a\"}", "doc: invalid JSON at line 1 column 11: expected ':'" },
		{ "{\"digest\": \"a\" \"b\"}", "doc: invalid JSON at line 1 column 16: expected ',' or '}'" },
		{ "{\"digest\": \"a\x01\"}", "doc: invalid JSON at line 1 column 14: control character in a string" },
		{ "{\"digest\": \"a", "doc: invalid JSON at line 1 column 12: unterminated string" },
		{ "{\"digest\":\n  \"a\",\n  \"repository\": 2}", "$.images[3].repository: expected a string, found number" },
		{ "{\"digest\": \"a\"", "doc: invalid JSON at line 1 column 15: unexpected end of input" },
		{ "{\"digest\": \"a\", \"repository\": \"b\", \"a\": \"c\"}", "$.images[3]: unknown key \"a\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[128];
		const char *v[2] = { NULL, NULL };
		struct og_jr r;
		og_error e = { 0 };
		int rc;

		snprintf(text, sizeof text, "%s", cases[i].text);
		og_jr_init(&r, text, strlen(text), "doc", &e);
		rc = og_jr_string_object(&r, "$.images[3]", keys, v);
		if (cases[i].error == NULL) {
			ck_assert_msg(rc == 0 && og_jr_finish(&r) == 0, "%s: %s", cases[i].text, e.msg);
			if (i == 0) {
				ck_assert_str_eq(v[0], "d");
				ck_assert_str_eq(v[1], "r");
			} else if (i == 1) {
				ck_assert_ptr_null(v[0]);
			} else if (i == 6) {
				ck_assert_str_eq(v[0], "aA\n");
				ck_assert_str_eq(v[1], "r");
			} else if (i == 7) {
				ck_assert_str_eq(v[0], "d");
				ck_assert_str_eq(v[1], "\xc3\xa9");
			}
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_str_eq(e.msg, cases[i].error);
		}
	}
	/* Newlines inside objects read in one pass still count for later errors. */
	char doc[] = "[\n  {\"digest\": \"a\",\n   \"repository\": \"b\"},\n  {\"digest\" \"x\"}\n]";
	const char *v[2] = { NULL, NULL };
	struct og_jr r;
	og_error e = { 0 };

	og_jr_init(&r, doc, strlen(doc), "doc", &e);
	ck_assert_int_eq(og_jr_array(&r, "$"), 0);
	ck_assert_int_eq(og_jr_element(&r), 1);
	ck_assert_int_eq(og_jr_string_object(&r, "$[0]", keys, v), 0);
	ck_assert_str_eq(v[1], "b");
	ck_assert_int_eq(og_jr_element(&r), 1);
	ck_assert_int_eq(og_jr_string_object(&r, "$[1]", keys, v), -1);
	ck_assert_str_eq(e.msg, "doc: invalid JSON at line 4 column 13: expected ':'");
}
END_TEST

START_TEST(integers)
{
	static const struct {
		const char *text;
		int64_t min, max, want;
		int ok;
	} cases[] = {
		{ "0", 0, 10, 0, 1 },
		{ "-0", 0, 10, 0, 1 },
		{ "10", 0, 10, 10, 1 },
		{ "11", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX, 1 },
		{ "-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN, 1 },
		{ "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
		{ "-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0 },
		{ "99999999999999999999999", INT64_MIN, INT64_MAX, 0, 0 },
		{ "1.0", 0, 10, 0, 0 },
		{ "1e2", 0, 1000, 0, 0 },
		{ "\"1\"", 0, 10, 0, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[64];
		struct og_jr r;
		og_error e = { 0 };
		int64_t v = -42;
		int rc;

		snprintf(text, sizeof text, "%s", cases[i].text);
		og_jr_init(&r, text, strlen(text), "doc", &e);
		rc = og_jr_int(&r, "$.n", cases[i].min, cases[i].max, &v);
		ck_assert_msg((rc == 0) == cases[i].ok, "%s: %s", cases[i].text, e.msg);
		if (cases[i].ok)
			ck_assert_msg(v == cases[i].want, "%s: got %lld", cases[i].text, (long long)v);
		else
			ck_assert_msg(strncmp(e.msg, "$.n: ", 5) == 0, "%s: %s", cases[i].text, e.msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_reader");
	TCase *t = tcase_create("json_reader");

	tcase_add_test(t, agrees_with_jansson);
	tcase_add_test(t, nul_bytes_refused);
	tcase_add_test(t, depth_limit);
	tcase_add_test(t, strings_decode_in_place);
	tcase_add_test(t, keys_types_and_positions);
	tcase_add_test(t, string_objects);
	tcase_add_test(t, integers);
	suite_add_tcase(s, t);
	return tu_run(s);
}
