/*
 * job_common.c — see job_common.h.
 */
#include "job_common.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "storage/lmgr.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* The schema the extension is installed in, from pg_extension (by index, not by path). */
static Oid
extension_namespace(void)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			nsp = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("artbandit"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"artbandit\" is not installed in this database")));
	return nsp;
}

/*
 * By (namespace OID, name): nobody but the bootstrap superuser, which owns
 * it, can rename or drop the type, and no other type can take its name in
 * its schema, whatever happens to the schema's name.
 */
Oid
job_extension_type(const char *typname)
{
	Oid			typ = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  CStringGetDatum(typname),
									  ObjectIdGetDatum(extension_namespace()));

	if (!OidIsValid(typ))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type \"%s\" of extension artbandit is missing", typname)));
	return typ;
}

char *
job_relname(Oid rel)
{
	return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel)));
}

/*
 * The column types checked here are what the C code later trusts the rows
 * to have: the relation is locked first (ACCESS SHARE, until the end of the
 * transaction), so that no ALTER TABLE can change them in between.
 */
Oid
job_column_type(Oid rel, const char *name)
{
	AttrNumber	att;

	LockRelationOid(rel, AccessShareLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", rel)));
	att = get_attnum(rel, name);

	if (att <= 0)
		return InvalidOid;
	return get_atttype(rel, att);
}

void
job_check_table(Oid rel, const char *what, const JobColumn *cols, int ncols)
{
	int			i;

	for (i = 0; i < ncols; i++)
	{
		Oid			typ = job_column_type(rel, cols[i].name);

		if (!OidIsValid(typ))
		{
			StringInfoData all;
			int			j;

			initStringInfo(&all);
			for (j = 0; j < ncols; j++)
				appendStringInfo(&all, "%s%s", j ? ", " : "", cols[j].name);
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("%s table %s has no column \"%s\"", what, job_relname(rel), cols[i].name),
					 errhint("It needs the columns %s.", all.data)));
		}
		if (typ != cols[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s table %s has type %s, expected %s",
							cols[i].name, what, job_relname(rel),
							format_type_be(typ), format_type_be(cols[i].type))));
	}
}

static const char *const kind_names[] = {
	"day", "action", "context", "candidates", "reward", "propensity", "segment", "scope",
	"probabilities", "seed"
};

static const char *
kind_hint(JobKind kind)
{
	switch (kind)
	{
		case JOB_DAY:
			return "Use date, timestamp or timestamptz.";
		case JOB_ACTION:
		case JOB_SEED:
			return "Use an integer type.";
		case JOB_CONTEXT:
			return "Use float8[].";
		case JOB_CANDIDATES:
			return "Use int8[] (or int4[]).";
		case JOB_REWARD:
			return "Use boolean (a play) or a number (minutes).";
		case JOB_PROBABILITIES:
			return "Use float8[] (or float4[], numeric[]): the probability of each candidate, in the candidates' order.";
		default:
			return "Use float8 or numeric.";
	}
}

/* The cast that reads a column of type typ as kind, or NULL when it cannot. */
static const char *
kind_cast(JobKind kind, Oid typ)
{
	switch (kind)
	{
		case JOB_DAY:
			return typ == DATEOID || typ == TIMESTAMPOID || typ == TIMESTAMPTZOID ? "" : NULL;
		case JOB_ACTION:
		case JOB_SEED:
			return typ == INT2OID || typ == INT4OID || typ == INT8OID ? "::pg_catalog.int8" : NULL;
		case JOB_CONTEXT:
			return typ == FLOAT8ARRAYOID ? "" : NULL;
		case JOB_CANDIDATES:
			return typ == INT8ARRAYOID || typ == INT4ARRAYOID || typ == INT2ARRAYOID
				? "::pg_catalog.int8[]" : NULL;
		case JOB_REWARD:
			if (typ == BOOLOID)
				return "::pg_catalog.int4::pg_catalog.float8";
			return typ == INT2OID || typ == INT4OID || typ == INT8OID || typ == NUMERICOID ||
				typ == FLOAT4OID || typ == FLOAT8OID ? "::pg_catalog.float8" : NULL;
		case JOB_PROPENSITY:
			return typ == NUMERICOID || typ == FLOAT4OID || typ == FLOAT8OID
				? "::pg_catalog.float8" : NULL;
		case JOB_PROBABILITIES:
			return typ == FLOAT8ARRAYOID || typ == FLOAT4ARRAYOID || typ == NUMERICARRAYOID
				? "::pg_catalog.float8[]" : NULL;
		case JOB_SEGMENT:
		case JOB_SCOPE:
			/* a built-in type's cast to text; another type is printed in C (job_text_of) */
			return typ < FirstNormalObjectId ? "::pg_catalog.text" : "";
	}
	return NULL;
}

char *
job_column_expr(Oid rel, Name col, JobKind kind)
{
	const char *kname = kind_names[kind];
	Oid			typ;
	const char *cast;

	if (col == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the %s column name must not be NULL", kname)));
	typ = job_column_type(rel, NameStr(*col));
	if (!OidIsValid(typ))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist", NameStr(*col), job_relname(rel)),
				 errhint("The %s column is named by the argument %s_column.", kname, kname)));
	cast = kind_cast(kind, typ);
	if (cast == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation %s has type %s, which cannot be the %s column",
						NameStr(*col), job_relname(rel), format_type_be(typ), kname),
				 errhint("%s", kind_hint(kind))));
	return psprintf("l.%s%s", quote_identifier(NameStr(*col)), cast);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

char **
job_check_names(ArrayType *names, const char *what, int *count)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out,
			  **sorted;
	int			n,
				i;

	if (ARR_NDIM(names) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the list of %s must be one-dimensional", what)));
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the list of %s must not be empty", what)));
	out = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the list of %s must not contain NULL", what)));
		out[i] = TextDatumGetCString(elems[i]);
	}
	sorted = palloc(sizeof(char *) * n);
	memcpy(sorted, out, sizeof(char *) * n);
	qsort(sorted, n, sizeof(char *), compare_names);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i], sorted[i - 1]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the list of %s names \"%s\" more than once", what, sorted[i])));
	*count = n;
	return out;
}

int
job_execute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
			bool read_only, long count)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, count);

	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed (%s): %s", SPI_result_code_string(rc), sql);
	return rc;
}

Datum
job_get(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

char *
job_date_text(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, d));
}

DateADT
job_next_day(DateADT d)
{
	if (DATE_NOT_FINITE(d))
		return d;
	if (!IS_VALID_DATE(d + 1))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range")));
	return d + 1;
}

void
job_check_days(DateADT from, DateADT to)
{
	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_day %s is after to_day %s",
						job_date_text(DateADTGetDatum(from)),
						job_date_text(DateADTGetDatum(to)))));
}

Portal
job_open_days(const char *rows_sql, DateADT from, DateADT to)
{
	Oid			argtypes[2] = {DATEOID, DATEOID};
	Datum		args[2];

	args[0] = DateADTGetDatum(from);
	args[1] = DateADTGetDatum(job_next_day(to));
	return SPI_cursor_open_with_args(NULL, rows_sql, 2, argtypes, args, NULL, false, 0);
}

Oid
job_text_output(Oid rel, Name col)
{
	Oid			typ = job_column_type(rel, NameStr(*col)),
				out;
	bool		varlena;

	if (typ < FirstNormalObjectId)
		return InvalidOid;
	getTypeOutputInfo(typ, &out, &varlena);
	return out;
}

char *
job_text_of(Datum d, bool isnull, Oid output)
{
	if (isnull)
		return "";
	if (OidIsValid(output))
		return OidOutputFunctionCall(output, d);
	return TextDatumGetCString(d);
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receiver_nothing(DestReceiver *self)
{
}

void
job_receiver_init(DestReceiver *dest, bool (*receive) (TupleTableSlot *slot, DestReceiver *self))
{
	dest->receiveSlot = receive;
	dest->rStartup = receiver_startup;
	dest->rShutdown = receiver_nothing;
	dest->rDestroy = receiver_nothing;
	dest->mydest = DestNone;
}

void
job_stream(const char *sql, DestReceiver *dest)
{
	SPIExecuteOptions options;
	int			rc;

	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.dest = dest;
	rc = SPI_execute_extended(sql, &options);
	/* a SELECT sent to a receiver of one's own reports SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "reading the log failed: %s", SPI_result_code_string(rc));
}

bool
job_has_ctid(Oid rel)
{
	char		relkind = get_rel_relkind(rel);

	return relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW;
}

char *
job_row_place(bool has_ctid, Datum ctid, int64 number)
{
	if (has_ctid)
		return psprintf("ctid %s", DatumGetCString(DirectFunctionCall1(tidout, ctid)));
	return psprintf("row " INT64_FORMAT " of the scan", number);
}

void
job_log_summary(const char *fn, Oid log, const char *what, uint64 rows, int written,
				Oid into, TimestampTz start)
{
	long		ms = TimestampDifferenceMilliseconds(start, GetCurrentTimestamp());

	ereport(LOG,
			(errmsg("%s: %s of %s: %llu rows read, %d written to %s in %ld.%03ld s",
					fn, what, job_relname(log), (unsigned long long) rows, written,
					job_relname(into), ms / 1000, ms % 1000),
			 errhidestmt(true)));
}
