/*
 * fuzz_thompson.c — thompson_probabilities on fuzzer-chosen arms.
 *
 * Input: a first byte b gives k = 1 + (b & 7) arms, or with b & 0x40
 * k = 1 + (b & 31), up to 32.  With b & 0x80 the means and sds are raw doubles (8 bytes each,
 * native order: NaN, infinities, subnormals, 1e308); otherwise 2 bytes each,
 * a mean int16 / 256 and an sd uint16 / 4096, which makes ties, point
 * masses (sd 0) and near-equal arms common.  Bytes missing at the end read
 * as zero.
 *
 * Checks: the call fails (AB_ERR_VALUE) exactly when a mean is not finite or
 * an sd is negative or not finite; otherwise the probabilities lie in
 * [0, 1] and sum to 1, the statistics are consistent (a converged call's
 * error bound within the default tolerance), reversing the arms
 * reverses the probabilities (to 1e-9), and for two arms away from the
 * point-mass cut-offs they match the closed form
 * P(a) = Phi((m_a - m_b) / sqrt(s_a^2 + s_b^2)) to 1e-9.
 */
#include "fuzz_common.h"

#include <float.h>
#include <math.h>

#include "thompson.h"

#define MAXK 32

static double
take(const uint8_t **p, const uint8_t *end, size_t n, bool raw, bool is_sd)
{
	uint8_t		b[8] = {0};
	size_t		i;

	for (i = 0; i < n && *p < end; i++)
		b[i] = *(*p)++;
	if (raw)
	{
		double		v;

		memcpy(&v, b, sizeof(v));
		return v;
	}
	if (is_sd)
		return (double) (uint16_t) (b[0] << 8 | b[1]) / 4096.0;
	return (double) (int16_t) (uint16_t) (b[0] << 8 | b[1]) / 256.0;
}

static double
phi_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

/* True when an sd is in the range where thompson.c treats it as exact. */
static bool
clearly_continuous_or_point(double m, double s, double scale)
{
	return s == 0.0 || (s >= 1e-6 * scale && s >= 1e-6 * fabs(m));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data,
			   *end = data + size;
	double		mean[MAXK],
				sd[MAXK],
				prob[MAXK],
				rmean[MAXK],
				rsd[MAXK],
				rprob[MAXK],
				sum = 0.0;
	double	   *work;
	bool		raw,
				valid = true,
				ok;
	int			k,
				a;
	AbError		err;
	ThompsonStats stats;

	if (size == 0)
		return 0;
	raw = (data[0] & 0x80) != 0;
	k = 1 + (data[0] & ((data[0] & 0x40) ? 31 : 7));
	p++;
	for (a = 0; a < k; a++)
	{
		mean[a] = take(&p, end, raw ? 8 : 2, raw, false);
		sd[a] = take(&p, end, raw ? 8 : 2, raw, true);
		if (!isfinite(mean[a]) || !isfinite(sd[a]) || !(sd[a] >= 0.0))
			valid = false;
		rmean[k - 1 - a] = mean[a];
		rsd[k - 1 - a] = sd[a];
	}

	fuzz_error_init(&err);
	ok = thompson_probabilities(mean, sd, k, prob, &err);
	if (!valid)
	{
		FUZZ_CHECK(!ok, "invalid arms accepted");
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_VALUE), "thompson_probabilities");
		return 0;
	}
	FUZZ_CHECK(ok, "valid arms rejected: %s", err.message);
	for (a = 0; a < k; a++)
	{
		FUZZ_CHECK(prob[a] >= 0.0 && prob[a] <= 1.0, "P(arm %d) = %.17g", a, prob[a]);
		sum += prob[a];
	}
	FUZZ_CHECK(fabs(sum - 1.0) <= 1e-12 * k, "probabilities sum to %.17g", sum);

	/* the work-space form with statistics gives the same numbers */
	work = malloc(sizeof(double) * thompson_work_doubles(k));
	FUZZ_CHECK(work != NULL, "out of memory");
	FUZZ_CHECK(thompson_probabilities_work(rmean, rsd, k, rprob, work, &stats, &err),
			   "reversed arms rejected: %s", err.message);
	free(work);
	FUZZ_CHECK(stats.arms_integrated >= 0 && stats.arms_integrated <= k &&
			   stats.intervals >= 0 && stats.examined >= 0 && stats.nodes >= 0 &&
			   stats.error_bound >= 0.0,
			   "inconsistent statistics");
	/* converged: the proven bound within the default tolerance, 4e-13 */
	FUZZ_CHECK(!stats.converged || stats.error_bound <= 4e-13,
			   "converged with error bound %g", stats.error_bound);
	for (a = 0; a < k; a++)
		FUZZ_CHECK(fabs(prob[a] - rprob[k - 1 - a]) <= 1e-9,
				   "arm %d: %.17g, reversed %.17g", a, prob[a], rprob[k - 1 - a]);

	if (k == 2)
	{
		double		scale = fmax(fmax(fabs(mean[0]), fabs(mean[1])), fmax(sd[0], sd[1]));

		if (clearly_continuous_or_point(mean[0], sd[0], scale) &&
			clearly_continuous_or_point(mean[1], sd[1], scale))
		{
			double		s = hypot(sd[0], sd[1]),
						expected;

			if (s > 0.0)
				expected = phi_cdf(mean[0] / s - mean[1] / s);
			else
				expected = mean[0] > mean[1] ? 1.0 : mean[0] < mean[1] ? 0.0 : 0.5;
			FUZZ_CHECK(fabs(prob[0] - expected) <= 1e-9,
					   "two arms N(%.17g, %.17g^2), N(%.17g, %.17g^2): P(first) = %.17g, "
					   "closed form %.17g", mean[0], sd[0], mean[1], sd[1], prob[0], expected);
		}
	}
	return 0;
}
