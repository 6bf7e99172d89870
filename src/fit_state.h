/*
 * fit_state.h — a model being fitted row by row in a memory context: the
 * state of the bandit_fit and bandit_merge aggregates, and of
 * bandit_refresh_models (one per scope).
 */
#ifndef FIT_STATE_H
#define FIT_STATE_H

#include "postgres.h"

#include "bandit_model.h"

typedef struct FitState
{
	BmHeader   *model;			/* the growing model, in the state's context */
	uint32		capacity;		/* arms the block has room for */
} FitState;

/*
 * A new state in cxt: a copy of the model from, or (from NULL) an empty
 * model of dimension dim.
 */
FitState   *fit_state_new(MemoryContext cxt, const BmHeader *from, uint32 dim);

/* Room for `more` additional arms (limits checked before allocating). */
void		fit_state_reserve(FitState *st, uint32 more);

/* Add one row (the context already checked with fit_check_context). */
void		fit_state_add(FitState *st, int64 action, const double *x, double reward, double weight);

/*
 * ERROR unless x (len elements) can be a row of a model of dimension dim:
 * non-empty, finite and of that length; dim 0 means a new model, which takes
 * the context's length.
 */
void		fit_check_context(const double *x, int len, uint32 dim);

#endif
