/*
 * rng.c — SplitMix64.  The draw for seed s is output number s + 1 of the
 * SplitMix64 generator started from state 0, so consecutive seeds give the
 * generator's consecutive outputs (which pass BigCrush).
 */
#include "rng.h"

#define GOLDEN_GAMMA UINT64_C(0x9E3779B97F4A7C15)

static double
to_unit(uint64_t bits)
{
	return (double) (bits >> 11) * (1.0 / 9007199254740992.0);
}

double
rng_uniform_from_seed(int64_t seed)
{
	return to_unit(rng_mix64((uint64_t) seed * GOLDEN_GAMMA + GOLDEN_GAMMA));
}

double
rng_stream_uniform(uint64_t *state)
{
	*state += GOLDEN_GAMMA;
	return to_unit(rng_mix64(*state));
}
