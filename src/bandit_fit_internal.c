/*
 * bandit_fit_internal.c — the support functions of bandit_fit and
 * bandit_merge as 1.0 and 1.1 declared them: an internal state (a FitState
 * in the aggregate context) with combine, serialize (the binary form of
 * banditmodel) and deserialize.  1.2 replaced them by a banditmodel state
 * (bandit_fit.c, bandit_model_expanded.c) and drops their SQL functions; the
 * C functions stay because a 1.0 or 1.1 database keeps calling them after
 * the library is upgraded until ALTER EXTENSION artbandit UPDATE, and `make
 * bench` times the 1.2 aggregate against one built from them.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/memutils.h"

#include "bandit_codec.h"
#include "bandit_model_pg.h"
#include "fit_state.h"
#include "pg_glue.h"

/* An aggregate state, or SQL NULL while there is none. */
#define PG_RETURN_FIT_STATE(st) \
	do { \
		if ((st) == NULL) \
			PG_RETURN_NULL(); \
		PG_RETURN_POINTER(st); \
	} while (0)

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext agg;

	if (!AggCheckCallContext(fcinfo, &agg))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", name)));
	return agg;
}

/* bandit_fit_transition(internal, action, context, reward [, weight]) */
PG_FUNCTION_INFO_V1(bandit_fit_transition);
Datum
bandit_fit_transition(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "bandit_fit_transition");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	const double *x;
	int			len;
	int			i;

	/* a row with a NULL input is skipped, as SQL aggregates do */
	for (i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_FIT_STATE(st);
	x = fit_context_arg(fcinfo, 2, st ? st->model->dim : 0, &len);
	if (st == NULL)
		st = fit_state_new(agg, NULL, (uint32) len);
	fit_state_add(st, PG_GETARG_INT64(1), x, PG_GETARG_FLOAT8(3),
				  PG_NARGS() == 5 ? PG_GETARG_FLOAT8(4) : 1.0);
	PG_RETURN_POINTER(st);
}

/* Merge the model src into st (creating it in cxt when NULL). */
static FitState *
merge_into(FitState *st, const BmHeader *src, MemoryContext cxt)
{
	if (st == NULL)
		return fit_state_new(cxt, src, 0);
	fit_state_merge(st, src);
	return st;
}

/* bandit_fit_combine(internal, internal): not strict, handles all NULL cases */
PG_FUNCTION_INFO_V1(bandit_fit_combine);
Datum
bandit_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "bandit_fit_combine");
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_FIT_STATE(a);
	PG_RETURN_POINTER(merge_into(a, b->model, agg));
}

/* The state as the binary form of banditmodel. */
PG_FUNCTION_INFO_V1(bandit_fit_serialize);
Datum
bandit_fit_serialize(PG_FUNCTION_ARGS)
{
	FitState   *st;
	size_t		size;
	bytea	   *out;

	aggregate_context(fcinfo, "bandit_fit_serialize");
	st = (FitState *) PG_GETARG_POINTER(0);
	bm_check_size(st->model->dim, st->model->narms, &size);
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	bm_to_binary(st->model, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(bandit_fit_deserialize);
Datum
bandit_fit_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in;
	BmHeader   *h;
	size_t		size;
	AbError		err;
	FitState   *st;

	/*
	 * In the current (per-call) context: the combine function copies what it
	 * keeps into the aggregate context, so partial states are freed as the
	 * aggregation goes on instead of piling up (one per partition or worker).
	 */
	aggregate_context(fcinfo, "bandit_fit_deserialize");
	in = PG_GETARG_BYTEA_PP(0);
	if (!bm_from_binary((const unsigned char *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
						bm_palloc, NULL, &h, &size, &err))
		ab_raise(&err);
	st = palloc(sizeof(FitState));
	st->model = h;
	st->capacity = h->narms;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(bandit_fit_final);
Datum
bandit_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st;
	size_t		size;

	aggregate_context(fcinfo, "bandit_fit_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (FitState *) PG_GETARG_POINTER(0);
	bm_check_size(st->model->dim, st->model->narms, &size);
	bm_check_built(st->model, size);
	PG_RETURN_DATUM(bm_make_datum(st->model, size));
}

/* bandit_merge_transition(internal, banditmodel): NULL models are skipped */
PG_FUNCTION_INFO_V1(bandit_merge_transition);
Datum
bandit_merge_transition(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "bandit_merge_transition");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	size_t		size;

	if (PG_ARGISNULL(1))
		PG_RETURN_FIT_STATE(st);
	PG_RETURN_POINTER(merge_into(st, PG_GETARG_BANDITMODEL(1, &size), agg));
}
