/*
 * call_site_cache.c — see call_site_cache.h.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "call_site_cache.h"
#include "pg_glue.h"

typedef struct CallCache
{
	text	   *policy_text;	/* key of the parsed policy */
	Policy		policy;
	TupleDesc	result_desc;	/* blessed, in fn_mcxt; NULL until needed */
	double	   *work;			/* scratch reused across rows */
	size_t		work_len;
} CallCache;

static CallCache *
call_cache(FunctionCallInfo fcinfo)
{
	CallCache  *cc = (CallCache *) fcinfo->flinfo->fn_extra;

	if (cc == NULL)
	{
		cc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallCache));
		fcinfo->flinfo->fn_extra = cc;
	}
	return cc;
}

const Policy *
policy_cache_get(FunctionCallInfo fcinfo, int argno)
{
	CallCache  *cc = call_cache(fcinfo);
	text	   *t = PG_GETARG_TEXT_PP(argno);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	AbError		err;

	if (cc->policy_text != NULL && VARSIZE_ANY_EXHDR(cc->policy_text) == len &&
		memcmp(VARDATA_ANY(cc->policy_text), VARDATA_ANY(t), len) == 0)
		return &cc->policy;
	if (cc->policy_text != NULL)
	{
		pfree(cc->policy_text);
		cc->policy_text = NULL;
	}
	if (!policy_parse(VARDATA_ANY(t), len, &cc->policy, &err))
		ab_raise(&err);
	cc->policy_text = (text *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE_ANY(t));
	memcpy(cc->policy_text, t, VARSIZE_ANY(t));
	return &cc->policy;
}

TupleDesc
call_result_desc(FunctionCallInfo fcinfo)
{
	CallCache  *cc = call_cache(fcinfo);
	TupleDesc	desc;
	MemoryContext old;

	if (cc->result_desc != NULL)
		return cc->result_desc;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a record called in a context that cannot accept one")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cc->result_desc = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	return cc->result_desc;
}

double *
call_work(FunctionCallInfo fcinfo, size_t ndoubles)
{
	CallCache  *cc = call_cache(fcinfo);

	if (cc->work_len < ndoubles)
	{
		if (cc->work != NULL)
			pfree(cc->work);
		cc->work = MemoryContextAllocHuge(fcinfo->flinfo->fn_mcxt, sizeof(double) * ndoubles);
		cc->work_len = ndoubles;
	}
	return cc->work;
}
