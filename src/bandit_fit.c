/*
 * bandit_fit.c — building models: the bandit_fit and bandit_merge
 * aggregates (an internal state with combine, serialize and deserialize, so
 * they run in parallel), the two-argument bandit_merge and bandit_update.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "bandit_codec.h"
#include "bandit_model_pg.h"
#include "fit_state.h"
#include "pg_arrays.h"
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

/*
 * The context argument: non-empty, finite, and of the model's dimension when
 * dim is not 0 (a new model takes the context's length, at most BM_MAX_DIM:
 * 54000).  Against an existing model any other length is a wrong value
 * (22023), however long.
 */
static const double *
context_arg(FunctionCallInfo fcinfo, int argno, uint32 dim, int *len)
{
	const double *x = float8_array_arg(fcinfo, argno, "context", dim ? PG_INT32_MAX : BM_MAX_DIM, len);

	fit_check_context(x, *len, dim);
	return x;
}

/* bandit_fit_transition(internal, action, context, reward [, weight]) */
static Datum
fit_transition(FunctionCallInfo fcinfo, bool bool_reward)
{
	MemoryContext agg = aggregate_context(fcinfo, "bandit_fit_transition");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	bool		weighted = PG_NARGS() == 5;
	const double *x;
	int			len;
	int			i;

	/* a row with a NULL input is skipped, as SQL aggregates do */
	for (i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_FIT_STATE(st);
	x = context_arg(fcinfo, 2, st ? st->model->dim : 0, &len);
	if (st == NULL)
		st = fit_state_new(agg, NULL, (uint32) len);
	fit_state_add(st, PG_GETARG_INT64(1), x,
				  bool_reward ? (PG_GETARG_BOOL(3) ? 1.0 : 0.0) : PG_GETARG_FLOAT8(3),
				  weighted ? PG_GETARG_FLOAT8(4) : 1.0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(bandit_fit_transition);
Datum
bandit_fit_transition(PG_FUNCTION_ARGS)
{
	return fit_transition(fcinfo, false);
}

/* bandit_fit_bool_transition: the same with a bool reward (a play). */
PG_FUNCTION_INFO_V1(bandit_fit_bool_transition);
Datum
bandit_fit_bool_transition(PG_FUNCTION_ARGS)
{
	return fit_transition(fcinfo, true);
}

/*
 * How many arms merging b into a adds, after checking that the two can be
 * merged (same dimension, union within the limits).
 */
static uint32
arms_added_by_merge(const BmHeader *a, const BmHeader *b)
{
	AbError		err;
	uint32		n;

	if (a->dim != b->dim)
	{
		ab_fail(&err, AB_ERR_MISMATCH, "cannot merge bandit models of dimensions %u and %u",
				a->dim, b->dim);
		ab_detail(&err, "Models built from contexts of different lengths measure different things.");
		ab_raise(&err);
	}
	n = bm_union_arms(a, b);
	if (n > BM_MAX_ARMS)
	{
		ab_fail(&err, AB_ERR_LIMIT, "merged model would have %u arms, more than the limit of %d",
				n, BM_MAX_ARMS);
		ab_raise(&err);
	}
	return n - a->narms;
}

/* Merge the model src into st (creating it in cxt when NULL). */
static FitState *
merge_into(FitState *st, const BmHeader *src, MemoryContext cxt)
{
	AbError		err;

	if (st == NULL)
		return fit_state_new(cxt, src, 0);
	fit_state_reserve(st, arms_added_by_merge(st->model, src));
	if (!bm_merge(st->model, src, &err))
		ab_raise(&err);
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

/* bandit_merge(a, b): the union of two models; a NULL argument counts as empty. */
PG_FUNCTION_INFO_V1(bandit_merge);
Datum
bandit_merge(PG_FUNCTION_ARGS)
{
	const BmHeader *a,
			   *b;
	BmHeader   *copy;
	struct varlena *v;
	size_t		size;
	AbError		err;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
			PG_RETURN_NULL();
		a = PG_GETARG_BANDITMODEL(PG_ARGISNULL(0) ? 1 : 0, &size);
		PG_RETURN_DATUM(bm_make_datum(a, size));
	}
	a = PG_GETARG_BANDITMODEL(0, &size);
	b = PG_GETARG_BANDITMODEL(1, &size);
	v = bm_copy_with_room(a, arms_added_by_merge(a, b), &copy);
	if (!bm_merge(copy, b, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(bm_finish_datum(v, copy));
}

/*
 * bandit_update(model, action, context, reward [, weight]): the model with
 * one more row.  A NULL model starts a new one of the context's dimension; a
 * NULL action, context, reward or weight leaves the model as it is.
 */
PG_FUNCTION_INFO_V1(bandit_update);
Datum
bandit_update(PG_FUNCTION_ARGS)
{
	const BmHeader *h = NULL;
	BmHeader	empty;
	BmHeader   *copy;
	struct varlena *v;
	const double *x;
	size_t		size;
	int			len,
				i;
	bool		found;
	uint32		idx;
	BmArm	   *arm;
	AbError		err;

	for (i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	if (!PG_ARGISNULL(0))
		h = PG_GETARG_BANDITMODEL(0, &size);
	x = context_arg(fcinfo, 2, h ? h->dim : 0, &len);
	if (h == NULL)
	{
		bm_init(&empty, (uint32) len);
		h = &empty;
	}
	/* room for one more arm only when the action is new (a full model can still learn) */
	(void) bm_find(h, PG_GETARG_INT64(1), &found);
	v = bm_copy_with_room(h, found ? 0 : 1, &copy);
	idx = bm_find(copy, PG_GETARG_INT64(1), &found);
	arm = found ? bm_arm(copy, idx) : bm_insert_arm(copy, idx, PG_GETARG_INT64(1));
	if (!bm_arm_add(arm, copy->dim, x, PG_GETARG_FLOAT8(3),
					PG_NARGS() == 5 ? PG_GETARG_FLOAT8(4) : 1.0, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(bm_finish_datum(v, copy));
}
