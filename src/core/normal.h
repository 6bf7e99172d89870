/*
 * normal.h — the standard normal distribution: density, distribution
 * function and quantile, in plain C.
 */
#ifndef NORMAL_H
#define NORMAL_H

#include <math.h>

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

/* Phi^-1(p) for p in (0, 1); NaN outside. */
double		normal_quantile(double p);

#endif
