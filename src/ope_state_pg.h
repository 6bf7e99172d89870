/*
 * ope_state_pg.h — the ope_state SQL type: an OpeState behind a varlena
 * header, and the conversions every function taking the type uses.
 */
#ifndef OPE_STATE_PG_H
#define OPE_STATE_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "ope_state.h"

typedef struct OpeStateDatum
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		pad;			/* keeps the state 8-byte aligned */
	OpeState	state;
} OpeStateDatum;

/* A validated copy of the state in d (detoasted as needed). */
void		ope_state_from_datum(Datum d, OpeState *out);

/* A new palloc'd datum holding s. */
OpeStateDatum *ope_state_make_datum(const OpeState *s);

/*
 * The state argument argno of a transition or combine function, ready to be
 * changed: in aggregate context the value itself (it lives in the aggregate's
 * memory and no one else sees it), otherwise a validated copy, since a
 * function must never change its pass-by-reference arguments.
 */
OpeStateDatum *ope_state_for_update(FunctionCallInfo fcinfo, int argno);

#define PG_RETURN_OPE_STATE(p) PG_RETURN_POINTER(p)

#endif
