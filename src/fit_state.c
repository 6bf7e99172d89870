/*
 * fit_state.c — see fit_state.h.
 */
#include "fit_state.h"

#include "utils/memutils.h"

#include "bandit_model_pg.h"
#include "pg_arrays.h"
#include "pg_glue.h"

void
fit_state_reserve(FitState *st, uint32 more)
{
	uint32		want = st->model->narms + more;
	size_t		size,
				doubled;

	if (want <= st->capacity)
		return;
	bm_check_size(st->model->dim, want, &size);
	/* grow geometrically, up to what the limits allow (never one arm at a time) */
	{
		uint32		cap = Max(want, 2 * st->capacity);
		size_t		fit = (BM_MAX_BYTES - sizeof(BmHeader)) / bm_arm_size(st->model->dim);

		cap = Min(cap, BM_MAX_ARMS);
		cap = (uint32) Min((size_t) cap, fit);
		if (cap > want && bm_model_size(st->model->dim, cap, &doubled, NULL))
		{
			want = cap;
			size = doubled;
		}
	}
	st->model = repalloc_huge(st->model, size);
	st->capacity = want;
}

void
fit_state_init(FitState *st, MemoryContext cxt, const BmHeader *from, uint32 dim)
{
	size_t		size;

	if (from)
	{
		bm_check_size(from->dim, from->narms, &size);
		st->model = MemoryContextAllocHuge(cxt, size);
		memcpy(st->model, from, size);
		st->capacity = from->narms;
	}
	else
	{
		bm_check_size(dim, 0, &size);
		st->model = MemoryContextAllocHuge(cxt, size);
		bm_init(st->model, dim);
		st->capacity = 0;
	}
}

FitState *
fit_state_new(MemoryContext cxt, const BmHeader *from, uint32 dim)
{
	FitState   *st = MemoryContextAlloc(cxt, sizeof(FitState));

	fit_state_init(st, cxt, from, dim);
	return st;
}

void
fit_state_add(FitState *st, int64 action, const double *x, double reward, double weight)
{
	bool		found;
	uint32		idx = bm_find(st->model, action, &found);
	BmArm	   *arm;
	AbError		err;

	if (!found)
	{
		fit_state_reserve(st, 1);
		arm = bm_insert_arm(st->model, idx, action);
	}
	else
		arm = bm_arm(st->model, idx);
	if (!bm_arm_add(arm, st->model->dim, x, reward, weight, &err))
		ab_raise(&err);
}

uint32
fit_arms_added_by_merge(const BmHeader *a, const BmHeader *b)
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

void
fit_state_merge(FitState *st, const BmHeader *src)
{
	AbError		err;

	fit_state_reserve(st, fit_arms_added_by_merge(st->model, src));
	if (!bm_merge(st->model, src, &err))
		ab_raise(&err);
}

void
fit_check_context(const double *x, int len, uint32 dim)
{
	BmHeader	probe;
	AbError		err;

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must not be empty")));
	bm_init(&probe, dim ? dim : (uint32) len);
	if (!bm_check_context(&probe, x, len, &err))
		ab_raise(&err);
}

const double *
fit_context_arg(FunctionCallInfo fcinfo, int argno, uint32 dim, int *len)
{
	const double *x = float8_array_arg(fcinfo, argno, "context", dim ? PG_INT32_MAX : BM_MAX_DIM, len);

	fit_check_context(x, *len, dim);
	return x;
}
