/* See ope_reference.h.  Influence-function form of each estimator. */
#include "ope_reference.h"

#include <math.h>

static long double
sd_of_mean(const long double *t, int n, long double mean)
{
	long double ss = 0;
	int			i;

	for (i = 0; i < n; i++)
		ss += (t[i] - mean) * (t[i] - mean);
	return sqrtl(ss / (n - 1) / n);
}

RefResult
ref_estimate(const RefRow *rows, int n, int estimator)
{
	static long double t[100000];
	long double num = 0,
				den = 0,
				vsum = 0,
				est = 0;
	RefResult	res;
	int			i;

	for (i = 0; i < n; i++)
	{
		long double w = (long double) rows[i].pi / rows[i].mu;

		switch (estimator)
		{
			case 0:
				num += (long double) rows[i].pi * rows[i].r;
				den += rows[i].pi;
				break;
			case 1:
				t[i] = w * rows[i].r;
				num += t[i];
				break;
			case 2:
				num += w * rows[i].r;
				den += w;
				break;
			case 3:
				t[i] = rows[i].v;
				num += t[i];
				break;
			case 4:
				t[i] = rows[i].v + w * ((long double) rows[i].r - rows[i].q);
				num += t[i];
				break;
			case 5:
				vsum += rows[i].v;
				num += w * ((long double) rows[i].r - rows[i].q);
				den += w;
				break;
		}
	}
	if (estimator == 1 || estimator == 3 || estimator == 4)
	{
		est = num / n;
		res.estimate = (double) est;
		res.std_error = (double) sd_of_mean(t, n, est);
		return res;
	}
	if (estimator == 5)
	{
		long double tt = num / den,
					wbar = den / n,
					vbar = vsum / n;

		est = vbar + tt;
		for (i = 0; i < n; i++)
		{
			long double w = (long double) rows[i].pi / rows[i].mu;

			t[i] = (rows[i].v - vbar) + w * ((rows[i].r - rows[i].q) - tt) / wbar;
		}
		res.estimate = (double) est;
		res.std_error = (double) sd_of_mean(t, n, 0);
		return res;
	}
	/* replay (a = pi) and snips (a = w): psi = a (r - R) / abar */
	est = num / den;
	for (i = 0; i < n; i++)
	{
		long double a = estimator == 0 ? (long double) rows[i].pi
			: (long double) rows[i].pi / rows[i].mu;

		t[i] = a * (rows[i].r - est) / (den / n);
	}
	res.estimate = (double) est;
	res.std_error = (double) sd_of_mean(t, n, 0);
	return res;
}

RefResult
ref_lambda_estimate(const RefRow *rows, int n, int estimator, double lambda)
{
	static long double t[100000];
	long double sum = 0,
				mean;
	RefResult	res;
	int			i;

	for (i = 0; i < n; i++)
	{
		long double w = (long double) rows[i].pi / rows[i].mu,
					c;

		if (estimator == 6 || estimator == 7)
			c = w < lambda ? w : lambda;
		else if (estimator == 8)
			c = w <= lambda ? w : 0;
		else if (w == 0)
			c = 0;
		else if (isinf(lambda))
			c = w;
		else
			c = lambda * w / (w * w + lambda);
		t[i] = estimator == 6 ? c * rows[i].r
			: rows[i].v + c * ((long double) rows[i].r - rows[i].q);
		sum += t[i];
	}
	mean = sum / n;
	res.estimate = (double) mean;
	res.std_error = (double) sd_of_mean(t, n, mean);
	return res;
}
