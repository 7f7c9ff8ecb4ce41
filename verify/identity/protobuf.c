#include "verify/identity/protobuf.h"

#include <string.h>

void og_pb_reader_init(struct og_pb_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->off = 0;
	r->depth = 0;
}

int og_pb_varint(const uint8_t *p, size_t len, uint64_t *value, size_t *used, og_error *e)
{
	uint64_t v = 0;

	for (size_t i = 0; i < OG_PB_MAX_VARINT_BYTES; i++) {
		if (i >= len)
			return og_fail(e, "truncated varint (%zu bytes, no final byte)", len);
		/* The tenth byte carries only bit 63: anything more overflows. */
		if (i == OG_PB_MAX_VARINT_BYTES - 1 && p[i] > 1)
			return og_fail(e, "varint overflows 64 bits");
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			*value = v;
			*used = i + 1;
			return 0;
		}
	}
	return og_fail(e, "varint longer than %d bytes", OG_PB_MAX_VARINT_BYTES);
}

int og_pb_next(struct og_pb_reader *r, struct og_pb_field *f, og_error *e)
{
	size_t start = r->off, used;
	uint64_t tag, v;

	if (r->off >= r->len)
		return 0;
	if (og_pb_varint(r->data + r->off, r->len - r->off, &tag, &used, e) < 0)
		return og_wrap(e, "protobuf: tag at byte %zu", start);
	r->off += used;
	if ((tag >> 3) == 0 || (tag >> 3) > OG_PB_MAX_FIELD_NUMBER)
		return og_fail(e, "protobuf: tag at byte %zu: invalid field number %llu", start,
			       (unsigned long long)(tag >> 3));
	memset(f, 0, sizeof *f);
	f->number = (uint32_t)(tag >> 3);
	switch (tag & 7) {
	case OG_PB_VARINT:
		if (og_pb_varint(r->data + r->off, r->len - r->off, &v, &used, e) < 0)
			return og_wrap(e, "protobuf: field %u at byte %zu", f->number, start);
		r->off += used;
		f->wire = OG_PB_VARINT;
		f->u64 = v;
		return 1;
	case OG_PB_I64:
	case OG_PB_I32: {
		size_t n = (tag & 7) == OG_PB_I64 ? 8 : 4;

		if (r->len - r->off < n)
			return og_fail(e, "protobuf: field %u at byte %zu: %zu-byte value runs past the end",
				       f->number, start, n);
		v = 0;
		for (size_t i = 0; i < n; i++)
			v |= (uint64_t)r->data[r->off + i] << (8 * i);
		r->off += n;
		f->wire = (enum og_pb_wire)(tag & 7);
		f->u64 = v;
		return 1;
	}
	case OG_PB_LEN:
		if (og_pb_varint(r->data + r->off, r->len - r->off, &v, &used, e) < 0)
			return og_wrap(e, "protobuf: length of field %u at byte %zu", f->number, start);
		r->off += used;
		if (v > r->len - r->off)
			return og_fail(e, "protobuf: field %u at byte %zu: length %llu runs past the end "
				       "(%zu bytes left)", f->number, start, (unsigned long long)v,
				       r->len - r->off);
		f->wire = OG_PB_LEN;
		f->bytes = r->data + r->off;
		f->len = (size_t)v;
		r->off += (size_t)v;
		return 1;
	default:
		/* 3 and 4 are the deprecated groups, 6 and 7 do not exist. */
		return og_fail(e, "protobuf: field %u at byte %zu: unsupported wire type %u", f->number,
			       start, (unsigned)(tag & 7));
	}
}

static const char *wire_name(enum og_pb_wire w)
{
	switch (w) {
	case OG_PB_VARINT: return "varint";
	case OG_PB_I64: return "fixed64";
	case OG_PB_LEN: return "length-delimited";
	case OG_PB_I32: return "fixed32";
	}
	return "unknown";
}

int og_pb_expect(const struct og_pb_field *f, enum og_pb_wire wire, const char *what, og_error *e)
{
	if (f->wire != wire)
		return og_fail(e, "%s (field %u): expected %s, found %s", what, f->number,
			       wire_name(wire), wire_name(f->wire));
	return 0;
}

int og_pb_enter(const struct og_pb_reader *parent, const struct og_pb_field *f,
		struct og_pb_reader *sub, og_error *e)
{
	if (f->wire != OG_PB_LEN)
		return og_fail(e, "protobuf: field %u: embedded message is %s, not length-delimited",
			       f->number, wire_name(f->wire));
	if (parent->depth + 1 > OG_PB_MAX_DEPTH)
		return og_fail(e, "protobuf: field %u: messages nested deeper than %d levels", f->number,
			       OG_PB_MAX_DEPTH);
	og_pb_reader_init(sub, f->bytes, f->len);
	sub->depth = parent->depth + 1;
	return 0;
}

int og_pb_string(const struct og_pb_field *f, const char *what, char *out, size_t size, og_error *e)
{
	if (f->wire != OG_PB_LEN)
		return og_pb_expect(f, OG_PB_LEN, what, e);
	if (f->len >= size)
		return og_fail(e, "%s: %zu bytes, longer than the limit of %zu", what, f->len, size - 1);
	if (f->len > 0 && memchr(f->bytes, '\0', f->len) != NULL)
		return og_fail(e, "%s: contains a NUL byte", what);
	if (f->len > 0)
		memcpy(out, f->bytes, f->len);
	out[f->len] = '\0';
	return 0;
}

void og_pb_writer_init(struct og_pb_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf != NULL ? cap : 0;
	w->len = 0;
	w->overflow = 0;
}

static void put(struct og_pb_writer *w, const void *data, size_t len)
{
	if (w->overflow || len > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	if (len > 0)
		memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void og_pb_put_raw_varint(struct og_pb_writer *w, uint64_t v)
{
	uint8_t tmp[OG_PB_MAX_VARINT_BYTES];
	size_t n = 0;

	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			tmp[n] |= 0x80;
		n++;
	} while (v != 0);
	put(w, tmp, n);
}

void og_pb_put_tag(struct og_pb_writer *w, uint32_t number, enum og_pb_wire wire)
{
	if (number == 0 || number > OG_PB_MAX_FIELD_NUMBER) {
		w->overflow = 1;	/* a programming error: make the message unusable */
		return;
	}
	og_pb_put_raw_varint(w, ((uint64_t)number << 3) | (uint64_t)wire);
}

void og_pb_put_uint(struct og_pb_writer *w, uint32_t number, uint64_t v)
{
	og_pb_put_tag(w, number, OG_PB_VARINT);
	og_pb_put_raw_varint(w, v);
}

void og_pb_put_bytes(struct og_pb_writer *w, uint32_t number, const void *data, size_t len)
{
	og_pb_put_tag(w, number, OG_PB_LEN);
	og_pb_put_raw_varint(w, len);
	put(w, data, len);
}

void og_pb_put_string(struct og_pb_writer *w, uint32_t number, const char *s)
{
	og_pb_put_bytes(w, number, s, strlen(s));
}

int og_pb_writer_check(const struct og_pb_writer *w, const char *what, og_error *e)
{
	if (w->overflow)
		return og_fail(e, "%s: encoded message does not fit in %zu bytes", what, w->cap);
	return 0;
}
