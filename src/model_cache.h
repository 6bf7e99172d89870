/*
 * model_cache.h — the backend's cache of prepared models: decoded,
 * validated and factorised, kept across rows, statements and transactions,
 * so that a serving call (one decision per statement) costs a hash lookup,
 * not a detoast, a decompression, a validation and K factorisations.
 *
 * Keys never let a different model be served (model_cache.c says why):
 * a model stored out of line (TOAST) by its TOAST pointer, which names one
 * immutable stored value (an UPDATE writes a new value with a new pointer);
 * any other model by its exact bytes.  The ridge lambda is part of the key.
 * Memory is bounded by artbandit.model_cache_size (least recently used
 * models evicted first).
 */
#ifndef MODEL_CACHE_H
#define MODEL_CACHE_H

#include "postgres.h"

#include "bandit_scorer.h"

typedef struct CachedModel
{
	const BmHeader *model;
	const BmScorer *scorer;
} CachedModel;

/*
 * The model in datum d prepared at ridge.  The pointers stay valid until the
 * calling function returns; a function may hold two models at once (the
 * two handed out last are never evicted).
 */
CachedModel model_cache_get(Datum d, double ridge);

/*
 * A (validated) model prepared at ridge, its blocks palloc'd in the current
 * context: for callers that keep models themselves (the scheduled jobs).
 */
void		model_scorer_build(const BmHeader *m, double ridge, BmScorer *sc);

/* The artbandit.model_cache_size setting (called from _PG_init). */
void		model_cache_define_setting(void);

/* What bandit_model_cache() reports. */
typedef struct ModelCacheStats
{
	int64		entries;
	int64		bytes;			/* memory the entries hold */
	int64		budget;			/* artbandit.model_cache_size in bytes */
	int64		hits;
	int64		misses;
	int64		evictions;
	int64		oid_wraparounds;	/* times TOAST-keyed entries were dropped */
} ModelCacheStats;

void		model_cache_stats(ModelCacheStats *out);

/*
 * Drop every entry and zero the counters.  Only between calls that use
 * models (bandit_model_cache_reset() is a function of its own).
 */
void		model_cache_reset(void);

#endif
