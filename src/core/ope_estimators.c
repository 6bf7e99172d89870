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
 * sum (w e - T w) = 0).
 *
 * The lambda estimators (ope_lambda.h) are means of per-row terms
 * c r (ipw_clip) or v + c e (the DR variants): sum (v + c e)^2 =
 * sum v^2 + 2 sum v c e + sum (c e)^2.
 *
 * No zero-width interval from too little information: a standard error
 * needs two rows that carry it -- two matched rows for the ratios and for
 * ips and ipw_clip (whose unmatched rows all contribute the same 0), two
 * rows for dm and the DR family.  Rounding can make a variance a hair negative:
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

#include "ope_lambda.h"

const char *const ope_estimator_names[OPE_NESTIMATORS] = {
	"replay", "ips", "snips", "dm", "dr", "sndr",
	"ipw_clip", "dr_clip", "switch_dr", "dr_os"
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
		case OPE_EST_IPW_CLIP:
			return s->nlambdas > 0;
		case OPE_EST_DR_CLIP:
		case OPE_EST_SWITCH_DR:
		case OPE_EST_DR_OS:
			return s->nlambdas > 0 && ope_state_is_dr(s);
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

/*
 * Standard error from sum psi^2 (the influence terms have mean zero), when
 * at least two rows carry information.
 */
static void
set_se_from_sumsq(OpeEstimate *out, double n, double sumsq, int64_t informative)
{
	double		se;

	out->n = n;
	if (n < 2.0 || informative < 2 || !isfinite(sumsq))
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
mean_estimate(OpeEstimate *out, double n, DD s1, DD s2, int64_t informative)
{
	if (n < 1.0)
		return;
	set_estimate(out, dd_value(s1) / n);
	if (out->has_estimate)
		set_se_from_sumsq(out, n, centred_sumsq(s1, s2, n), informative);
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
ratio_estimate(OpeEstimate *out, double n, DD a, DD ar, DD a2, DD a2r, DD a2r2,
			   int64_t informative)
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
	set_se_from_sumsq(out, n, weighted_sumsq_about(ratio, a2, a2r, a2r2) / (abar * abar),
					  informative);
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
	set_se_from_sumsq(out, n, svv + 2.0 * cross / wbar + resid / (wbar * wbar), s->n_matched);
}

/* The lambda section's sums for estimator e: c x, (c x)^2 and (dr) v c x. */
static int
lambda_sum_of(OpeEstimator e)
{
	switch (e)
	{
		case OPE_EST_DR_CLIP:
			return OPE_L_CLIP;
		case OPE_EST_SWITCH_DR:
			return OPE_L_SW;
		case OPE_EST_DR_OS:
			return OPE_L_OS;
		default:
			return OPE_L_IPW;
	}
}

/* Logical sum k of lambda j (ope_lambda.h), formed from the buckets. */
static DD
lsum(const OpeState *s, int k, int j)
{
	DD			all[OPE_LNSUMS];

	ope_lambda_logical(s, j, all);
	return all[k];
}

/* The largest modified weight any row of s can have under estimator e. */
static double
max_modified_weight(const OpeState *s, OpeEstimator e, double lambda)
{
	double		wmax = s->max_weight;

	switch (e)
	{
		case OPE_EST_IPW_CLIP:
		case OPE_EST_DR_CLIP:
		case OPE_EST_SWITCH_DR:
			return fmin(wmax, lambda);
		case OPE_EST_DR_OS:
			/* lambda w / (w^2 + lambda) peaks at w = sqrt(lambda) */
			return sqrt(lambda) <= wmax ? 0.5 * sqrt(lambda) : ope_shrink_weight(wmax, lambda);
		default:
			return wmax;
	}
}

/* [lo, hi] of c x for c in [0, cmax] and x in [xlo, xhi]. */
static void
scaled_range(double cmax, double xlo, double xhi, double *lo, double *hi)
{
	*lo = fmin(0.0, cmax * xlo);
	*hi = fmax(0.0, cmax * xhi);
}

static void
set_range(OpeEstimate *out, double lo, double hi)
{
	if (isfinite(lo) && isfinite(hi) && lo <= hi)
	{
		out->has_range = true;
		out->term_lo = lo;
		out->term_hi = hi;
	}
}

/*
 * A bound of the per-row terms (influence terms for the ratios), from the
 * tracked ranges of r, e and v and the largest weight: every term lies in
 * it, so the empirical Bernstein interval can use its width.
 */
static void
term_range(const OpeState *s, OpeEstimator e, int j, OpeEstimate *out)
{
	bool		matched = s->n_matched > 0;
	double		n = (double) s->n,
				wmax = s->max_weight,
				lo = 0.0,
				hi = 0.0,
				clo = 0.0,
				chi = 0.0,
				abar;

	if (!ope_state_is_tracked(s) || !out->has_estimate || s->n == 0)
		return;
	switch (e)
	{
		case OPE_EST_REPLAY:
		case OPE_EST_SNIPS:
			/* psi = a (r - R) / abar, a in [0, amax] (pi <= 1, w <= wmax) */
			abar = sum(s, e == OPE_EST_REPLAY ? OPE_PI : OPE_W) / n;
			if (matched)
				scaled_range(e == OPE_EST_REPLAY ? 1.0 : wmax, s->r_min - out->estimate,
							 s->r_max - out->estimate, &lo, &hi);
			set_range(out, lo / abar, hi / abar);
			return;
		case OPE_EST_IPS:
		case OPE_EST_IPW_CLIP:
			if (matched)
				scaled_range(max_modified_weight(s, e, e == OPE_EST_IPS ? INFINITY : ope_lambdas(s)[j]),
							 s->r_min, s->r_max, &lo, &hi);
			set_range(out, lo, hi);
			return;
		case OPE_EST_DM:
			set_range(out, s->v_min, s->v_max);
			return;
		case OPE_EST_SNDR:
			/* psi = (v - V) + w (e - T) / wbar */
			abar = sum(s, OPE_W) / n;
			if (matched)
			{
				double		t = out->estimate - sum(s, OPE_V) / n;

				scaled_range(wmax, s->e_min - t, s->e_max - t, &clo, &chi);
			}
			set_range(out, s->v_min - sum(s, OPE_V) / n + clo / abar,
					  s->v_max - sum(s, OPE_V) / n + chi / abar);
			return;
		default:
			/* dr and the DR variants: v + c e */
			if (matched)
				scaled_range(max_modified_weight(s, e, e == OPE_EST_DR ? INFINITY : ope_lambdas(s)[j]),
							 s->e_min, s->e_max, &clo, &chi);
			set_range(out, s->v_min + clo, s->v_max + chi);
			return;
	}
}

static void
lambda_estimate(const OpeState *s, OpeEstimator e, int j, OpeEstimate *out)
{
	double		n = (double) s->n;
	int			k = lambda_sum_of(e);

	if (e == OPE_EST_IPW_CLIP)
	{
		mean_estimate(out, n, lsum(s, k, j), lsum(s, k + 1, j), s->n_matched);
		return;
	}
	/* t = v + c e: sum t^2 = sum v^2 + 2 sum v c e + sum (c e)^2 */
	mean_estimate(out, n, dd_add(dsum(s, OPE_V), lsum(s, k, j)),
				  dd_add(dd_add(dsum(s, OPE_V2), dd_mul_d(lsum(s, k + 2, j), 2.0)),
						 lsum(s, k + 1, j)),
				  s->n);
}

void
ope_compute_estimate(const OpeState *s, OpeEstimator e, int lambda_index, OpeEstimate *out)
{
	double		n = (double) s->n;

	memset(out, 0, sizeof(*out));
	switch (e)
	{
		case OPE_EST_REPLAY:
			ratio_estimate(out, n, dsum(s, OPE_PI), dsum(s, OPE_PI_R),
						   dsum(s, OPE_PI2), dsum(s, OPE_PI2_R), dsum(s, OPE_PI2_R2),
						   s->n_matched);
			break;
		case OPE_EST_IPS:
			mean_estimate(out, n, dsum(s, OPE_W_R), dsum(s, OPE_W2_R2), s->n_matched);
			break;
		case OPE_EST_SNIPS:
			ratio_estimate(out, n, dsum(s, OPE_W), dsum(s, OPE_W_R),
						   dsum(s, OPE_W2), dsum(s, OPE_W2_R), dsum(s, OPE_W2_R2),
						   s->n_matched);
			break;
		case OPE_EST_DM:
			mean_estimate(out, n, dsum(s, OPE_V), dsum(s, OPE_V2), s->n);
			break;
		case OPE_EST_DR:
			/* d = v + w e: sum d^2 = sum v^2 + 2 sum v w e + sum w^2 e^2 */
			mean_estimate(out, n, dd_add(dsum(s, OPE_V), dsum(s, OPE_W_E)),
						  dd_add(dd_add(dsum(s, OPE_V2), dd_mul_d(dsum(s, OPE_V_W_E), 2.0)),
								 dsum(s, OPE_W2_E2)),
						  s->n);
			break;
		case OPE_EST_SNDR:
			sndr_estimate(s, out, n);
			break;
		case OPE_EST_IPW_CLIP:
		case OPE_EST_DR_CLIP:
		case OPE_EST_SWITCH_DR:
		case OPE_EST_DR_OS:
			if (lambda_index < 0 || lambda_index >= s->nlambdas)
				return;
			lambda_estimate(s, e, lambda_index, out);
			break;
		default:
			return;
	}
	term_range(s, e, lambda_index, out);
}

void
ope_lambda_bias_parts(const OpeState *s, OpeEstimator e, int lambda_index,
					  double *pop_variance, double *mean_weight_gap)
{
	double		n = (double) s->n;
	int			k = lambda_sum_of(e);
	DD			full = e == OPE_EST_IPW_CLIP ? dsum(s, OPE_W_R) : dsum(s, OPE_W_E);
	OpeEstimate est;

	*pop_variance = *mean_weight_gap = NAN;
	if (s->n < 1 || lambda_index < 0 || lambda_index >= s->nlambdas)
		return;
	ope_compute_estimate(s, e, lambda_index, &est);
	/* n (n - 1) se^2 / n = the centred sum of squares over n */
	if (est.has_std_error)
		*pop_variance = est.std_error * est.std_error * (n - 1.0);
	else if (s->n == 1 || est.has_estimate)
		*pop_variance = 0.0;
	*mean_weight_gap = dd_value(dd_sub(full, lsum(s, k, lambda_index))) / n;
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
