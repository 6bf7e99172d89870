/*
 * ope_report.c — reading a state: ope_report (every estimator with its
 * interval), ope_estimate (one number) and ope_diagnostics (one row).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "float_text.h"
#include "ope_estimators.h"
#include "ope_report.h"
#include "ope_state_pg.h"

void
ope_check_confidence(double confidence)
{
	char		buf[FLOAT_TEXT_LEN];

	if (!(confidence > 0.0 && confidence < 1.0))
	{
		float_to_text(confidence, buf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be in (0, 1), got %s", buf)));
	}
}

/* One ope_result row: estimator, estimate, std_error, ci_lower, ci_upper. */
static void
fill_row(Datum *values, bool *nulls, OpeEstimator e, const OpeEstimate *est, double z)
{
	int			i;

	for (i = 0; i < REPORT_NATTS; i++)
		nulls[i] = true;
	values[0] = CStringGetTextDatum(ope_estimator_names[e]);
	nulls[0] = false;
	if (est->has_estimate)
	{
		values[1] = Float8GetDatum(est->estimate);
		nulls[1] = false;
	}
	if (est->has_estimate && est->has_std_error)
	{
		double		lo = est->estimate - z * est->std_error,
					hi = est->estimate + z * est->std_error;

		values[2] = Float8GetDatum(est->std_error);
		nulls[2] = false;
		if (isfinite(lo) && isfinite(hi))
		{
			values[3] = Float8GetDatum(lo);
			values[4] = Float8GetDatum(hi);
			nulls[3] = nulls[4] = false;
		}
	}
}

ReportRows *
ope_build_report(const OpeState *s, double confidence)
{
	ReportRows *rows = palloc0(sizeof(ReportRows));
	double		z = ope_interval_z(confidence);
	int			e;

	for (e = 0; e < OPE_NESTIMATORS; e++)
	{
		OpeEstimate est;

		if (!ope_estimator_available(s, e))
			continue;
		ope_compute_estimate(s, e, &est);
		fill_row(rows->values[rows->count], rows->nulls[rows->count], e, &est, z);
		rows->count++;
	}
	return rows;
}

/* ope_report(state, confidence DEFAULT 0.95) RETURNS SETOF ope_result */
PG_FUNCTION_INFO_V1(ope_report);
Datum
ope_report(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	ReportRows *rows;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		OpeState	s;
		TupleDesc	tupdesc;
		double		confidence = PG_GETARG_FLOAT8(1);

		ope_check_confidence(confidence);
		ope_state_from_datum(PG_GETARG_DATUM(0), &s);
		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("ope_report must be called in a context that accepts a set of ope_result")));
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->user_fctx = ope_build_report(&s, confidence);
		MemoryContextSwitchTo(oldcontext);
	}
	funcctx = SRF_PERCALL_SETUP();
	rows = (ReportRows *) funcctx->user_fctx;
	if (funcctx->call_cntr < (uint64) rows->count)
	{
		int			i = (int) funcctx->call_cntr;
		HeapTuple	tuple = heap_form_tuple(funcctx->tuple_desc,
											rows->values[i], rows->nulls[i]);

		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}

/* ope_estimate(state, estimator text) RETURNS float8 */
PG_FUNCTION_INFO_V1(ope_estimate);
Datum
ope_estimate(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			e = ope_estimator_from_name(name);
	OpeState	s;
	OpeEstimate est;

	if (e < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown estimator \"%s\"", name),
				 errhint("Valid estimators are replay, ips, snips, dm, dr and sndr.")));
	ope_state_from_datum(PG_GETARG_DATUM(0), &s);
	if (!ope_estimator_available(&s, e))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimator \"%s\" needs an ope_state with reward-model inputs", name),
				 errhint("Build the state with ope_accumulate(reward, propensity, target_probability, q_logged, v_target).")));
	ope_compute_estimate(&s, e, &est);
	if (!est.has_estimate)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(est.estimate);
}

/* ope_diagnostics(state) RETURNS record (n, n_skipped, n_matched, ...) */
PG_FUNCTION_INFO_V1(ope_diagnostics);
Datum
ope_diagnostics(PG_FUNCTION_ARGS)
{
	OpeState	s;
	OpeDiagnostics dg;
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};

	ope_state_from_datum(PG_GETARG_DATUM(0), &s);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ope_diagnostics must be called in a context that accepts a record")));
	tupdesc = BlessTupleDesc(tupdesc);
	ope_compute_diagnostics(&s, &dg);
	values[0] = Int64GetDatum(dg.n);
	values[1] = Int64GetDatum(dg.n_skipped);
	values[2] = Int64GetDatum(dg.n_matched);
	values[3] = Float8GetDatum(dg.match_rate);
	nulls[3] = !dg.has_match_rate;
	values[4] = Float8GetDatum(dg.ess);
	nulls[4] = !dg.has_ess;
	values[5] = Float8GetDatum(dg.max_weight);
	values[6] = Float8GetDatum(dg.mean_weight);
	values[7] = Float8GetDatum(dg.min_propensity);
	nulls[5] = nulls[6] = nulls[7] = !dg.has_weights;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
