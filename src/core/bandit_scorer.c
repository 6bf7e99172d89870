/*
 * bandit_scorer.c — ridge solutions and factorisations per arm (see
 * bandit_scorer.h and linalg.c).
 */
#include "bandit_scorer.h"

#include <math.h>
#include <string.h>

#include "float_text.h"
#include "linalg.h"

size_t
bm_scorer_block_size(const BmHeader *m)
{
	size_t		k = m->narms,
				d = m->dim;

	return k * (sizeof(int64_t) + sizeof(double) * (d + packed_size(d)));
}

bool
bm_scorer_build(const BmHeader *m, double ridge, void *block, BmScorer *sc, AbError *err)
{
	size_t		d = m->dim,
				t = packed_size(m->dim);
	uint32_t	i;
	size_t		j;
	char		buf[FLOAT_TEXT_LEN];

	sc->dim = m->dim;
	sc->narms = m->narms;
	sc->ridge = ridge;
	sc->theta = (double *) block;
	sc->linv = sc->theta + (size_t) m->narms * d;
	sc->actions = (int64_t *) (sc->linv + (size_t) m->narms * t);
	for (i = 0; i < m->narms; i++)
	{
		const BmArm *arm = bm_arm_const(m, i);
		double	   *l = sc->linv + (size_t) i * t,
				   *theta = sc->theta + (size_t) i * d;

		AB_CHECK_INTERRUPTS();
		sc->actions[i] = arm->action;
		memcpy(l, arm->data, sizeof(double) * t);
		for (j = 0; j < d; j++)
		{
			l[packed_index(j, j)] += ridge;
			if (!isfinite(l[packed_index(j, j)]))
			{
				float_to_text(ridge, buf);
				return ab_fail(err, AB_ERR_OUT_OF_RANGE,
							   "ridge %s overflows the matrix of arm %lld", buf, (long long) arm->action);
			}
		}
		if (!packed_cholesky(l, d))
		{
			float_to_text(ridge, buf);
			return ab_fail(err, AB_ERR_VALUE,
						   "the matrix of arm %lld is not positive definite at ridge %s",
						   (long long) arm->action, buf);
		}
		cholesky_forward(l, d, arm->data + t, theta);
		cholesky_backward(l, d, theta, theta);
		lower_inverse(l, d);
	}
	return true;
}

int
bm_scorer_find(const BmScorer *sc, int64_t action)
{
	uint32_t	lo = 0,
				hi = sc->narms;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (sc->actions[mid] == action)
			return (int) mid;
		if (sc->actions[mid] < action)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

double
bm_scorer_mean(const BmScorer *sc, int arm, const double *x)
{
	if (arm < 0)
		return 0.0;
	return dot(sc->theta + (size_t) arm * sc->dim, x, sc->dim);
}

double
bm_scorer_variance(const BmScorer *sc, int arm, const double *x)
{
	if (arm < 0)
		return dot(x, x, sc->dim) / sc->ridge;
	return lower_quadratic(sc->linv + (size_t) arm * packed_size(sc->dim), sc->dim, x);
}
