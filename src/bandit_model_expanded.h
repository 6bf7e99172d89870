/*
 * bandit_model_expanded.h — a banditmodel as a PostgreSQL expanded object
 * (utils/expandeddatum.h): the transition state of bandit_fit and
 * bandit_merge.  nodeAgg keeps a read-write expanded transition value that
 * is a child of the aggregate context as it is (ExecAggTransReparent), so
 * each row updates the model in place; the flat form, whenever one is
 * needed (the final result, a partial state sent from a parallel worker, a
 * printed state, one stored in a table), is the banditmodel datum byte
 * for byte.
 */
#ifndef BANDIT_MODEL_EXPANDED_H
#define BANDIT_MODEL_EXPANDED_H

#include "postgres.h"

#include "access/detoast.h"
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

extern const ExpandedObjectMethods bm_expanded_methods;

/*
 * d as one of our read-write expanded models, or NULL when it is not one
 * (inline: it runs once per row).  Whoever holds a read-write pointer owns
 * the object and may change it in place (utils/expandeddatum.h); only the
 * aggregate machinery gets one from us.
 */
static inline BmExpanded *
bm_expanded_rw(Datum d)
{
	varatt_expanded ptr = {NULL};

	if (!VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		return NULL;
	VARATT_EXTERNAL_GET_POINTER(ptr, DatumGetPointer(d));
	return ptr.eohptr->eoh_methods == &bm_expanded_methods ? (BmExpanded *) ptr.eohptr : NULL;
}

/* The read-write datum of e (a transition function's result). */
#define bm_expanded_datum(e) EOHPGetRWDatum(&(e)->hdr)

#endif
