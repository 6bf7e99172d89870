/*
 * ope_bootstrap.h — a clustered Poisson bootstrap of the estimators in one
 * pass, as mergeable sums (API.md section 4, ope_bootstrap).
 *
 * Each row of unit u (e.g. a user) carries, in replicate b, the weight
 * omega_b(u) ~ Poisson(1) drawn from a hash of (seed, u, b): rows of one
 * unit share their weights (a bootstrap that resamples units, not rows),
 * and a weight depends on nothing but those three numbers, so the sums --
 * and the replicate estimates -- are the same under any plan, partitioning
 * or merge order (up to the compensated sums' rounding, below 1e-30
 * relative).  Per replicate the state keeps
 *   sum omega, sum omega pi, sum omega pi r, sum omega w, sum omega w r
 *   (dr: sum omega v, sum omega w e)
 * from which every estimator of ope_report is a ratio: replay
 * = sum omega pi r / sum omega pi, ips = sum omega w r / sum omega, and so
 * on.  The state also holds the plain OpeState of its rows, for the point
 * estimates.
 *
 * Poisson(1) weights: a 32-bit uniform from SplitMix64 counted against the
 * Poisson CDF (exact to 2^-32 per value; P(omega > 12) < 2^-32 is cut).
 */
#ifndef OPE_BOOTSTRAP_H
#define OPE_BOOTSTRAP_H

#include "ope_state.h"

#define OPE_BOOT_VERSION 1
#define OPE_BOOT_MAX_REPLICATES 10000

typedef enum OpeBootSum
{
	OPE_B_N,					/* sum omega */
	OPE_B_PI,					/* sum omega pi */
	OPE_B_PI_R,					/* sum omega pi r */
	OPE_B_W,					/* sum omega w */
	OPE_B_W_R,					/* sum omega w r */
	OPE_B_V,					/* dr: sum omega v */
	OPE_B_W_E,					/* dr: sum omega w e */
	OPE_BNSUMS
} OpeBootSum;

extern const char *const ope_boot_sum_names[OPE_BNSUMS];

/*
 * Followed in memory by the replicate sums as two planes, double
 * hi[OPE_BNSUMS][replicates] then lo[OPE_BNSUMS][replicates] (a sum is
 * hi + lo, compensated): one sum's replicates are contiguous, so a row's
 * update is a loop the compiler vectorises.  ope_boot_bytes gives the size.
 */
typedef struct OpeBootstrap
{
	uint8_t		version;
	uint8_t		flags;			/* OPE_FLAG_DR */
	uint16_t	reserved;
	int32_t		replicates;
	int64_t		seed;
	OpeState	base;			/* without lambdas */
} OpeBootstrap;

size_t		ope_boot_bytes(int replicates);

static inline double *
ope_boot_hi(const OpeBootstrap *b, int k)
{
	return (double *) (uintptr_t) ((const char *) b + sizeof(OpeBootstrap)) +
		(size_t) k * b->replicates;
}

static inline double *
ope_boot_lo(const OpeBootstrap *b, int k)
{
	return ope_boot_hi(b, OPE_BNSUMS + k);
}

/* Sum k of replicate r. */
static inline CompSum
ope_boot_sum(const OpeBootstrap *b, int k, int r)
{
	CompSum		c = {ope_boot_hi(b, k)[r], ope_boot_lo(b, k)[r]};

	return c;
}

static inline void
ope_boot_set_sum(OpeBootstrap *b, int k, int r, CompSum c)
{
	ope_boot_hi(b, k)[r] = c.hi;
	ope_boot_lo(b, k)[r] = c.lo;
}

static inline bool
ope_boot_is_dr(const OpeBootstrap *b)
{
	return (b->flags & OPE_FLAG_DR) != 0;
}

/* replicates in 1..OPE_BOOT_MAX_REPLICATES */
bool		ope_boot_check_replicates(int64_t replicates, AbError *err);

/* An empty state; b points to ope_boot_bytes(replicates) bytes. */
void		ope_boot_init(OpeBootstrap *b, bool dr, int replicates, int64_t seed);

/* omega_b(unit) for replicate b, as the state draws it. */
int			ope_boot_weight(int64_t seed, int64_t unit, int replicate);

/*
 * Count one row of unit unit (present: the OPE_IN_* inputs given; a row
 * without its unit is passed with has_unit false and only skipped).
 */
bool		ope_boot_add(OpeBootstrap *b, const OpeRow *row, unsigned present, bool has_unit,
						 int64_t unit, AbError *err);

/* dst += src; the same kind, replicates and seed. */
bool		ope_boot_merge(OpeBootstrap *dst, const OpeBootstrap *src, AbError *err);

bool		ope_boot_validate(const OpeBootstrap *b, AbErrorKind kind, AbError *err);

/*
 * Replicate b's estimate of estimator e (one of the six base ones); false
 * when it is undefined in that replicate (a zero denominator).
 */
bool		ope_boot_replicate(const OpeBootstrap *s, int e, int replicate, double *out);

/*
 * Estimator e's bootstrap standard error (the replicates' sample standard
 * deviation) and percentile interval at confidence (type 7 quantiles:
 * linear between order statistics, as numpy and R's default), over the
 * replicates where it is defined; work holds s->replicates doubles.  False
 * when fewer than two replicates define it.
 */
bool		ope_boot_interval(const OpeBootstrap *s, int e, double confidence, double *work,
							  double *se, double *lo, double *hi);

#endif
