/*
 * ope_warnings.h — alarms on a state or a log: the mean-weight z-test and
 * the plain-language warnings of ope_diagnostics and ope_rollup_report.
 *
 * The mean weight.  For any target policy whose images the logging policy
 * could show, E[pi / mu] = 1 when mu is the probability the shown image
 * really had.  A propensity logged too large (0.5 for an image shown with
 * 0.25) pulls the mean below 1, one logged too small pushes it above; so
 * does, below 1, a target that shows images the logging policy never did
 * (no support: IPS cannot see them).  The test compares the mean with 1 in
 * standard errors estimated from the same rows (sum w, sum w^2), and only
 * when the gap also matters in practice (more than OPE_WEIGHT_GAP), so that
 * propensities rounded to six digits never raise an alarm on a big log.
 */
#ifndef OPE_WARNINGS_H
#define OPE_WARNINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "compsum.h"
#include "ope_state.h"

/* Thresholds, documented in the README ("Trusting your log"). */
#define OPE_WEIGHT_Z			4.0		/* |z| above which the mean weight is off */
#define OPE_WEIGHT_GAP			0.01	/* and |mean - 1| above this */
#define OPE_WEIGHT_MIN_NONZERO	10		/* rows with w > 0 needed for the test */
#define OPE_FEW_MATCHED			30		/* fewer matched rows: "few matched rows" */
#define OPE_SMALL_ESS			30.0	/* smaller ESS: "small effective sample size" */
#define OPE_HEAVY_SHARE			0.10	/* a largest weight above this share of sum w */

/* Longest warning, terminator included; at most OPE_MAX_WARNINGS of them. */
#define OPE_WARNING_LEN			256
#define OPE_MAX_WARNINGS		6

typedef struct OpeWeightTest
{
	bool		tested;			/* enough rows (and a finite mean) to test */
	double		mean;			/* sum w / n */
	double		std_error;		/* of the mean; 0 when every w is equal */
	double		z;				/* (mean - 1) / std_error; +-inf when std_error = 0 */
	int			verdict;		/* -1 below 1, +1 above 1, 0 consistent with 1 */
} OpeWeightTest;

/*
 * The test on n rows with sum w = s1 and sum w^2 = s2, n_nonzero of them
 * with w > 0.
 */
void		ope_weight_test(double n, int64_t n_nonzero, const CompSum *s1, const CompSum *s2,
							OpeWeightTest *out);

/* The mean-weight sentence of a verdict (-1 or +1), into buf. */
void		ope_weight_warning(const OpeWeightTest *t, char *buf, size_t len);

/*
 * The warnings of a state, at most OPE_MAX_WARNINGS, each a sentence that
 * starts with what it is about ("no rows", "skipped rows", "few matched
 * rows", "mean weight", "heavy weights", "small effective sample size").
 * Returns how many were written.
 */
int			ope_state_warnings(const OpeState *s, char out[][OPE_WARNING_LEN]);

#endif
