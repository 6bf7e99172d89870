/*
 * call_site_cache.h — what one call site (an fmgr call's fn_extra) keeps
 * between rows: decoded, validated and factorised models, so that scoring a
 * million rows against one model detoasts, validates and factorises it
 * once; parsed policies; the result tuple descriptor; scratch memory.
 *
 * Keys never let a different model be served: a model stored out of line
 * (TOAST) is recognised by its TOAST pointer, which names one immutable
 * stored value; any other model by its exact bytes (memcmp against the
 * cached copy).  The ridge lambda is part of the key.  A few entries are
 * kept, least recently used evicted, so a query joining a model per show
 * does not thrash when rows alternate between shows.
 */
#ifndef CALL_SITE_CACHE_H
#define CALL_SITE_CACHE_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "bandit_scorer.h"
#include "policy.h"

typedef struct CachedModel
{
	const BmHeader *model;
	const BmScorer *scorer;
} CachedModel;

/* The model in datum d prepared at ridge, from flinfo's cache. */
CachedModel model_cache_get(FunctionCallInfo fcinfo, Datum d, double ridge);

/*
 * A (validated) model prepared at ridge, its blocks palloc'd in the current
 * context: for callers that keep models themselves (the scheduled jobs).
 */
void		model_scorer_build(const BmHeader *m, double ridge, BmScorer *sc);

/* The policy text argument argno, parsed (cached per call site). */
const Policy *policy_cache_get(FunctionCallInfo fcinfo, int argno);

/*
 * The blessed composite result descriptor of the call site, built on its
 * first call (get_call_result_type costs a catalog lookup per call).
 */
TupleDesc	call_result_desc(FunctionCallInfo fcinfo);

/* Scratch of at least ndoubles doubles, kept for the call site's lifetime. */
double	   *call_work(FunctionCallInfo fcinfo, size_t ndoubles);

#endif
