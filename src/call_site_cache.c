/*
 * call_site_cache.c — see call_site_cache.h.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "call_site_cache.h"
#include "pg_glue.h"

/*
 * Behind the call sites, for the whole backend: a prepared statement runs
 * with a fresh call site at every execution, so a serving call would parse
 * its policy and look up its result type again each time.  A few of each
 * are kept here.  Policies by their exact text; result descriptors by
 * function OID (a function's OUT parameters cannot change without dropping
 * it, and a re-created function has a new OID).
 */
#define RECENT_POLICIES 8
#define RECENT_DESCS 8

typedef struct RecentPolicy
{
	size_t		len;			/* 0: unused */
	char		text[POLICY_TEXT_MAX];
	Policy		policy;
} RecentPolicy;

static RecentPolicy recent_policies[RECENT_POLICIES];
static int	next_policy_slot = 0;

static struct
{
	Oid			fn_oid;			/* InvalidOid: unused */
	TupleDesc	desc;			/* blessed, in TopMemoryContext */
}			recent_descs[RECENT_DESCS];

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

static bool
recent_policy(const char *text, size_t len, Policy *out)
{
	int			i;

	if (len == 0)
		return false;			/* the length of an unused slot; and no policy */
	for (i = 0; i < RECENT_POLICIES; i++)
		if (recent_policies[i].len == len && memcmp(recent_policies[i].text, text, len) == 0)
		{
			*out = recent_policies[i].policy;
			return true;
		}
	return false;
}

static void
remember_policy(const char *text, size_t len, const Policy *p)
{
	RecentPolicy *slot = &recent_policies[next_policy_slot];

	if (len == 0 || len > POLICY_TEXT_MAX)
		return;
	memcpy(slot->text, text, len);
	slot->len = len;
	slot->policy = *p;
	next_policy_slot = (next_policy_slot + 1) % RECENT_POLICIES;
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
	if (!recent_policy(VARDATA_ANY(t), len, &cc->policy))
	{
		if (!policy_parse(VARDATA_ANY(t), len, &cc->policy, &err))
			ab_raise(&err);
		remember_policy(VARDATA_ANY(t), len, &cc->policy);
	}
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

	Oid			fn_oid = fcinfo->flinfo->fn_oid;
	int			i;

	if (cc->result_desc != NULL)
		return cc->result_desc;
	for (i = 0; i < RECENT_DESCS && OidIsValid(fn_oid); i++)
		if (recent_descs[i].fn_oid == fn_oid)
			return cc->result_desc = recent_descs[i].desc;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a record called in a context that cannot accept one")));
	for (i = 0; i < RECENT_DESCS && OidIsValid(fn_oid); i++)
		if (!OidIsValid(recent_descs[i].fn_oid))
			break;
	/* kept for the backend when a slot is free, else for the call site */
	old = MemoryContextSwitchTo(i < RECENT_DESCS && OidIsValid(fn_oid) ?
								TopMemoryContext : fcinfo->flinfo->fn_mcxt);
	cc->result_desc = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	if (i < RECENT_DESCS && OidIsValid(fn_oid))
	{
		recent_descs[i].fn_oid = fn_oid;
		recent_descs[i].desc = cc->result_desc;
	}
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
