/*
 * call_site_cache.h — what one call site (an fmgr call's fn_extra) keeps
 * between rows: the parsed policy, the result tuple descriptor and scratch
 * memory.  Prepared models are kept for the whole backend (model_cache.h),
 * and so are the last few policies and result descriptors, for prepared
 * statements, whose call sites last one execution.
 */
#ifndef CALL_SITE_CACHE_H
#define CALL_SITE_CACHE_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "policy.h"

/* The policy text argument argno, parsed (cached per call site). */
const Policy *policy_cache_get(FunctionCallInfo fcinfo, int argno);

/*
 * The blessed composite result descriptor of the call site, built on its
 * first call (get_call_result_type costs a catalog lookup per call) and
 * kept for the backend by function OID: only for functions whose result
 * type is fixed by their declaration (OUT parameters), not polymorphic.
 */
TupleDesc	call_result_desc(FunctionCallInfo fcinfo);

/* Scratch of at least ndoubles doubles, kept for the call site's lifetime. */
double	   *call_work(FunctionCallInfo fcinfo, size_t ndoubles);

#endif
