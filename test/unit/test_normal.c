/* Normal quantiles against published values, and Phi(quantile(p)) = p. */
#include "normal.h"
#include "ope_estimators.h"
#include "unit.h"

/*
 * The inline exp and Phi/phi of Thompson's integrator against long double
 * expl and erfcl, in units of 2^-53 relative: exp within 4 over [-700, 0];
 * Phi within 10 + 0.55 z^2 in the lower tail (the rounding of z * z in the
 * exponent: an error of the argument, not of the functions) and 6 above
 * 0; phi within 6 + 0.55 z^2 (z^2 / 2 units is what half an ulp of z^2 does).
 */
static void
test_normal_fast(void)
{
	const long double u = 1.1102230246251565404e-16L; /* 2^-53 */
	long double worst_exp = 0.0L,
				worst_cdf = 0.0L,
				worst_pdf = 0.0L;
	long		i;
	int			bad = 0;

	for (i = 0; i <= 2000000; i++)
	{
		double		x = -700.0 * i / 2000000.0;
		long double r = expl((long double) x),
					e = fabsl(normal_exp_neg(x) - r) / r / u;

		worst_exp = fmaxl(worst_exp, e);
		if (!(e <= 4.0L) && bad++ < 5)
			fprintf(stderr, "normal_exp_neg(%.17g) = %.17g, expl %.20Lg\n", x, normal_exp_neg(x), r);
	}
	for (i = 0; i <= 2000000; i++)
	{
		double		z = -37.0 + 45.0 * i / 2000000.0,
					pdf,
					cdf = normal_cdf_pdf(z, &pdf);
		long double rc = 0.5L * erfcl(-(long double) z / sqrtl(2.0L)),
					rp = expl(-0.5L * (long double) z * z) / sqrtl(2.0L * 3.14159265358979323846264338327950288L),
					ec = fabsl(cdf - rc) / rc / u,
					ep = fabsl(pdf - rp) / rp / u,
					allow_c = z < 0.0 ? 10.0L + 0.55L * z * z : 6.0L,
					allow_p = 6.0L + 0.55L * z * z;

		if (z < -8.5)
			allow_c = 16.0L + 2.0L * z * z;	/* erfc(z / sqrt 2): the rounded argument again */
		if (rc < 1e-300L)
			continue;			/* subnormal: no relative accuracy to check */
		worst_cdf = fmaxl(worst_cdf, ec / allow_c);
		worst_pdf = fmaxl(worst_pdf, ep / allow_p);
		if (!(ec <= allow_c && ep <= allow_p) && bad++ < 10)
			fprintf(stderr, "normal_cdf_pdf(%.17g) = %.17g, %.17g; erfcl, expl %.20Lg, %.20Lg\n",
					z, cdf, pdf, rc, rp);
	}
	CHECK(bad == 0);
	printf("     normal: inline exp within %.2Lf units of 2^-53 on [-700, 0]; Phi and phi within "
		   "%.2Lf and %.2Lf of their allowances\n", worst_exp, worst_cdf, worst_pdf);
}

void
test_normal(void)
{
	int			i;

	/* Abramowitz & Stegun table 26.5 / any statistics table, 16 digits */
	CHECK_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-15);
	CHECK_NEAR(normal_quantile(0.95), 1.6448536269514722, 1e-15);
	CHECK_NEAR(normal_quantile(0.995), 2.5758293035489004, 1e-15);
	CHECK_NEAR(normal_quantile(0.5), 0.0, 1e-16);
	CHECK_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-15);
	CHECK_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-14);
	CHECK(isnan(normal_quantile(0.0)) && isnan(normal_quantile(1.0)) &&
		  isnan(normal_quantile(NAN)));
	CHECK_NEAR(ope_interval_z(0.95), 1.959963984540054, 1e-15);
	CHECK_NEAR(ope_interval_z(0.9), 1.6448536269514722, 1e-15);

	for (i = 1; i < 1000; i++)
	{
		double		p = i / 1000.0;

		CHECK_NEAR(normal_cdf(normal_quantile(p)) / p, 1.0, 1e-13);
	}
	for (i = 1; i < 300; i++)
	{
		double		p = pow(10.0, -i);

		CHECK_NEAR(normal_cdf(normal_quantile(p)) / p, 1.0, 1e-12);
	}
	CHECK_NEAR(normal_pdf(0.0), 0.3989422804014327, 1e-16);
	CHECK_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-15);
	test_normal_fast();
}
