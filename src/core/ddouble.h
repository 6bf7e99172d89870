/*
 * ddouble.h — double-double arithmetic (a value is hi + lo, about 106 bits),
 * enough to subtract the large, nearly equal power sums behind a variance
 * (sum t^2 - (sum t)^2 / n) without losing every significant digit when the
 * terms share a large offset.  Error-free transformations: Knuth's TwoSum
 * and the fma-based TwoProduct; see Dekker (1971), Hida, Li and Bailey (2001).
 */
#ifndef DDOUBLE_H
#define DDOUBLE_H

#include <math.h>

#include "compsum.h"

typedef struct DD
{
	double		hi;
	double		lo;
} DD;

static inline DD
dd_two_sum(double a, double b)
{
	double		s = a + b;
	double		z = s - a;
	DD			r = {s, (a - (s - z)) + (b - z)};

	return r;
}

static inline DD
dd_quick_two_sum(double a, double b)
{
	double		s = a + b;
	DD			r = {s, b - (s - a)};

	return r;
}

static inline DD
dd_two_prod(double a, double b)
{
	double		p = a * b;
	DD			r = {p, fma(a, b, -p)};

	return r;
}

static inline DD
dd_from_sum(const CompSum *s)
{
	return dd_two_sum(s->hi, s->lo);
}

static inline DD
dd_add(DD a, DD b)
{
	DD			s = dd_two_sum(a.hi, b.hi);
	DD			t = dd_two_sum(a.lo, b.lo);

	s.lo += t.hi;
	s = dd_quick_two_sum(s.hi, s.lo);
	s.lo += t.lo;
	return dd_quick_two_sum(s.hi, s.lo);
}

static inline DD
dd_sub(DD a, DD b)
{
	DD			nb = {-b.hi, -b.lo};

	return dd_add(a, nb);
}

static inline DD
dd_mul(DD a, DD b)
{
	DD			p = dd_two_prod(a.hi, b.hi);

	p.lo += a.hi * b.lo + a.lo * b.hi;
	return dd_quick_two_sum(p.hi, p.lo);
}

static inline DD
dd_mul_d(DD a, double b)
{
	DD			p = dd_two_prod(a.hi, b);

	p.lo += a.lo * b;
	return dd_quick_two_sum(p.hi, p.lo);
}

static inline DD
dd_div_d(DD a, double b)
{
	double		q1 = a.hi / b;
	DD			r = dd_sub(a, dd_two_prod(q1, b));

	return dd_quick_two_sum(q1, r.hi / b);
}

static inline DD
dd_div(DD a, DD b)
{
	double		q1 = a.hi / b.hi;
	DD			r = dd_sub(a, dd_mul_d(b, q1));

	return dd_quick_two_sum(q1, r.hi / b.hi);
}

static inline double
dd_value(DD a)
{
	return a.hi + a.lo;
}

#endif
