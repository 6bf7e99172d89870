/*
 * The mean-weight z-test and the warnings of a state, against values
 * derived by hand from the definitions in ope_warnings.h.
 */
#include <string.h>

#include "ope_warnings.h"
#include "unit.h"

/* n rows of which m have weight c, the others 0. */
static void
two_point(double n, double m, double c, OpeWeightTest *t)
{
	CompSum		s1 = {0},
				s2 = {0};

	compsum_add(&s1, m * c);
	compsum_add(&s2, m * c * c);
	ope_weight_test(n, (int64_t) m, &s1, &s2, t);
}

static OpeState
state_of(const double *mu, const double *pi, int n)
{
	OpeState	s;
	AbError		err;
	int			i;

	ope_state_init(&s, false);
	for (i = 0; i < n; i++)
	{
		OpeRow		row = {.r = 1.0, .mu = mu[i], .pi = pi[i]};

		CHECK(ope_state_add(&s, &row, OPE_IN_R | OPE_IN_MU | OPE_IN_PI, &err));
	}
	return s;
}

static bool
has_warning(char w[][OPE_WARNING_LEN], int k, const char *prefix)
{
	int			i;

	for (i = 0; i < k; i++)
		if (strncmp(w[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

void
test_ope_warnings(void)
{
	OpeWeightTest t;
	char		w[OPE_MAX_WARNINGS][OPE_WARNING_LEN];
	double		mu[2000],
				pi[2000];
	OpeState	s;
	int			i,
				k;

	/*
	 * The 0.5-vs-0.25 bug: 4 images, a deterministic target matching every
	 * 4th of 2000 rows, logged 0.5: w = 2 on 500 rows.  mean 0.5; sum of
	 * squared deviations 2000 - 1000^2/2000 = 1500; se = sqrt(1500/1999/2000).
	 */
	two_point(2000, 500, 2.0, &t);
	CHECK(t.tested);
	CHECK_NEAR(t.mean, 0.5, 1e-15);
	CHECK_NEAR(t.std_error, sqrt(1500.0 / 1999.0 / 2000.0), 1e-14);
	CHECK_NEAR(t.z, -0.5 / sqrt(1500.0 / 1999.0 / 2000.0), 1e-13);
	CHECK(t.verdict == -1);
	/* the correct log: w = 4, mean exactly 1 */
	two_point(2000, 500, 4.0, &t);
	CHECK(t.tested && t.mean == 1.0 && t.z == 0.0 && t.verdict == 0);
	/* propensities logged too small: w = 8 */
	two_point(2000, 500, 8.0, &t);
	CHECK(t.verdict == 1);

	/*
	 * The threshold: m of n rows with weight n/m' ... choose n = 10000, w = 4
	 * on m rows: mean = 4m/n, var = (16 m - (4m)^2/n)/(n-1).  m = 2750 gives
	 * mean 1.1, se = sqrt((44000 - 12100)/9999/10000) = 0.01786, z = 5.6: an
	 * alarm; m = 2560 gives mean 1.024, se 0.01749, z = 1.37: quiet.
	 */
	two_point(10000, 2750, 4.0, &t);
	CHECK_NEAR(t.z, 0.1 / sqrt((44000.0 - 12100.0) / 9999.0 / 10000.0), 1e-12);
	CHECK(t.verdict == 1);
	two_point(10000, 2560, 4.0, &t);
	CHECK(t.z > 1.0 && t.z < 2.0 && t.verdict == 0);
	/* z above 4 but a gap below 1%: propensities rounded, not wrong */
	two_point(1e9, 1e9, 1.000001, &t);
	CHECK(t.tested && t.std_error < 1e-9 && fabs(t.z) > 4.0 && t.verdict == 0);
	/* every weight equal and 2% off: below, whatever the (zero) standard error */
	two_point(100, 100, 0.98, &t);
	CHECK(t.std_error == 0.0 && t.z < 0 && isinf(t.z) && t.verdict == -1);
	/* too few rows with w > 0: not tested */
	two_point(1000, OPE_WEIGHT_MIN_NONZERO - 1, 100.0, &t);
	CHECK(!t.tested && t.verdict == 0);
	two_point(1, 1, 1.0, &t);
	CHECK(!t.tested);

	/* the warnings of states */
	ope_state_init(&s, false);
	k = ope_state_warnings(&s, w);
	CHECK(k == 1 && strcmp(w[0], "no rows") == 0);

	/* 2000 rows, 4 images, logged 0.5 for 0.25 */
	for (i = 0; i < 2000; i++)
	{
		mu[i] = 0.5;
		pi[i] = (i % 4 == 0) ? 1.0 : 0.0;
	}
	s = state_of(mu, pi, 2000);
	k = ope_state_warnings(&s, w);
	CHECK(k == 1 && has_warning(w, k, "mean weight 0.5 is below 1 (25.8 standard errors)"));
	/* the same log, logged right: no warning at all */
	for (i = 0; i < 2000; i++)
		mu[i] = 0.25;
	s = state_of(mu, pi, 2000);
	CHECK(ope_state_warnings(&s, w) == 0);

	/* 20 matches among 80 rows: few matched rows; ESS = 20 is small too */
	s = state_of(mu, pi, 80);
	k = ope_state_warnings(&s, w);
	CHECK(k == 2 && has_warning(w, k, "few matched rows: 20 of 80") &&
		  has_warning(w, k, "small effective sample size: 20 "));

	/* one row of weight 100 among 400 of weight 1: heavy (100 / 499 = 20%) */
	for (i = 0; i < 401; i++)
	{
		mu[i] = 1.0;
		pi[i] = 1.0;
	}
	mu[0] = 0.01;
	s = state_of(mu, pi, 401);
	k = ope_state_warnings(&s, w);
	CHECK(has_warning(w, k, "heavy weights: the largest weight (100) is 20% of the sum"));
	/* ESS = 500^2 / (10000 + 400) = 24.0: small */
	CHECK(has_warning(w, k, "small effective sample size: 24.04"));
}
