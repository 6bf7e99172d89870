/* Normal quantiles against published values, and Phi(quantile(p)) = p. */
#include "normal.h"
#include "ope_estimators.h"
#include "unit.h"

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
}
