/*
 * normal.h — the standard normal distribution: density, distribution
 * function and quantile, in plain C.
 */
#ifndef NORMAL_H
#define NORMAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NORMAL_INV_SQRT_2PI 0.39894228040143267794
#define NORMAL_INV_SQRT_2 0.70710678118654752440

/*
 * Inline: Thompson's integrator evaluates both at every node for every arm.
 * Phi(x) = erfc(-x / sqrt 2) / 2 keeps full relative accuracy in the lower
 * tail.
 */
static inline double
normal_pdf(double x)
{
	return NORMAL_INV_SQRT_2PI * exp(-0.5 * x * x);
}

static inline double
normal_cdf(double x)
{
	return 0.5 * erfc(-x * NORMAL_INV_SQRT_2);
}

/*
 * Phi(z), and phi(z) into *pdf, from one exp: with x = |z| < 8.5,
 * Q(x) = 1 - Phi(x) = exp(-x^2 / 2) R(x), where R(x) = Q(x) exp(x^2 / 2) is
 * read from a table of polynomials (136 pieces of width 1/16, degree 7 in
 * t = 32x - (2j + 1), Chebyshev interpolants with relative error below
 * 1.8e-17, src/core/gen_tables.py), so Phi(z) = Q(|z|) for z < 0 and
 * 1 - Q(z) otherwise: relative error a few units of 2^-53 in both tails
 * (plus what the rounding of z itself does, |z| times its error), the
 * lower tail included.  Beyond 8.5: 1 (Q(8.5) = 9.5e-18 is below half an
 * ulp of 1), or erfc (rare).  The exp is normal_exp_neg below.  Thompson's
 * integrator calls both at every node for every arm.
 */
#define NORMAL_MILLS_PIECES 136
#define NORMAL_MILLS_DEGREE 7	/* normal_mills_ratio is written for 7 */
#define NORMAL_MILLS_XMAX 8.5	/* NORMAL_MILLS_PIECES / 16 */

extern const double normal_mills_table[NORMAL_MILLS_PIECES][NORMAL_MILLS_DEGREE + 1];
extern const double normal_exp2_table[256];	/* 2^(j / 256) */

/*
 * exp(x) for -700 <= x <= 0, inline and the same on every platform (IEEE
 * arithmetic only): x = (256 n + j) ln2 / 256 + r, |r| <= ln2 / 512, with
 * ln2 / 256 in two parts (the first with 32 bits, so k ln2_hi is exact),
 * exp(x) = 2^n 2^(j/256) exp(r), exp(r) by its Taylor polynomial of degree
 * 4 (remainder below 3.8e-17 relative; Estrin's scheme, a short dependency
 * chain): relative error about 2 units of 2^-53.
 */
static inline double
normal_exp_neg(double x)
{
	/* x 256 / ln2 + 1.5 * 2^52: the low bits of y are k = round(x 256 / ln2) */
	double		y = x * 369.32993046757463228 + 6755399441055744.0;
	double		kd = y - 6755399441055744.0;
	double		r = (x - kd * 0.0027076061733168899082) - kd * 7.4539645674632336568e-13;
	double		r2 = r * r;
	double		p = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0));
	uint64_t	ky,
				t;
	double		scale;

	memcpy(&ky, &y, sizeof(ky));
	/* 2^(k/256) = 2^((k - j)/256) 2^(j/256), j = k mod 256: add (k - j)/256 to the exponent */
	memcpy(&t, &normal_exp2_table[ky & 255], sizeof(t));
	t += (ky - (ky & 255)) << 44;
	memcpy(&scale, &t, sizeof(scale));
	return scale * p;
}

/*
 * R(x) = Q(x) exp(x^2 / 2) for 0 <= x < NORMAL_MILLS_XMAX, from the table
 * (Estrin's scheme: a short dependency chain).
 */
static inline double
normal_mills_ratio(double x)
{
	/* j = round(16x - 1/2) (floor(16x), or the piece below at an exact 16x = j) */
	double		y = (16.0 * x - 0.5) + 6755399441055744.0;
	double		jd = y - 6755399441055744.0;
	uint64_t	jy;
	const double *c;
	double		t = 32.0 * x - (2.0 * jd + 1.0);
	double		t2 = t * t;
	double		t4 = t2 * t2;

	memcpy(&jy, &y, sizeof(jy));
	c = normal_mills_table[jy & 255];
	return ((c[0] + c[1] * t) + t2 * (c[2] + c[3] * t)) +
		t4 * ((c[4] + c[5] * t) + t2 * (c[6] + c[7] * t));
}

static inline double
normal_cdf_pdf(double z, double *pdf)
{
	double		x = fabs(z);

	if (x < NORMAL_MILLS_XMAX)
	{
		double		r = normal_mills_ratio(x);
		double		e = normal_exp_neg(-0.5 * z * z);
		double		q = e * r;

		*pdf = NORMAL_INV_SQRT_2PI * e;
		return z < 0.0 ? q : 1.0 - q;
	}
	*pdf = normal_pdf(z);
	return z < 0.0 ? normal_cdf(z) : 1.0;
}

/* Phi^-1(p) for p in (0, 1); NaN outside. */
double		normal_quantile(double p);

#endif
