/*
 * ope_report.c — reading a state: ope_report (every estimator with its
 * interval), ope_estimate (one number), ope_diagnostics (one row) and
 * ope_lambda_diagnostics (one row per lambda).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "float_text.h"
#include "ope_estimators.h"
#include "ope_lambda.h"
#include "ope_report.h"
#include "ope_state_pg.h"
#include "ope_tune.h"
#include "ope_warnings.h"
#include "pg_glue.h"

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

void
ope_method_arg(text *arg, OpeIntervalSpec *out)
{
	AbError		err;

	if (!ope_interval_spec_parse(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), out, &err))
		ab_raise(&err);
}

/* One ope_result row. */
static void
fill_row(const OpeState *s, Datum *values, bool *nulls, OpeEstimator e, int j,
		 double confidence, const OpeIntervalSpec *method)
{
	OpeEstimate est;
	double		lo,
				hi;
	int			i;

	ope_compute_estimate(s, e, j, &est);
	for (i = 0; i < REPORT_NATTS; i++)
		nulls[i] = true;
	values[0] = CStringGetTextDatum(ope_estimator_names[e]);
	nulls[0] = false;
	if (est.has_estimate)
	{
		values[1] = Float8GetDatum(est.estimate);
		nulls[1] = false;
	}
	if (est.has_estimate && est.has_std_error)
	{
		values[2] = Float8GetDatum(est.std_error);
		nulls[2] = false;
	}
	if (ope_interval(s, e, &est, method, confidence, &lo, &hi))
	{
		values[3] = Float8GetDatum(lo);
		values[4] = Float8GetDatum(hi);
		nulls[3] = nulls[4] = false;
	}
	if (ope_estimator_has_lambda(e))
	{
		values[5] = Float8GetDatum(ope_lambdas(s)[j]);
		nulls[5] = false;
	}
}

ReportRows *
ope_build_report(const OpeState *s, double confidence, const OpeIntervalSpec *method, bool with_lambdas)
{
	ReportRows *rows = palloc0(sizeof(ReportRows));
	int			max = OPE_NBASE_ESTIMATORS + (OPE_NESTIMATORS - OPE_NBASE_ESTIMATORS) * s->nlambdas;
	int			e,
				j;

	rows->values = palloc(sizeof(*rows->values) * max);
	rows->nulls = palloc(sizeof(*rows->nulls) * max);
	for (e = 0; e < OPE_NESTIMATORS; e++)
	{
		if (!ope_estimator_available(s, e) || (ope_estimator_has_lambda(e) && !with_lambdas))
			continue;
		for (j = 0; j < (ope_estimator_has_lambda(e) ? s->nlambdas : 1); j++)
		{
			fill_row(s, rows->values[rows->count], rows->nulls[rows->count], e, j, confidence, method);
			rows->count++;
		}
	}
	return rows;
}

/*
 * ope_report(state, confidence DEFAULT 0.95 [, method]) RETURNS SETOF
 * ope_result.  A 1.0/1.1 ope_result has no lambda column: only the columns
 * the type has are filled.
 */
PG_FUNCTION_INFO_V1(ope_report);
Datum
ope_report(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	ReportRows *rows;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		TupleDesc	tupdesc;
		double		confidence = PG_GETARG_FLOAT8(1);
		OpeIntervalSpec method = ope_interval_normal;

		ope_check_confidence(confidence);
		if (PG_NARGS() > 2)
			ope_method_arg(PG_GETARG_TEXT_PP(2), &method);
		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE ||
			tupdesc->natts > REPORT_NATTS || tupdesc->natts < REPORT_NATTS - 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("ope_report must be called in a context that accepts a set of ope_result")));
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->user_fctx = ope_build_report(ope_state_get(PG_GETARG_DATUM(0)), confidence, &method,
											  true);
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

/* ope_estimate(state, estimator text [, lambda float8]) RETURNS float8 */
PG_FUNCTION_INFO_V1(ope_estimate);
Datum
ope_estimate(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			e = ope_estimator_from_name(name);
	const OpeState *s;
	OpeEstimate est;
	int			j = -1;

	if (e < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown estimator \"%s\"", name),
				 errhint("Valid estimators are replay, ips, snips, dm, dr, sndr and, with a lambda, ipw_clip, dr_clip, switch_dr and dr_os.")));
	s = ope_state_get(PG_GETARG_DATUM(0));
	if (ope_estimator_has_lambda(e) != (PG_NARGS() > 2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(ope_estimator_has_lambda(e) ? "estimator \"%s\" needs a lambda"
						: "estimator \"%s\" takes no lambda", name),
				 errhint("ipw_clip, dr_clip, switch_dr and dr_os are read with ope_estimate(state, estimator, lambda); the others with ope_estimate(state, estimator).")));
	if ((e == OPE_EST_DM || e == OPE_EST_DR || e == OPE_EST_SNDR || e >= OPE_EST_DR_CLIP) &&
		!ope_state_is_dr(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimator \"%s\" needs an ope_state with reward-model inputs", name),
				 errhint("Build the state with ope_accumulate(reward, propensity, target_probability, q_logged, v_target%s).",
						 ope_estimator_has_lambda(e) ? ", lambdas" : "")));
	if (ope_estimator_has_lambda(e))
	{
		double		lambda = PG_GETARG_FLOAT8(2);
		char		buf[FLOAT_TEXT_LEN];

		/* a state with no rows has no lambdas to look in: no estimate */
		if (s->nlambdas == 0 && ope_state_is_blank(s))
			PG_RETURN_NULL();
		j = s->nlambdas ? ope_lambda_index(s, lambda) : -1;
		float_to_text(lambda, buf);
		if (j < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the ope_state has no lambda %s", buf),
					 errhint(s->nlambdas ? "Use one of the lambdas given to ope_accumulate (ope_lambda_diagnostics lists them)."
							 : "Build the state with ope_accumulate(..., lambdas).")));
	}
	ope_compute_estimate(s, e, j, &est);
	if (!est.has_estimate)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(est.estimate);
}

/* The lambda estimator called name for state s, or an ERROR saying why not. */
static OpeEstimator
lambda_estimator_arg(const OpeState *s, const char *name)
{
	int			e = ope_estimator_from_name(name);

	if (e < 0 || !ope_estimator_has_lambda(e))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ope_tune tunes ipw_clip, dr_clip, switch_dr or dr_os, got \"%s\"", name)));
	if (s->nlambdas == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the ope_state has no lambdas to choose from"),
				 errhint("Build the state with ope_accumulate(..., lambdas).")));
	if (!ope_estimator_available(s, e))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimator \"%s\" needs an ope_state with reward-model inputs", name)));
	return (OpeEstimator) e;
}

/*
 * ope_tune(state, estimator, method DEFAULT 'slope', confidence DEFAULT
 * 0.95) RETURNS ope_tune_result: the lambda the method chooses, its
 * estimate, standard error and normal interval, and the reason.
 */
PG_FUNCTION_INFO_V1(ope_tune);
Datum
ope_tune(PG_FUNCTION_ARGS)
{
	const OpeState *s = ope_state_get(PG_GETARG_DATUM(0));
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(2));
	double		confidence = PG_GETARG_FLOAT8(3);
	OpeEstimator e = lambda_estimator_arg(s, name);
	OpeTuneMethod m;
	OpeTuneResult res;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false, true, true, true, true, true, false};
	double		lo,
				hi;

	if (strcmp(method, "slope") == 0)
		m = OPE_TUNE_SLOPE;
	else if (strcmp(method, "mse") == 0)
		m = OPE_TUNE_MSE;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown tuning method \"%s\"", method),
				 errhint("Valid methods are slope and mse.")));
	ope_check_confidence(confidence);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ope_tune must be called in a context that accepts a record")));
	tupdesc = BlessTupleDesc(tupdesc);
	ope_choose_lambda(s, e, m, &res);
	values[0] = CStringGetTextDatum(name);
	values[6] = CStringGetTextDatum(res.reason);
	if (res.found)
	{
		values[1] = Float8GetDatum(ope_lambdas(s)[res.index]);
		nulls[1] = false;
		if (res.estimate.has_estimate)
		{
			values[2] = Float8GetDatum(res.estimate.estimate);
			nulls[2] = false;
		}
		if (res.estimate.has_std_error)
		{
			values[3] = Float8GetDatum(res.estimate.std_error);
			nulls[3] = false;
		}
		if (ope_interval(s, e, &res.estimate, &ope_interval_normal, confidence, &lo, &hi))
		{
			values[4] = Float8GetDatum(lo);
			values[5] = Float8GetDatum(hi);
			nulls[4] = nulls[5] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ope_lambda_diagnostics(state): per lambda, the matched rows it clips or switches off */
PG_FUNCTION_INFO_V1(ope_lambda_diagnostics);
Datum
ope_lambda_diagnostics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const OpeState *s = ope_state_get(PG_GETARG_DATUM(0));
	int			j;

	InitMaterializedSRF(fcinfo, 0);
	for (j = 0; j < s->nlambdas; j++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, s->n == 0};
		int64		over = ope_lambda_n_over(s, j);

		values[0] = Float8GetDatum(ope_lambdas(s)[j]);
		values[1] = Int64GetDatum(over);
		values[2] = Float8GetDatum(s->n ? (double) over / (double) s->n : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
ope_warnings_array(const OpeState *s)
{
	char		warnings[OPE_MAX_WARNINGS][OPE_WARNING_LEN];
	Datum		elems[OPE_MAX_WARNINGS];
	int			i,
				n = ope_state_warnings(s, warnings);

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(warnings[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* ope_diagnostics(state) RETURNS record (n, n_skipped, n_matched, ..., warnings) */
PG_FUNCTION_INFO_V1(ope_diagnostics);
Datum
ope_diagnostics(PG_FUNCTION_ARGS)
{
	const OpeState *s = ope_state_get(PG_GETARG_DATUM(0));
	OpeDiagnostics dg;
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ope_diagnostics must be called in a context that accepts a record")));
	tupdesc = BlessTupleDesc(tupdesc);
	ope_compute_diagnostics(s, &dg);
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
	values[8] = ope_warnings_array(s);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
