/*
 * call_site_cache.c — see call_site_cache.h.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "bandit_model_pg.h"
#include "call_site_cache.h"
#include "pg_glue.h"

/* Enough for a query joining one model per show over a few hundred shows. */
#define CACHE_ENTRIES 256
/* Memory the cache of one call site may keep (at least one entry is kept). */
#define CACHE_BUDGET ((Size) 512 * 1024 * 1024)

typedef struct CacheEntry
{
	MemoryContext cxt;			/* owns everything below; NULL when unused */
	bool		by_toast;		/* key: TOAST pointer, else the bytes */
	struct varatt_external toast;
	struct varlena *bytes;		/* the detoasted datum (also the model) */
	struct varlena *key;		/* the datum as it came when inline (maybe compressed) */
	double		ridge;
	uint64		last_used;
	Size		bytes_used;
	BmHeader   *model;
	BmScorer	scorer;
} CacheEntry;

typedef struct CallCache
{
	uint64		clock;
	int			mru;			/* entry used last, checked first; -1 at start */
	Oid			toast_ids[CACHE_ENTRIES];	/* va_valueid of TOAST-keyed entries, for a quick scan */
	CacheEntry	entries[CACHE_ENTRIES];
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
		cc->mru = -1;
		fcinfo->flinfo->fn_extra = cc;
	}
	return cc;
}

static bool
entry_matches(const CacheEntry *e, struct varlena *raw, double ridge)
{
	if (e->cxt == NULL || e->ridge != ridge)
		return false;
	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		struct varatt_external toast;

		VARATT_EXTERNAL_GET_POINTER(toast, raw);
		return e->by_toast && memcmp(&toast, &e->toast, sizeof(toast)) == 0;
	}
	return false;
}

/* An inline datum (plain, short-header or compressed) against an entry's key bytes. */
static bool
bytes_match(const CacheEntry *e, const struct varlena *raw, double ridge)
{
	return e->cxt != NULL && e->key != NULL && e->ridge == ridge &&
		VARSIZE_ANY(e->key) == VARSIZE_ANY(raw) && memcmp(e->key, raw, VARSIZE_ANY(raw)) == 0;
}

/*
 * An empty slot for an entry of `need` bytes: least recently used entries
 * are dropped while the slots are full or the budget would be exceeded.  The
 * entry handed out last is never dropped: a caller may still be using it
 * (bandit_value holds the policy's model while it fetches the reward model).
 */
static CacheEntry *
free_slot(CallCache *cc, Size need)
{
	for (;;)
	{
		CacheEntry *victim = NULL,
				   *empty = NULL;
		Size		used = 0;
		int			i;

		for (i = 0; i < CACHE_ENTRIES; i++)
		{
			CacheEntry *e = &cc->entries[i];

			if (e->cxt == NULL)
			{
				empty = e;
				continue;
			}
			used += e->bytes_used;
			if (e->last_used != cc->clock &&
				(victim == NULL || e->last_used < victim->last_used))
				victim = e;
		}
		if (empty != NULL && (victim == NULL || used + need <= CACHE_BUDGET))
			return empty;
		Assert(victim != NULL);		/* slots are full, and only one is protected */
		MemoryContextDelete(victim->cxt);
		victim->cxt = NULL;
		cc->toast_ids[victim - cc->entries] = InvalidOid;
	}
}

/*
 * Validate, copy and factorise a model into a fresh entry.  The work is done
 * in a context under the current (per-call) one and moved under the call
 * site's context only once complete, so an error leaves nothing behind.
 */
static CacheEntry *
fill_entry(FunctionCallInfo fcinfo, CallCache *cc, struct varlena *raw,
		   struct varlena *v, double ridge)
{
	size_t		size = VARSIZE(v) - BM_DATUM_OFFSET;
	MemoryContext cxt,
				old;
	CacheEntry	built;
	CacheEntry *e;
	AbError		err;

	if (VARSIZE(v) < BM_DATUM_OFFSET + sizeof(BmHeader))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid banditmodel value of %u bytes", (unsigned) VARSIZE(v))));
	memset(&built, 0, sizeof(built));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "artbandit model cache",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	built.bytes = palloc_extended(VARSIZE(v), MCXT_ALLOC_HUGE);
	memcpy(built.bytes, v, VARSIZE(v));
	built.model = (BmHeader *) ((char *) built.bytes + BM_DATUM_OFFSET);
	if (!VARATT_IS_EXTERNAL(raw))
	{
		built.key = palloc_extended(VARSIZE_ANY(raw), MCXT_ALLOC_HUGE);
		memcpy(built.key, raw, VARSIZE_ANY(raw));
	}
	if (!bm_validate(built.model, size, AB_ERR_BINARY, &err))
		ab_raise(&err);
	model_scorer_build(built.model, ridge, &built.scorer);
	MemoryContextSwitchTo(old);

	built.cxt = cxt;
	built.ridge = ridge;
	built.bytes_used = MemoryContextMemAllocated(cxt, true);
	built.by_toast = VARATT_IS_EXTERNAL_ONDISK(raw);
	if (built.by_toast)
		VARATT_EXTERNAL_GET_POINTER(built.toast, raw);
	e = free_slot(cc, built.bytes_used);
	MemoryContextSetParent(cxt, fcinfo->flinfo->fn_mcxt);
	*e = built;
	cc->toast_ids[e - cc->entries] = built.by_toast ? built.toast.va_valueid : InvalidOid;
	return e;
}

void
model_scorer_build(const BmHeader *m, double ridge, BmScorer *sc)
{
	void	   *block = palloc_extended(Max(bm_scorer_block_size(m), 8), MCXT_ALLOC_HUGE);
	AbError		err;

	if (!bm_scorer_build(m, ridge, block, sc, &err))
		ab_raise(&err);
}

/* The entry for a TOAST-pointer datum, or NULL (no detoasting needed). */
static CacheEntry *
find_by_toast(CallCache *cc, struct varlena *raw, double ridge)
{
	struct varatt_external toast;
	int			i;

	VARATT_EXTERNAL_GET_POINTER(toast, raw);
	for (i = 0; i < CACHE_ENTRIES; i++)
		if (cc->toast_ids[i] == toast.va_valueid && entry_matches(&cc->entries[i], raw, ridge))
			return &cc->entries[i];
	return NULL;
}

CachedModel
model_cache_get(FunctionCallInfo fcinfo, Datum d, double ridge)
{
	CallCache  *cc = call_cache(fcinfo);
	struct varlena *raw = (struct varlena *) DatumGetPointer(d);
	struct varlena *v = NULL;
	CacheEntry *hit = NULL;
	CachedModel out;
	int			i;

	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		if (cc->mru >= 0 && entry_matches(&cc->entries[cc->mru], raw, ridge))
			hit = &cc->entries[cc->mru];
		else
			hit = find_by_toast(cc, raw, ridge);
		if (hit == NULL)
			v = PG_DETOAST_DATUM(d);
	}
	else if (!VARATT_IS_EXTERNAL(raw))
	{
		/* compare the bytes as they came, before any decompression */
		if (cc->mru >= 0 && bytes_match(&cc->entries[cc->mru], raw, ridge))
			hit = &cc->entries[cc->mru];
		for (i = 0; i < CACHE_ENTRIES && hit == NULL; i++)
			if (bytes_match(&cc->entries[i], raw, ridge))
				hit = &cc->entries[i];
		if (hit == NULL)
			v = PG_DETOAST_DATUM(d);
	}
	else
		v = PG_DETOAST_DATUM(d);	/* expanded or indirect: never cached by key */
	if (hit == NULL)
		hit = fill_entry(fcinfo, cc, raw, v, ridge);
	hit->last_used = ++cc->clock;
	cc->mru = (int) (hit - cc->entries);
	out.model = hit->model;
	out.scorer = &hit->scorer;
	return out;
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
