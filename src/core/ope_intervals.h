/*
 * ope_intervals.h — confidence intervals of an estimate (ope_report's
 * method argument).
 */
#ifndef OPE_INTERVALS_H
#define OPE_INTERVALS_H

#include <stdbool.h>
#include <stddef.h>

#include "ope_estimators.h"

typedef enum OpeIntervalMethod
{
	OPE_CI_NORMAL,				/* estimate +- z se */
	OPE_CI_BERNSTEIN,			/* empirical Bernstein (Maurer and Pontil 2009) */
	OPE_CI_WILSON,				/* replay, 0/1 rewards, deterministic target */
	OPE_CI_CLOPPER_PEARSON,		/* the same, exact binomial */
	OPE_CI_CS,					/* anytime-valid confidence sequence */
	OPE_NMETHODS
} OpeIntervalMethod;

extern const char *const ope_interval_method_names[OPE_NMETHODS];

/* A method as ope_report's method argument gives it. */
typedef struct OpeIntervalSpec
{
	OpeIntervalMethod method;
	double		cs_rows;		/* cs: the rows its boundary is tuned for */
} OpeIntervalSpec;

/*
 * By default the confidence-sequence boundary is tuned for this many rows
 * (fixed before any data is seen, as validity at every n needs): at 95 % it is
 * 1.55 times the normal interval there, within 7 % of the narrowest the
 * boundary can be for n from a third to ten times this, 27 % at a tenth.
 */
#define OPE_CS_TUNED_ROWS 100000.0
#define OPE_CS_MAX_ROWS 1e15

/*
 * Parse a method: normal, bernstein, wilson, clopper_pearson, cs or
 * cs(rows=N) (N in [1, 1e15], the rows the sequence is to be narrowest at;
 * it must be chosen before looking at the data), in param_text's form.
 */
bool		ope_interval_spec_parse(const char *text, size_t len, OpeIntervalSpec *out,
									AbError *err);

/* The default: normal intervals. */
extern const OpeIntervalSpec ope_interval_normal;

/*
 * The interval of estimator e of state s (est computed by
 * ope_compute_estimate), at confidence in (0, 1); false when the method
 * gives none for it (too little information, a method that does not apply
 * to this estimator or state, an untracked state for Bernstein).
 */
bool		ope_interval(const OpeState *s, OpeEstimator e, const OpeEstimate *est,
						 const OpeIntervalSpec *m, double confidence, double *lo, double *hi);

#endif
