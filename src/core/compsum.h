/*
 * compsum.h — compensated (double-double style) running sums.
 *
 * Each sum is a pair (hi, lo) whose exact value is hi + lo.  Adding x uses
 * Knuth's branch-free TwoSum, which recovers the rounding error of hi + x
 * exactly:
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

typedef struct CompSum
{
	double		hi;
	double		lo;
} CompSum;

static inline void
compsum_add(CompSum *s, double x)
{
	double		t = s->hi + x;
	double		z = t - s->hi;

	s->lo += (s->hi - (t - z)) + (x - z);
	s->hi = t;
}

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
