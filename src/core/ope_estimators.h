/*
 * ope_estimators.h — off-policy estimates, standard errors and diagnostics
 * from an OpeState (definitions in ope_estimators.c); intervals are in
 * ope_intervals.h.
 */
#ifndef OPE_ESTIMATORS_H
#define OPE_ESTIMATORS_H

#include <stdbool.h>
#include <stdint.h>

#include "ope_state.h"

typedef enum OpeEstimator
{
	OPE_EST_REPLAY,
	OPE_EST_IPS,
	OPE_EST_SNIPS,
	OPE_EST_DM,
	OPE_EST_DR,
	OPE_EST_SNDR,
	/* with a lambda (ope_lambda.h) */
	OPE_EST_IPW_CLIP,
	OPE_EST_DR_CLIP,
	OPE_EST_SWITCH_DR,
	OPE_EST_DR_OS,
	OPE_NESTIMATORS
} OpeEstimator;

#define OPE_NBASE_ESTIMATORS OPE_EST_IPW_CLIP

extern const char *const ope_estimator_names[OPE_NESTIMATORS];

static inline bool
ope_estimator_has_lambda(OpeEstimator e)
{
	return e >= OPE_EST_IPW_CLIP;
}

typedef struct OpeEstimate
{
	bool		has_estimate;	/* false: undefined (no rows, sum w = 0, ...) */
	double		estimate;
	bool		has_std_error;	/* false: fewer than 2 informative rows, or undefined */
	double		std_error;
	double		n;				/* per-row (or influence) terms behind std_error */
	bool		has_range;		/* a bound of those terms (tracked states) */
	double		term_lo,
				term_hi;
} OpeEstimate;

typedef struct OpeDiagnostics
{
	int64_t		n;
	int64_t		n_skipped;
	int64_t		n_matched;
	bool		has_match_rate;
	double		match_rate;		/* n_matched / n */
	bool		has_ess;
	double		ess;			/* (sum w)^2 / sum w^2 */
	bool		has_weights;	/* n > 0: max_weight, mean_weight, min_propensity */
	double		max_weight;
	double		mean_weight;	/* sum w / n */
	double		min_propensity;
} OpeDiagnostics;

/* The estimator called name, or -1. */
int			ope_estimator_from_name(const char *name);

/*
 * Whether the state has the inputs the estimator needs (dm, dr, sndr and the
 * DR variants need q, v; the lambda estimators need lambdas).
 */
bool		ope_estimator_available(const OpeState *s, OpeEstimator e);

/*
 * The estimate and its standard error; the estimator must be available and,
 * for a lambda estimator, lambda_index a lambda of the state (else ignored).
 */
void		ope_compute_estimate(const OpeState *s, OpeEstimator e, int lambda_index,
								 OpeEstimate *out);

/*
 * The per-row terms of a mean estimator whose sum of squares is known:
 * population variance (n denominator) and mean of (w - c)(r - q), the two
 * parts of the 'mse' tuning score.  For the lambda estimators only.
 */
void		ope_lambda_bias_parts(const OpeState *s, OpeEstimator e, int lambda_index,
								  double *pop_variance, double *mean_weight_gap);

/* z such that estimate +- z * std_error is a two-sided normal interval. */
double		ope_interval_z(double confidence);

void		ope_compute_diagnostics(const OpeState *s, OpeDiagnostics *out);

#endif
