/*
 * ope_intervals.c — see ope_intervals.h.
 *
 * Every method works on the same per-row terms t_i (ips, dm, dr and the
 * lambda estimators) or influence terms psi_i (the ratios replay, snips,
 * sndr) behind the standard error se, whose sample standard deviation is
 * sd = se sqrt(n) (ope_estimators.c).  With delta = 1 - confidence:
 *
 * normal      estimate +- z se, z = Phi^-1(1 - delta/2).
 * bernstein   the empirical Bernstein bound of Maurer and Pontil (2009,
 *             Theorem 4), two-sided by a union bound:
 *               estimate +- ( sqrt(2 sd^2 log(4/delta) / n)
 *                             + 7 R log(4/delta) / (3 (n - 1)) ),
 *             R the width of a range that holds every term: the tracked
 *             ranges of r, e and v and the largest weight bound it
 *             (ope_estimators.c, term_range).  Valid for any n when R holds
 *             (for the ratios, to the delta method's first order).
 * wilson      replay of a state whose matched rewards are all 0 or 1 and
 *             whose target is deterministic (pi = 1 on every matched row):
 *             k plays in m matches, the Wilson score interval
 *               (k + z^2/2) / (m + z^2) +- z / (m + z^2) sqrt(k (m - k) / m + z^2 / 4).
 * clopper_pearson  the same case, exact: [B(delta/2; k, m - k + 1),
 *             B(1 - delta/2; k + 1, m - k)], B the Beta quantile (0 and 1
 *             at k = 0 and k = m).
 * cs          a confidence sequence: at every n, whenever it is looked at,
 *               estimate +- sd sqrt( 2 (n rho^2 + 1) / (n^2 rho^2)
 *                                    log( sqrt(n rho^2 + 1) / delta ) ),
 *             Robbins' normal-mixture boundary (Robbins 1970) with the
 *             sample variance plugged in: the asymptotic confidence sequence
 *             of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas ("Time-
 *             uniform central limit theory and asymptotic confidence
 *             sequences", Annals of Statistics 2024, Theorem 2.2), which
 *             covers the truth at all n at once with probability about
 *             confidence.  rho^2 = (-2 log delta + log(1 - 2 log delta)) / N,
 *             N = OPE_CS_TUNED_ROWS or the rows= given ('cs(rows=5000)'),
 *             makes it narrowest near N rows.
 *
 * No interval from fewer than two informative rows (the estimate's
 * standard error is then absent), none of zero width (terms without
 * spread, e.g. every matched reward 1: wilson and clopper_pearson still
 * answer), none that is not finite.
 */
#include "ope_intervals.h"

#include <math.h>
#include <string.h>

#include "float_text.h"
#include "normal.h"
#include "param_text.h"
#include "special.h"

const char *const ope_interval_method_names[OPE_NMETHODS] = {
	"normal", "bernstein", "wilson", "clopper_pearson", "cs"
};

const OpeIntervalSpec ope_interval_normal = {OPE_CI_NORMAL, OPE_CS_TUNED_ROWS};

bool
ope_interval_spec_parse(const char *text, size_t len, OpeIntervalSpec *out, AbError *err)
{
	ParamText	pt;
	int			i,
				m = -1;

	if (!param_text_parse(text, len, "interval method",
						  "A method is normal, bernstein, wilson, clopper_pearson, cs or e.g. 'cs(rows=5000)'.",
						  &pt, err))
		return false;
	for (i = 0; i < OPE_NMETHODS; i++)
		if (strcmp(pt.name, ope_interval_method_names[i]) == 0)
			m = i;
	if (m < 0)
	{
		ab_fail(err, AB_ERR_VALUE, "unknown interval method \"%s\"", pt.name);
		ab_detail(err, "Valid methods are normal, bernstein, wilson, clopper_pearson and cs.");
		return false;
	}
	out->method = (OpeIntervalMethod) m;
	out->cs_rows = OPE_CS_TUNED_ROWS;
	for (i = 0; i < pt.nparams; i++)
	{
		char		buf[FLOAT_TEXT_LEN];

		if (m != OPE_CI_CS || strcmp(pt.keys[i], "rows") != 0)
		{
			ab_fail(err, AB_ERR_VALUE, "interval method \"%s\" has no parameter \"%s\"", pt.name, pt.keys[i]);
			ab_detail(err, "Only cs takes a parameter: rows, e.g. 'cs(rows=5000)'.");
			return false;
		}
		out->cs_rows = pt.values[i];
		float_to_text(pt.values[i], buf);
		if (!(pt.values[i] >= 1.0 && pt.values[i] <= OPE_CS_MAX_ROWS))
			return ab_fail(err, AB_ERR_VALUE, "interval method parameter rows must be in [1, 1e15], got %s", buf);
	}
	return true;
}

/* k plays in m matches, when replay of s is a binomial proportion. */
static bool
binomial_replay(const OpeState *s, OpeEstimator e, double *k, double *m)
{
	if (e != OPE_EST_REPLAY || !ope_state_is_tracked(s) ||
		(s->flags & (OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL)) || s->n_matched < 2)
		return false;
	*m = (double) s->n_matched;
	*k = nearbyint(compsum_value(&s->sums[OPE_PI_R]));
	return *k >= 0.0 && *k <= *m;
}

static double
cs_half_width(double sd, double n, double delta, double tuned_rows)
{
	double		l = -2.0 * log(delta),
				rho2 = (l + log1p(l)) / tuned_rows,
				v = n * rho2 + 1.0;

	return sd * sqrt(2.0 * v / (n * n * rho2) * log(sqrt(v) / delta));
}

bool
ope_interval(const OpeState *s, OpeEstimator e, const OpeEstimate *est,
			 const OpeIntervalSpec *spec, double confidence, double *lo, double *hi)
{
	double		delta = 1.0 - confidence,
				z = -normal_quantile(delta / 2.0),
				n = est->n,
				sd,
				half = NAN,
				k,
				trials;

	if (!est->has_estimate || !est->has_std_error)
		return false;
	sd = est->std_error * sqrt(n);
	switch (spec->method)
	{
		case OPE_CI_NORMAL:
			half = z * est->std_error;
			break;
		case OPE_CI_BERNSTEIN:
			if (!est->has_range || n < 2.0)
				return false;
			half = sqrt(2.0 * sd * sd * log(4.0 / delta) / n) +
				7.0 * (est->term_hi - est->term_lo) * log(4.0 / delta) / (3.0 * (n - 1.0));
			break;
		case OPE_CI_CS:
			half = cs_half_width(sd, n, delta, spec->cs_rows);
			break;
		case OPE_CI_WILSON:
			if (!binomial_replay(s, e, &k, &trials))
				return false;
			{
				double		z2 = z * z,
							centre = (k + z2 / 2.0) / (trials + z2),
							w = z / (trials + z2) * sqrt(k * (trials - k) / trials + z2 / 4.0);

				/* exactly 0 and 1 at the ends, where rounding would miss them */
				*lo = k == 0.0 ? 0.0 : centre - w;
				*hi = k == trials ? 1.0 : centre + w;
			}
			return isfinite(*lo) && isfinite(*hi);
		case OPE_CI_CLOPPER_PEARSON:
			if (!binomial_replay(s, e, &k, &trials))
				return false;
			*lo = k == 0.0 ? 0.0 : ibeta_inv(delta / 2.0, k, trials - k + 1.0);
			*hi = k == trials ? 1.0 : ibeta_inv(1.0 - delta / 2.0, k + 1.0, trials - k);
			return isfinite(*lo) && isfinite(*hi);
		default:
			return false;
	}
	/* terms without spread say nothing about the error: no zero-width interval */
	if (!(half > 0.0))
		return false;
	*lo = est->estimate - half;
	*hi = est->estimate + half;
	return isfinite(*lo) && isfinite(*hi);
}
