/*
 * model_cache.c — see model_cache.h.
 *
 * Why a key can never name a stale model:
 *  - Bytes (models passed inline, as parameters, or expanded): the key is a
 *    64-bit hash of the bytes and their length, and a hit is confirmed by
 *    comparing the bytes themselves, so a hit is the same value.
 *  - TOAST pointers (models stored out of line, e.g. a per-show models
 *    table): (toast relation, value OID, raw size, external size and
 *    compression).  A stored TOAST value is never modified: UPDATE and
 *    bandit_refresh_models write a new value under a new OID, and
 *    VACUUM FULL / CLUSTER keep a value's OID with its bytes.  An OID names
 *    another value only after the old value was deleted, vacuumed away and
 *    the cluster-wide OID counter wrapped around 2^32 back to it.  Every
 *    lookup reads the counter: when it is below the value seen at the
 *    previous lookup it has wrapped, and every TOAST-keyed entry is
 *    dropped.  What is left is a backend that makes no lookup while more
 *    than four billion OIDs are assigned and one of its values is deleted,
 *    vacuumed and its OID handed to another model of exactly the same sizes
 *    in the same table (README "Serving" says so).
 *
 * Memory: each entry has its own context under the cache's; the entries'
 * total is kept at or below artbandit.model_cache_size by evicting the least
 * recently used, except the two entries handed out last (a function may hold
 * two models at once: bandit_value), so one model larger than the budget is
 * still served from the cache while it is the one being used.
 */
#include "postgres.h"

#include <limits.h>

#include "access/detoast.h"
#include "access/transam.h"
#include "common/hashfn.h"
#include "lib/ilist.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "bandit_model_pg.h"
#include "model_cache.h"
#include "pg_glue.h"

/* artbandit.model_cache_size, in kB */
static int	model_cache_kb = 64 * 1024;

typedef struct ModelKey
{
	Oid			toastrelid;		/* InvalidOid: keyed by the bytes */
	Oid			valueid;
	int32		rawsize;
	uint32		extinfo;		/* TOAST: size and compression; bytes: their length */
	uint64		bytes_hash;
	double		ridge;
} ModelKey;

typedef struct ModelEntry
{
	ModelKey	key;			/* dynahash key: first */
	MemoryContext cxt;			/* owns everything below */
	struct varlena *key_bytes;	/* bytes-keyed: the bytes, to confirm a hit */
	struct varlena *bytes;		/* the detoasted datum (holds the model) */
	BmHeader   *model;
	BmScorer	scorer;
	Size		bytes_used;
	uint64		handed_out;		/* clock of the last hand-out */
	bool		doomed;			/* found stale while in use: never served again */
	dlist_node	lru;			/* most recently used first */
} ModelEntry;

static MemoryContext cache_cxt = NULL;
static HTAB *cache = NULL;
static dlist_head lru = DLIST_STATIC_INIT(lru);
static ModelEntry *mru = NULL;	/* the head of lru, or NULL */
static Size cache_bytes = 0;
static uint64 hand_clock = 0;
static Oid	last_next_oid = InvalidOid;
static ModelCacheStats stats;

void
model_cache_define_setting(void)
{
	DefineCustomIntVariable("artbandit.model_cache_size",
							"Memory each backend may keep for prepared banditmodels.",
							"Models are decoded, validated and factorised once and kept across "
							"statements; the least recently used are evicted beyond this size.",
							&model_cache_kb,
							64 * 1024, 0, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

static Size
budget_bytes(void)
{
	return (Size) model_cache_kb * 1024;
}

static void
cache_init(void)
{
	HASHCTL		ctl;

	if (cache != NULL)
		return;
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "artbandit model cache",
									  ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ModelKey);
	ctl.entrysize = sizeof(ModelEntry);
	ctl.hcxt = cache_cxt;
	cache = hash_create("artbandit model cache", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
drop_entry(ModelEntry *e)
{
	if (e == mru)
		mru = NULL;
	dlist_delete(&e->lru);
	cache_bytes -= e->bytes_used;
	MemoryContextDelete(e->cxt);
	hash_search(cache, &e->key, HASH_REMOVE, NULL);
	stats.evictions++;
}

/*
 * Handed out by the previous lookup, which may belong to the call now
 * making this one: still in use.  (hand_clock counts lookups, including the
 * one in progress.)
 */
static bool
protected_entry(const ModelEntry *e)
{
	return e->handed_out + 1 >= hand_clock;
}

/* Drop e now, or once it is no longer in use. */
static void
retire_entry(ModelEntry *e)
{
	if (protected_entry(e))
		e->doomed = true;
	else
		drop_entry(e);
}

/*
 * Evict least recently used entries (and doomed ones) until `need` more
 * bytes fit the budget.
 */
static void
make_room(Size need)
{
	dlist_node *node = dlist_is_empty(&lru) ? NULL : dlist_tail_node(&lru);

	while (node != NULL)
	{
		ModelEntry *e = dlist_container(ModelEntry, lru, node);
		dlist_node *prev = dlist_has_prev(&lru, node) ? dlist_prev_node(&lru, node) : NULL;

		if (!protected_entry(e) && (e->doomed || cache_bytes + need > budget_bytes()))
			drop_entry(e);
		node = prev;
	}
}

/*
 * The OID counter went backwards since the last lookup: it wrapped, so a
 * TOAST value OID may now name another value.  Retire the TOAST-keyed
 * entries.
 */
static void
check_oid_wraparound(void)
{
	Oid			next;
	HASH_SEQ_STATUS seq;
	ModelEntry *e;

#if PG_VERSION_NUM >= 170000
	next = TransamVariables->nextOid;
#else
	next = ShmemVariableCache->nextOid;
#endif
	if (next < last_next_oid)
	{
		hash_seq_init(&seq, cache);
		while ((e = hash_seq_search(&seq)) != NULL)
			if (OidIsValid(e->key.toastrelid))
				retire_entry(e);
		stats.oid_wraparounds++;
	}
	last_next_oid = next;
}

void
model_scorer_build(const BmHeader *m, double ridge, BmScorer *sc)
{
	void	   *block = palloc_extended(Max(bm_scorer_block_size(m), 8), MCXT_ALLOC_HUGE);
	AbError		err;

	if (!bm_scorer_build(m, ridge, block, sc, &err))
		ab_raise(&err);
}

/* Validate the flat model v and prepare it at ridge, in the current context. */
static void
prepare_model(struct varlena *v, double ridge, BmHeader **model, BmScorer *scorer)
{
	AbError		err;

	if (VARSIZE(v) < BM_DATUM_OFFSET + sizeof(BmHeader))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid banditmodel value of %u bytes", (unsigned) VARSIZE(v))));
	*model = (BmHeader *) ((char *) v + BM_DATUM_OFFSET);
	if (!bm_validate(*model, VARSIZE(v) - BM_DATUM_OFFSET, AB_ERR_BINARY, &err))
		ab_raise(&err);
	model_scorer_build(*model, ridge, scorer);
}

/*
 * Copy, validate and prepare a model into a new entry.  The work is done in
 * a context under the current (per-call) one, moved under the cache's only
 * once the entry is in the table, so an error leaves nothing behind.
 */
static ModelEntry *
fill_entry(const ModelKey *key, const struct varlena *key_bytes, struct varlena *v)
{
	MemoryContext cxt,
				old;
	ModelEntry	built;
	ModelEntry *e;
	bool		found;

	memset(&built, 0, sizeof(built));
	built.key = *key;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "artbandit cached model",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	built.bytes = palloc_extended(VARSIZE(v), MCXT_ALLOC_HUGE);
	memcpy(built.bytes, v, VARSIZE(v));
	if (key_bytes != NULL)
	{
		built.key_bytes = palloc_extended(VARSIZE_ANY(key_bytes), MCXT_ALLOC_HUGE);
		memcpy(built.key_bytes, key_bytes, VARSIZE_ANY(key_bytes));
	}
	prepare_model(built.bytes, key->ridge, &built.model, &built.scorer);
	MemoryContextSwitchTo(old);
	built.cxt = cxt;
	built.bytes_used = MemoryContextMemAllocated(cxt, true);

	make_room(built.bytes_used);
	e = hash_search(cache, key, HASH_ENTER, &found);
	Assert(!found);
	MemoryContextSetParent(cxt, cache_cxt);
	*e = built;
	dlist_push_head(&lru, &e->lru);
	cache_bytes += e->bytes_used;
	return e;
}

/* The key of an inline datum (plain, short-header or compressed) or of a flat copy. */
static void
bytes_key(ModelKey *key, const struct varlena *b, double ridge)
{
	memset(key, 0, sizeof(*key));
	key->extinfo = VARSIZE_ANY(b);
	key->bytes_hash = hash_bytes_extended((const unsigned char *) b, VARSIZE_ANY(b), 0);
	key->ridge = ridge;
}

static void
toast_key(ModelKey *key, const struct varlena *raw, double ridge)
{
	struct varatt_external toast;

	VARATT_EXTERNAL_GET_POINTER(toast, raw);
	memset(key, 0, sizeof(*key));
	key->toastrelid = toast.va_toastrelid;
	key->valueid = toast.va_valueid;
	key->rawsize = toast.va_rawsize;
	key->extinfo = toast.va_extinfo;
	key->ridge = ridge;
}

/* May e serve a lookup that came with key_bytes (NULL: a TOAST key)? */
static bool
servable(const ModelEntry *e, const struct varlena *key_bytes)
{
	if (e->doomed)
		return false;
	if (key_bytes == NULL)
		return true;
	return e->key_bytes != NULL && VARSIZE_ANY(e->key_bytes) == VARSIZE_ANY(key_bytes) &&
		memcmp(e->key_bytes, key_bytes, VARSIZE_ANY(key_bytes)) == 0;
}

CachedModel
model_cache_get(Datum d, double ridge)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(d);
	struct varlena *v = NULL;
	const struct varlena *key_bytes = NULL;
	ModelKey	key;
	ModelEntry *e = NULL;
	CachedModel out;

	cache_init();
	hand_clock++;
	check_oid_wraparound();
	/* the model used last first: the same model row after row */
	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		toast_key(&key, raw, ridge);
		if (mru != NULL && memcmp(&mru->key, &key, sizeof(key)) == 0 && servable(mru, NULL))
			e = mru;
	}
	else
	{
		/* inline: the bytes as they came, before any decompression */
		if (VARATT_IS_EXTERNAL(raw))
			raw = v = PG_DETOAST_DATUM(d);	/* expanded or indirect: a flat copy */
		key_bytes = raw;
		if (mru != NULL && mru->key.ridge == ridge && servable(mru, raw))
			e = mru;				/* confirmed without hashing */
		else
			bytes_key(&key, raw, ridge);
	}
	if (e == NULL)
	{
		e = hash_search(cache, &key, HASH_FIND, NULL);
		if (e != NULL && !servable(e, key_bytes))
		{
			/* doomed, or a 64-bit hash collision: the new value replaces it */
			if (protected_entry(e))
			{
				/* the old one is still in use by this call: serve the new value uncached */
				BmHeader   *m;
				BmScorer   *sc = palloc(sizeof(BmScorer));

				stats.misses++;
				if (v == NULL)
					v = PG_DETOAST_DATUM(d);
				prepare_model(v, ridge, &m, sc);
				out.model = m;
				out.scorer = sc;
				e->doomed = true;
				return out;
			}
			drop_entry(e);
			e = NULL;
		}
	}
	if (e == NULL)
	{
		stats.misses++;
		if (v == NULL)
			v = PG_DETOAST_DATUM(d);
		e = fill_entry(&key, key_bytes, v);
	}
	else
		stats.hits++;
	if (e != mru)
		dlist_move_head(&lru, &e->lru);
	e->handed_out = hand_clock;
	mru = e;
	out.model = e->model;
	out.scorer = &e->scorer;
	return out;
}

void
model_cache_stats(ModelCacheStats *out)
{
	*out = stats;
	out->entries = cache != NULL ? hash_get_num_entries(cache) : 0;
	out->bytes = cache_bytes;
	out->budget = budget_bytes();
}

void
model_cache_reset(void)
{
	HASH_SEQ_STATUS seq;
	ModelEntry *e;

	if (cache == NULL)
		return;
	hash_seq_init(&seq, cache);
	while ((e = hash_seq_search(&seq)) != NULL)
		drop_entry(e);
	memset(&stats, 0, sizeof(stats));
}
