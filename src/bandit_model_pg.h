/*
 * bandit_model_pg.h — the banditmodel SQL type: a BmHeader block (see
 * core/bandit_model.h) behind a varlena header, and the conversions every
 * function taking the type uses.
 */
#ifndef BANDIT_MODEL_PG_H
#define BANDIT_MODEL_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "bandit_model.h"

/* Bytes before the BmHeader: the varlena length word and padding to 8. */
#define BM_DATUM_OFFSET 8

/* The validated model block inside datum d (detoasted as needed). */
const BmHeader *bm_datum_model(Datum d, size_t *size);

/* A new banditmodel datum holding a copy of the size-byte block h. */
Datum		bm_make_datum(const BmHeader *h, size_t size);

/* A new banditmodel datum with room for extra_arms more arms than h has. */
struct varlena *bm_copy_with_room(const BmHeader *h, uint32 extra_arms, BmHeader **copy);

/* ERROR unless a model a function built passes the input validation. */
void		bm_check_built(const BmHeader *h, size_t size);

/* The datum's final value after arms were added into room made above (checked). */
Datum		bm_finish_datum(struct varlena *v, BmHeader *h);

/* BmAllocFn for the codecs: palloc / repalloc in the current context. */
void	   *bm_palloc(void *ctx, void *ptr, size_t size);

/* Raise an ERROR unless the size-byte block is within the limits. */
void		bm_check_size(int64 dim, int64 narms, size_t *size);

#define PG_GETARG_BANDITMODEL(n, sizep) bm_datum_model(PG_GETARG_DATUM(n), (sizep))

#endif
