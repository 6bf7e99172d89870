/*
 * rng.h — platform-independent randomness: SplitMix64 (Steele, Lea and
 * Flood, OOPSLA 2014).  A seeded draw is a pure function of the seed; a
 * stream is a 64-bit state advanced by the golden-ratio increment.
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

/* The SplitMix64 output function: a bijective 64-bit mixer. */
static inline uint64_t
rng_mix64(uint64_t z)
{
	/* inline: the bootstrap draws one per two replicates per row */
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* A uniform double in [0, 1) determined by seed alone (53 random bits). */
double		rng_uniform_from_seed(int64_t seed);

/* The next uniform double in [0, 1) of the stream *state. */
double		rng_stream_uniform(uint64_t *state);

#endif
