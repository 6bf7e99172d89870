/*
 * ope_state_pg.h — the ope_state SQL type: an OpeState (and its lambda
 * section) behind a varlena header, and the conversions every function
 * taking the type uses.
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
	OpeState	state;			/* followed by its lambda section */
} OpeStateDatum;

/* Bytes before the state. */
#define OPE_DATUM_HEADER offsetof(OpeStateDatum, state)

/*
 * The validated state in datum d, read-only: it points into the detoasted
 * value (a 1.0/1.1 value is converted into a new copy).
 */
const OpeState *ope_state_get(Datum d);

/* A new palloc'd datum holding a copy of s, lambda section included. */
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
