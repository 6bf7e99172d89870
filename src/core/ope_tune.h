/*
 * ope_tune.h — choosing lambda for ipw_clip, dr_clip, switch_dr or dr_os
 * among the lambdas of a state, as the Open Bandit Pipeline's *Tuning
 * estimators do (API.md section 4, ope_tune).
 */
#ifndef OPE_TUNE_H
#define OPE_TUNE_H

#include "ope_estimators.h"

typedef enum OpeTuneMethod
{
	OPE_TUNE_SLOPE,
	OPE_TUNE_MSE
} OpeTuneMethod;

/* Both methods' confidence delta (API.md: 0.1). */
#define OPE_TUNE_DELTA 0.1

#define OPE_TUNE_REASON_LEN 512

typedef struct OpeTuneResult
{
	bool		found;			/* false: no lambda has what the method needs */
	int			index;			/* the chosen lambda */
	OpeEstimate estimate;
	char		reason[OPE_TUNE_REASON_LEN];
} OpeTuneResult;

/*
 * Choose a lambda for estimator e (a lambda estimator the state has).
 *
 * slope: SLOPE++ (Tucker and Lee 2021), OBP's tuning_method='slope'.  Each
 *   lambda's width is the one-sided Student-t half-width at delta of its
 *   per-row terms, t_{n-1}(1 - delta) * se; lambdas are taken widest first
 *   (ties: the smaller lambda first, as OBP's order gives), and the first
 *   whose estimate is farther than width_i + (sqrt 6 - 1) width_j from some
 *   lambda j already taken stops the scan: the one taken before it is
 *   chosen.  If none stops it, the narrowest.  Lambdas without a standard
 *   error are left out.
 * mse: OBP's tuning_method='mse' with the bias upper bound: per lambda,
 *   var_pop(terms) / n + ( |mean((w - c)(r - q))| + sqrt(2 mean(w^2)
 *   log(2/delta) / n) + 2 max(w) log(2/delta) / (3 n) )^2, q = 0 for
 *   ipw_clip; the smallest wins, ties to the largest lambda (OBP sorts its
 *   lambdas in decreasing order and keeps the first minimum).
 *
 * reason says in words why the chosen lambda won.
 */
void		ope_choose_lambda(const OpeState *s, OpeEstimator e, OpeTuneMethod m, OpeTuneResult *out);

#endif
