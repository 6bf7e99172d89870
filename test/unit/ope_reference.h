/*
 * ope_reference.h — a second, independent implementation of the estimators
 * for the unit tests: two passes over arrays of rows, explicit per-row
 * influence terms, long double accumulation.  It shares no code with
 * src/core/ope_estimators.c.
 */
#ifndef OPE_REFERENCE_H
#define OPE_REFERENCE_H

typedef struct RefRow
{
	double		r,
				mu,
				pi,
				q,
				v;
} RefRow;

typedef struct RefResult
{
	double		estimate;
	double		std_error;
} RefResult;

/* estimator: 0 replay, 1 ips, 2 snips, 3 dm, 4 dr, 5 sndr */
RefResult	ref_estimate(const RefRow *rows, int n, int estimator);

/*
 * The lambda estimators, straight from the Open Bandit Pipeline's per-row
 * definitions (estimator 6 ipw_clip, 7 dr_clip, 8 switch_dr, 9 dr_os):
 * modified weights min(w, l), w 1{w <= l} and l w / (w^2 + l) (w when l is
 * infinite, 0 when w is), terms c r or v + c (r - q).
 */
RefResult	ref_lambda_estimate(const RefRow *rows, int n, int estimator, double lambda);

#endif
