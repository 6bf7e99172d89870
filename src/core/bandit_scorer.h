/*
 * bandit_scorer.h — a model prepared for scoring at one ridge lambda: per
 * arm theta = (lambda I + A)^-1 b and the inverse L^-1 of the Cholesky
 * factor L of lambda I + A.  Built once per (model, lambda) and cached by
 * the caller; a context is then scored in O(d) per arm for the mean and
 * O(d^2) for the variance x^T (lambda I + A)^-1 x = |L^-1 x|^2 (rows of
 * independent multiply-adds: no division and no chain through the rows,
 * as forward substitution would have, at every decision).
 *
 * A candidate the model has never seen is a new arm with the ridge prior:
 * theta = 0 and covariance I / lambda (index -1 below).
 */
#ifndef BANDIT_SCORER_H
#define BANDIT_SCORER_H

#include "bandit_model.h"

typedef struct BmScorer
{
	uint32_t	dim;
	uint32_t	narms;
	double		ridge;
	int64_t    *actions;		/* narms, ascending */
	double	   *theta;			/* narms x dim */
	double	   *linv;			/* narms x packed(dim): L^-1, lower triangular */
} BmScorer;

/* Bytes of the block bm_scorer_build needs for a model. */
size_t		bm_scorer_block_size(const BmHeader *m);

/*
 * Prepare m at ridge lambda > 0 in block (bm_scorer_block_size bytes,
 * 8-byte aligned).  Fails when an arm's matrix is not positive definite
 * (only possible for corrupt or extreme values).
 */
bool		bm_scorer_build(const BmHeader *m, double ridge, void *block, BmScorer *sc,
							AbError *err);

/* Arm index of action, or -1 for an arm the model has not seen. */
int			bm_scorer_find(const BmScorer *sc, int64_t action);

/* theta_a^T x */
double		bm_scorer_mean(const BmScorer *sc, int arm, const double *x);

/* x^T (lambda I + A_a)^-1 x */
double		bm_scorer_variance(const BmScorer *sc, int arm, const double *x);

#endif
