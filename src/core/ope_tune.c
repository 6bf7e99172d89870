/*
 * ope_tune.c — see ope_tune.h.  The definitions follow OBP 0.5
 * (obp/ope/estimators_tuning.py: _tune_hyperparam_with_slope,
 * _tune_hyperparam_with_mse; obp/ope/helper.py:
 * estimate_student_t_lower_bound, estimate_high_probability_upper_bound_bias).
 */
#include "ope_tune.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "float_text.h"
#include "ope_lambda.h"
#include "special.h"

/* sqrt(6) - 1: SLOPE's constant */
#define SLOPE_C 1.4494897427831781

typedef struct Candidate
{
	int			index;
	double		lambda;
	double		theta;
	double		width;
} Candidate;

static const char *
lambda_text(double lambda, char *buf)
{
	float_to_text(lambda, buf);
	return buf;
}

static void
choose(const OpeState *s, OpeEstimator e, int j, OpeTuneResult *out)
{
	out->found = true;
	out->index = j;
	ope_compute_estimate(s, e, j, &out->estimate);
}

static void
tune_slope(const OpeState *s, OpeEstimator e, OpeTuneResult *out)
{
	Candidate	c[OPE_MAX_LAMBDAS],
				tmp;
	int			n = 0,
				i,
				j,
				k;
	char		b1[FLOAT_TEXT_LEN],
				b2[FLOAT_TEXT_LEN],
				b3[FLOAT_TEXT_LEN];

	for (j = 0; j < s->nlambdas; j++)
	{
		OpeEstimate est;

		ope_compute_estimate(s, e, j, &est);
		if (!est.has_estimate || !est.has_std_error)
			continue;
		c[n].index = j;
		c[n].lambda = ope_lambdas(s)[j];
		c[n].theta = est.estimate;
		c[n].width = t_quantile(1.0 - OPE_TUNE_DELTA, est.n - 1.0) * est.std_error;
		n++;
	}
	if (n == 0)
	{
		snprintf(out->reason, OPE_TUNE_REASON_LEN,
				 "slope: no lambda has a standard error (fewer than two informative rows)");
		return;
	}
	/* widest first; equal widths: the smaller lambda first */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && (c[k].width > c[k - 1].width ||
							  (c[k].width == c[k - 1].width && c[k].lambda < c[k - 1].lambda)); k--)
		{
			tmp = c[k];
			c[k] = c[k - 1];
			c[k - 1] = tmp;
		}
	for (i = 1; i < n; i++)
		for (k = 0; k < i; k++)
			if (!(fabs(c[k].theta - c[i].theta) <= c[i].width + SLOPE_C * c[k].width))
			{
				choose(s, e, c[i - 1].index, out);
				snprintf(out->reason, OPE_TUNE_REASON_LEN,
						 "slope: lambda=%s, the narrowest lambda whose estimate stays within the widths of every wider one "
						 "(lambda=%s would be %.3g away from lambda=%s, more than %.3g + 1.45 x %.3g)",
						 lambda_text(c[i - 1].lambda, b1), lambda_text(c[i].lambda, b2),
						 fabs(c[k].theta - c[i].theta), lambda_text(c[k].lambda, b3),
						 c[i].width, c[k].width);
				return;
			}
	choose(s, e, c[n - 1].index, out);
	snprintf(out->reason, OPE_TUNE_REASON_LEN,
			 "slope: lambda=%s, the narrowest of the %d lambdas with a standard error; every estimate stays within the widths of the wider ones",
			 lambda_text(c[n - 1].lambda, b1), n);
}

static void
tune_mse(const OpeState *s, OpeEstimator e, OpeTuneResult *out)
{
	double		n = (double) s->n,
				l2d = log(2.0 / OPE_TUNE_DELTA),
				mean_w2,
				bound_rest,
				best = INFINITY,
				best_var = 0,
				best_bias = 0;
	int			j,
				pick = -1;
	char		b1[FLOAT_TEXT_LEN];

	if (s->n < 1)
	{
		snprintf(out->reason, OPE_TUNE_REASON_LEN, "mse: the state has no rows");
		return;
	}
	mean_w2 = compsum_value(&s->sums[OPE_W2]) / n;
	bound_rest = sqrt(2.0 * mean_w2 * l2d / n) + 2.0 * s->max_weight * l2d / (3.0 * n);
	/* OBP keeps the first minimum in decreasing lambda order: scan downwards, strict < */
	for (j = s->nlambdas - 1; j >= 0; j--)
	{
		double		var,
					gap,
					bias,
					score;

		ope_lambda_bias_parts(s, e, j, &var, &gap);
		if (!isfinite(var) || !isfinite(gap))
			continue;
		bias = fabs(gap) + bound_rest;
		score = var / n + bias * bias;
		if (score < best)
		{
			best = score;
			pick = j;
			best_var = var / n;
			best_bias = bias;
		}
	}
	if (pick < 0)
	{
		snprintf(out->reason, OPE_TUNE_REASON_LEN, "mse: no lambda has an estimate");
		return;
	}
	choose(s, e, pick, out);
	snprintf(out->reason, OPE_TUNE_REASON_LEN,
			 "mse: lambda=%s has the smallest estimated mean squared error, %.4g = variance %.4g + (bias bound %.4g)^2",
			 lambda_text(ope_lambdas(s)[pick], b1), best, best_var, best_bias);
}

void
ope_choose_lambda(const OpeState *s, OpeEstimator e, OpeTuneMethod m, OpeTuneResult *out)
{
	memset(out, 0, sizeof(*out));
	out->index = -1;
	if (m == OPE_TUNE_SLOPE)
		tune_slope(s, e, out);
	else
		tune_mse(s, e, out);
}
