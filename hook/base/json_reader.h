/* A strict JSON pull reader: one pass, no allocation, strings decoded in
 * place in the caller's buffer, so what it returns points into that buffer.
 * og_json_parse builds jansson trees with it, and the trust store, which can
 * allowlist thousands of digests, is read with it directly, without a tree.
 *
 * It accepts RFC 8259 JSON and nothing else: invalid UTF-8, control
 * characters, \u0000 and lone surrogates in strings, NUL bytes, leading
 * zeros, trailing commas and anything after the value are errors, and
 * nesting is limited.  tests/fuzz/fuzz_json_reader.c holds it to jansson's
 * own parser.  Duplicate keys are the caller's to refuse: og_jr_member_of
 * does it for objects with a fixed set of keys.  Syntax errors name the line
 * and column; type errors the path the caller passes. */
#ifndef OCIGATE_JSON_READER_H
#define OCIGATE_JSON_READER_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

#define OG_JR_MAX_DEPTH 64

enum og_jr_kind {
	OG_JR_END,		/* nothing but whitespace left */
	OG_JR_OBJECT,
	OG_JR_ARRAY,
	OG_JR_STRING,
	OG_JR_NUMBER,
	OG_JR_BOOLEAN,
	OG_JR_NULL,
	OG_JR_INVALID,		/* no value can start here */
};

struct og_jr {
	char *start, *p, *end;
	char *line_start;	/* for the column in syntax errors */
	int line;
	const char *what;	/* names the document in syntax errors */
	og_error *e;
	unsigned depth;
	unsigned char more[OG_JR_MAX_DEPTH];	/* a member or element was read at this level */
	unsigned char object[OG_JR_MAX_DEPTH];	/* the container at this level is an object */
};

/* Read data[0..len); the reader writes decoded strings into it. */
void og_jr_init(struct og_jr *r, char *data, size_t len, const char *what, og_error *e);

/* The kind of the next value, without consuming it. */
enum og_jr_kind og_jr_peek(struct og_jr *r);
const char *og_jr_kind_name(enum og_jr_kind k);

/* Containers: og_jr_object/og_jr_array consume the opening bracket.  Then
 * og_jr_member/og_jr_element return 1 when a member or element follows (the
 * member's key read, its ':' consumed: read its value next), 0 once the
 * closing bracket is consumed, -1 on error. */
int og_jr_object(struct og_jr *r, const char *path);
int og_jr_member(struct og_jr *r, const char **key);
int og_jr_array(struct og_jr *r, const char *path);
int og_jr_element(struct og_jr *r);

/* The next member of an object whose keys must come from `keys`
 * (NULL-terminated, at most 32): 1 with *index, 0 at the end, -1 for an
 * unknown or repeated key (bit i of *seen records keys[i]). */
int og_jr_member_of(struct og_jr *r, const char *const *keys, unsigned *seen, const char *path,
		    int *index);

/* An object whose members are all strings, keys from `keys` (as
 * og_jr_member_of): values[i] is set for each keys[i] present, the others
 * are left alone.  0, or -1 with the reason.  One call per object: the
 * allowlist has thousands. */
int og_jr_string_object(struct og_jr *r, const char *path, const char *const *keys, const char **values);

/* Scalars: 0 and the value, or -1 ("PATH: expected a string, found ..."). */
int og_jr_string(struct og_jr *r, const char *path, const char **s, size_t *len);
int og_jr_int(struct og_jr *r, const char *path, int64_t min, int64_t max, int64_t *out);
int og_jr_bool(struct og_jr *r, const char *path, int *out);
int og_jr_null(struct og_jr *r, const char *path);
/* Any number: its text (not NUL-terminated) and whether it is an integer
 * (no fraction, no exponent). */
int og_jr_number(struct og_jr *r, const char *path, const char **text, size_t *len, int *integral);

/* A syntax error at the current position ("WHAT: invalid JSON at line L
 * column C: msg"); returns -1. */
int og_jr_error(struct og_jr *r, const char *msg);

/* Check and step over any value. */
int og_jr_skip(struct og_jr *r);

/* 0 when only whitespace is left after the top-level value. */
int og_jr_finish(struct og_jr *r);

#endif
