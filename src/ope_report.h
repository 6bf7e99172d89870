/*
 * ope_report.h — the rows of ope_report, shared with ope_rollup_report.
 */
#ifndef OPE_REPORT_H
#define OPE_REPORT_H

#include "postgres.h"

#include "ope_intervals.h"

/* ope_result: estimator, estimate, std_error, ci_lower, ci_upper, lambda (1.2) */
#define REPORT_NATTS 6

typedef struct ReportRows
{
	int			count;
	Datum		(*values)[REPORT_NATTS];
	bool		(*nulls)[REPORT_NATTS];
} ReportRows;

/* ERROR unless confidence is in (0, 1). */
void		ope_check_confidence(double confidence);

/* The interval method called name, or an ERROR listing the methods. */
/* ope_report's method argument, parsed (ERROR when it is not a method). */
void		ope_method_arg(text *arg, OpeIntervalSpec *out);

/*
 * One row per estimator the state has, in ope_report's order: the six base
 * estimators, then (with_lambdas) ipw_clip, dr_clip, switch_dr and dr_os for
 * each lambda in increasing order.
 */
/* The warnings of a state (ope_warnings.h) as a text[] ('{}' when none). */
Datum		ope_warnings_array(const OpeState *s);

ReportRows *ope_build_report(const OpeState *s, double confidence, const OpeIntervalSpec *method,
							 bool with_lambdas);

#endif
