/*
 * special.c — see special.h.
 *
 * I_x(a, b) by the continued fraction of Numerical Recipes (2nd ed., 6.4,
 * modified Lentz), on the side of x where it converges quickly; its prefactor
 * x^a (1 - x)^b / (a B(a, b)) from lgamma.  The inverse by bisection on x
 * (monotone, so it cannot fail; ~60 halvings to full precision).  Student's
 * t quantile from the inverse incomplete beta,
 *   P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2),
 * and for df >= 1e5, where the continued fraction needs many terms, from
 * the Cornish-Fisher expansion (Abramowitz and Stegun 26.7.5) to df^-4.
 */
#include "special.h"

#include <math.h>

#include "normal.h"

#define CF_MAX_ITER 100000
#define CF_EPS 1e-16
#define CF_TINY 1e-300

static double
continued_fraction(double x, double a, double b)
{
	double		qab = a + b,
				qap = a + 1.0,
				qam = a - 1.0,
				c = 1.0,
				d = 1.0 - qab * x / qap,
				h;
	int			m;

	if (fabs(d) < CF_TINY)
		d = CF_TINY;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= CF_MAX_ITER; m++)
	{
		double		m2 = 2.0 * m,
					aa = m * (b - m) * x / ((qam + m2) * (a + m2)),
					del;

		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < CF_EPS)
			break;
	}
	return h;
}

double
ibeta(double x, double a, double b)
{
	double		front;

	if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0) || !isfinite(a) || !isfinite(b))
		return NAN;
	if (x == 0.0 || x == 1.0)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * continued_fraction(x, a, b) / a;
	return 1.0 - front * continued_fraction(1.0 - x, b, a) / b;
}

double
ibeta_inv(double p, double a, double b)
{
	double		lo = 0.0,
				hi = 1.0;
	int			i;

	if (!(p >= 0.0 && p <= 1.0) || !(a > 0.0) || !(b > 0.0))
		return NAN;
	if (p == 0.0 || p == 1.0)
		return p;
	for (i = 0; i < 2000; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (mid <= lo || mid >= hi)
			break;				/* adjacent doubles */
		if (ibeta(mid, a, b) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* Cornish-Fisher: t = z + g1/df + g2/df^2 + g3/df^3 + g4/df^4. */
static double
t_quantile_large(double z, double df)
{
	double		z2 = z * z,
				g1 = (z2 + 1.0) * z / 4.0,
				g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0,
				g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0,
				g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;

	return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

double
t_quantile(double p, double df)
{
	double		q,
				x,
				t;

	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (df >= 1e5)
		return t_quantile_large(normal_quantile(p), df);
	q = p < 0.5 ? p : 1.0 - p;
	x = ibeta_inv(2.0 * q, 0.5 * df, 0.5);
	t = sqrt(df * (1.0 - x) / x);
	return p < 0.5 ? -t : t;
}
