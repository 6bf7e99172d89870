/*
 * job_rollup_report.c — ope_rollup_report: any date range of the stored
 * daily states, merged per policy and segment (and day), as plain columns.
 *
 * The states are read in (day when by_day,) policy, segment, day order and
 * merged group by group in C.  States of different definitions (reward
 * column, reward model) or with and without a reward model cannot be merged:
 * the first such policy and segment is named in the error before any row is
 * returned.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "job_common.h"
#include "ope_estimators.h"
#include "ope_report.h"
#include "ope_state_pg.h"
#include "pg_glue.h"

#define REPORT_COLS 17

/* One group of stored states being merged. */
typedef struct StateGroup
{
	bool		started;
	bool		has_day;
	DateADT		day;
	char	   *policy;			/* NULL for a NULL policy (a table may allow it) */
	char	   *segment;		/* NULL for a NULL segment */
	char	   *definition;		/* what its states measure; NULL: unrecorded */
	DateADT		first_day;		/* the day the definition was first seen */
	bool		provisional;	/* a state computed before its rewards were all in */
	DateADT		last_day;
	int			days;
	OpeStateDatum *merged;		/* a copy, lambda section included */
} StateGroup;

/* Text equal as GROUP BY compares it: NULL with NULL. */
static bool
same_text(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static bool
same_group(const StateGroup *g, bool by_day, DateADT day, const char *policy, const char *segment)
{
	return g->started && (!by_day || g->day == day) &&
		same_text(g->policy, policy) && same_text(g->segment, segment);
}

static char *
text_or_null(int row, int col)
{
	bool		isnull;
	Datum		d = job_get(row, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* The rows of a finished group: one per estimator, with its diagnostics. */
static void
emit_group(ReturnSetInfo *rsinfo, const StateGroup *g, double confidence)
{
	ReportRows *rows = ope_build_report(&g->merged->state, confidence, &ope_interval_normal, false);
	OpeDiagnostics dg;
	Datum		warnings = ope_warnings_array(&g->merged->state);
	int			i,
				j;

	ope_compute_diagnostics(&g->merged->state, &dg);
	for (i = 0; i < rows->count; i++)
	{
		Datum		values[REPORT_COLS];
		bool		nulls[REPORT_COLS];

		values[0] = DateADTGetDatum(g->day);
		nulls[0] = !g->has_day;
		nulls[1] = g->policy == NULL;
		nulls[2] = g->segment == NULL;
		values[1] = g->policy ? CStringGetTextDatum(g->policy) : (Datum) 0;
		values[2] = g->segment ? CStringGetTextDatum(g->segment) : (Datum) 0;
		for (j = 0; j < 5; j++)	/* estimator .. ci_upper, not the lambda */
		{
			values[3 + j] = rows->values[i][j];
			nulls[3 + j] = rows->nulls[i][j];
		}
		values[8] = Int64GetDatum(dg.n);
		nulls[8] = false;
		values[9] = Float8GetDatum(dg.ess);
		nulls[9] = !dg.has_ess;
		values[10] = Float8GetDatum(dg.match_rate);
		nulls[10] = !dg.has_match_rate;
		values[11] = Int32GetDatum(g->days);
		nulls[11] = false;
		values[12] = Int64GetDatum(dg.n_matched);
		nulls[12] = false;
		values[13] = Float8GetDatum(dg.mean_weight);
		values[14] = Float8GetDatum(dg.max_weight);
		nulls[13] = nulls[14] = !dg.has_weights;
		values[15] = warnings;
		nulls[15] = false;
		values[16] = BoolGetDatum(g->provisional);
		nulls[16] = false;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * A listed policy or a segmentation that the results table has never
 * stored (on any day) is a mistake, not an empty chart: an ERROR, as
 * ope_rollup_day gives for a policy that is not a target.  A known one
 * without states in the range gives no rows.
 *
 * Written for Citus too (a distributed results table): the listed policies
 * found are read first (uncorrelated: Citus runs no subquery correlated
 * with unnest()), and EXISTS reads SELECT 1 ... LIMIT 1 (Citus cannot ship
 * a subplan of no columns, citusdata/citus#5094).
 */
static void
check_known(Oid results, Datum policies, Datum segment_by)
{
	Oid			argtypes[2] = {TEXTARRAYOID, TEXTOID};
	Datum		args[2] = {policies, segment_by};
	char		nulls[2] = {policies ? ' ' : 'n', ' '};
	bool		isnull;

	job_execute(psprintf("SELECT (SELECT p FROM pg_catalog.unnest($1) p "
						 "        WHERE p OPERATOR(pg_catalog.<>) ALL (ARRAY(SELECT DISTINCT s.policy FROM %s s "
						 "                                        WHERE s.policy OPERATOR(pg_catalog.=) ANY ($1))) "
						 "        LIMIT 1), "
						 "       EXISTS (SELECT 1 FROM %s s WHERE s.segment_by OPERATOR(pg_catalog.=) $2 LIMIT 1)",
						 job_relname(results), job_relname(results)),
				2, argtypes, args, nulls, true, 1);
	{
		Datum		unknown = job_get(0, 1, &isnull);

		if (!isnull)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("target policy \"%s\" has no states in table %s", TextDatumGetCString(unknown),
							job_relname(results)),
					 errhint("Compute its days with ope_rollup_day first, or check the name.")));
	}
	if (!DatumGetBool(job_get(0, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s has no states segmented by \"%s\"", job_relname(results),
						TextDatumGetCString(segment_by)),
				 errhint("segment_by is the name of the column ope_rollup_day segmented by ('' for none).")));
}

/*
 * States built from different reward columns or reward models measure
 * different things: merging them would be a silently wrong number.  Rows
 * come in day order within a group, so the two days named bound the change.
 */
static void
refuse_mixed_definitions(const StateGroup *g, DateADT day, const char *definition)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("target policy \"%s\" (segment \"%s\") has states of different definitions: \"%s\" on %s, \"%s\" on %s",
					g->policy ? g->policy : "(null)", g->segment ? g->segment : "(null)",
					g->definition ? g->definition : "unrecorded", job_date_text(DateADTGetDatum(g->first_day)),
					definition ? definition : "unrecorded", job_date_text(DateADTGetDatum(day))),
			 errdetail("A definition is the reward column and the reward model that built a state; states of different definitions cannot be merged."),
			 errhint("Re-run ope_rollup_day for those days with one reward column and reward model, or report the periods apart.")));
}

/*
 * ope_rollup_report(results, from_day, to_day, policies, segment_by,
 * confidence, by_day)
 */
PG_FUNCTION_INFO_V1(ope_rollup_report);
Datum
ope_rollup_report(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			results;
	DateADT		from_day,
				to_day;
	double		confidence;
	bool		by_day;
	JobColumn	cols[7];
	bool		has_complete_at;
	Oid			argtypes[5];
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	List	   *groups = NIL;
	StateGroup	   *cur = NULL;
	ListCell   *lc;
	uint64		r;
	int			i,
				n;

	for (i = 0; i < 7; i++)
		if (i != 3 && PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("only policies may be NULL")));
	results = PG_GETARG_OID(0);
	from_day = PG_GETARG_DATEADT(1);
	to_day = PG_GETARG_DATEADT(2);
	confidence = PG_GETARG_FLOAT8(5);
	by_day = PG_GETARG_BOOL(6);
	job_check_days(from_day, to_day);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	cols[0] = (JobColumn) {"day", DATEOID};
	cols[1] = (JobColumn) {"policy", TEXTOID};
	cols[2] = (JobColumn) {"segment_by", TEXTOID};
	cols[3] = (JobColumn) {"segment", TEXTOID};
	cols[4] = (JobColumn) {"state", job_extension_type("ope_state")};
	cols[5] = (JobColumn) {"definition", TEXTOID};
	cols[6] = (JobColumn) {"computed_at", TIMESTAMPTZOID};
	job_check_table(results, "results", cols, 7);
	has_complete_at = OidIsValid(job_column_type(results, "complete_at"));
	if (has_complete_at)
	{
		cols[0] = (JobColumn) {"complete_at", TIMESTAMPTZOID};
		job_check_table(results, "results", cols, 1);
	}
	if (!PG_ARGISNULL(3))
		(void) job_check_names(PG_GETARG_ARRAYTYPE_P(3), "target policies", &n);
	ope_check_confidence(confidence);

	argtypes[0] = DATEOID;
	argtypes[1] = DATEOID;
	argtypes[2] = TEXTOID;
	argtypes[3] = TEXTARRAYOID;
	argtypes[4] = BOOLOID;
	args[0] = DateADTGetDatum(from_day);
	args[1] = DateADTGetDatum(to_day);
	args[2] = PG_GETARG_DATUM(4);
	args[3] = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	nulls[3] = PG_ARGISNULL(3) ? 'n' : ' ';
	args[4] = BoolGetDatum(by_day);
	check_known(results, PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3), PG_GETARG_DATUM(4));
	job_execute(psprintf("SELECT s.day, s.policy, s.segment, s.state, s.definition, "
						 "%s FROM %s s "
						 "WHERE s.day OPERATOR(pg_catalog.>=) $1 AND s.day OPERATOR(pg_catalog.<=) $2 "
						 "AND s.segment_by OPERATOR(pg_catalog.=) $3 "
						 "AND ($4 IS NULL OR s.policy OPERATOR(pg_catalog.=) ANY ($4)) "
						 "ORDER BY CASE WHEN $5 THEN s.day END, s.policy, s.segment, s.day",
						 has_complete_at ? "s.computed_at OPERATOR(pg_catalog.<) s.complete_at" : "false",
						 job_relname(results)),
				5, argtypes, args, nulls, true, 0);

	for (r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		DateADT		day = DatumGetDateADT(job_get((int) r, 1, &isnull));
		char	   *policy = text_or_null((int) r, 2);
		char	   *segment = text_or_null((int) r, 3);
		char	   *definition = text_or_null((int) r, 5);
		bool		provisional = DatumGetBool(job_get((int) r, 6, &isnull)) && !isnull;
		Datum		state = job_get((int) r, 4, &isnull);
		const OpeState *s;
		AbError		err;

		CHECK_FOR_INTERRUPTS();
		if (isnull)
			continue;			/* a results table may allow NULL states: nothing to merge */
		s = ope_state_get(state);
		if (cur == NULL || !same_group(cur, by_day, day, policy, segment))
		{
			cur = palloc0(sizeof(StateGroup));
			cur->started = true;
			cur->has_day = by_day;
			cur->day = day;
			cur->policy = policy;
			cur->segment = segment;
			cur->definition = definition;
			cur->first_day = day;
			cur->provisional = provisional;
			cur->merged = ope_state_make_datum(s);
			cur->days = 1;
			cur->last_day = day;
			groups = lappend(groups, cur);
			continue;
		}
		if (!same_text(cur->definition, definition))
			refuse_mixed_definitions(cur, day, definition);
		if (ope_state_is_dr(&cur->merged->state) != ope_state_is_dr(s))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("target policy \"%s\" (segment \"%s\") has states with and without a reward model between %s and %s",
							policy ? policy : "(null)", segment ? segment : "(null)", job_date_text(PG_GETARG_DATUM(1)),
							job_date_text(PG_GETARG_DATUM(2))),
					 errhint("Its reward model was added or removed in that range: re-run ope_rollup_day for those days, or report the two periods apart.")));
		if (ope_merge_adopts(&cur->merged->state, s))
			cur->merged = ope_state_make_datum(s);
		else if (!ope_state_merge(&cur->merged->state, s, &err))
			ab_raise(&err);
		cur->provisional |= provisional;
		if (day != cur->last_day)
		{
			cur->days++;
			cur->last_day = day;
		}
	}
	foreach(lc, groups)
	{
		CHECK_FOR_INTERRUPTS();
		emit_group(rsinfo, (StateGroup *) lfirst(lc), confidence);
	}
	SPI_finish();
	return (Datum) 0;
}
