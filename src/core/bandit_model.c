/*
 * bandit_model.c — building and merging per-arm ridge statistics.
 *
 * For rows (x, r, w) of one arm: n, sum w, sum w r, sum w r^2,
 * A = sum w x x^T and b = sum w r x.  The ridge estimate is
 * theta = (lambda I + A)^-1 b (bandit_scorer.c).
 *
 * Overflow is prevented without touching every sum twice.  By Cauchy–Schwarz
 * the sums satisfy |A_ij| <= sqrt(A_ii) sqrt(A_jj), |b_i| <= sqrt(sum w r^2)
 * sqrt(A_ii) and |sum w r| <= sqrt(sum w) sqrt(sum w r^2); rounding can only
 * loosen that by a factor (1 + n eps), and underflow of the squares by a
 * tiny absolute amount, so every fitted model satisfies the bounds with a
 * factor 2 (within_cs), and bm_validate enforces them on models from
 * outside.  The bounds are preserved by adding rows and by merging
 * (sqrt(ab) + sqrt(cd) <= sqrt((a + c)(b + d))), so whatever the functions
 * build from valid models reads back.  The "square" sums (diagonal of A, sum w, sum w r^2) are capped at
 * BM_SUM_MAX = DBL_MAX / 8, checked before a row is written; the other sums
 * then stay below 3 BM_SUM_MAX after any update or merge.
 */
#include "bandit_model.h"

#include <math.h>
#include <string.h>

#include "float_text.h"
#include "linalg.h"

#include <float.h>

#define BM_SUM_MAX (DBL_MAX / 8)

/*
 * |value| <= 2 sqrt(p) sqrt(q) (1 + 1e-6): the Cauchy–Schwarz bound with
 * room for rounding.  p and q are sums of squares over n rows, each of which
 * may have underflowed by up to half the smallest subnormal, so n * 2^-1072
 * is added to each: a context value below 1e-162 squares to zero while its
 * products with other values do not.
 */
static bool
within_cs(double value, double p, double q, int64_t n)
{
	double		lost = (double) n * 0x1p-1072;

	return fabs(value) <= 2.000002 * sqrt(p + lost) * sqrt(q + lost);
}

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
	if (arm->n == INT64_MAX)
		return ab_fail(err, AB_ERR_OUT_OF_RANGE, "row count of arm %lld is out of range",
					   (long long) arm->action);
	if (!(arm->weight + weight <= BM_SUM_MAX) || !(arm->sum_wr2 + wr * reward <= BM_SUM_MAX))
	{
		char		rb[FLOAT_TEXT_LEN];

		float_to_text(reward, rb);
		float_to_text(weight, buf);
		return ab_fail(err, AB_ERR_OUT_OF_RANGE,
					   "reward %s with weight %s overflows the sums of arm %lld",
					   rb, buf, (long long) arm->action);
	}
	for (i = 0; i < dim; i++)
		if (!(a[packed_index(i, i)] + weight * x[i] * x[i] <= BM_SUM_MAX))
		{
			float_to_text(x[i], buf);
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "context element %u (%s) overflows the sums of arm %lld",
						   i + 1, buf, (long long) arm->action);
		}

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
	if (!(dst->weight <= BM_SUM_MAX) || !(dst->sum_wr2 <= BM_SUM_MAX))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE, "sums of arm %lld are out of range after merging",
					   (long long) dst->action);
	for (i = 0; i < dim; i++)
		if (!(dst->data[packed_index(i, i)] <= BM_SUM_MAX))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "sums of arm %lld are out of range after merging",
						   (long long) dst->action);
	return true;
}

uint32_t
bm_union_arms(const BmHeader *a, const BmHeader *b)
{
	uint32_t	i = 0,
				j = 0,
				n = 0;

	while (i < a->narms && j < b->narms)
	{
		int64_t		x = bm_arm_const(a, i)->action,
					y = bm_arm_const(b, j)->action;

		if (x <= y)
			i++;
		if (y <= x)
			j++;
		n++;
	}
	return n + (a->narms - i) + (b->narms - j);
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
	if (bm_union_arms(dst, src) > BM_MAX_ARMS)
		return ab_fail(err, AB_ERR_LIMIT, "merged model would have more than %d arms", BM_MAX_ARMS);
	for (i = 0; i < src->narms; i++)
	{
		const BmArm *s = bm_arm_const(src, i);
		bool		found;
		uint32_t	idx = bm_find(dst, s->action, &found);
		BmArm	   *d = found ? bm_arm(dst, idx) : bm_insert_arm(dst, idx, s->action);

		AB_CHECK_INTERRUPTS();
		if (!arm_merge(d, s, dst->dim, err))
			return false;
	}
	return true;
}

static bool
validate_arm(const BmArm *arm, uint32_t dim, AbErrorKind kind, AbError *err)
{
	const double *a = arm->data,
			   *b = arm->data + packed_size(dim);
	long long	action = (long long) arm->action;
	size_t		i,
				j,
				n = packed_size(dim) + dim;

	if (arm->n < 0)
		return ab_fail(err, kind, "arm %lld has a negative row count (%lld)", action,
					   (long long) arm->n);
	if (!isfinite(arm->weight) || !isfinite(arm->sum_wr) || !isfinite(arm->sum_wr2))
		return ab_fail(err, kind, "arm %lld has a non-finite weight, sum_wr or sum_wr2", action);
	if (arm->weight < 0.0 || arm->sum_wr2 < 0.0)
		return ab_fail(err, kind, "arm %lld has a negative weight (%g) or sum_wr2 (%g)", action,
					   arm->weight, arm->sum_wr2);
	if (arm->weight > BM_SUM_MAX || arm->sum_wr2 > BM_SUM_MAX)
		return ab_fail(err, kind, "arm %lld has a weight or sum_wr2 above %g", action, BM_SUM_MAX);
	if (arm->n == 0)
		for (i = 0; i < n; i++)
			if (a[i] != 0.0 || arm->weight != 0.0 || arm->sum_wr != 0.0 || arm->sum_wr2 != 0.0)
				return ab_fail(err, kind, "arm %lld has no rows but non-zero sums", action);
	if (!within_cs(arm->sum_wr, arm->weight, arm->sum_wr2, arm->n))
		return ab_fail(err, kind, "arm %lld: |sum_wr| exceeds what weight and sum_wr2 allow", action);
	for (i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return ab_fail(err, kind, "arm %lld has a non-finite entry in A or b", action);
	for (i = 0; i < dim; i++)
	{
		double		aii = a[packed_index(i, i)];

		if (aii < 0.0 || aii > BM_SUM_MAX)
			return ab_fail(err, kind, "arm %lld has diagonal entry A[%zu][%zu] = %g outside [0, %g]",
						   action, i + 1, i + 1, aii, BM_SUM_MAX);
		if (!within_cs(b[i], arm->sum_wr2, aii, arm->n))
			return ab_fail(err, kind, "arm %lld: |b[%zu]| exceeds what sum_wr2 and A[%zu][%zu] allow",
						   action, i + 1, i + 1, i + 1);
		for (j = 0; j < i; j++)
			if (!within_cs(a[packed_index(i, j)], aii, a[packed_index(j, j)], arm->n))
				return ab_fail(err, kind,
							   "arm %lld: A[%zu][%zu] is not bounded by its diagonal (A is not positive semi-definite)",
							   action, i + 1, j + 1);
	}
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

		AB_CHECK_INTERRUPTS();
		if (i > 0 && bm_arm_const(h, i - 1)->action >= arm->action)
			return ab_fail(err, kind, "banditmodel arms must have strictly ascending actions, but %lld follows %lld",
						   (long long) arm->action, (long long) bm_arm_const(h, i - 1)->action);
		if (!validate_arm(arm, h->dim, kind, err))
			return false;
	}
	return true;
}
