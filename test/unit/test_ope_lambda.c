/*
 * The lambda section (ipw_clip, dr_clip, switch_dr, dr_os) against the
 * Open Bandit Pipeline's per-row definitions (ope_reference.c), merging,
 * the lambda list checks; the special functions and the intervals against
 * values worked out independently.
 */
#include <stdlib.h>
#include <string.h>

#include "ope_estimators.h"
#include "ope_intervals.h"
#include "ope_lambda.h"
#include "ope_codec.h"
#include "ope_reference.h"
#include "ope_test_util.h"
#include "special.h"
#include "unit.h"

static const double lambdas[] = {0, 0.3, 1, 2.5, 10, 1e6, INFINITY};
#define NL ((int) (sizeof(lambdas) / sizeof(lambdas[0])))

static void
fill_lambda_state(OpeState *s, const RefRow *rows, int from, int to, bool dr)
{
	AbError		err;
	int			i;

	ope_state_init_lambdas(s, dr, lambdas, NL);
	for (i = from; i < to; i++)
		CHECK(ope_add(s, rows[i].r, rows[i].mu, rows[i].pi, rows[i].q, rows[i].v, &err));
}

/* Every estimator at every lambda equals the per-row reference, odd and even lambda counts. */
static void
against_reference(void)
{
	static RefRow rows[6000];
	unsigned long long seed = 21;
	OpeStateBuf *s = malloc(sizeof(OpeStateBuf)),
			   *a = malloc(sizeof(OpeStateBuf)),
			   *b = malloc(sizeof(OpeStateBuf));
	int			n = 6000,
				i,
				j,
				e;
	AbError		err;

	for (i = 0; i < n; i++)
	{
		rows[i].mu = 0.02 + 0.98 * unit_rand01(&seed);
		rows[i].pi = unit_rand01(&seed) < 0.6 ? 0.0 : unit_rand01(&seed);
		rows[i].r = unit_rand01(&seed) < 0.3 ? 1.0 : 0.0;
		rows[i].q = 0.3 * unit_rand01(&seed);
		rows[i].v = 0.3 * unit_rand01(&seed);
	}
	fill_lambda_state(&s->state, rows, 0, n, true);
	for (e = OPE_EST_IPW_CLIP; e <= OPE_EST_DR_OS; e++)
		for (j = 0; j < NL; j++)
		{
			OpeEstimate est;
			RefResult	ref = ref_lambda_estimate(rows, n, e, lambdas[j]);

			ope_compute_estimate(&s->state, e, j, &est);
			CHECK(est.has_estimate && est.has_std_error);
			CHECK_NEAR(est.estimate, ref.estimate, 1e-12);
			CHECK_NEAR(est.std_error, ref.std_error, 1e-9);
		}
	/* lambda = Infinity is IPS and DR; lambda = 0 leaves DM (and 0 for ipw_clip) */
	{
		OpeEstimate x,
					y;

		ope_compute_estimate(&s->state, OPE_EST_IPW_CLIP, NL - 1, &x);
		ope_compute_estimate(&s->state, OPE_EST_IPS, -1, &y);
		CHECK_NEAR(x.estimate, y.estimate, 1e-15);
		for (e = OPE_EST_DR_CLIP; e <= OPE_EST_DR_OS; e++)
		{
			ope_compute_estimate(&s->state, e, NL - 1, &x);
			ope_compute_estimate(&s->state, OPE_EST_DR, -1, &y);
			CHECK_NEAR(x.estimate, y.estimate, 1e-15);
			ope_compute_estimate(&s->state, e, 0, &x);
			ope_compute_estimate(&s->state, OPE_EST_DM, -1, &y);
			if (e != OPE_EST_SWITCH_DR)
				CHECK_NEAR(x.estimate, y.estimate, 1e-15);
		}
	}
	/* n_over counts the matched rows with w > lambda */
	for (j = 0; j < NL; j++)
	{
		int64_t		over = 0;

		for (i = 0; i < n; i++)
			over += rows[i].pi / rows[i].mu > lambdas[j];
		CHECK(ope_lambda_n_over(&s->state, j) == over);
	}
	/* two halves merged are the whole, to rounding */
	fill_lambda_state(&a->state, rows, 0, 2500, true);
	fill_lambda_state(&b->state, rows, 2500, n, true);
	CHECK(ope_state_merge(&a->state, &b->state, &err));
	for (e = OPE_EST_IPW_CLIP; e <= OPE_EST_DR_OS; e++)
		for (j = 0; j < NL; j++)
		{
			OpeEstimate x,
						y;

			ope_compute_estimate(&a->state, e, j, &x);
			ope_compute_estimate(&s->state, e, j, &y);
			CHECK_NEAR(x.estimate, y.estimate, 1e-14);
			CHECK_NEAR(x.std_error, y.std_error, 1e-12);
		}
	free(s);
	free(a);
	free(b);
}

static void
lambda_checks(void)
{
	AbError		err;
	double		many[40];
	int			i;
	OpeStateBuf *a = malloc(sizeof(OpeStateBuf)),
			   *b = malloc(sizeof(OpeStateBuf));
	OpeState	blank;

	for (i = 0; i < 40; i++)
		many[i] = i;
	CHECK(ope_lambdas_check(lambdas, NL, &err));
	CHECK(ope_lambdas_check(many, 32, &err));
	CHECK(!ope_lambdas_check(many, 33, &err) && strstr(err.message, "1 to 32"));
	CHECK(!ope_lambdas_check(many, 0, &err));
	{
		double		neg[] = {1, -2},
					nan[] = {NAN},
					dup[] = {1, 1},
					down[] = {2, 1};

		CHECK(!ope_lambdas_check(neg, 2, &err) && strstr(err.message, "got -2 at position 2"));
		CHECK(!ope_lambdas_check(nan, 1, &err) && strstr(err.message, "NaN"));
		CHECK(!ope_lambdas_check(dup, 2, &err) && strstr(err.message, "strictly increasing"));
		CHECK(!ope_lambdas_check(down, 2, &err) && strstr(err.message, "strictly increasing"));
	}
	/* different lambdas never merge; a blank state is adopted by the caller */
	ope_state_init_lambdas(&a->state, false, lambdas, 3);
	ope_state_init_lambdas(&b->state, false, lambdas, 4);
	CHECK(ope_add(&b->state, 1, 0.5, 1, 0, 0, &err));
	CHECK(!ope_state_merge(&a->state, &b->state, &err) && err.kind == AB_ERR_MISMATCH);
	ope_state_init(&blank, false);
	CHECK(ope_merge_adopts(&blank, &b->state));
	CHECK(ope_state_merge(&b->state, &blank, &err));	/* a blank source changes nothing */
	free(a);
	free(b);
}

/*
 * Student t quantiles, each checked by integrating the t density numerically
 * to 1e-15 (scipy 1.10's stats.t.ppf is off by up to 5e-10 for some of
 * these); Beta quantiles are the textbook Clopper-Pearson bounds.
 */
static void
special_functions(void)
{
	CHECK_NEAR(t_quantile(0.9, 29), 1.3114336473015586, 1e-13);
	CHECK_NEAR(t_quantile(0.975, 1), 12.706204736174696, 1e-11);	/* tan(0.475 pi) */
	CHECK_NEAR(t_quantile(0.95, 10), 1.8124611228107335, 1e-12);
	CHECK_NEAR(t_quantile(0.1, 29), -1.3114336473015586, 1e-13);
	CHECK_NEAR(t_quantile(0.9, 1e7), 1.2815516502030828, 1e-12);	/* z + (z^3 + z) / (4 df) + ... */
	CHECK(t_quantile(0.5, 7) == 0.0 && isnan(t_quantile(1, 7)) && isnan(t_quantile(0.5, 0)));
	/* 3 successes in 10 trials, 95 %: [0.0667395112, 0.6524528501] */
	CHECK_NEAR(ibeta_inv(0.025, 3, 8), 0.06673951117773447, 1e-9);
	CHECK_NEAR(ibeta_inv(0.975, 4, 7), 0.6524528500599973, 1e-9);
	CHECK_NEAR(ibeta(0.5, 2, 2), 0.5, 1e-15);
	CHECK_NEAR(ibeta(0.3, 1, 1), 0.3, 1e-15);
	CHECK(isnan(ibeta(0.5, -1, 2)) && ibeta(0, 2, 3) == 0 && ibeta(1, 2, 3) == 1);
}

/* The intervals of a small state, each formula worked out by hand. */
static void
intervals(void)
{
	OpeState	s;
	OpeEstimate est;
	AbError		err;
	double		lo,
				hi;
	int			i;

	/* replay, deterministic target, 0/1 rewards: 3 plays in 10 matches (20 rows) */
	ope_state_init(&s, false);
	for (i = 0; i < 20; i++)
		CHECK(ope_add(&s, i < 3 ? 1 : 0, 0.5, i < 10 ? 1 : 0, 0, 0, &err));
	ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &est);
	CHECK_NEAR(est.estimate, 0.3, 1e-15);
	CHECK(ope_interval(&s, OPE_EST_REPLAY, &est, &(OpeIntervalSpec) {OPE_CI_CLOPPER_PEARSON, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	CHECK_NEAR(lo, 0.06673951117773447, 1e-9);
	CHECK_NEAR(hi, 0.6524528500599973, 1e-9);
	/* Wilson: (3 + z^2/2) / (10 + z^2) +- z / (10 + z^2) sqrt(3 * 7 / 10 + z^2 / 4) */
	CHECK(ope_interval(&s, OPE_EST_REPLAY, &est, &(OpeIntervalSpec) {OPE_CI_WILSON, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	CHECK_NEAR(lo, 0.10779126740630102, 1e-10);
	CHECK_NEAR(hi, 0.6032218525388546, 1e-10);
	/* neither applies to ips, nor to replay once a reward is not 0/1 or a pi below 1 */
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &est);
	CHECK(!ope_interval(&s, OPE_EST_IPS, &est, &(OpeIntervalSpec) {OPE_CI_WILSON, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	CHECK(ope_add(&s, 1, 0.5, 0.5, 0, 0, &err));
	ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &est);
	CHECK(!ope_interval(&s, OPE_EST_REPLAY, &est, &(OpeIntervalSpec) {OPE_CI_CLOPPER_PEARSON, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	/* normal, bernstein and cs from se and n: ips = mean of w r */
	ope_compute_estimate(&s, OPE_EST_IPS, -1, &est);
	CHECK(ope_interval(&s, OPE_EST_IPS, &est, &(OpeIntervalSpec) {OPE_CI_NORMAL, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	CHECK_NEAR(hi - est.estimate, 1.959963984540054 * est.std_error, 1e-14);
	CHECK(ope_interval(&s, OPE_EST_IPS, &est, &(OpeIntervalSpec) {OPE_CI_BERNSTEIN, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	{
		/* terms w r in [0, 2 * 1]: R = 2, n = 21, sd^2 = se^2 n */
		double		sd2 = est.std_error * est.std_error * 21,
					want = sqrt(2 * sd2 * log(4 / 0.05) / 21) + 7 * 2 * log(4 / 0.05) / (3 * 20);

		CHECK_NEAR(hi - est.estimate, want, 1e-13);
		CHECK(est.has_range && est.term_lo == 0 && est.term_hi == 2);
	}
	CHECK(ope_interval(&s, OPE_EST_IPS, &est, &(OpeIntervalSpec) {OPE_CI_CS, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	{
		double		l = -2 * log(0.05),
					rho2 = (l + log1p(l)) / OPE_CS_TUNED_ROWS,
					v = 21 * rho2 + 1,
					sd = est.std_error * sqrt(21.0),
					want = sd * sqrt(2 * v / (21.0 * 21 * rho2) * log(sqrt(v) / 0.05));

		CHECK_NEAR(hi - est.estimate, want, 1e-13);
	}
	{
		/* tuned for 21 rows: narrower here than tuned for 100000 */
		OpeIntervalSpec spec;
		double		wide = hi - lo;

		CHECK(ope_interval_spec_parse(" CS ( rows = 21 ) ", 18, &spec, &err));
		CHECK(spec.method == OPE_CI_CS && spec.cs_rows == 21);
		CHECK(ope_interval(&s, OPE_EST_IPS, &est, &spec, 0.95, &lo, &hi));
		CHECK(hi - lo < wide);
		CHECK(!ope_interval_spec_parse("cs(rows=0.5)", 12, &spec, &err));
		CHECK(strstr(err.message, "rows must be in [1, 1e15], got 0.5") != NULL);
		CHECK(!ope_interval_spec_parse("normal(rows=5)", 14, &spec, &err));
		CHECK(strstr(err.message, "has no parameter \"rows\"") != NULL);
		CHECK(!ope_interval_spec_parse("exact", 5, &spec, &err));
		CHECK(strstr(err.message, "unknown interval method \"exact\"") != NULL);
		CHECK(!ope_interval_spec_parse("cs(rows=5", 9, &spec, &err));
		CHECK(ope_interval_spec_parse("wilson", 6, &spec, &err) && spec.method == OPE_CI_WILSON);
	}
	/* one matched row: no standard error, no interval of any kind */
	ope_state_init(&s, false);
	for (i = 0; i < 1000; i++)
		CHECK(ope_add(&s, 1, 0.5, i == 0 ? 1 : 0, 0, 0, &err));
	for (i = 0; i < OPE_NMETHODS; i++)
	{
		ope_compute_estimate(&s, OPE_EST_REPLAY, -1, &est);
		CHECK(est.has_estimate && !est.has_std_error);
		CHECK(!ope_interval(&s, OPE_EST_REPLAY, &est, &(OpeIntervalSpec) {i, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
		ope_compute_estimate(&s, OPE_EST_SNIPS, -1, &est);
		CHECK(!ope_interval(&s, OPE_EST_SNIPS, &est, &(OpeIntervalSpec) {i, OPE_CS_TUNED_ROWS}, 0.95, &lo, &hi));
	}
}

void
test_ope_lambda(void)
{
	against_reference();
	lambda_checks();
	special_functions();
	intervals();
}
