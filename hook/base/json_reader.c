#include "hook/base/json_reader.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bytes a string copies as they are: printable ASCII but '"' and '\\'. */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1,	/* '"' is 0x22 */
	[0x23 ... 0x5b] = 1,	/* '\\' is 0x5c */
	[0x5d ... 0x7f] = 1,
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static uint64_t load64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Nonzero when one of the 8 bytes in v is not plain: '"', '\\', a control
 * character or a byte above 0x7f (bit tricks: a byte b is found by
 * (x - 1) & ~x having its high bit set for x = v ^ b). */
static uint64_t has_special(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - ONES * 0x20) & ~v) | v) & HIGHS;
}

static int syntax(struct og_jr *r, const char *at, const char *msg)
{
	/* Raw newlines only occur in whitespace, which counts them. */
	og_fail(r->e, "%s: invalid JSON at line %d column %d: %s", r->what, r->line,
		(int)(at - r->line_start) + 1, msg);
	return -1;
}

void og_jr_init(struct og_jr *r, char *data, size_t len, const char *what, og_error *e)
{
	memset(r, 0, sizeof *r);
	r->start = r->p = r->line_start = data;
	r->end = data + len;
	r->line = 1;
	r->what = what;
	r->e = e;
}

#define LITTLE_ENDIAN_LOADS (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* Index of the first nonzero byte, in memory order, of a loaded word. */
static size_t first_flagged(uint64_t mask)
{
#if LITTLE_ENDIAN_LOADS
	return (size_t)__builtin_ctzll(mask) >> 3;
#else
	return (size_t)__builtin_clzll(mask) >> 3;
#endif
}

static void skip_ws(struct og_jr *r)
{
	char *p = r->p;

	while (p < r->end && (unsigned char)*p <= ' ') {
		if (*p == ' ') {
			/* indentation: the first non-space of eight bytes at a time */
			uint64_t x = 0;

			while (r->end - p >= 8 && (x = load64(p) ^ (ONES * ' ')) == 0)
				p += 8;
			if (x != 0)
				p += first_flagged(x);
			else
				while (p < r->end && *p == ' ')
					p++;
			continue;
		}
		if (*p == '\n') {
			r->line++;
			r->line_start = p + 1;
		} else if (*p != '\t' && *p != '\r') {
			break;
		}
		p++;
	}
	r->p = p;
}

enum og_jr_kind og_jr_peek(struct og_jr *r)
{
	skip_ws(r);
	if (r->p >= r->end)
		return OG_JR_END;
	switch (*r->p) {
	case '{': return OG_JR_OBJECT;
	case '[': return OG_JR_ARRAY;
	case '"': return OG_JR_STRING;
	case 't':
	case 'f': return OG_JR_BOOLEAN;
	case 'n': return OG_JR_NULL;
	case '-':
	case '0' ... '9': return OG_JR_NUMBER;
	}
	return OG_JR_INVALID;
}

const char *og_jr_kind_name(enum og_jr_kind k)
{
	switch (k) {
	case OG_JR_OBJECT: return "object";
	case OG_JR_ARRAY: return "array";
	case OG_JR_STRING: return "string";
	case OG_JR_NUMBER: return "number";
	case OG_JR_BOOLEAN: return "boolean";
	case OG_JR_NULL: return "null";
	case OG_JR_END: return "the end of the document";
	case OG_JR_INVALID: break;
	}
	return "invalid JSON";
}

/* A type error names the path; a syntax error where a value should be, the position. */
static int expect(struct og_jr *r, enum og_jr_kind want, const char *path)
{
	enum og_jr_kind k = og_jr_peek(r);

	if (k == want)
		return 0;
	if (k == OG_JR_END)
		return syntax(r, r->p, "unexpected end of input");
	if (k == OG_JR_INVALID)
		return syntax(r, r->p, "expected a value");
	return og_fail(r->e, "%s: expected %s %s, found %s", path,
		       want == OG_JR_OBJECT || want == OG_JR_ARRAY ? "an" : "a", og_jr_kind_name(want),
		       og_jr_kind_name(k));
}

static int open_container(struct og_jr *r)
{
	if (r->depth >= OG_JR_MAX_DEPTH)
		return syntax(r, r->p, "nested too deeply");
	r->object[r->depth] = *r->p == '{';
	r->more[r->depth++] = 0;
	r->p++;
	return 0;
}

int og_jr_object(struct og_jr *r, const char *path)
{
	return expect(r, OG_JR_OBJECT, path) < 0 ? -1 : open_container(r);
}

int og_jr_array(struct og_jr *r, const char *path)
{
	return expect(r, OG_JR_ARRAY, path) < 0 ? -1 : open_container(r);
}

/* Before the next member or element: 1 when one follows, 0 at `close`. */
static int next_item(struct og_jr *r, char close)
{
	if (r->depth == 0 || r->object[r->depth - 1] != (close == '}'))
		return og_fail(r->e, "%s: internal error: not in %s", r->what,
			       close == '}' ? "an object" : "an array");
	skip_ws(r);
	if (r->p >= r->end)
		return syntax(r, r->p, "unexpected end of input");
	if (*r->p == close) {
		r->p++;
		r->depth--;
		return 0;
	}
	if (r->more[r->depth - 1]) {
		if (*r->p != ',')
			return syntax(r, r->p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
		r->p++;
		skip_ws(r);
	}
	r->more[r->depth - 1] = 1;
	return 1;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* \uXXXX (and its low surrogate) at q: the code point and the escape's length. */
static int unicode_escape(struct og_jr *r, char *q, unsigned *cp, size_t *n)
{
	unsigned hi, lo;

	if (r->end - q < 6 || hex4(q + 2, &hi) < 0)
		return syntax(r, q, "invalid \\u escape");
	if (hi == 0)
		return syntax(r, q, "\\u0000 is not allowed");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return syntax(r, q, "lone low surrogate in a \\u escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		*n = 6;
		return 0;
	}
	if (r->end - q < 12 || q[6] != '\\' || q[7] != 'u' || hex4(q + 8, &lo) < 0 || lo < 0xdc00 ||
	    lo > 0xdfff)
		return syntax(r, q, "high surrogate not followed by a low surrogate");
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	*n = 12;
	return 0;
}

/* Write code point cp as UTF-8 at out (never longer than its escape). */
static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The first byte at or after q that is not plain (or end): strings are most
 * of a trust store, so sixteen bytes at a time where SSE2 is there (every
 * x86-64), else eight. */
static char *skip_plain(char *q, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(' ');

	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		/* Signed compare: below ' ' are the control characters and,
		 * as negative numbers, every byte from 0x80 up. */
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
			_mm_cmplt_epi8(v, space)));

		if (mask != 0)
			return q + __builtin_ctz(mask);
		q += 16;
	}
#endif
	uint64_t special = 0;

	while (end - q >= 8 && (special = has_special(load64(q))) == 0)
		q += 8;
	/* has_special() flags the lowest special byte exactly, and maybe bytes
	 * above it (borrows), which come later in memory only when loads are
	 * little-endian. */
	if (special != 0 && LITTLE_ENDIAN_LOADS)
		return q + first_flagged(special);
	while (q < end && plain[(unsigned char)*q])
		q++;
	return q;
}

/* Length of the well-formed UTF-8 sequence at q (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *q, const unsigned char *end)
{
	unsigned char c = q[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - q) < n || q[1] < lo || q[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (q[i] < 0x80 || q[i] > 0xbf)
			return 0;
	return n;
}

/* The string at r->p (its opening quote), decoded in place and NUL-terminated:
 * the decoded form is never longer, so the NUL lands at or before the
 * closing quote, which has been read by then. */
static int read_string(struct og_jr *r, const char **s, size_t *len)
{
	char *q = r->p + 1, *out = q;
	const char *begin = q;

	for (;;) {
		char *run = q;
		unsigned char c;

		q = skip_plain(q, r->end);
		if (out != run)
			memmove(out, run, (size_t)(q - run));
		out += q - run;
		if (q >= r->end)
			return syntax(r, r->p, "unterminated string");
		c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c == '\\') {
			static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
			const char *m;
			unsigned cp;
			size_t n;

			if (q + 1 >= r->end)
				return syntax(r, q, "unterminated string");
			if (q[1] == 'u') {
				if (unicode_escape(r, q, &cp, &n) < 0)
					return -1;
				out += put_utf8(out, cp);
				q += n;
				continue;
			}
			for (m = simple; *m != '\0' && *m != q[1]; m += 2)
				;
			if (*m == '\0')
				return syntax(r, q, "invalid escape");
			*out++ = m[1];
			q += 2;
			continue;
		}
		if (c < 0x20)
			return syntax(r, q, "control character in a string");
		size_t n = utf8_len((const unsigned char *)q, (const unsigned char *)r->end);
		if (n == 0)
			return syntax(r, q, "invalid UTF-8 in a string");
		memmove(out, q, n);
		out += n;
		q += n;
	}
	*out = '\0';
	*len = (size_t)(out - begin);
	*s = begin;
	r->p = q + 1;
	return 0;
}

int og_jr_member(struct og_jr *r, const char **key)
{
	size_t len;
	int m = next_item(r, '}');

	if (m <= 0)
		return m;
	if (r->p >= r->end || *r->p != '"')
		return syntax(r, r->p, "expected a key (a string)");
	if (read_string(r, key, &len) < 0)
		return -1;
	skip_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return syntax(r, r->p, "expected ':'");
	r->p++;
	return 1;
}

int og_jr_element(struct og_jr *r)
{
	return next_item(r, ']');
}

int og_jr_member_of(struct og_jr *r, const char *const *keys, unsigned *seen, const char *path,
		    int *index)
{
	const char *key;
	int m = og_jr_member(r, &key);

	if (m <= 0)
		return m;
	for (int i = 0; i < 32 && keys[i] != NULL; i++) {
		if (keys[i][0] != key[0] || strcmp(keys[i], key) != 0)
			continue;
		if (*seen & 1u << i)
			return og_fail(r->e, "%s: duplicate key \"%.100s\"", path, key);
		*seen |= 1u << i;
		*index = i;
		return 1;
	}
	return og_fail(r->e, "%s: unknown key \"%.100s\"", path, key);
}

/* og_jr_string_object's common case in one pass: an object of at most
 * FLAT_MAX members whose keys and values are plain strings (printable ASCII,
 * no escape), each key one of `keys` at most once.  Nothing is written until
 * the closing brace has been seen, so on anything else (0) the general path
 * starts over from the same place and reports what is wrong; 1 when read. */
#define FLAT_MAX 8
static int flat_string_object(struct og_jr *r, const char *const *keys, const char **values)
{
	char *const p0 = r->p, *const line_start0 = r->line_start;
	const int line0 = r->line;
	struct {
		int key;
		char *value, *value_end;
	} got[FLAT_MAX];
	unsigned seen = 0, n = 0;

	r->p++;		/* '{' */
	for (;;) {
		char *key, *key_end;
		size_t klen;
		int i;

		skip_ws(r);
		if (n == FLAT_MAX || r->p >= r->end || *r->p != '"')
			goto other;
		key = r->p + 1;
		key_end = skip_plain(key, r->end);
		if (key_end >= r->end || *key_end != '"')
			goto other;
		r->p = key_end + 1;
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			goto other;
		r->p++;
		skip_ws(r);
		if (r->p >= r->end || *r->p != '"')
			goto other;
		got[n].value = r->p + 1;
		got[n].value_end = skip_plain(got[n].value, r->end);
		if (got[n].value_end >= r->end || *got[n].value_end != '"')
			goto other;
		r->p = got[n].value_end + 1;
		klen = (size_t)(key_end - key);
		for (i = 0; i < 32 && keys[i] != NULL; i++)
			if (keys[i][0] == key[0] && strncmp(keys[i], key, klen) == 0 && keys[i][klen] == '\0')
				break;
		if (i == 32 || keys[i] == NULL || (seen & 1u << i))
			goto other;
		seen |= 1u << i;
		got[n++].key = i;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}')
			break;
		goto other;
	}
	r->p++;		/* '}' */
	for (unsigned j = 0; j < n; j++) {
		*got[j].value_end = '\0';
		values[got[j].key] = got[j].value;
	}
	return 1;
other:
	r->p = p0;
	r->line = line0;
	r->line_start = line_start0;
	return 0;
}

int og_jr_string_object(struct og_jr *r, const char *path, const char *const *keys, const char **values)
{
	unsigned seen = 0;
	int i, m;

	if (og_jr_peek(r) == OG_JR_OBJECT && flat_string_object(r, keys, values))
		return 0;
	if (og_jr_object(r, path) < 0)
		return -1;
	while ((m = og_jr_member_of(r, keys, &seen, path, &i)) == 1) {
		size_t len;

		if (og_jr_peek(r) != OG_JR_STRING) {
			char where[160];

			snprintf(where, sizeof where, "%s.%s", path, keys[i]);
			return expect(r, OG_JR_STRING, where);
		}
		if (read_string(r, &values[i], &len) < 0)
			return -1;
	}
	return m;
}

int og_jr_string(struct og_jr *r, const char *path, const char **s, size_t *len)
{
	size_t ignored;

	if (expect(r, OG_JR_STRING, path) < 0)
		return -1;
	return read_string(r, s, len != NULL ? len : &ignored);
}

static int is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* The number at r->p (RFC 8259 grammar); *integral when it has neither a
 * fraction nor an exponent. */
static int read_number(struct og_jr *r, const char **begin, size_t *len, int *integral)
{
	char *p = r->p;

	*begin = p;
	*integral = 1;
	if (*p == '-')
		p++;
	if (!is_digit(p, r->end))
		return syntax(r, p, "invalid number");
	if (*p == '0')
		p++;
	else
		while (is_digit(p, r->end))
			p++;
	if (p < r->end && *p == '.') {
		*integral = 0;
		if (!is_digit(++p, r->end))
			return syntax(r, p, "invalid number");
		while (is_digit(p, r->end))
			p++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		*integral = 0;
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, r->end))
			return syntax(r, p, "invalid number");
		while (is_digit(p, r->end))
			p++;
	}
	*len = (size_t)(p - *begin);
	r->p = p;
	return 0;
}

int og_jr_int(struct og_jr *r, const char *path, int64_t min, int64_t max, int64_t *out)
{
	const char *s;
	size_t len, i = 0;
	int integral, neg;
	uint64_t v = 0;

	if (expect(r, OG_JR_NUMBER, path) < 0 || read_number(r, &s, &len, &integral) < 0)
		return -1;
	if (!integral)
		return og_fail(r->e, "%s: expected an integer, found %.*s", path, (int)(len > 40 ? 40 : len), s);
	neg = s[0] == '-';
	for (i = (size_t)neg; i < len; i++) {
		if (v > (UINT64_MAX - 9) / 10)	/* no wrap; the range check follows */
			return og_fail(r->e, "%s: integer out of range [%lld, %lld]", path, (long long)min,
				       (long long)max);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return og_fail(r->e, "%s: integer out of range [%lld, %lld]", path, (long long)min,
			       (long long)max);
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	if (*out < min || *out > max)
		return og_fail(r->e, "%s: %lld is out of range [%lld, %lld]", path, (long long)*out,
			       (long long)min, (long long)max);
	return 0;
}

int og_jr_number(struct og_jr *r, const char *path, const char **text, size_t *len, int *integral)
{
	if (expect(r, OG_JR_NUMBER, path) < 0)
		return -1;
	return read_number(r, text, len, integral);
}

static int literal(struct og_jr *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return syntax(r, r->p, "invalid literal");
	r->p += n;
	return 0;
}

int og_jr_bool(struct og_jr *r, const char *path, int *out)
{
	if (expect(r, OG_JR_BOOLEAN, path) < 0)
		return -1;
	*out = *r->p == 't';
	return literal(r, *out ? "true" : "false");
}

int og_jr_null(struct og_jr *r, const char *path)
{
	if (expect(r, OG_JR_NULL, path) < 0)
		return -1;
	return literal(r, "null");
}

int og_jr_error(struct og_jr *r, const char *msg)
{
	return syntax(r, r->p, msg);
}

int og_jr_skip(struct og_jr *r)
{
	unsigned base = r->depth;

	for (;;) {
		const char *s;
		size_t len;
		int integral, b, m = 0;

		switch (og_jr_peek(r)) {
		case OG_JR_OBJECT:
		case OG_JR_ARRAY: m = open_container(r); break;
		case OG_JR_STRING: m = read_string(r, &s, &len); break;
		case OG_JR_NUMBER: m = read_number(r, &s, &len, &integral); break;
		case OG_JR_BOOLEAN: m = og_jr_bool(r, "", &b); break;
		case OG_JR_NULL: m = og_jr_null(r, ""); break;
		case OG_JR_END: return syntax(r, r->p, "unexpected end of input");
		case OG_JR_INVALID: return syntax(r, r->p, "expected a value");
		}
		if (m < 0)
			return -1;
		/* Close the containers that end here, up to the next value. */
		do {
			if (r->depth == base)
				return 0;
			m = r->object[r->depth - 1] ? og_jr_member(r, &s) : og_jr_element(r);
			if (m < 0)
				return -1;
		} while (m == 0);
	}
}

int og_jr_finish(struct og_jr *r)
{
	if (og_jr_peek(r) != OG_JR_END)
		return syntax(r, r->p, "unexpected data after the value");
	return 0;
}
