/*
 * ope_report.h — the rows of ope_report, shared with ope_rollup_report.
 */
#ifndef OPE_REPORT_H
#define OPE_REPORT_H

#include "postgres.h"

#include "ope_estimators.h"

/* ope_result: estimator, estimate, std_error, ci_lower, ci_upper */
#define REPORT_NATTS 5

typedef struct ReportRows
{
	int			count;
	Datum		values[OPE_NESTIMATORS][REPORT_NATTS];
	bool		nulls[OPE_NESTIMATORS][REPORT_NATTS];
} ReportRows;

/* ERROR unless confidence is in (0, 1). */
void		ope_check_confidence(double confidence);

/* One row per estimator the state has, in ope_report's order, with normal intervals. */
ReportRows *ope_build_report(const OpeState *s, double confidence);

#endif
