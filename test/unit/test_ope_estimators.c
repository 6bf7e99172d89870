/*
 * Estimators: a case worked by hand, and random logs against the two-pass
 * reference of ope_reference.c.
 */
#include "ope_estimators.h"
#include "ope_reference.h"
#include "ope_test_util.h"
#include "unit.h"

static void
fill(OpeState *s, const RefRow *rows, int n, bool dr)
{
	AbError		err;
	int			i;

	ope_state_init(s, dr);
	for (i = 0; i < n; i++)
		CHECK(ope_add(s, rows[i].r, rows[i].mu, rows[i].pi, rows[i].q, rows[i].v, &err));
}

/*
 * Three rows (r, mu, pi, q, v): (1, .5, 1, .5, .6), (0, .25, .5, .2, .3),
 * (1, .5, 0, .4, .1); so w = 2, 2, 0.
 *   replay = 1 / 1.5 = 2/3; psi = (2/3, -2/3, 0), var = (8/9) / 6, se = sqrt(4/27)
 *   ips = 2/3; terms (2, 0, 0), sd^2 = 4/3, se = sqrt(4/9) = 2/3
 *   snips = 2 / 4 = 1/2; psi = w (r - 1/2) / (4/3) = (.75, -.75, 0), se = sqrt(1.125 / 6)
 *   dm = 1/3; terms (.6, .3, .1), mean 1/3, ss = 2/9 + ... see below
 *   dr terms (1.6, -0.1, 0.1): dr = 1.6 / 3
 *   sndr = 1/3 + (2 * .5 + 2 * -.2) / 4 = 1/3 + .15
 */
static void
hand_case(void)
{
	static const RefRow rows[3] = {
		{1, .5, 1, .5, .6}, {0, .25, .5, .2, .3}, {1, .5, 0, .4, .1}
	};
	OpeState	s;
	OpeEstimate e;
	OpeDiagnostics dg;
	double		dm_ss = (0.6 - 1.0 / 3) * (0.6 - 1.0 / 3) + (0.3 - 1.0 / 3) * (0.3 - 1.0 / 3) +
		(0.1 - 1.0 / 3) * (0.1 - 1.0 / 3);
	double		dr_mean = 1.6 / 3;
	double		dr_ss = (1.6 - dr_mean) * (1.6 - dr_mean) + (-0.1 - dr_mean) * (-0.1 - dr_mean) +
		(0.1 - dr_mean) * (0.1 - dr_mean);

	fill(&s, rows, 3, true);
	ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &e);
	CHECK_NEAR(e.estimate, 2.0 / 3, 1e-15);
	CHECK_NEAR(e.std_error, sqrt(4.0 / 27), 1e-15);
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &e);
	CHECK_NEAR(e.estimate, 2.0 / 3, 1e-15);
	CHECK_NEAR(e.std_error, 2.0 / 3, 1e-15);
	ope_compute_estimate(&s, OPE_EST_SNIPS, -1, &e);
	CHECK_NEAR(e.estimate, 0.5, 1e-15);
	CHECK_NEAR(e.std_error, sqrt(1.125 / 6), 1e-15);
	ope_compute_estimate(&s, OPE_EST_DM, -1, &e);
	CHECK_NEAR(e.estimate, 1.0 / 3, 1e-15);
	CHECK_NEAR(e.std_error, sqrt(dm_ss / 2 / 3), 1e-15);
	ope_compute_estimate(&s, OPE_EST_DR, -1, &e);
	CHECK_NEAR(e.estimate, dr_mean, 1e-15);
	CHECK_NEAR(e.std_error, sqrt(dr_ss / 2 / 3), 1e-15);
	ope_compute_estimate(&s, OPE_EST_SNDR, -1, &e);
	CHECK_NEAR(e.estimate, 1.0 / 3 + 0.15, 1e-15);

	ope_compute_diagnostics(&s, &dg);
	CHECK(dg.n == 3 && dg.n_matched == 2 && dg.n_skipped == 0);
	CHECK_NEAR(dg.match_rate, 2.0 / 3, 1e-15);
	CHECK_NEAR(dg.ess, 16.0 / 8.0, 1e-15);	/* (2+2)^2 / (4+4) */
	CHECK(dg.max_weight == 2.0 && dg.min_propensity == 0.25);
	CHECK_NEAR(dg.mean_weight, 4.0 / 3, 1e-15);
}

/* Undefined estimates are reported as absent, never NaN. */
static void
undefined_cases(void)
{
	static const RefRow unmatched[2] = {{1, .5, 0, 0, 0}, {0, .5, 0, 0, 0}};
	OpeState	s;
	OpeEstimate e;
	int			k;

	ope_state_init(&s, true);
	for (k = 0; k < OPE_NESTIMATORS; k++)
	{
		ope_compute_estimate(&s, k, -1, &e);
		CHECK(!e.has_estimate && !e.has_std_error);
	}
	fill(&s, unmatched, 2, false);
	ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &e);
	CHECK(!e.has_estimate);
	ope_compute_estimate(&s, OPE_EST_SNIPS, -1, &e);
	CHECK(!e.has_estimate);
	/* ips is 0, but without a match it has no standard error (never a zero-width interval) */
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &e);
	CHECK(e.has_estimate && e.estimate == 0.0 && !e.has_std_error);
	/* one row: an estimate but no standard error */
	fill(&s, unmatched, 1, false);
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &e);
	CHECK(e.has_estimate && !e.has_std_error);
}

/* Random logs: every estimator and standard error against the reference. */
static void
random_logs(void)
{
	static RefRow rows[20000];
	unsigned long long seed = 7;
	int			trial;

	for (trial = 0; trial < 5; trial++)
	{
		int			n = trial == 0 ? 2 : 4000 * trial;
		OpeState	s;
		int			i,
					k;

		for (i = 0; i < n; i++)
		{
			rows[i].mu = 0.05 + 0.95 * unit_rand01(&seed);
			rows[i].pi = unit_rand01(&seed) < 0.3 ? 0.0 : unit_rand01(&seed);
			rows[i].r = unit_rand01(&seed) < 0.2 ? 1.0 : 30.0 * unit_rand01(&seed) * (trial & 1);
			rows[i].q = unit_rand01(&seed);
			rows[i].v = unit_rand01(&seed);
		}
		rows[0].pi = 0.5;		/* at least two matches: a standard error for every estimator */
		rows[1].pi = 0.25;
		fill(&s, rows, n, true);
		for (k = 0; k < OPE_NBASE_ESTIMATORS; k++)
		{
			OpeEstimate e;
			RefResult	ref = ref_estimate(rows, n, k);

			ope_compute_estimate(&s, k, -1, &e);
			CHECK(e.has_estimate && e.has_std_error);
			CHECK_NEAR(e.estimate, ref.estimate, 1e-12);
			CHECK_NEAR(e.std_error, ref.std_error, 1e-9);
		}
	}
}

/*
 * Rewards 1e6 + (i mod 2): the deviations are +-1/2, so every per-row
 * standard deviation is sqrt(n / (4 (n - 1))).  Each square is exact, but
 * sum t^2 ~ 1e15 and (sum t)^2 / n agree in all but the last few bits of a
 * double: plain subtraction gives noise or zero, double-double the answer.
 * (Beyond |mean| / sd ~ 1e7 the per-row squares themselves round, and the
 * standard errors lose accuracy: see the README.)
 */
static void
large_offset(void)
{
	const int	n = 1000;
	OpeState	s;
	OpeEstimate e;
	AbError		err;
	int			i;
	double		se = sqrt(0.25 * n / (n - 1.0) / n);

	ope_state_init(&s, true);
	for (i = 0; i < n; i++)
		CHECK(ope_add(&s, 1e6 + (i % 2), 1, 1, 1e6, 1e6 + (i % 2), &err));
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &e);
	CHECK_NEAR(e.std_error / se, 1.0, 1e-9);
	ope_compute_estimate(&s, OPE_EST_SNIPS, -1, &e);
	CHECK_NEAR(e.std_error / sqrt(0.25 * n / (n - 1.0) / n), 1.0, 1e-9);
	ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &e);
	CHECK_NEAR(e.std_error / sqrt(0.25 * n / (n - 1.0) / n), 1.0, 1e-9);
	ope_compute_estimate(&s, OPE_EST_DM, -1, &e);
	CHECK_NEAR(e.std_error / se, 1.0, 1e-9);
	/* dr terms: v + (r - q) = 1e6 + 2 (i mod 2): deviations +-1 */
	ope_compute_estimate(&s, OPE_EST_DR, -1, &e);
	CHECK_NEAR(e.std_error / (2 * se), 1.0, 1e-9);
}

void
test_ope_estimators(void)
{
	OpeState	basic;

	hand_case();
	large_offset();
	undefined_cases();
	random_logs();
	CHECK(ope_estimator_from_name("sndr") == OPE_EST_SNDR);
	CHECK(ope_estimator_from_name("SNDR") == -1);
	ope_state_init(&basic, false);
	CHECK(ope_estimator_available(&basic, OPE_EST_SNIPS));
	CHECK(!ope_estimator_available(&basic, OPE_EST_DR));
}
