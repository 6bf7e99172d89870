/*
 * ope_estimators.h — off-policy estimates, standard errors, intervals and
 * diagnostics from an OpeState (definitions in ope_estimators.c).
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
	OPE_NESTIMATORS
} OpeEstimator;

extern const char *const ope_estimator_names[OPE_NESTIMATORS];

typedef struct OpeEstimate
{
	bool		has_estimate;	/* false: undefined (no rows, sum w = 0, ...) */
	double		estimate;
	bool		has_std_error;	/* false: fewer than 2 rows, or undefined */
	double		std_error;
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

/* Whether the state has the inputs the estimator needs (dm, dr, sndr need q, v). */
bool		ope_estimator_available(const OpeState *s, OpeEstimator e);

/* The estimate and its standard error; the estimator must be available. */
void		ope_compute_estimate(const OpeState *s, OpeEstimator e, OpeEstimate *out);

/* z such that estimate +- z * std_error is a two-sided normal interval. */
double		ope_interval_z(double confidence);

void		ope_compute_diagnostics(const OpeState *s, OpeDiagnostics *out);

#endif
