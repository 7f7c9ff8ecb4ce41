/* A minimal protocol-buffers wire reader and writer: just what the containerd
 * client needs (varints, length-delimited fields, skipping fixed-width ones).
 * The reader never trusts a length from the peer: every length is checked
 * against the bytes that remain, and embedded messages are entered through
 * og_pb_enter(), which bounds the nesting depth. */
#ifndef OCIGATE_PROTOBUF_H
#define OCIGATE_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

/* A varint is at most 10 bytes (64 bits in 7-bit groups). */
#define OG_PB_MAX_VARINT_BYTES 10
/* Embedded messages deeper than this are refused (the messages we decode
 * nest at most 4 levels: response, container, map entry, Any). */
#define OG_PB_MAX_DEPTH 8
/* Field numbers are 29 bits wide. */
#define OG_PB_MAX_FIELD_NUMBER ((1u << 29) - 1)

enum og_pb_wire {
	OG_PB_VARINT = 0,
	OG_PB_I64 = 1,
	OG_PB_LEN = 2,
	OG_PB_I32 = 5,
};

struct og_pb_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	unsigned depth;
};

struct og_pb_field {
	uint32_t number;
	enum og_pb_wire wire;
	uint64_t u64;		/* VARINT, I64 and I32 values */
	const uint8_t *bytes;	/* LEN: points into the reader's buffer */
	size_t len;
};

void og_pb_reader_init(struct og_pb_reader *r, const void *data, size_t len);

/* Decode one varint from p[0..len): 0 and *used bytes consumed, or -1 when it
 * is truncated or longer than 64 bits. */
int og_pb_varint(const uint8_t *p, size_t len, uint64_t *value, size_t *used, og_error *e);

/* Next field: 1 when one was read into *f, 0 at the end of the message, -1 on
 * malformed input (bad tag, field 0, group wire types, a length past the end). */
int og_pb_next(struct og_pb_reader *r, struct og_pb_field *f, og_error *e);

/* Require a field's wire type; `what` names the field in the error. */
int og_pb_expect(const struct og_pb_field *f, enum og_pb_wire wire, const char *what, og_error *e);

/* A reader over the embedded message in LEN field f, one level deeper than
 * parent; fails past OG_PB_MAX_DEPTH. */
int og_pb_enter(const struct og_pb_reader *parent, const struct og_pb_field *f,
		struct og_pb_reader *sub, og_error *e);

/* Copy a LEN field holding a string into out[size] with a NUL; fails when it
 * does not fit or holds a NUL byte. */
int og_pb_string(const struct og_pb_field *f, const char *what, char *out, size_t size, og_error *e);

/* Writer into a caller's fixed buffer; an overflow is remembered and
 * reported once by og_pb_writer_check(). */
struct og_pb_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int overflow;
};

void og_pb_writer_init(struct og_pb_writer *w, void *buf, size_t cap);
void og_pb_put_raw_varint(struct og_pb_writer *w, uint64_t v);
void og_pb_put_tag(struct og_pb_writer *w, uint32_t number, enum og_pb_wire wire);
void og_pb_put_uint(struct og_pb_writer *w, uint32_t number, uint64_t v);
void og_pb_put_bytes(struct og_pb_writer *w, uint32_t number, const void *data, size_t len);
void og_pb_put_string(struct og_pb_writer *w, uint32_t number, const char *s);
/* 0 when everything fit, -1 (naming `what`) after an overflow. */
int og_pb_writer_check(const struct og_pb_writer *w, const char *what, og_error *e);

#endif
