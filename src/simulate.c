/*
 * simulate.c — simulate_impressions(n, shows, images_per_show, dim, seed,
 * logging_policy, logging_model): a set-returning function streaming a
 * synthetic exploration log (core/simulator.c) row by row, with the logging
 * policy's choice and its exact propensity, and the hidden truth.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "bandit_model_pg.h"
#include "bandit_scorer.h"
#include "pg_arrays.h"
#include "pg_glue.h"
#include "policy.h"
#include "simulator.h"

#define SIM_NATTS 12

typedef struct SimState
{
	SimConfig	cfg;
	bool		uniform;		/* no model needed */
	Policy		policy;
	BmScorer	scorer;
	double	   *context;
	int64	   *candidates;
	double	   *truth;
	double	   *scores;
	double	   *probs;
	double	   *work;
} SimState;

/* The logging policy's model: the argument, or an empty one of dimension dim. */
static const BmHeader *
logging_model(FunctionCallInfo fcinfo, int32 dim)
{
	const BmHeader *m;
	size_t		size;

	if (PG_ARGISNULL(6))
	{
		BmHeader   *empty = palloc(sizeof(BmHeader));

		bm_init(empty, (uint32) dim);
		return empty;
	}
	m = PG_GETARG_BANDITMODEL(6, &size);
	if ((int32) m->dim != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("logging_model has dimension %u, but dim is %d", m->dim, dim)));
	return m;
}

static SimState *
setup(FunctionCallInfo fcinfo)
{
	SimState   *st = palloc0(sizeof(SimState));
	text	   *policy = PG_GETARG_TEXT_PP(5);
	AbError		err;
	int			k;

	if (!sim_config_init(&st->cfg, PG_GETARG_INT64(0), PG_GETARG_INT32(1), PG_GETARG_INT32(2),
						 PG_GETARG_INT32(3), PG_GETARG_INT64(4), &err) ||
		!policy_parse(VARDATA_ANY(policy), VARSIZE_ANY_EXHDR(policy), &st->policy, &err))
		ab_raise(&err);
	k = st->cfg.images;
	st->uniform = st->policy.kind == POLICY_UNIFORM;
	if (!st->uniform)
	{
		const BmHeader *m = logging_model(fcinfo, st->cfg.dim);
		void	   *block = palloc_extended(Max(bm_scorer_block_size(m), 8), MCXT_ALLOC_HUGE);

		if (!bm_scorer_build(m, st->policy.ridge, block, &st->scorer, &err))
			ab_raise(&err);
		st->work = palloc(sizeof(double) * policy_work_doubles(k));
	}
	st->context = palloc(sizeof(double) * st->cfg.dim);
	st->candidates = palloc(sizeof(int64) * k);
	st->truth = palloc(sizeof(double) * k);
	st->scores = palloc(sizeof(double) * k);
	st->probs = palloc(sizeof(double) * k);
	return st;
}

/* Probabilities of the logging policy for this impression. */
static void
logging_probabilities(SimState *st)
{
	int			k = st->cfg.images,
				j;
	AbError		err;

	if (st->uniform)
	{
		for (j = 0; j < k; j++)
			st->probs[j] = 1.0 / k;
		return;
	}
	if (!policy_evaluate(&st->policy, &st->scorer, st->context, st->candidates, k,
						 st->scores, st->probs, st->work, &err))
		ab_raise(&err);
}

static Datum
int8_array_datum(const int64 *values, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static HeapTuple
next_row(SimState *st, TupleDesc desc, int64 i)
{
	SimImpression imp;
	Datum		values[SIM_NATTS];
	bool		nulls[SIM_NATTS] = {false};
	int			k = st->cfg.images;
	size_t		chosen;
	bool		played;

	imp.context = st->context;
	imp.candidates = st->candidates;
	imp.play_probabilities = st->truth;
	sim_impression(&st->cfg, i, &imp);
	logging_probabilities(st);
	chosen = policy_pick(st->probs, k, sim_draw(&st->cfg, i, SIM_STREAM_LOGGING));
	played = sim_draw(&st->cfg, i, SIM_STREAM_PLAYED) < st->truth[chosen];

	values[0] = Int64GetDatum(imp.impression_id);
	values[1] = Int64GetDatum(imp.user_id);
	values[2] = Int32GetDatum(imp.show_id);
	values[3] = Int32GetDatum(imp.day);
	values[4] = float8_array_datum(st->context, st->cfg.dim);
	values[5] = int8_array_datum(st->candidates, k);
	values[6] = Int64GetDatum(st->candidates[chosen]);
	values[7] = Float8GetDatum(st->probs[chosen]);
	values[8] = BoolGetDatum(played);
	values[9] = Float8GetDatum(played ? sim_minutes(&st->cfg, imp.show_id,
													sim_draw(&st->cfg, i, SIM_STREAM_MINUTES)) : 0.0);
	values[10] = float8_array_datum(st->truth, k);
	values[11] = Int32GetDatum(imp.hour);
	return heap_form_tuple(desc, values, nulls);
}

PG_FUNCTION_INFO_V1(simulate_impressions);
Datum
simulate_impressions(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	SimState   *st;
	int			i;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	desc;

		funcctx = SRF_FIRSTCALL_INIT();
		for (i = 0; i <= 5; i++)
			if (PG_ARGISNULL(i))
				SRF_RETURN_DONE(funcctx);
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("simulate_impressions must be called in a context that accepts a set of records")));
		funcctx->tuple_desc = BlessTupleDesc(desc);
		funcctx->user_fctx = setup(fcinfo);
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = (SimState *) funcctx->user_fctx;
	if ((int64) funcctx->call_cntr < st->cfg.n)
	{
		/* built before SRF_RETURN_NEXT, which advances call_cntr first */
		HeapTuple	tuple = next_row(st, funcctx->tuple_desc, (int64) funcctx->call_cntr + 1);

		CHECK_FOR_INTERRUPTS();
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}
