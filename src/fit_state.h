/*
 * fit_state.h — a model being fitted row by row in a memory context: the
 * state of the bandit_fit and bandit_merge aggregates (inside an expanded
 * banditmodel, bandit_model_expanded.h; in 1.0/1.1 an internal state,
 * bandit_fit_internal.c), and of bandit_refresh_models (one per scope).
 */
#ifndef FIT_STATE_H
#define FIT_STATE_H

#include "postgres.h"

#include "fmgr.h"

#include "bandit_model.h"

typedef struct FitState
{
	BmHeader   *model;			/* the growing model, in the state's context */
	uint32		capacity;		/* arms the block has room for */
} FitState;

/*
 * Fill *st with a model in cxt: a copy of the model from, or (from NULL) an
 * empty model of dimension dim.
 */
void		fit_state_init(FitState *st, MemoryContext cxt, const BmHeader *from, uint32 dim);

/* The same in a new FitState allocated in cxt. */
FitState   *fit_state_new(MemoryContext cxt, const BmHeader *from, uint32 dim);

/* Room for `more` additional arms (limits checked before allocating). */
void		fit_state_reserve(FitState *st, uint32 more);

/* Add one row (the context already checked with fit_check_context). */
void		fit_state_add(FitState *st, int64 action, const double *x, double reward, double weight);

/* st := st + src (same dimension and the union within the limits, or ERROR). */
void		fit_state_merge(FitState *st, const BmHeader *src);

/*
 * How many arms merging b into a adds, after checking that the two can be
 * merged (same dimension, union within the limits).
 */
uint32		fit_arms_added_by_merge(const BmHeader *a, const BmHeader *b);

/*
 * ERROR unless x (len elements) can be a row of a model of dimension dim:
 * non-empty, finite and of that length; dim 0 means a new model, which takes
 * the context's length.
 */
void		fit_check_context(const double *x, int len, uint32 dim);

/*
 * The context argument argno of a fitting function, checked as
 * fit_check_context does (any other length than a non-zero dim is a wrong
 * value, 22023, however long).
 */
const double *fit_context_arg(FunctionCallInfo fcinfo, int argno, uint32 dim, int *len);

#endif
