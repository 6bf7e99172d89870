/*
 * byte_codec.h — big-endian (network order) reading and writing of fixed
 * width fields, for the binary send/receive formats.  Readers check the
 * remaining length before every field and latch the first failure.
 */
#ifndef BYTE_CODEC_H
#define BYTE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ByteWriter
{
	uint8_t    *p;
} ByteWriter;

typedef struct ByteReader
{
	const uint8_t *p;
	const uint8_t *end;
	bool		truncated;
} ByteReader;

static inline void
bw_u8(ByteWriter *w, uint8_t v)
{
	*w->p++ = v;
}

static inline void
bw_u16(ByteWriter *w, uint16_t v)
{
	bw_u8(w, (uint8_t) (v >> 8));
	bw_u8(w, (uint8_t) v);
}

static inline void
bw_u32(ByteWriter *w, uint32_t v)
{
	bw_u16(w, (uint16_t) (v >> 16));
	bw_u16(w, (uint16_t) v);
}

static inline void
bw_u64(ByteWriter *w, uint64_t v)
{
	bw_u32(w, (uint32_t) (v >> 32));
	bw_u32(w, (uint32_t) v);
}

static inline void
bw_i64(ByteWriter *w, int64_t v)
{
	bw_u64(w, (uint64_t) v);
}

static inline void
bw_f64(ByteWriter *w, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	bw_u64(w, bits);
}

static inline uint8_t
br_u8(ByteReader *r)
{
	if (r->truncated || r->p >= r->end)
	{
		r->truncated = true;
		return 0;
	}
	return *r->p++;
}

static inline uint16_t
br_u16(ByteReader *r)
{
	uint16_t	hi = br_u8(r);

	return (uint16_t) ((hi << 8) | br_u8(r));
}

static inline uint32_t
br_u32(ByteReader *r)
{
	uint32_t	hi = br_u16(r);

	return (hi << 16) | br_u16(r);
}

static inline uint64_t
br_u64(ByteReader *r)
{
	uint64_t	hi = br_u32(r);

	return (hi << 32) | br_u32(r);
}

static inline int64_t
br_i64(ByteReader *r)
{
	return (int64_t) br_u64(r);
}

static inline double
br_f64(ByteReader *r)
{
	uint64_t	bits = br_u64(r);
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

#endif
