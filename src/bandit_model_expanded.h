/*
 * bandit_model_expanded.h — a banditmodel as a PostgreSQL expanded object
 * (utils/expandeddatum.h): the transition state of bandit_fit and
 * bandit_merge.  nodeAgg keeps a read-write expanded transition value that
 * is a child of the aggregate context as it is (ExecAggTransReparent), so
 * each row updates the model in place; the flat form, whenever one is
 * needed (the final result, a partial state sent from a parallel worker, a
 * spilled or printed state), is the banditmodel datum byte for byte.
 */
#ifndef BANDIT_MODEL_EXPANDED_H
#define BANDIT_MODEL_EXPANDED_H

#include "postgres.h"

#include "utils/expandeddatum.h"

#include "fit_state.h"

typedef struct BmExpanded
{
	ExpandedObjectHeader hdr;
	FitState	st;				/* the model and its room, in hdr.eoh_context */
	bool		checked;		/* st.model passed bm_check_built since it last changed */
} BmExpanded;

/*
 * A new expanded model in its own context under parent: a copy of from (a
 * validated model) or, from NULL, an empty model of dimension dim.
 */
BmExpanded *bm_expanded_new(MemoryContext parent, const BmHeader *from, uint32 dim);

/* d as one of our read-write expanded models, or NULL when it is not one. */
BmExpanded *bm_expanded_rw(Datum d);

/* The read-write datum of e (a transition function's result). */
#define bm_expanded_datum(e) EOHPGetRWDatum(&(e)->hdr)

#endif
