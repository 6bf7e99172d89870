/*
 * compsum.h — compensated (double-double style) running sums.
 *
 * Each sum is a pair (hi, lo) whose exact value is hi + lo.  Adding x uses
 * Knuth's TwoSum (or, when |hi| >= |x|, Dekker's Fast2Sum, which gives the
 * same error term), recovering the rounding error of hi + x exactly:
 *     t = hi + x;  z = t - hi;  err = (hi - (t - z)) + (x - z)
 * and accumulates it in lo (Kahan–Babuška/Neumaier summation, error bound
 * O(eps) * sum|x| + O(n eps^2) instead of O(n eps)).  Two sums merge the
 * same way, so partial states from parallel workers, partitions or nodes
 * combine without losing the compensation.
 *
 * Reference: D. E. Knuth, TAOCP vol. 2, §4.2.2; A. Neumaier, ZAMM 54 (1974).
 */
#ifndef COMPSUM_H
#define COMPSUM_H

#include <math.h>

typedef struct CompSum
{
	double		hi;
	double		lo;
} CompSum;

static inline void
compsum_add(CompSum *s, double x)
{
	double		t = s->hi + x;

	if (fabs(s->hi) >= fabs(x))
	{
		/*
		 * Dekker's Fast2Sum: with |hi| >= |x| the rounding error is exactly
		 * x - (t - hi), the same value TwoSum finds, in half the operations.
		 * Once a sum has grown this is nearly every row, so the branch is
		 * predictable.
		 */
		s->lo += x - (t - s->hi);
	}
	else
	{
		double		z = t - s->hi;

		s->lo += (s->hi - (t - z)) + (x - z);
	}
	s->hi = t;
}

/*
 * s[0] += x0 and s[1] += x1: TwoSum on both lanes of one SIMD register
 * where the compiler offers vector extensions (SSE2 on x86-64, NEON on
 * arm64), the same IEEE operations per lane and so the same results as two
 * compsum_add calls.  The per-row OPE transition adds 10 to 15 terms.
 */
#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
typedef double CompSumPair __attribute__((vector_size(16)));

static inline void
compsum_add2(CompSum *s, double x0, double x1)
{
	CompSumPair h = {s[0].hi, s[1].hi};
	CompSumPair l = {s[0].lo, s[1].lo};
	CompSumPair x = {x0, x1};
	CompSumPair t = h + x;
	CompSumPair z = t - h;

	l += (h - (t - z)) + (x - z);
	s[0].hi = t[0];
	s[0].lo = l[0];
	s[1].hi = t[1];
	s[1].lo = l[1];
}
#else
static inline void
compsum_add2(CompSum *s, double x0, double x1)
{
	compsum_add(&s[0], x0);
	compsum_add(&s[1], x1);
}
#endif

static inline void
compsum_merge(CompSum *s, const CompSum *other)
{
	compsum_add(s, other->hi);
	s->lo += other->lo;
}

static inline double
compsum_value(const CompSum *s)
{
	return s->hi + s->lo;
}

#endif
