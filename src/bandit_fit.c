/*
 * bandit_fit.c — building models: bandit_update and bandit_merge, which are
 * also the transition and combine functions of the bandit_fit and
 * bandit_merge aggregates (a banditmodel state, updated in place as an
 * expanded object while an aggregate runs: bandit_model_expanded.h), and
 * bandit_fit_bool_transition, bandit_update's form for a bool reward.
 *
 * Called as plain functions they never change their arguments: each returns
 * a new model.  Given a read-write expanded model (which only the aggregate
 * machinery holds: they hand one out only when AggCheckCallContext says an
 * aggregate called them), they change it in place and return it; an
 * aggregate's first row or an INITCOND value is copied into a new one in the
 * aggregate context first.  The same C code adds the rows either way, so a
 * fit and the same rows given to bandit_update one by one agree bit for bit.
 */
#include "postgres.h"

#include "fmgr.h"

#include "bandit_model_expanded.h"
#include "bandit_model_pg.h"
#include "fit_state.h"
#include "pg_glue.h"

/*
 * One row (action, context, reward, weight) added to model argument 0 (NULL:
 * a new model of the context's length); the caller has checked that no
 * argument after the model is NULL.  Inlined into both callers: the first
 * branch is what every row of a fit runs.
 */
static pg_attribute_always_inline Datum
add_row(FunctionCallInfo fcinfo, double reward)
{
	MemoryContext agg;
	BmExpanded *e = PG_ARGISNULL(0) ? NULL : bm_expanded_rw(PG_GETARG_DATUM(0));
	const BmHeader *h = NULL;
	BmHeader	empty;
	BmHeader   *copy;
	struct varlena *v;
	const double *x;
	size_t		size;
	int			len;
	bool		found;
	uint32		idx;
	BmArm	   *arm;
	AbError		err;
	int64		action = PG_GETARG_INT64(1);
	double		weight = PG_NARGS() == 5 ? PG_GETARG_FLOAT8(4) : 1.0;

	/* the state of an aggregate: changed in place */
	if (e)
	{
		x = fit_context_arg(fcinfo, 2, e->st.model->dim, &len);
		fit_state_add(&e->st, action, x, reward, weight);
		e->checked = false;
		PG_RETURN_DATUM(bm_expanded_datum(e));
	}

	if (!PG_ARGISNULL(0))
		h = PG_GETARG_BANDITMODEL(0, &size);
	x = fit_context_arg(fcinfo, 2, h ? h->dim : 0, &len);

	/* an aggregate's first row (or an INITCOND): a new expanded state */
	if (AggCheckCallContext(fcinfo, &agg))
	{
		e = bm_expanded_new(agg, h, (uint32) len);
		fit_state_add(&e->st, action, x, reward, weight);
		e->checked = false;
		PG_RETURN_DATUM(bm_expanded_datum(e));
	}

	/* a function call: a new flat model, the argument untouched */
	if (h == NULL)
	{
		bm_init(&empty, (uint32) len);
		h = &empty;
	}
	/* room for one more arm only when the action is new (a full model can still learn) */
	(void) bm_find(h, action, &found);
	v = bm_copy_with_room(h, found ? 0 : 1, &copy);
	idx = bm_find(copy, action, &found);
	arm = found ? bm_arm(copy, idx) : bm_insert_arm(copy, idx, action);
	if (!bm_arm_add(arm, copy->dim, x, reward, weight, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(bm_finish_datum(v, copy));
}

/*
 * A row with a NULL action, context, reward or weight leaves the model as it
 * is (an aggregate skips it, as SQL aggregates do).
 */
#define RETURN_MODEL_IF_NULL_INPUT() \
	do { \
		int			i_; \
		for (i_ = 1; i_ < PG_NARGS(); i_++) \
			if (PG_ARGISNULL(i_)) \
			{ \
				if (PG_ARGISNULL(0)) \
					PG_RETURN_NULL(); \
				PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
			} \
	} while (0)

/*
 * bandit_update(model, action, context, reward [, weight]): the model with
 * one more row; the transition function of bandit_fit.
 */
PG_FUNCTION_INFO_V1(bandit_update);
Datum
bandit_update(PG_FUNCTION_ARGS)
{
	RETURN_MODEL_IF_NULL_INPUT();
	return add_row(fcinfo, PG_GETARG_FLOAT8(3));
}

/*
 * bandit_fit_bool_transition(model, action, context, played [, weight]):
 * the same with a play as the reward (true = 1, false = 0).
 */
PG_FUNCTION_INFO_V1(bandit_fit_bool_transition);
Datum
bandit_fit_bool_transition(PG_FUNCTION_ARGS)
{
	RETURN_MODEL_IF_NULL_INPUT();
	return add_row(fcinfo, PG_GETARG_BOOL(3) ? 1.0 : 0.0);
}

/*
 * bandit_merge(a, b): the union of two models, a NULL argument counting as
 * empty; the transition function of the bandit_merge aggregate and the
 * combine function of both aggregates.
 */
PG_FUNCTION_INFO_V1(bandit_merge);
Datum
bandit_merge(PG_FUNCTION_ARGS)
{
	MemoryContext agg;
	BmExpanded *e;
	const BmHeader *a,
			   *b;
	BmHeader   *copy;
	struct varlena *v;
	size_t		size;
	AbError		err;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(1))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			/* in an aggregate the state goes on as it is; elsewhere a copy */
			if (AggCheckCallContext(fcinfo, NULL))
				PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
		a = PG_GETARG_BANDITMODEL(PG_ARGISNULL(0) ? 1 : 0, &size);
		if (AggCheckCallContext(fcinfo, &agg))
			PG_RETURN_DATUM(bm_expanded_datum(bm_expanded_new(agg, a, 0)));
		PG_RETURN_DATUM(bm_make_datum(a, size));
	}
	e = bm_expanded_rw(PG_GETARG_DATUM(0));
	if (e || AggCheckCallContext(fcinfo, &agg))
	{
		b = PG_GETARG_BANDITMODEL(1, &size);
		if (e == NULL)
			e = bm_expanded_new(agg, PG_GETARG_BANDITMODEL(0, &size), 0);
		fit_state_merge(&e->st, b);
		e->checked = false;
		PG_RETURN_DATUM(bm_expanded_datum(e));
	}
	a = PG_GETARG_BANDITMODEL(0, &size);
	b = PG_GETARG_BANDITMODEL(1, &size);
	v = bm_copy_with_room(a, fit_arms_added_by_merge(a, b), &copy);
	if (!bm_merge(copy, b, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(bm_finish_datum(v, copy));
}
