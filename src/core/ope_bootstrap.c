/*
 * ope_bootstrap.c — see ope_bootstrap.h.
 */
#include "ope_bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

const char *const ope_boot_sum_names[OPE_BNSUMS] = {
	"n", "pi", "pi_r", "w", "w_r", "v", "w_e"
};

/* floor(2^32 P(X <= k)) for X ~ Poisson(1), k = 0..12 (exact, from e^-1 to 60 digits) */
static const uint32_t poisson_cdf32[13] = {
	1580030168u, 3160060337u, 3950075421u, 4213413783u, 4279248373u, 4292415291u,
	4294609777u, 4294923276u, 4294962463u, 4294966817u, 4294967252u, 4294967292u,
	4294967295u
};

#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

/*
 * The draw for u: a table on u's top 12 bits answers when no CDF threshold
 * falls inside that bucket (all but at most 13 of 4096, so the fallback
 * branch is almost never taken); the rest count thresholds.
 */
#define POISSON_AMBIGUOUS 255
#define POISSON_TOP_BITS 12
static uint8_t poisson_by_top[1 << POISSON_TOP_BITS];
static bool poisson_table_ready;

static int
poisson_count(uint32_t u)
{
	int			k,
				w = 0;

	for (k = 0; k < 13; k++)
		w += u >= poisson_cdf32[k];
	return w;
}

static void
poisson_table_init(void)
{
	int			b;

	for (b = 0; b < (1 << POISSON_TOP_BITS); b++)
	{
		uint32_t	lo = (uint32_t) b << (32 - POISSON_TOP_BITS),
					hi = lo | (UINT32_MAX >> POISSON_TOP_BITS);
		int			wlo = poisson_count(lo);

		poisson_by_top[b] = wlo == poisson_count(hi) ? (uint8_t) wlo : POISSON_AMBIGUOUS;
	}
	poisson_table_ready = true;
}

static inline int
poisson_from_u32(uint32_t u)
{
	int			w = poisson_by_top[u >> (32 - POISSON_TOP_BITS)];

	return w != POISSON_AMBIGUOUS ? w : poisson_count(u);
}

/* The per-row key: unit and seed mixed, so that units and seeds never collide linearly. */
static inline uint64_t
row_key(int64_t seed, int64_t unit)
{
	return rng_mix64(rng_mix64((uint64_t) seed) ^ ((uint64_t) unit * GOLDEN));
}

/* Replicates 2j and 2j + 1 share one 64-bit draw: its low and high halves. */
static inline uint64_t
pair_draw(uint64_t key, int j)
{
	return rng_mix64(key + (uint64_t) (j + 1) * GOLDEN);
}

int
ope_boot_weight(int64_t seed, int64_t unit, int replicate)
{
	uint64_t	h;

	if (!poisson_table_ready)
		poisson_table_init();
	h = pair_draw(row_key(seed, unit), replicate / 2);

	return poisson_from_u32((uint32_t) (replicate % 2 ? h >> 32 : h));
}

size_t
ope_boot_bytes(int replicates)
{
	return sizeof(OpeBootstrap) + (size_t) replicates * OPE_BNSUMS * sizeof(CompSum);
}

bool
ope_boot_check_replicates(int64_t replicates, AbError *err)
{
	if (replicates < 1 || replicates > OPE_BOOT_MAX_REPLICATES)
		return ab_fail(err, AB_ERR_VALUE, "replicates must be in 1..%d, got %lld",
					   OPE_BOOT_MAX_REPLICATES, (long long) replicates);
	return true;
}

void
ope_boot_init(OpeBootstrap *b, bool dr, int replicates, int64_t seed)
{
	memset(b, 0, ope_boot_bytes(replicates));
	b->version = OPE_BOOT_VERSION;
	b->flags = dr ? OPE_FLAG_DR : 0;
	b->replicates = replicates;
	b->seed = seed;
	ope_state_init(&b->base, dr);
}

#define CHUNK 256

/*
 * hi[r] + lo[r] += omega[r] * t for r < n: TwoSum on every lane, the same
 * IEEE operations as compsum_add (so the same bits), two lanes at a time
 * where the compiler offers vector extensions (PostgreSQL builds with -O2,
 * which does not vectorise this loop by itself).
 */
#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
typedef double Lanes2 __attribute__((vector_size(16)));

static void
add_weighted(double *restrict hi, double *restrict lo, const double *restrict omega, double t, int n)
{
	Lanes2		tt = {t, t};
	int			r;

	for (r = 0; r + 2 <= n; r += 2)
	{
		Lanes2		h,
					l,
					w,
					x,
					s,
					z;

		memcpy(&h, hi + r, sizeof(h));
		memcpy(&l, lo + r, sizeof(l));
		memcpy(&w, omega + r, sizeof(w));
		x = w * tt;
		s = h + x;
		z = s - h;
		l += (h - (s - z)) + (x - z);
		memcpy(hi + r, &s, sizeof(s));
		memcpy(lo + r, &l, sizeof(l));
	}
	for (; r < n; r++)
	{
		CompSum		c = {hi[r], lo[r]};

		compsum_add(&c, omega[r] * t);
		hi[r] = c.hi;
		lo[r] = c.lo;
	}
}
#else
static void
add_weighted(double *hi, double *lo, const double *omega, double t, int n)
{
	int			r;

	for (r = 0; r < n; r++)
	{
		CompSum		c = {hi[r], lo[r]};

		compsum_add(&c, omega[r] * t);
		hi[r] = c.hi;
		lo[r] = c.lo;
	}
}
#endif

bool
ope_boot_add(OpeBootstrap *b, const OpeRow *row, unsigned present, bool has_unit, int64_t unit,
			 AbError *err)
{
	bool		dr = ope_boot_is_dr(b);
	int64_t		counted = b->base.n;
	double		t[OPE_BNSUMS],
				omega[CHUNK];
	int			nterms,
				k,
				from,
				r;
	uint64_t	key;

	/* a row without its unit is checked and skipped like any row with a NULL */
	if (!ope_state_add(&b->base, row, has_unit ? present : present & ~OPE_IN_R, err))
		return false;
	if (b->base.n == counted)
		return true;			/* skipped */
	if (!poisson_table_ready)
		poisson_table_init();
	t[OPE_B_N] = 1.0;
	t[OPE_B_PI] = row->pi;
	t[OPE_B_PI_R] = row->pi * row->r;
	t[OPE_B_W] = row->pi > 0.0 ? row->pi / row->mu : 0.0;
	t[OPE_B_W_R] = t[OPE_B_W] * row->r;
	t[OPE_B_V] = dr ? row->v : 0.0;
	t[OPE_B_W_E] = dr ? t[OPE_B_W] * (row->r - row->q) : 0.0;
	/* the base state checked every square: omega (<= 13) times a term cannot overflow */
	nterms = dr ? OPE_BNSUMS : OPE_B_V;
	key = row_key(b->seed, unit);
	for (from = 0; from < b->replicates; from += CHUNK)
	{
		int			to = from + CHUNK < b->replicates ? from + CHUNK : b->replicates;

		for (r = from; r < to; r += 2)
		{
			uint64_t	h = pair_draw(key, r / 2);

			omega[r - from] = poisson_from_u32((uint32_t) h);
			if (r + 1 < to)
				omega[r + 1 - from] = poisson_from_u32((uint32_t) (h >> 32));
		}
		/*
		 * n: sums of small integers, exact in a double (below 2^53; the
		 * base state's row count, at most 2^63 / 13 rows of weight <= 12,
		 * could pass it only after 7e14 rows), so no compensation: its lo
		 * stays 0, as TwoSum would leave it.
		 */
		{
			double	   *n = ope_boot_hi(b, OPE_B_N) + from;

			for (r = 0; r < to - from; r++)
				n[r] += omega[r];
		}
		for (k = OPE_B_N + 1; k < nterms; k++)
			if (t[k] != 0.0)	/* unmatched rows add to n (and v) only */
				add_weighted(ope_boot_hi(b, k) + from, ope_boot_lo(b, k) + from, omega, t[k], to - from);
	}
	/* a replicate sum can only overflow if the base sums (checked) nearly do */
	return true;
}

bool
ope_boot_merge(OpeBootstrap *dst, const OpeBootstrap *src, AbError *err)
{
	int			k,
				r;

	if (ope_boot_is_dr(dst) != ope_boot_is_dr(src))
	{
		ab_fail(err, AB_ERR_MISMATCH,
				"cannot merge an ope_bootstrap_state with reward-model inputs and one without");
		ab_detail(err, "States from ope_bootstrap with and without q_logged and v_target measure different things.");
		return false;
	}
	if (dst->replicates != src->replicates || dst->seed != src->seed)
	{
		ab_fail(err, AB_ERR_MISMATCH,
				"cannot merge ope_bootstrap_state values of different bootstraps (%d and %d replicates, seeds %lld and %lld)",
				dst->replicates, src->replicates, (long long) dst->seed, (long long) src->seed);
		ab_detail(err, "Replicate weights are drawn from the seed: only states of one seed and replicate count describe the same bootstrap.");
		return false;
	}
	for (k = 0; k < OPE_BNSUMS; k++)
		for (r = 0; r < dst->replicates; r++)
		{
			CompSum		c = ope_boot_sum(dst, k, r),
						o = ope_boot_sum(src, k, r);

			compsum_merge(&c, &o);
			if (!isfinite(c.hi) || !isfinite(c.lo))
				return ab_fail(err, AB_ERR_OUT_OF_RANGE,
							   "a bootstrap replicate sum is out of range after merging");
		}
	if (!ope_state_merge(&dst->base, &src->base, err))
		return false;
	for (k = 0; k < OPE_BNSUMS; k++)
		for (r = 0; r < dst->replicates; r++)
		{
			CompSum		c = ope_boot_sum(dst, k, r),
						o = ope_boot_sum(src, k, r);

			compsum_merge(&c, &o);
			ope_boot_set_sum(dst, k, r, c);
		}
	return true;
}

bool
ope_boot_validate(const OpeBootstrap *b, AbErrorKind kind, AbError *err)
{
	size_t		i,
				n;
	AbError		why;

	if (b->version != OPE_BOOT_VERSION)
		return ab_fail(err, kind, "unsupported ope_bootstrap_state version %d", (int) b->version);
	if ((b->flags & ~OPE_FLAG_DR) != 0 || b->reserved != 0)
		return ab_fail(err, kind, "ope_bootstrap_state has unknown flags or non-zero reserved bits");
	if (!ope_boot_check_replicates(b->replicates, &why))
		return ab_fail(err, kind, "ope_bootstrap_state: %s", why.message);
	if (ope_state_is_dr(&b->base) != ope_boot_is_dr(b) || b->base.nlambdas != 0)
		return ab_fail(err, kind, "ope_bootstrap_state has an inconsistent base state");
	if (!ope_state_validate(&b->base, kind, err))
		return false;
	n = (size_t) b->replicates * OPE_BNSUMS;
	for (i = 0; i < n; i++)
	{
		int			k = (int) (i / b->replicates);
		CompSum		sum = ope_boot_sum(b, k, (int) (i % b->replicates));
		const CompSum *c = &sum;
		double		v = c->hi + c->lo;

		if (!isfinite(c->hi) || !isfinite(c->lo) || !isfinite(v))
			return ab_fail(err, kind, "ope_bootstrap_state sum \"%s\" is not finite", ope_boot_sum_names[k]);
		if ((k == OPE_B_N || k == OPE_B_PI || k == OPE_B_W) && v < 0.0)
			return ab_fail(err, kind, "ope_bootstrap_state sum \"%s\" must not be negative",
						   ope_boot_sum_names[k]);
		/* exactly +0: the text form leaves a basic state's dr sums out */
		if (((k >= OPE_B_V && !ope_boot_is_dr(b)) || b->base.n == 0) &&
			(c->hi != 0.0 || c->lo != 0.0 || signbit(c->hi) || signbit(c->lo)))
			return ab_fail(err, kind, "ope_bootstrap_state sum \"%s\" must be zero here",
						   ope_boot_sum_names[k]);
	}
	return true;
}

static double
value_of(const OpeBootstrap *b, int k, int r)
{
	return ope_boot_hi(b, k)[r] + ope_boot_lo(b, k)[r];
}

bool
ope_boot_replicate(const OpeBootstrap *s, int e, int replicate, double *out)
{
	double		n = value_of(s, OPE_B_N, replicate),
				pi = value_of(s, OPE_B_PI, replicate),
				pi_r = value_of(s, OPE_B_PI_R, replicate),
				w = value_of(s, OPE_B_W, replicate),
				w_r = value_of(s, OPE_B_W_R, replicate),
				v = value_of(s, OPE_B_V, replicate),
				w_e = value_of(s, OPE_B_W_E, replicate),
				x;

	switch (e)
	{
		case 0:				/* replay */
			x = pi > 0.0 ? pi_r / pi : NAN;
			break;
		case 1:				/* ips */
			x = n > 0.0 ? w_r / n : NAN;
			break;
		case 2:				/* snips */
			x = w > 0.0 ? w_r / w : NAN;
			break;
		case 3:				/* dm */
			x = n > 0.0 ? v / n : NAN;
			break;
		case 4:				/* dr */
			x = n > 0.0 ? (v + w_e) / n : NAN;
			break;
		case 5:				/* sndr */
			x = n > 0.0 && w > 0.0 ? v / n + w_e / w : NAN;
			break;
		default:
			x = NAN;
	}
	*out = x;
	return isfinite(x);
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static double
quantile7(const double *sorted, int m, double p)
{
	double		h = (m - 1) * p;
	int			i = (int) floor(h);

	if (i >= m - 1)
		return sorted[m - 1];
	return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

bool
ope_boot_interval(const OpeBootstrap *s, int e, double confidence, double *work,
				  double *se, double *lo, double *hi)
{
	double		mean = 0.0,
				ss = 0.0;
	int			m = 0,
				r;

	for (r = 0; r < s->replicates; r++)
		if (ope_boot_replicate(s, e, r, &work[m]))
			m++;
	if (m < 2)
		return false;
	for (r = 0; r < m; r++)
		mean += work[r];
	mean /= m;
	for (r = 0; r < m; r++)
		ss += (work[r] - mean) * (work[r] - mean);
	*se = sqrt(ss / (m - 1));
	qsort(work, m, sizeof(double), compare_doubles);
	*lo = quantile7(work, m, (1.0 - confidence) / 2.0);
	*hi = quantile7(work, m, 1.0 - (1.0 - confidence) / 2.0);
	/* replicates that all agree say nothing about the error: no zero-width interval */
	return *se > 0.0 && *hi > *lo && isfinite(*se) && isfinite(*lo) && isfinite(*hi);
}
