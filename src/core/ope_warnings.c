/*
 * ope_warnings.c — the mean-weight z-test and a state's warnings
 * (ope_warnings.h).
 */
#include "ope_warnings.h"

#include <math.h>
#include <stdio.h>

#include "ddouble.h"

void
ope_weight_test(double n, int64_t n_nonzero, const CompSum *s1, const CompSum *s2,
				OpeWeightTest *out)
{
	DD			d1 = dd_from_sum(s1),
				d2 = dd_from_sum(s2);
	double		ss,
				gap;

	out->tested = false;
	out->mean = out->std_error = out->z = 0.0;
	out->verdict = 0;
	if (n < 2.0 || n_nonzero < OPE_WEIGHT_MIN_NONZERO)
		return;
	out->mean = dd_value(dd_div_d(d1, n));
	if (!isfinite(out->mean))
		return;
	/* sum (w - mean)^2 in double-double: equal weights give exactly 0 */
	ss = dd_value(dd_sub(d2, dd_div_d(dd_mul(d1, d1), n)));
	out->std_error = ss > 0.0 ? sqrt(ss / (n - 1.0) / n) : 0.0;
	if (!isfinite(out->std_error))
		return;
	out->tested = true;
	gap = out->mean - 1.0;
	out->z = out->std_error > 0.0 ? gap / out->std_error : (gap > 0 ? INFINITY : gap < 0 ? -INFINITY : 0.0);
	if (fabs(gap) > OPE_WEIGHT_GAP && fabs(out->z) > OPE_WEIGHT_Z)
		out->verdict = gap > 0 ? 1 : -1;
}

void
ope_weight_warning(const OpeWeightTest *t, char *buf, size_t len)
{
	char		se[64];

	if (t->std_error > 0.0)
		snprintf(se, sizeof(se), "%.3g standard errors", fabs(t->z));
	else
		snprintf(se, sizeof(se), "every weight equal");
	if (t->verdict < 0)
		snprintf(buf, len,
				 "mean weight %.4g is below 1 (%s): propensities logged larger than the "
				 "probabilities the images were shown with, or a target that shows images "
				 "the logging policy never showed", t->mean, se);
	else
		snprintf(buf, len,
				 "mean weight %.4g is above 1 (%s): propensities logged smaller than the "
				 "probabilities the images were shown with", t->mean, se);
}

int
ope_state_warnings(const OpeState *s, char out[][OPE_WARNING_LEN])
{
	int			k = 0;
	double		sw = compsum_value(&s->sums[OPE_W]),
				sw2 = compsum_value(&s->sums[OPE_W2]);
	OpeWeightTest t;

	if (s->n == 0)
	{
		snprintf(out[k++], OPE_WARNING_LEN, "no rows%s",
				 s->n_skipped > 0 ? ": every row was skipped for a NULL input" : "");
		return k;
	}
	if (s->n_skipped > 0)
		snprintf(out[k++], OPE_WARNING_LEN,
				 "skipped rows: %lld of %lld rows had a NULL input and were not counted",
				 (long long) s->n_skipped, (long long) (s->n + s->n_skipped));
	if (s->n_matched < OPE_FEW_MATCHED)
		snprintf(out[k++], OPE_WARNING_LEN,
				 "few matched rows: %lld of %lld rows have a target probability above 0",
				 (long long) s->n_matched, (long long) s->n);
	ope_weight_test((double) s->n, s->n_matched, &s->sums[OPE_W], &s->sums[OPE_W2], &t);
	if (t.verdict != 0)
		ope_weight_warning(&t, out[k++], OPE_WARNING_LEN);
	if (sw > 0.0 && s->max_weight > OPE_HEAVY_SHARE * sw)
		snprintf(out[k++], OPE_WARNING_LEN,
				 "heavy weights: the largest weight (%.4g) is %.3g%% of the sum of weights",
				 s->max_weight, 100.0 * s->max_weight / sw);
	if (sw2 > 0.0 && sw * sw / sw2 < OPE_SMALL_ESS)
		snprintf(out[k++], OPE_WARNING_LEN,
				 "small effective sample size: %.4g (the weighted rows count as fewer than %.0f)",
				 sw * sw / sw2, OPE_SMALL_ESS);
	return k;
}
