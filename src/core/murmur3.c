/*
 * murmur3.c — MurmurHash3_x86_32, after Austin Appleby's public-domain
 * reference (SMHasher, MurmurHash3.cpp).
 *
 * With c1 = 0xcc9e2d51, c2 = 0x1b873593 and all arithmetic mod 2^32:
 *   for each 4-byte block k (little-endian):
 *     k = rotl(k * c1, 15) * c2;   h = rotl(h ^ k, 13) * 5 + 0xe6546b64
 *   the 1 to 3 tail bytes t0 | t1 << 8 | t2 << 16 likewise mixed into k,
 *     h ^= k (no rotation or multiply of h);
 *   h ^= len;  h = fmix32(h), where fmix32 is
 *     h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16.
 *
 * Blocks are assembled from bytes with shifts rather than loaded as
 * uint32_t, so the code never does an unaligned load and gives the same
 * result on big-endian machines.
 */
#include "murmur3.h"

#define MURMUR3_C1 0xcc9e2d51u
#define MURMUR3_C2 0x1b873593u

static inline uint32_t
rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* The block mix applied to every 4-byte block and to the tail. */
static inline uint32_t
mix_k(uint32_t k)
{
	k *= MURMUR3_C1;
	k = rotl32(k, 15);
	return k * MURMUR3_C2;
}

/* The final avalanche. */
static inline uint32_t
fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
murmur3_x86_32(const void *key, size_t len, uint32_t seed)
{
	const unsigned char *p = (const unsigned char *) key;
	size_t		nblocks = len / 4;
	uint32_t	h = seed;
	uint32_t	k = 0;
	size_t		i;

	for (i = 0; i < nblocks; i++)
	{
		const unsigned char *b = p + i * 4;

		k = (uint32_t) b[0] | ((uint32_t) b[1] << 8) |
			((uint32_t) b[2] << 16) | ((uint32_t) b[3] << 24);
		h ^= mix_k(k);
		h = rotl32(h, 13);
		h = h * 5u + 0xe6546b64u;
	}

	/* the 1 to 3 bytes after the last block; p[nblocks * 4] onwards */
	k = 0;
	switch (len & 3)
	{
		case 3:
			k ^= (uint32_t) p[nblocks * 4 + 2] << 16;
			/* fall through */
		case 2:
			k ^= (uint32_t) p[nblocks * 4 + 1] << 8;
			/* fall through */
		case 1:
			k ^= (uint32_t) p[nblocks * 4];
			h ^= mix_k(k);
	}

	h ^= (uint32_t) len;
	return fmix32(h);
}
