/*
 * ope_estimators.c — estimators over an OpeState.
 *
 * With n rows, w = pi / mu, e = r - q (ope_state.h):
 *   replay = sum(pi r) / sum(pi)                      (Li et al., WSDM 2011)
 *   ips    = sum(w r) / n                             (Horvitz–Thompson)
 *   snips  = sum(w r) / sum(w)                        (Swaminathan & Joachims 2015)
 *   dm     = sum(v) / n
 *   dr     = sum(v + w e) / n                         (Dudík et al., ICML 2011)
 *   sndr   = sum(v) / n + sum(w e) / sum(w)
 *
 * Standard errors.  For the means (ips, dm, dr): the sample standard
 * deviation (n - 1 denominator) of the per-row terms over sqrt(n), with
 *   sum (t - mean)^2 = sum t^2 - (sum t)^2 / n.
 * For the ratios (replay, snips, sndr), the delta method: each row's
 * influence psi_i has sample mean zero and Var(estimate) ~ sum psi^2 /
 * (n (n - 1)).  For a ratio R = sum(a r) / sum(a) with abar = sum(a) / n,
 *   psi_i = a_i (r_i - R) / abar,
 *   sum psi^2 = (sum a^2 r^2 - 2 R sum a^2 r + R^2 sum a^2) / abar^2,
 * with a = pi (replay) or a = w (snips).  For sndr = V + T with
 * T = sum(w e) / sum(w), psi_i = (v_i - V) + w_i (e_i - T) / wbar, so
 *   sum psi^2 = S_vv + 2 (sum v w e - T sum v w) / wbar
 *             + (sum w^2 e^2 - 2 T sum w^2 e + T^2 sum w^2) / wbar^2
 * where S_vv = sum v^2 - (sum v)^2 / n (the cross term uses
 * sum (w e - T w) = 0).  Rounding can make a variance a hair negative:
 * it is clamped at zero.  The subtractions are done in double-double
 * (ddouble.h) from the compensated sums, so a large common offset in the
 * rewards (minutes around 1e8, say) does not cancel every digit.  Undefined
 * or non-finite values are reported as absent, never as NaN or infinity.
 */
#include "ope_estimators.h"

#include <math.h>
#include <string.h>

#include "ddouble.h"
#include "normal.h"

const char *const ope_estimator_names[OPE_NESTIMATORS] = {
	"replay", "ips", "snips", "dm", "dr", "sndr"
};

int
ope_estimator_from_name(const char *name)
{
	int			i;

	for (i = 0; i < OPE_NESTIMATORS; i++)
		if (strcmp(name, ope_estimator_names[i]) == 0)
			return i;
	return -1;
}

bool
ope_estimator_available(const OpeState *s, OpeEstimator e)
{
	switch (e)
	{
		case OPE_EST_REPLAY:
		case OPE_EST_IPS:
		case OPE_EST_SNIPS:
			return true;
		case OPE_EST_DM:
		case OPE_EST_DR:
		case OPE_EST_SNDR:
			return ope_state_is_dr(s);
		default:
			return false;
	}
}

static double
sum(const OpeState *s, OpeSum i)
{
	return compsum_value(&s->sums[i]);
}

/* A sum as a double-double, for the variances. */
static DD
dsum(const OpeState *s, OpeSum i)
{
	return dd_from_sum(&s->sums[i]);
}

/* Standard error from sum psi^2 (the influence terms have mean zero). */
static void
set_se_from_sumsq(OpeEstimate *out, double n, double sumsq)
{
	double		se;

	if (n < 2.0 || !isfinite(sumsq))
		return;
	se = sqrt(fmax(sumsq, 0.0) / (n * (n - 1.0)));
	if (isfinite(se))
	{
		out->has_std_error = true;
		out->std_error = se;
	}
}

static void
set_estimate(OpeEstimate *out, double value)
{
	if (isfinite(value))
	{
		out->has_estimate = true;
		out->estimate = value;
	}
}

/*
 * sum (t - mean)^2 = sum t^2 - (sum t)^2 / n, in double-double: with a large
 * common offset in t the two terms agree in most of their digits.
 */
static double
centred_sumsq(DD s1, DD s2, double n)
{
	return dd_value(dd_sub(s2, dd_div_d(dd_mul(s1, s1), n)));
}

/* Mean of per-row terms t with sum s1 and sum of squares s2. */
static void
mean_estimate(OpeEstimate *out, double n, DD s1, DD s2)
{
	if (n < 1.0)
		return;
	set_estimate(out, dd_value(s1) / n);
	if (out->has_estimate)
		set_se_from_sumsq(out, n, centred_sumsq(s1, s2, n));
}

/* sum a^2 (r - c)^2 = sum a^2 r^2 - 2 c sum a^2 r + c^2 sum a^2, in double-double. */
static double
weighted_sumsq_about(double c, DD a2, DD a2r, DD a2r2)
{
	DD			t = dd_sub(a2r2, dd_mul_d(a2r, 2.0 * c));

	return dd_value(dd_add(t, dd_mul(dd_two_prod(c, c), a2)));
}

/* Ratio sum(a r) / sum(a) with the delta-method standard error. */
static void
ratio_estimate(OpeEstimate *out, double n, DD a, DD ar, DD a2, DD a2r, DD a2r2)
{
	double		ratio,
				abar;

	if (n < 1.0 || !(dd_value(a) > 0.0))
		return;
	ratio = dd_value(dd_div(ar, a));
	set_estimate(out, ratio);
	if (!out->has_estimate)
		return;
	abar = dd_value(a) / n;
	set_se_from_sumsq(out, n, weighted_sumsq_about(ratio, a2, a2r, a2r2) / (abar * abar));
}

static void
sndr_estimate(const OpeState *s, OpeEstimate *out, double n)
{
	double		sw = sum(s, OPE_W),
				sv = sum(s, OPE_V),
				t,
				wbar,
				svv,
				cross,
				resid;

	if (n < 1.0 || !(sw > 0.0))
		return;
	t = dd_value(dd_div(dsum(s, OPE_W_E), dsum(s, OPE_W)));
	set_estimate(out, sv / n + t);
	if (!out->has_estimate)
		return;
	wbar = sw / n;
	svv = centred_sumsq(dsum(s, OPE_V), dsum(s, OPE_V2), n);
	cross = dd_value(dd_sub(dsum(s, OPE_V_W_E), dd_mul_d(dsum(s, OPE_V_W), t)));
	resid = weighted_sumsq_about(t, dsum(s, OPE_W2), dsum(s, OPE_W2_E), dsum(s, OPE_W2_E2));
	set_se_from_sumsq(out, n, svv + 2.0 * cross / wbar + resid / (wbar * wbar));
}

void
ope_compute_estimate(const OpeState *s, OpeEstimator e, OpeEstimate *out)
{
	double		n = (double) s->n;

	memset(out, 0, sizeof(*out));
	switch (e)
	{
		case OPE_EST_REPLAY:
			ratio_estimate(out, n, dsum(s, OPE_PI), dsum(s, OPE_PI_R),
						   dsum(s, OPE_PI2), dsum(s, OPE_PI2_R), dsum(s, OPE_PI2_R2));
			break;
		case OPE_EST_IPS:
			mean_estimate(out, n, dsum(s, OPE_W_R), dsum(s, OPE_W2_R2));
			break;
		case OPE_EST_SNIPS:
			ratio_estimate(out, n, dsum(s, OPE_W), dsum(s, OPE_W_R),
						   dsum(s, OPE_W2), dsum(s, OPE_W2_R), dsum(s, OPE_W2_R2));
			break;
		case OPE_EST_DM:
			mean_estimate(out, n, dsum(s, OPE_V), dsum(s, OPE_V2));
			break;
		case OPE_EST_DR:
			/* d = v + w e: sum d^2 = sum v^2 + 2 sum v w e + sum w^2 e^2 */
			mean_estimate(out, n, dd_add(dsum(s, OPE_V), dsum(s, OPE_W_E)),
						  dd_add(dd_add(dsum(s, OPE_V2), dd_mul_d(dsum(s, OPE_V_W_E), 2.0)),
								 dsum(s, OPE_W2_E2)));
			break;
		case OPE_EST_SNDR:
			sndr_estimate(s, out, n);
			break;
		default:
			break;
	}
}

double
ope_interval_z(double confidence)
{
	/* 1 - confidence is exact for confidence >= 1/2, so tails keep precision */
	return -normal_quantile((1.0 - confidence) / 2.0);
}

void
ope_compute_diagnostics(const OpeState *s, OpeDiagnostics *out)
{
	double		sw = sum(s, OPE_W),
				sw2 = sum(s, OPE_W2);

	memset(out, 0, sizeof(*out));
	out->n = s->n;
	out->n_skipped = s->n_skipped;
	out->n_matched = s->n_matched;
	if (s->n > 0)
	{
		out->has_match_rate = true;
		out->match_rate = (double) s->n_matched / (double) s->n;
		out->mean_weight = sw / (double) s->n;
		out->has_weights = isfinite(out->mean_weight);
		out->max_weight = s->max_weight;
		out->min_propensity = s->min_propensity;
	}
	if (sw2 > 0.0 && isfinite(sw * sw / sw2))
	{
		out->has_ess = true;
		out->ess = sw * sw / sw2;
	}
}
