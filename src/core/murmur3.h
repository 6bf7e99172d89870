/*
 * murmur3.h — MurmurHash3_x86_32 (Austin Appleby, public domain), in
 * portable C.
 *
 * The 4-byte blocks are read little-endian byte by byte, so the result
 * depends only on the bytes and the seed: it is the same on every platform
 * (big- or little-endian, with or without unaligned loads) and equals the
 * reference implementation's output on x86, which is what scikit-learn
 * (sklearn.utils.murmurhash3_32), Python's mmh3, Perl's
 * Digest::MurmurHash3 and most other ports return.
 */
#ifndef MURMUR3_H
#define MURMUR3_H

#include <stddef.h>
#include <stdint.h>

/*
 * The 32-bit hash of len bytes at key (key may be NULL when len is 0).
 * As in the reference, the length enters the finalisation as
 * (uint32_t) len.
 */
uint32_t	murmur3_x86_32(const void *key, size_t len, uint32_t seed);

#endif
