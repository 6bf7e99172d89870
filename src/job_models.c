/*
 * job_models.c — versioned model refresh: bandit_refresh_models (fit one
 * model per scope from a range of days and insert them as the next
 * version), bandit_current_models and bandit_rollback_models.
 *
 * The fit is bandit_fit's, row by row in C (fit_state.h), one model per
 * scope.  A scope none of whose rows is usable (a NULL action, context or
 * reward in each) gets no model: it is named in a NOTICE and keeps its
 * current version.  n_rows is the number of rows that entered the fit.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "bandit_model_pg.h"
#include "fit_state.h"
#include "job_common.h"
#include "pg_arrays.h"

#define FETCH_ROWS 1000
/* A NOTICE names at most this many skipped scopes. */
#define SKIPPED_NAMED 10

/* One scope's fit. */
typedef struct ScopeFit
{
	char	   *scope;
	FitState   *fit;			/* NULL while no usable row was seen */
	int64		used;			/* rows that entered the fit */
} ScopeFit;

static int
compare_scopes(const void *a, const void *b)
{
	return strcmp((*(ScopeFit *const *) a)->scope, (*(ScopeFit *const *) b)->scope);
}

/* The fit of scope, found or added (linear probing over a power-of-two table). */
typedef struct ScopeTable
{
	int			size;
	int			count;
	ScopeFit  **slots;
} ScopeTable;

static uint32
scope_hash(const char *s)
{
	uint32		h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char) *s) * 16777619u;
	return h;
}

static ScopeFit *
scope_fit(ScopeTable *t, const char *scope)
{
	uint32		i;

	if (2 * (t->count + 1) > t->size)
	{
		ScopeFit  **old = t->slots;
		int			oldsize = t->size,
					j;

		t->size = t->size ? 2 * t->size : 64;
		t->slots = palloc0(sizeof(ScopeFit *) * t->size);
		for (j = 0; j < oldsize; j++)
			if (old[j])
			{
				for (i = scope_hash(old[j]->scope) & (t->size - 1); t->slots[i];
					 i = (i + 1) & (t->size - 1))
					;
				t->slots[i] = old[j];
			}
	}
	for (i = scope_hash(scope) & (t->size - 1); t->slots[i]; i = (i + 1) & (t->size - 1))
		if (strcmp(t->slots[i]->scope, scope) == 0)
			return t->slots[i];
	t->slots[i] = palloc0(sizeof(ScopeFit));
	t->slots[i]->scope = pstrdup(scope);
	t->count++;
	return t->slots[i];
}

static void
check_models_table(Oid models, bool full)
{
	Oid			model_type = job_extension_type("banditmodel");
	JobColumn	all[] = {
		{"name", TEXTOID}, {"scope", TEXTOID}, {"version", INT4OID},
		{"created_at", TIMESTAMPTZOID}, {"trained_from", DATEOID}, {"trained_to", DATEOID},
		{"n_rows", INT8OID}, {"retired", BOOLOID}, {"model", model_type}
	};
	JobColumn	current[] = {
		{"name", TEXTOID}, {"scope", TEXTOID}, {"version", INT4OID},
		{"created_at", TIMESTAMPTZOID}, {"retired", BOOLOID}, {"model", model_type}
	};

	if (full)
		job_check_table(models, "models", all, lengthof(all));
	else
		job_check_table(models, "models", current, lengthof(current));
}

/*
 * bandit_refresh_models(log, models, model_name, from_day, to_day,
 * scope_column, day_column, action_column, context_column, reward_column)
 */
PG_FUNCTION_INFO_V1(bandit_refresh_models);
Datum
bandit_refresh_models(PG_FUNCTION_ARGS)
{
	Oid			log,
				models;
	DateADT		from_day,
				to_day;
	char	   *day_ref,
			   *models_name,
			   *rows_sql;
	int32		next_version;
	Oid			argtypes[9];
	Datum		args[9];
	Portal		portal;
	MemoryContext rowcxt;
	ScopeTable	table = {0, 0, NULL};
	ScopeFit  **fits;
	SPIPlanPtr	insert;
	StringInfoData skipped;
	int			nfits = 0,
				nskipped = 0,
				written = 0,
				i;
	bool		isnull;
	Oid			scope_output;
	uint64		nrows = 0;
	TimestampTz start = GetCurrentTimestamp();

	for (i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("log, models, model_name, from_day and to_day must not be NULL")));
	log = PG_GETARG_OID(0);
	models = PG_GETARG_OID(1);
	from_day = PG_GETARG_DATEADT(3);
	to_day = PG_GETARG_DATEADT(4);
	job_check_days(from_day, to_day);

	SPI_connect();
	check_models_table(models, true);
	day_ref = job_column_expr(log, PG_ARGISNULL(6) ? NULL : PG_GETARG_NAME(6), JOB_DAY);

	/* refreshes of one models table take turns, so versions never collide */
	models_name = job_relname(models);
	job_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", models_name),
				0, NULL, NULL, NULL, false, 0);
	argtypes[0] = TEXTOID;
	args[0] = PG_GETARG_DATUM(2);
	job_execute(psprintf("SELECT COALESCE(pg_catalog.max(m.version), 0) OPERATOR(pg_catalog.+) 1 "
						 "FROM %s m WHERE m.name OPERATOR(pg_catalog.=) $1", models_name),
				1, argtypes, args, NULL, false, 0);
	next_version = DatumGetInt32(job_get(0, 1, &isnull));

	rows_sql = psprintf("SELECT %s, %s, %s, %s FROM %s l "
						"WHERE %s OPERATOR(pg_catalog.>=) $1 AND %s OPERATOR(pg_catalog.<) $2",
						PG_ARGISNULL(5) ? "''::pg_catalog.text"
						: job_column_expr(log, PG_GETARG_NAME(5), JOB_SCOPE),
						job_column_expr(log, PG_ARGISNULL(7) ? NULL : PG_GETARG_NAME(7), JOB_ACTION),
						job_column_expr(log, PG_ARGISNULL(8) ? NULL : PG_GETARG_NAME(8), JOB_CONTEXT),
						job_column_expr(log, PG_ARGISNULL(9) ? NULL : PG_GETARG_NAME(9), JOB_REWARD),
						job_relname(log), day_ref, day_ref);
	scope_output = PG_ARGISNULL(5) ? InvalidOid : job_text_output(log, PG_GETARG_NAME(5));
	portal = job_open_days(rows_sql, from_day, to_day);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "bandit_refresh_models rows",
								   ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		uint64		r;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			bool		null_a,
						null_x,
						null_r;
			Datum		scope = job_get((int) r, 1, &isnull);
			Datum		a = job_get((int) r, 2, &null_a);
			Datum		x = job_get((int) r, 3, &null_x);
			Datum		rw = job_get((int) r, 4, &null_r);
			MemoryContext spicxt;
			ScopeFit   *sf;
			char	   *name;
			const double *xv;
			int			len;

			CHECK_FOR_INTERRUPTS();
			spicxt = MemoryContextSwitchTo(rowcxt);
			name = job_text_of(scope, isnull, scope_output);
			MemoryContextSwitchTo(spicxt);
			sf = scope_fit(&table, name);	/* copies the name */
			MemoryContextSwitchTo(rowcxt);
			if (!null_a && !null_x && !null_r)
			{
				xv = float8_array_values(DatumGetArrayTypeP(x), "context",
										 sf->fit ? PG_INT32_MAX : BM_MAX_DIM, &len);
				fit_check_context(xv, len, sf->fit ? sf->fit->model->dim : 0);
				if (sf->fit == NULL)
					sf->fit = fit_state_new(spicxt, NULL, (uint32) len);
				fit_state_add(sf->fit, DatumGetInt64(a), xv, DatumGetFloat8(rw), 1.0);
				sf->used++;
			}
			MemoryContextSwitchTo(spicxt);
			MemoryContextReset(rowcxt);
		}
		nrows += SPI_processed;
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);

	/* the new version, scope by scope in order; the scopes without a model named */
	fits = palloc(sizeof(ScopeFit *) * Max(table.count, 1));
	for (i = 0; i < table.size; i++)
		if (table.slots[i])
			fits[nfits++] = table.slots[i];
	qsort(fits, nfits, sizeof(ScopeFit *), compare_scopes);
	argtypes[0] = TEXTOID;
	argtypes[1] = TEXTOID;
	argtypes[2] = INT4OID;
	argtypes[3] = DATEOID;
	argtypes[4] = DATEOID;
	argtypes[5] = INT8OID;
	argtypes[6] = job_extension_type("banditmodel");
	insert = SPI_prepare(psprintf("INSERT INTO %s (name, scope, version, created_at, trained_from, "
								  "trained_to, n_rows, retired, model) "
								  "VALUES ($1, $2, $3, pg_catalog.now(), $4, $5, $6, false, $7)",
								  models_name), 7, argtypes);
	if (insert == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	initStringInfo(&skipped);
	args[0] = PG_GETARG_DATUM(2);
	args[2] = Int32GetDatum(next_version);
	args[3] = DateADTGetDatum(from_day);
	args[4] = DateADTGetDatum(to_day);
	for (i = 0; i < nfits; i++)
	{
		size_t		size;
		int			rc;

		if (fits[i]->fit == NULL)
		{
			if (nskipped < SKIPPED_NAMED)
				appendStringInfo(&skipped, "%s%s", nskipped ? ", " : "", fits[i]->scope);
			nskipped++;
			continue;
		}
		bm_check_size(fits[i]->fit->model->dim, fits[i]->fit->model->narms, &size);
		bm_check_built(fits[i]->fit->model, size);
		args[1] = CStringGetTextDatum(fits[i]->scope);
		args[5] = Int64GetDatum(fits[i]->used);
		args[6] = bm_make_datum(fits[i]->fit->model, size);
		rc = SPI_execute_plan(insert, args, NULL, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "inserting a model failed: %s", SPI_result_code_string(rc));
		written++;
		/* models can be large: keep one at a time */
		pfree(DatumGetPointer(args[6]));
		pfree(fits[i]->fit->model);
	}
	if (nskipped > 0)
	{
		if (nskipped > SKIPPED_NAMED)
			appendStringInfo(&skipped, " and %d more", nskipped - SKIPPED_NAMED);
		ereport(NOTICE,
				(errmsg("model \"%s\": no new version for %d scope(s) without a usable row (non-NULL action, context and reward) between %s and %s: %s",
						TextDatumGetCString(PG_GETARG_DATUM(2)), nskipped,
						job_date_text(PG_GETARG_DATUM(3)), job_date_text(PG_GETARG_DATUM(4)),
						skipped.data),
				 errhint("Their current models, if any, stay current.")));
	}
	SPI_finish();
	job_log_summary("bandit_refresh_models", log,
					psprintf("model \"%s\" version %d from %s to %s",
							 TextDatumGetCString(PG_GETARG_DATUM(2)), next_version,
							 job_date_text(PG_GETARG_DATUM(3)), job_date_text(PG_GETARG_DATUM(4))),
					nrows, written, models, start);
	PG_RETURN_INT32(written);
}

/*
 * ERROR unless the models table has a row (any version) of model_name.
 * SELECT 1 ... LIMIT 1, not SELECT FROM: Citus plans an EXISTS over a
 * distributed table as a subplan and cannot ship one of no columns
 * (citusdata/citus#5094); LIMIT 1 lets each shard stop at its first row.
 */
static void
check_model_known(Oid models, Datum model_name)
{
	Oid			argtype = TEXTOID;
	bool		isnull;

	job_execute(psprintf("SELECT EXISTS (SELECT 1 FROM %s m WHERE m.name OPERATOR(pg_catalog.=) $1 LIMIT 1)",
						 job_relname(models)),
				1, &argtype, &model_name, NULL, false, 1);
	if (!DatumGetBool(job_get(0, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no model \"%s\" in table %s", TextDatumGetCString(model_name),
						job_relname(models)),
				 errhint("bandit_refresh_models writes the versions of a model; check the name.")));
}

/* bandit_current_models(models, model_name): the newest live version per scope */
PG_FUNCTION_INFO_V1(bandit_current_models);
Datum
bandit_current_models(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			argtype = TEXTOID;
	Datum		arg;
	uint64		r;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("models and model_name must not be NULL")));
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	check_models_table(PG_GETARG_OID(0), false);
	arg = PG_GETARG_DATUM(1);
	check_model_known(PG_GETARG_OID(0), arg);
	job_execute(psprintf("SELECT DISTINCT ON (m.scope) m.scope, m.version, m.created_at, m.model "
						 "FROM %s m WHERE m.name OPERATOR(pg_catalog.=) $1 AND NOT m.retired "
						 "ORDER BY m.scope, m.version DESC", job_relname(PG_GETARG_OID(0))),
				1, &argtype, &arg, NULL, true, 0);
	for (r = 0; r < SPI_processed; r++)
	{
		Datum		values[4];
		bool		nulls[4];
		int			c;

		for (c = 0; c < 4; c++)
			values[c] = job_get((int) r, c + 1, &nulls[c]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * bandit_rollback_models(models, model_name): retire the newest live
 * version, unless that leaves a scope without a current model.
 */
PG_FUNCTION_INFO_V1(bandit_rollback_models);
Datum
bandit_rollback_models(PG_FUNCTION_ARGS)
{
	Oid			models;
	char	   *rel,
			   *name;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	JobColumn	cols[] = {{"name", TEXTOID}, {"scope", TEXTOID}, {"version", INT4OID}, {"retired", BOOLOID}};
	int32		latest;
	int64		live;
	bool		isnull;
	Datum		orphans;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("models and model_name must not be NULL")));
	models = PG_GETARG_OID(0);
	name = TextDatumGetCString(PG_GETARG_DATUM(1));
	SPI_connect();
	job_check_table(models, "models", cols, lengthof(cols));
	rel = job_relname(models);
	job_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", rel), 0, NULL, NULL, NULL, false, 0);
	args[0] = PG_GETARG_DATUM(1);
	check_model_known(models, args[0]);
	job_execute(psprintf("SELECT pg_catalog.max(m.version), pg_catalog.count(DISTINCT m.version) "
						 "FROM %s m WHERE m.name OPERATOR(pg_catalog.=) $1 AND NOT m.retired", rel),
				1, argtypes, args, NULL, false, 0);
	live = DatumGetInt64(job_get(0, 2, &isnull));
	if (live < 2)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("model \"%s\" has no earlier version to go back to in %s", name, rel),
				 errdetail("%lld version(s) not retired.", (long long) live)));
	latest = DatumGetInt32(job_get(0, 1, &isnull));
	args[1] = Int32GetDatum(latest);
	job_execute(psprintf("SELECT pg_catalog.string_agg(m.scope, ', ' ORDER BY m.scope) FROM %s m "
						 "WHERE m.name OPERATOR(pg_catalog.=) $1 AND m.version OPERATOR(pg_catalog.=) $2 "
						 "AND NOT EXISTS (SELECT FROM %s e WHERE e.name OPERATOR(pg_catalog.=) $1 "
						 "AND e.scope OPERATOR(pg_catalog.=) m.scope "
						 "AND e.version OPERATOR(pg_catalog.<) $2 AND NOT e.retired)", rel, rel),
				2, argtypes, args, NULL, false, 0);
	orphans = job_get(0, 1, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("retiring version %d of model \"%s\" would leave no current model for scope %s",
						latest, name, TextDatumGetCString(orphans)),
				 errhint("Those scopes first appear in that version; retire it by hand if that is what you want.")));
	job_execute(psprintf("UPDATE %s SET retired = true WHERE name OPERATOR(pg_catalog.=) $1 "
						 "AND version OPERATOR(pg_catalog.=) $2", rel),
				2, argtypes, args, NULL, false, 0);
	/* a scheduled rollback is visible in the server log */
	ereport(LOG,
			(errmsg("bandit_rollback_models: version %d of model \"%s\" retired in %s", latest, name, rel),
			 errhidestmt(true)));
	SPI_finish();
	PG_RETURN_INT32(latest);
}
