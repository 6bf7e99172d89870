/*
 * log_validate.c — ope_validate_log: every property OPE relies on, checked
 * on a log table in one scan (the checks themselves are core/log_checks.c).
 *
 * The rows are read through a read-only cursor that selects only the named
 * columns, read as the jobs read them (job_column_expr), so no cast or
 * operator of anyone's can run and the log is never written.  Two checks
 * need the whole log:
 *   - candidates never shown: a hash table of images, offers and shows;
 *   - duplicate ids: each id's 64-bit hash (its type's extended hash
 *     function, as hash joins use) is kept and the hashes are sorted after
 *     the scan.  Distinct hashes prove distinct ids; only when two hashes
 *     are equal does a second pass read the ids with those hashes and
 *     compare them with the type's equality, so the count is exact.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "bandit_model.h"
#include "float_text.h"
#include "job_common.h"
#include "log_checks.h"

#define EXAMPLE_ARRAY_CHARS 120

/* Images offered as candidates and shown. */
typedef struct ImageEntry
{
	int64		image;
	char		status;
	int64		offered;
	int64		shown;
} ImageEntry;

#define SH_PREFIX images
#define SH_ELEMENT_TYPE ImageEntry
#define SH_KEY_TYPE int64
#define SH_KEY image
#define SH_HASH_KEY(tb, key) ((uint32) (((uint64) (key) * UINT64CONST(0x9E3779B97F4A7C15)) >> 32))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The id column: how its values are hashed, compared and printed. */
typedef struct IdColumn
{
	TypeCacheEntry *type;
	Oid			collation;
	Oid			output;
	char	   *expr;			/* l."id" */
	uint64	   *hashes;			/* one per non-NULL id, pass 1 */
	size_t		nhashes,
				capacity;
} IdColumn;

/* A reused buffer for arrays stored with a short header (array_of). */
typedef struct ArrayBuf
{
	char	   *data;
	Size		size;
	MemoryContext cxt;
} ArrayBuf;

/* Which result column holds what (-1: not selected). */
typedef struct Columns
{
	int			action,
				propensity,
				candidates,
				id,
				reward,
				probabilities,
				ctid;
	Oid			candidates_out,
				probabilities_out;
	ArrayBuf	candidates_buf,
				probabilities_buf;
} Columns;

/* The current row, as read. */
typedef struct RowRead
{
	LogRowView view;
	Datum		candidates,
				probabilities,
				id,
				ctid;
	int64		number;
} RowRead;

static uint64
id_hash(const IdColumn *ic, Datum d)
{
	return DatumGetUInt64(FunctionCall2Coll(&ic->type->hash_extended_proc_finfo, ic->collation,
											d, UInt64GetDatum(0)));
}

/* ERROR unless the id column's type can be hashed and compared. */
static void
id_column_setup(IdColumn *ic, Oid rel, Name col)
{
	AttrNumber	att = get_attnum(rel, NameStr(*col));
	Oid			typ;
	int32		typmod;
	bool		varlena;

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist", NameStr(*col), job_relname(rel)),
				 errhint("The id column is named by the argument id_column.")));
	get_atttypetypmodcoll(rel, att, &typ, &typmod, &ic->collation);
	ic->type = lookup_type_cache(typ, TYPECACHE_HASH_EXTENDED_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO);
	if (!OidIsValid(ic->type->hash_extended_proc_finfo.fn_oid) || !OidIsValid(ic->type->eq_opr_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation %s has type %s, which cannot be the id column",
						NameStr(*col), job_relname(rel), format_type_be(typ)),
				 errhint("The id column's type needs a default hash operator class (an integer, text or uuid does).")));
	getTypeOutputInfo(typ, &ic->output, &varlena);
	ic->expr = psprintf("l.%s", quote_identifier(NameStr(*col)));
	ic->capacity = 1024;
	ic->hashes = palloc(sizeof(uint64) * ic->capacity);
	ic->nhashes = 0;
}

static void
id_remember(IdColumn *ic, Datum d)
{
	if (ic->nhashes == ic->capacity)
	{
		if (ic->capacity > MaxAllocHugeSize / sizeof(uint64) / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many ids to check for duplicates")));
		ic->capacity *= 2;
		ic->hashes = repalloc_huge(ic->hashes, sizeof(uint64) * ic->capacity);
	}
	ic->hashes[ic->nhashes++] = id_hash(ic, d);
}

/*
 * An array read without a palloc per row: one stored in the row with a
 * short (1-byte) header is copied into buf, which is aligned as an
 * ArrayType must be; other forms are detoasted as usual.
 */
static ArrayType *
array_of(Datum d, ArrayBuf *buf)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_SHORT(v))
	{
		Size		len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT;

		if (len + VARHDRSZ > buf->size)
		{
			buf->size = 2 * (len + VARHDRSZ);
			buf->data = MemoryContextAlloc(buf->cxt, buf->size);
		}
		SET_VARSIZE(buf->data, len + VARHDRSZ);
		memcpy(buf->data + VARHDRSZ, VARDATA_SHORT(v), len);
		return (ArrayType *) buf->data;
	}
	return DatumGetArrayTypeP(d);
}

/* An array column's values, or why they cannot be read (not one-dimensional, a NULL, too long). */
static LogArrayState
array_values(Datum d, bool isnull, ArrayBuf *buf, const void **values, int *n)
{
	ArrayType  *a;

	*values = NULL;
	*n = 0;
	if (isnull)
		return LA_NULL;
	a = array_of(d, buf);
	if (ARR_NDIM(a) == 0)
		return LA_OK;
	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_DIMS(a)[0] > BM_MAX_ARMS)
		return LA_BAD;
	*values = ARR_DATA_PTR(a);
	*n = ARR_DIMS(a)[0];
	return LA_OK;
}

/* Attribute attno (1-based) of a slot whose attributes were all fetched. */
static inline Datum
slot_value(TupleTableSlot *slot, int attno, bool *isnull)
{
	*isnull = slot->tts_isnull[attno - 1];
	return slot->tts_values[attno - 1];
}

/* The row in slot (every attribute fetched), as read. */
static void
read_row(TupleTableSlot *slot, Columns *cols, RowRead *rr)
{
	bool		isnull;
	Datum		d;
	const void *values;

	memset(&rr->view, 0, sizeof(rr->view));
	d = slot_value(slot, cols->action, &isnull);
	rr->view.has_action = !isnull;
	rr->view.action = isnull ? 0 : DatumGetInt64(d);
	d = slot_value(slot, cols->propensity, &isnull);
	rr->view.has_propensity = !isnull;
	rr->view.propensity = isnull ? 0.0 : DatumGetFloat8(d);
	if (cols->reward >= 0)
	{
		d = slot_value(slot, cols->reward, &isnull);
		rr->view.has_reward = !isnull;
		rr->view.reward = isnull ? 0.0 : DatumGetFloat8(d);
	}
	if (cols->candidates >= 0)
	{
		rr->candidates = slot_value(slot, cols->candidates, &isnull);
		rr->view.candidates_state = array_values(rr->candidates, isnull, &cols->candidates_buf, &values,
												 &rr->view.k);
		rr->view.candidates = values;
		if (isnull)
			rr->candidates = (Datum) 0;
	}
	if (cols->probabilities >= 0)
	{
		rr->probabilities = slot_value(slot, cols->probabilities, &isnull);
		rr->view.probabilities_state = array_values(rr->probabilities, isnull, &cols->probabilities_buf,
													&values, &rr->view.nprobabilities);
		rr->view.probabilities = values;
		if (isnull)
			rr->probabilities = (Datum) 0;
	}
	if (cols->id >= 0)
	{
		rr->id = slot_value(slot, cols->id, &isnull);
		rr->view.has_id = !isnull;
	}
	if (cols->ctid >= 0)
		rr->ctid = slot_value(slot, cols->ctid, &isnull);
}

static char *
float_text(double x)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(x, buf);
	return pstrdup(buf);
}

/* An array's text, cut short. */
static char *
array_text(Datum d, Oid output)
{
	char	   *s;

	if (d == (Datum) 0)
		return "NULL";
	s = OidOutputFunctionCall(output, d);
	if (strlen(s) > EXAMPLE_ARRAY_CHARS)
		s = psprintf("%.*s...", EXAMPLE_ARRAY_CHARS, s);
	return s;
}

/* Where the row is: its id, else its ctid, else its place in the scan. */
static char *
locator(const RowRead *rr, const Columns *cols, const IdColumn *ic)
{
	if (cols->id >= 0 && rr->view.has_id)
		return psprintf("id %s", OidOutputFunctionCall(ic->output, rr->id));
	return job_row_place(cols->ctid >= 0, rr->ctid, rr->number);
}

/* What is wrong with the row for check c. */
static char *
what_fails(LogCheck c, const RowRead *rr, const Columns *cols)
{
	const LogRowView *v = &rr->view;
	double		sum = 0.0;
	int			i;

	switch (c)
	{
		case LC_ACTION_PRESENT:
			return "action NULL";
		case LC_PROPENSITY_PRESENT:
			return "propensity NULL";
		case LC_PROPENSITY_IN_RANGE:
			return psprintf("propensity %s", float_text(v->propensity));
		case LC_REWARD_PRESENT:
			return "reward NULL";
		case LC_REWARD_FINITE:
			return psprintf("reward %s", float_text(v->reward));
		case LC_CANDIDATES_PRESENT:
			return "candidates NULL";
		case LC_CANDIDATES_VALID:
			return psprintf("candidates %s", array_text(rr->candidates, cols->candidates_out));
		case LC_ACTION_IN_CANDIDATES:
			return psprintf("image " INT64_FORMAT ", candidates %s", v->action,
							array_text(rr->candidates, cols->candidates_out));
		case LC_IDS_PRESENT:
			return "id NULL";
		case LC_PROBABILITIES_VALID:
			return psprintf("probabilities %s for %d candidates",
							array_text(rr->probabilities, cols->probabilities_out), v->k);
		case LC_PROBABILITIES_SUM:
			for (i = 0; i < v->nprobabilities; i++)
				sum += v->probabilities[i];
			return psprintf("probabilities %s sum to %s", array_text(rr->probabilities, cols->probabilities_out),
							float_text(sum));
		case LC_PROBABILITIES_PROPENSITY:
			for (i = 0; i < v->k; i++)
				if (v->candidates[i] == v->action)
					return psprintf("probability %s of image " INT64_FORMAT ", propensity %s",
									float_text(v->probabilities[i]), v->action, float_text(v->propensity));
			break;
		default:
			break;
	}
	return "";
}

/*
 * The images of the log.  A log repeats each show's candidate list row
 * after row (shows interleaved), so the entries of recent lists are kept in
 * a small direct-mapped cache keyed by the list: a list seen before is
 * counted through its entries without a lookup per image.  Adding an image
 * may move entries, so it invalidates the whole cache (a new generation).
 */
#define IMAGE_CACHE 64			/* the longest list cached */
#define LIST_SLOTS 64

typedef struct ListSlot
{
	uint64		generation;		/* valid while equal to the counts' */
	int			k;
	int64		keys[IMAGE_CACHE];
	ImageEntry *entries[IMAGE_CACHE];
} ListSlot;

typedef struct ImageCounts
{
	images_hash *images;
	uint64		generation;		/* starts at 1: a zeroed slot is invalid */
	ListSlot	slots[LIST_SLOTS];
} ImageCounts;

static ImageEntry *
image_entry(ImageCounts *ic, int64 image)
{
	bool		found;
	ImageEntry *e = images_insert(ic->images, image, &found);

	if (!found)
	{
		e->offered = e->shown = 0;
		ic->generation++;		/* entries may have moved */
	}
	return e;
}

static ListSlot *
list_slot(ImageCounts *ic, const int64 *cands, int k)
{
	uint64		h = (uint64) k;
	int			i;

	for (i = 0; i < k; i++)
		h = (h ^ (uint64) cands[i]) * UINT64CONST(0x100000001B3);
	return &ic->slots[(h >> 32) % LIST_SLOTS];
}

/* Count the row's offers and its shown image. */
static void
count_images(ImageCounts *ic, const LogRowView *v)
{
	int			i;

	if (v->candidates_state == LA_OK && v->k > 0)
	{
		ListSlot   *slot = v->k <= IMAGE_CACHE ? list_slot(ic, v->candidates, v->k) : NULL;

		if (slot && slot->generation == ic->generation && slot->k == v->k &&
			memcmp(v->candidates, slot->keys, sizeof(int64) * v->k) == 0)
		{
			for (i = 0; i < v->k; i++)
				slot->entries[i]->offered++;
			if (v->has_action)
				for (i = 0; i < v->k; i++)
					if (slot->keys[i] == v->action)
					{
						slot->entries[i]->shown++;
						return;
					}
		}
		else
		{
			for (i = 0; i < v->k; i++)
				image_entry(ic, v->candidates[i])->offered++;
			if (slot)
			{
				/* looked up again: none of these adds an image, so none moves */
				for (i = 0; i < v->k; i++)
					slot->entries[i] = image_entry(ic, v->candidates[i]);
				memcpy(slot->keys, v->candidates, sizeof(int64) * v->k);
				slot->k = v->k;
				slot->generation = ic->generation;
			}
		}
	}
	if (v->has_action)
		image_entry(ic, v->action)->shown++;
}

/* Images offered but never shown: their count, offers and the most offered one. */
static char *
never_shown(ImageCounts *ic, LogChecks *lc)
{
	images_iterator it;
	ImageEntry *e,
			   *most = NULL;
	int64		count = 0;

	images_start_iterate(ic->images, &it);
	while ((e = images_iterate(ic->images, &it)) != NULL)
		if (e->offered > 0 && e->shown == 0)
		{
			count++;
			lc->never_shown_offers += (double) e->offered;
			if (most == NULL || e->offered > most->offered ||
				(e->offered == most->offered && e->image < most->image))
				most = e;
		}
	log_checks_set_count(lc, LC_CANDIDATES_SHOWN, count);
	return most ? psprintf("image " INT64_FORMAT " offered " INT64_FORMAT " time%s, never shown",
						   most->image, most->offered, most->offered == 1 ? "" : "s") : NULL;
}

/* One id seen in the second pass: a representative and its count. */
typedef struct IdSeen
{
	Datum		id;
	int64		count;
	struct IdSeen *next;		/* another id with the same hash */
} IdSeen;

/* The ids seen in the second pass, by hash. */
typedef struct SeenEntry
{
	uint64		hash;
	char		status;
	IdSeen	   *ids;
} SeenEntry;

#define SH_PREFIX seen
#define SH_ELEMENT_TYPE SeenEntry
#define SH_KEY_TYPE uint64
#define SH_KEY hash
#define SH_HASH_KEY(tb, key) ((uint32) (key))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

static int
compare_u64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

/* The second pass over the ids whose hash was seen twice. */
typedef struct IdPass
{
	DestReceiver pub;
	IdColumn   *ic;
	const uint64 *suspects;		/* sorted */
	size_t		nsuspects;
	seen_hash  *seen;
	MemoryContext keep;
} IdPass;

static bool
id_pass_receive(TupleTableSlot *slot, DestReceiver *self)
{
	IdPass	   *p = (IdPass *) self;
	bool		isnull,
				found;
	Datum		d;
	uint64		h;
	SeenEntry  *e;
	IdSeen	   *s;

	CHECK_FOR_INTERRUPTS();
	d = slot_getattr(slot, 1, &isnull);
	if (isnull)
		return true;
	h = id_hash(p->ic, d);
	if (bsearch(&h, p->suspects, p->nsuspects, sizeof(uint64), compare_u64) == NULL)
		return true;
	e = seen_insert(p->seen, h, &found);
	if (!found)
		e->ids = NULL;
	for (s = e->ids; s != NULL; s = s->next)
		if (DatumGetBool(FunctionCall2Coll(&p->ic->type->eq_opr_finfo, p->ic->collation, s->id, d)))
			break;
	if (s == NULL)
	{
		/* kept after the scan: not in the executor's memory */
		MemoryContext old = MemoryContextSwitchTo(p->keep);

		s = palloc(sizeof(IdSeen));
		s->id = datumCopy(d, p->ic->type->typbyval, p->ic->type->typlen);
		s->count = 0;
		s->next = e->ids;
		e->ids = s;
		MemoryContextSwitchTo(old);
	}
	s->count++;
	return true;
}

/*
 * Rows that repeat an id: exact.  Returns the example (the id seen most
 * often) or NULL.
 */
static char *
duplicate_ids(IdColumn *ic, Oid rel, LogChecks *lc)
{
	uint64	   *suspects;
	size_t		i,
				nsuspects = 0;
	IdPass		pass;
	seen_iterator it;
	SeenEntry  *e;
	IdSeen	   *most = NULL;
	int64		repeats = 0;
	MemoryContext keep = CurrentMemoryContext;

	if (ic->nhashes < 2)
		return NULL;
	suspects = palloc_extended(sizeof(uint64) * ic->nhashes, MCXT_ALLOC_HUGE);
	log_sort_u64(ic->hashes, suspects, ic->nhashes);
	/* the scratch is reused for the distinct repeated hashes, sorted */
	for (i = 1; i < ic->nhashes; i++)
		if (ic->hashes[i] == ic->hashes[i - 1] &&
			(nsuspects == 0 || suspects[nsuspects - 1] != ic->hashes[i]))
			suspects[nsuspects++] = ic->hashes[i];
	pfree(ic->hashes);
	ic->hashes = NULL;
	if (nsuspects == 0)
		return NULL;

	/* second pass: the ids whose hash was seen twice, compared for real */
	memset(&pass, 0, sizeof(pass));
	pass.ic = ic;
	pass.suspects = suspects;
	pass.nsuspects = nsuspects;
	pass.seen = seen_create(keep, 64, NULL);
	pass.keep = keep;
	job_receiver_init(&pass.pub, id_pass_receive);
	job_stream(psprintf("SELECT %s FROM %s l WHERE %s IS NOT NULL", ic->expr, job_relname(rel), ic->expr),
			   &pass.pub);
	seen_start_iterate(pass.seen, &it);
	while ((e = seen_iterate(pass.seen, &it)) != NULL)
	{
		IdSeen	   *s;

		for (s = e->ids; s != NULL; s = s->next)
		{
			repeats += s->count - 1;
			if (s->count > 1 && (most == NULL || s->count > most->count))
				most = s;
		}
	}
	log_checks_set_count(lc, LC_IDS_UNIQUE, repeats);
	return most ? psprintf("id %s appears " INT64_FORMAT " times", OidOutputFunctionCall(ic->output, most->id),
						   most->count) : NULL;
}

/* The select list: each named column read as its kind; *cols says where. */
static char *
select_list(Oid rel, FunctionCallInfo fcinfo, Columns *cols, IdColumn *ic, unsigned *columns)
{
	StringInfoData sql;
	int			n = 0;
	bool		varlena;

	memset(cols, -1, sizeof(*cols));
	memset(&cols->candidates_buf, 0, sizeof(ArrayBuf));
	memset(&cols->probabilities_buf, 0, sizeof(ArrayBuf));
	cols->candidates_buf.cxt = cols->probabilities_buf.cxt = CurrentMemoryContext;
	*columns = 0;
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", job_column_expr(rel, PG_ARGISNULL(1) ? NULL : PG_GETARG_NAME(1), JOB_ACTION));
	cols->action = ++n;
	appendStringInfo(&sql, ", %s", job_column_expr(rel, PG_ARGISNULL(2) ? NULL : PG_GETARG_NAME(2), JOB_PROPENSITY));
	cols->propensity = ++n;
	if (!PG_ARGISNULL(3))
	{
		appendStringInfo(&sql, ", %s", job_column_expr(rel, PG_GETARG_NAME(3), JOB_CANDIDATES));
		cols->candidates = ++n;
		*columns |= LC_HAS_CANDIDATES;
		getTypeOutputInfo(INT8ARRAYOID, &cols->candidates_out, &varlena);
	}
	if (!PG_ARGISNULL(4))
	{
		id_column_setup(ic, rel, PG_GETARG_NAME(4));
		appendStringInfo(&sql, ", %s", ic->expr);
		cols->id = ++n;
		*columns |= LC_HAS_ID;
	}
	if (!PG_ARGISNULL(5))
	{
		appendStringInfo(&sql, ", %s", job_column_expr(rel, PG_GETARG_NAME(5), JOB_REWARD));
		cols->reward = ++n;
		*columns |= LC_HAS_REWARD;
	}
	if (!PG_ARGISNULL(6))
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("probabilities_column needs candidates_column"),
					 errhint("A logged pmf gives one probability per candidate, in the candidates' order.")));
		appendStringInfo(&sql, ", %s", job_column_expr(rel, PG_GETARG_NAME(6), JOB_PROBABILITIES));
		cols->probabilities = ++n;
		*columns |= LC_HAS_PROBABILITIES;
		getTypeOutputInfo(FLOAT8ARRAYOID, &cols->probabilities_out, &varlena);
	}
	if (job_has_ctid(rel))
	{
		appendStringInfoString(&sql, ", l.ctid");
		cols->ctid = ++n;
	}
	appendStringInfo(&sql, " FROM %s l", job_relname(rel));
	return sql.data;
}

/*
 * The scan: the rows are sent to a DestReceiver as the executor produces
 * them (SPI_execute_extended with a dest), so none is copied into an SPI
 * tuple table.
 */
typedef struct ValidateScan
{
	DestReceiver pub;
	Columns		cols;
	IdColumn	ic;
	LogChecks	lc;
	char	   *examples[LC_NCHECKS];
	ImageCounts *images;		/* with candidates */
	int64	   *scratch;		/* BM_MAX_ARMS */
	int64		number;
	MemoryContext rowcxt,		/* reset after each row */
				keep;			/* what the scan collects */
} ValidateScan;

static bool
validate_receive(TupleTableSlot *slot, DestReceiver *self)
{
	ValidateScan *scan = (ValidateScan *) self;
	RowRead		rr;
	uint32		failed;
	MemoryContext old;
	int			c;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	old = MemoryContextSwitchTo(scan->rowcxt);
	rr.number = ++scan->number;
	read_row(slot, &scan->cols, &rr);
	failed = log_check_row(&scan->lc, &rr.view, scan->scratch);
	for (c = 0; failed != 0 && c < LC_NCHECKS; c++)
		if ((failed & ((uint32) 1 << c)) && scan->examples[c] == NULL)
		{
			char	   *where = locator(&rr, &scan->cols, &scan->ic);
			char	   *what = what_fails((LogCheck) c, &rr, &scan->cols);

			scan->examples[c] = MemoryContextStrdup(scan->keep, psprintf("%s: %s", where, what));
		}
	MemoryContextSwitchTo(scan->keep);
	if (scan->images != NULL)
		count_images(scan->images, &rr.view);
	if (scan->cols.id >= 0 && rr.view.has_id)
		id_remember(&scan->ic, rr.id);
	MemoryContextSwitchTo(old);
	MemoryContextReset(scan->rowcxt);
	return true;
}

/*
 * ope_validate_log(log, action_column, propensity_column, candidates_column,
 * id_column, reward_column, probabilities_column) RETURNS TABLE ("check",
 * status, n_rows, example, detail)
 */
PG_FUNCTION_INFO_V1(ope_validate_log);
Datum
ope_validate_log(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			rel;
	ValidateScan *scan;
	unsigned	columns;
	char	   *sql;
	int			c;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the log must not be NULL")));
	rel = PG_GETARG_OID(0);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	(void) job_relname(rel);	/* ERROR if it does not exist */
	scan = palloc0(sizeof(ValidateScan));
	scan->keep = CurrentMemoryContext;
	sql = select_list(rel, fcinfo, &scan->cols, &scan->ic, &columns);
	log_checks_init(&scan->lc, columns);
	if (columns & LC_HAS_CANDIDATES)
	{
		scan->images = palloc0(sizeof(ImageCounts));
		scan->images->images = images_create(scan->keep, 256, NULL);
		scan->images->generation = 1;
	}
	scan->scratch = palloc(sizeof(int64) * BM_MAX_ARMS);
	scan->rowcxt = AllocSetContextCreate(scan->keep, "ope_validate_log rows", ALLOCSET_DEFAULT_SIZES);
	job_receiver_init(&scan->pub, validate_receive);
	job_stream(sql, &scan->pub);
	if (scan->lc.rows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("log %s has no rows: there is nothing to validate", job_relname(rel))));
	if (scan->images != NULL)
		scan->examples[LC_CANDIDATES_SHOWN] = never_shown(scan->images, &scan->lc);
	if (scan->cols.id >= 0)
		scan->examples[LC_IDS_UNIQUE] = duplicate_ids(&scan->ic, rel, &scan->lc);

	for (c = 0; c < LC_NCHECKS; c++)
	{
		LogVerdict	v;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (!log_check_applies(&scan->lc, (LogCheck) c))
			continue;
		log_check_verdict(&scan->lc, (LogCheck) c, &v);
		values[0] = CStringGetTextDatum(log_check_names[c]);
		values[1] = CStringGetTextDatum(log_status_names[v.status]);
		values[2] = Int64GetDatum(v.n_rows);
		nulls[3] = v.status == LS_OK || scan->examples[c] == NULL;
		values[3] = nulls[3] ? (Datum) 0 : CStringGetTextDatum(scan->examples[c]);
		values[4] = CStringGetTextDatum(v.detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
