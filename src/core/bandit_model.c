/*
 * bandit_model.c — building and merging per-arm ridge statistics.
 *
 * For rows (x, r, w) of one arm: n, sum w, sum w r, sum w r^2,
 * A = sum w x x^T and b = sum w r x.  The ridge estimate is
 * theta = (lambda I + A)^-1 b (bandit_scorer.c).  Overflow is checked
 * before anything is written: every entry of A is bounded by its diagonal
 * (|A_ij| <= sqrt(A_ii A_jj), A is positive semi-definite), every b_i by
 * sqrt(sum w r^2 * A_ii) and sum w r by sqrt(sum w * sum w r^2)
 * (Cauchy–Schwarz), so finite diagonals, weight and sum w r^2 keep every
 * sum finite.
 */
#include "bandit_model.h"

#include <math.h>
#include <string.h>

#include "float_text.h"
#include "linalg.h"

size_t
bm_arm_size(uint32_t dim)
{
	return sizeof(BmArm) + sizeof(double) * (packed_size(dim) + dim);
}

bool
bm_model_size(int64_t dim, int64_t narms, size_t *size, AbError *err)
{
	size_t		arm;

	if (dim < 1 || dim > BM_MAX_DIM)
		return ab_fail(err, dim < 1 ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "model dimension %lld is out of range (1 to %d)",
					   (long long) dim, BM_MAX_DIM);
	if (narms < 0 || narms > BM_MAX_ARMS)
		return ab_fail(err, narms < 0 ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "number of arms %lld is out of range (0 to %d)",
					   (long long) narms, BM_MAX_ARMS);
	arm = bm_arm_size((uint32_t) dim);
	/* dim and narms are bounded, so this cannot overflow size_t */
	if ((size_t) narms > (BM_MAX_BYTES - sizeof(BmHeader)) / arm)
		return ab_fail(err, AB_ERR_LIMIT,
					   "a model of %lld arms of dimension %lld exceeds the size limit of %zu bytes",
					   (long long) narms, (long long) dim, BM_MAX_BYTES);
	*size = sizeof(BmHeader) + (size_t) narms * arm;
	return true;
}

void
bm_init(BmHeader *h, uint32_t dim)
{
	memset(h, 0, sizeof(*h));
	h->version = BM_VERSION;
	h->dim = dim;
}

uint32_t
bm_find(const BmHeader *h, int64_t action, bool *found)
{
	uint32_t	lo = 0,
				hi = h->narms;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;
		int64_t		a = bm_arm_const(h, mid)->action;

		if (a == action)
		{
			*found = true;
			return mid;
		}
		if (a < action)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

BmArm *
bm_insert_arm(BmHeader *h, uint32_t idx, int64_t action)
{
	size_t		arm_size = bm_arm_size(h->dim);
	BmArm	   *arm = bm_arm(h, idx);

	memmove((char *) arm + arm_size, arm, (size_t) (h->narms - idx) * arm_size);
	memset(arm, 0, arm_size);
	arm->action = action;
	h->narms++;
	return arm;
}

bool
bm_check_context(const BmHeader *h, const double *x, int64_t len, AbError *err)
{
	int64_t		i;
	char		buf[FLOAT_TEXT_LEN];

	if (len != (int64_t) h->dim)
		return ab_fail(err, AB_ERR_VALUE,
					   "context has %lld elements, but the model dimension is %u",
					   (long long) len, h->dim);
	for (i = 0; i < len; i++)
		if (!isfinite(x[i]))
		{
			float_to_text(x[i], buf);
			return ab_fail(err, AB_ERR_VALUE, "context element %lld must be finite, got %s",
						   (long long) i + 1, buf);
		}
	return true;
}

bool
bm_arm_add(BmArm *arm, uint32_t dim, const double *x, double reward,
		   double weight, AbError *err)
{
	double	   *a = bm_arm_a(arm),
			   *b = bm_arm_b(arm, dim);
	double		wr = weight * reward;
	uint32_t	i;
	char		buf[FLOAT_TEXT_LEN];

	if (!isfinite(reward))
	{
		float_to_text(reward, buf);
		return ab_fail(err, AB_ERR_VALUE, "reward must be finite, got %s", buf);
	}
	if (!(weight >= 0.0) || !isfinite(weight))
	{
		float_to_text(weight, buf);
		return ab_fail(err, AB_ERR_VALUE, "weight must be finite and non-negative, got %s", buf);
	}
	if (arm->n == INT64_MAX ||
		!isfinite(arm->weight + weight) || !isfinite(arm->sum_wr2 + wr * reward))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE, "sums of arm %lld are out of range",
					   (long long) arm->action);
	for (i = 0; i < dim; i++)
		if (!isfinite(a[packed_index(i, i)] + weight * x[i] * x[i]))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "sums of arm %lld are out of range for context element %u",
						   (long long) arm->action, i + 1);

	arm->n++;
	arm->weight += weight;
	arm->sum_wr += wr;
	arm->sum_wr2 += wr * reward;
	packed_rank1_update(a, dim, weight, x);
	for (i = 0; i < dim; i++)
		b[i] += wr * x[i];
	return true;
}

/* Add src's statistics into dst (same action and dimension). */
static bool
arm_merge(BmArm *dst, const BmArm *src, uint32_t dim, AbError *err)
{
	size_t		i,
				n = packed_size(dim) + dim;

	if (src->n > INT64_MAX - dst->n)
		return ab_fail(err, AB_ERR_OUT_OF_RANGE, "row count of arm %lld is out of range",
					   (long long) dst->action);
	dst->n += src->n;
	dst->weight += src->weight;
	dst->sum_wr += src->sum_wr;
	dst->sum_wr2 += src->sum_wr2;
	for (i = 0; i < n; i++)
		dst->data[i] += src->data[i];
	if (!isfinite(dst->weight) || !isfinite(dst->sum_wr2))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE, "sums of arm %lld are out of range after merging",
					   (long long) dst->action);
	for (i = 0; i < n; i++)
		if (!isfinite(dst->data[i]))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "sums of arm %lld are out of range after merging",
						   (long long) dst->action);
	return true;
}

bool
bm_merge(BmHeader *dst, const BmHeader *src, AbError *err)
{
	uint32_t	i;

	if (dst->dim != src->dim)
	{
		ab_fail(err, AB_ERR_MISMATCH, "cannot merge bandit models of dimensions %u and %u",
				dst->dim, src->dim);
		ab_detail(err, "Models built from contexts of different lengths measure different things.");
		return false;
	}
	if ((uint64_t) dst->narms + src->narms > BM_MAX_ARMS)
		return ab_fail(err, AB_ERR_LIMIT, "merged model would have more than %d arms", BM_MAX_ARMS);
	for (i = 0; i < src->narms; i++)
	{
		const BmArm *s = bm_arm_const(src, i);
		bool		found;
		uint32_t	idx = bm_find(dst, s->action, &found);
		BmArm	   *d = found ? bm_arm(dst, idx) : bm_insert_arm(dst, idx, s->action);

		if (!arm_merge(d, s, dst->dim, err))
			return false;
	}
	return true;
}

static bool
validate_arm(const BmArm *arm, uint32_t dim, AbErrorKind kind, AbError *err)
{
	const double *a = arm->data;
	size_t		i,
				n = packed_size(dim) + dim;

	if (arm->n < 0)
		return ab_fail(err, kind, "arm %lld has a negative row count", (long long) arm->action);
	if (!isfinite(arm->weight) || !isfinite(arm->sum_wr) || !isfinite(arm->sum_wr2))
		return ab_fail(err, kind, "arm %lld has a non-finite sum", (long long) arm->action);
	if (arm->weight < 0.0 || arm->sum_wr2 < 0.0)
		return ab_fail(err, kind, "arm %lld has a negative weight or sum of squares",
					   (long long) arm->action);
	for (i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return ab_fail(err, kind, "arm %lld has a non-finite matrix or vector entry",
						   (long long) arm->action);
	for (i = 0; i < dim; i++)
		if (a[packed_index(i, i)] < 0.0)
			return ab_fail(err, kind, "arm %lld has a negative diagonal entry", (long long) arm->action);
	if (arm->n == 0)
		for (i = 0; i < n; i++)
			if (a[i] != 0.0 || arm->weight != 0.0 || arm->sum_wr != 0.0 || arm->sum_wr2 != 0.0)
				return ab_fail(err, kind, "arm %lld has no rows but non-zero sums",
							   (long long) arm->action);
	return true;
}

bool
bm_validate(const BmHeader *h, size_t size, AbErrorKind kind, AbError *err)
{
	size_t		expected;
	uint32_t	i;

	if (size < sizeof(BmHeader))
		return ab_fail(err, kind, "banditmodel is truncated");
	if (h->version != BM_VERSION)
		return ab_fail(err, kind, "unsupported banditmodel version %d", (int) h->version);
	if (h->flags != 0 || h->reserved != 0 || h->reserved2 != 0)
		return ab_fail(err, kind, "banditmodel has unknown flags or non-zero reserved bits");
	if (!bm_model_size(h->dim, h->narms, &expected, err))
		return false;
	if (size != expected)
		return ab_fail(err, kind, "banditmodel has %zu bytes, expected %zu for %u arms of dimension %u",
					   size, expected, h->narms, h->dim);
	for (i = 0; i < h->narms; i++)
	{
		const BmArm *arm = bm_arm_const(h, i);

		if (i > 0 && bm_arm_const(h, i - 1)->action >= arm->action)
			return ab_fail(err, kind, "banditmodel arms must have strictly ascending actions");
		if (!validate_arm(arm, h->dim, kind, err))
			return false;
	}
	return true;
}
