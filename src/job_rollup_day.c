/*
 * job_rollup_day.c — ope_rollup_day: one day's ope_state per target policy
 * (and segment) from the caller's log into the caller's results table.
 *
 * The day's rows are read once; every target scores each row (its
 * probability of the logged image, and with a reward model q of the logged
 * image and v, the policy's value, both from that model at the target's
 * reward_ridge) and accumulates it into the state of the row's segment.  A
 * row whose action, context or candidates is NULL is skipped and counted
 * (NULL candidates would otherwise mean "every arm of the model": every
 * show's images).  Then the day's old states of those targets (and that
 * segmentation) are deleted and the new ones inserted, all in the caller's
 * statement: an error anywhere leaves the table as it was.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/md5.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "bandit_model_pg.h"
#include "model_cache.h"
#include "job_common.h"
#include "ope_state_pg.h"
#include "pg_arrays.h"
#include "pg_glue.h"
#include "policy.h"

/* A target policy, ready to score rows. */
typedef struct Target
{
	char	   *name;
	Policy		policy;
	const BmHeader *model;
	BmScorer	scorer;			/* at the policy's ridge */
	bool		dr;				/* has a reward model */
	const BmHeader *reward_model;
	BmScorer	reward_scorer;	/* at the target's reward_ridge */
	char	   *definition;		/* what the states measure (results.definition) */
} Target;

/* The states of one segment, one per target. */
typedef struct Segment
{
	char	   *name;
	uint32		hash;
	struct Segment *next;		/* in its bucket */
	OpeState   *states;
} Segment;

/* Segments by name: chained buckets, doubled as they fill; all of them in a list. */
typedef struct Segments
{
	int			nbuckets;
	Segment   **buckets;
	List	   *all;
} Segments;

#define FETCH_ROWS 1000

/* Where an error inside the row loop happened: the day and the target. */
typedef struct RowPlace
{
	DateADT		day;
	const char *target;			/* NULL while reading the row */
} RowPlace;

static void
row_place_context(void *arg)
{
	RowPlace   *p = (RowPlace *) arg;

	if (p->target)
		errcontext("ope_rollup_day of %s, target policy \"%s\"",
				   job_date_text(DateADTGetDatum(p->day)), p->target);
	else
		errcontext("ope_rollup_day of %s, reading the log", job_date_text(DateADTGetDatum(p->day)));
}

static uint32
string_hash(const char *s)
{
	uint32		h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char) *s) * 16777619u;
	return h;
}

static void
grow_buckets(Segments *g)
{
	int			n = g->nbuckets * 2;
	Segment   **b = palloc0(sizeof(Segment *) * n);
	ListCell   *lc;

	foreach(lc, g->all)
	{
		Segment    *seg = (Segment *) lfirst(lc);

		seg->next = b[seg->hash % n];
		b[seg->hash % n] = seg;
	}
	pfree(g->buckets);
	g->buckets = b;
	g->nbuckets = n;
}

static Segment *
segment_for(Segments *g, const char *name, const Target *targets, int ntargets)
{
	uint32		h = string_hash(name);
	Segment    *seg;
	int			i;

	for (seg = g->buckets[h % g->nbuckets]; seg; seg = seg->next)
		if (seg->hash == h && strcmp(seg->name, name) == 0)
			return seg;
	if (list_length(g->all) >= 2 * g->nbuckets)
		grow_buckets(g);
	seg = palloc(sizeof(Segment));
	seg->name = pstrdup(name);
	seg->hash = h;
	seg->states = palloc(sizeof(OpeState) * ntargets);
	for (i = 0; i < ntargets; i++)
		ope_state_init(&seg->states[i], targets[i].dr);
	seg->next = g->buckets[h % g->nbuckets];
	g->buckets[h % g->nbuckets] = seg;
	g->all = lappend(g->all, seg);
	return seg;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * What a target's states measure, stored beside them so that states of
 * different definitions are never merged: the reward column, and the reward
 * model (an md5 of its bytes) with its ridge, or none.
 */
static char *
definition_of(const Target *t, const char *reward_column, double ridge)
{
	char		md5[33];
	const char *why;
	size_t		size;

	if (!t->dr)
		return psprintf("reward=%s; reward_model=none", reward_column);
	size = sizeof(BmHeader) + (size_t) t->reward_model->narms * bm_arm_size(t->reward_model->dim);
	if (!pg_md5_hash(t->reward_model, size, md5, &why))
		elog(ERROR, "md5 of the reward model failed: %s", why);
	return psprintf("reward=%s; reward_model=md5:%.12s; reward_ridge=%s", reward_column, md5,
					DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(ridge))));
}

/*
 * Load target `name` from the targets table: exactly one row with a policy
 * and a model, a positive finite reward_ridge when it has a reward model.
 */
static void
load_target(Target *t, const char *name, Oid targets, bool has_reward_model, bool has_ridge,
			const char *reward_column)
{
	char	   *rel = job_relname(targets);
	char	   *sql = psprintf("SELECT t.policy, t.model, %s, %s, pg_catalog.count(*) OVER () "
							   "FROM %s t WHERE t.name OPERATOR(pg_catalog.=) $1",
							   has_reward_model ? "t.reward_model" : "NULL",
							   has_ridge ? "t.reward_ridge" : "NULL::pg_catalog.float8", rel);
	Oid			argtype = TEXTOID;
	Datum		arg = CStringGetTextDatum(name);
	bool		null_policy,
				null_model,
				null_reward,
				null_ridge,
				isnull;
	Datum		policy,
				model,
				reward,
				ridge_d;
	double		ridge = 1.0;
	int64		copies;
	size_t		size;
	AbError		err;
	text	   *ptext;

	job_execute(sql, 1, &argtype, &arg, NULL, false, 0);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("target policy \"%s\" is not in table %s", name, rel)));
	copies = DatumGetInt64(job_get(0, 5, &isnull));
	if (copies > 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("target policy \"%s\" appears %lld times in table %s", name,
						(long long) copies, rel)));
	policy = job_get(0, 1, &null_policy);
	model = job_get(0, 2, &null_model);
	reward = job_get(0, 3, &null_reward);
	/* copies: the next SPI call may release the result they point into */
	if (!null_model)
		model = PointerGetDatum(PG_DETOAST_DATUM_COPY(model));
	if (!null_reward)
		reward = PointerGetDatum(PG_DETOAST_DATUM_COPY(reward));
	ridge_d = job_get(0, 4, &null_ridge);
	if (null_policy || null_model)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target policy \"%s\" has no policy or model", name)));
	t->name = pstrdup(name);
	t->dr = !null_reward;
	if (t->dr && !null_ridge)
	{
		ridge = DatumGetFloat8(ridge_d);
		if (!(ridge > 0.0 && isfinite(ridge)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target policy \"%s\" has reward_ridge %s, which must be positive and finite",
							name, DatumGetCString(DirectFunctionCall1(float8out, ridge_d)))));
	}
	ptext = DatumGetTextPP(policy);
	if (!policy_parse(VARDATA_ANY(ptext), VARSIZE_ANY_EXHDR(ptext), &t->policy, &err))
		ab_raise(&err);
	t->model = bm_datum_model(model, &size);
	model_scorer_build(t->model, t->policy.ridge, &t->scorer);
	if (t->dr)
	{
		t->reward_model = bm_datum_model(reward, &size);
		if (t->reward_model->dim != t->model->dim)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("reward_model has dimension %u, but the model has dimension %u",
							t->reward_model->dim, t->model->dim)));
		model_scorer_build(t->reward_model, ridge, &t->reward_scorer);
	}
	t->definition = definition_of(t, reward_column, ridge);
}

/* One log row, as read. */
typedef struct LogRow
{
	const char *segment;
	bool		has_action,
				has_context,
				has_candidates;
	int64		action;
	const double *x;
	int			xlen;
	const int64 *cands;
	int			k;
	OpeRow		row;
	unsigned	present;		/* reward and propensity */
} LogRow;

/*
 * Row i of the current fetch.  The context and candidates are checked only
 * when the row will be scored (action, context and candidates all given):
 * a row with a NULL among them is skipped as the scoring functions skip it.
 */
static void
read_row(int i, LogRow *lr, Oid seg_output)
{
	bool		isnull;
	Datum		d,
				x,
				c;

	memset(lr, 0, sizeof(*lr));
	d = job_get(i, 1, &isnull);
	lr->segment = job_text_of(d, isnull, seg_output);
	d = job_get(i, 2, &isnull);
	lr->has_action = !isnull;
	if (!isnull)
		lr->action = DatumGetInt64(d);
	x = job_get(i, 3, &isnull);
	lr->has_context = !isnull;
	c = job_get(i, 4, &isnull);
	lr->has_candidates = !isnull;
	if (lr->has_action && lr->has_context && lr->has_candidates)
	{
		lr->x = float8_array_values(DatumGetArrayTypeP(x), "context", PG_INT32_MAX, &lr->xlen);
		lr->cands = int8_array_values(DatumGetArrayTypeP(c), "candidates", BM_MAX_ARMS, true, &lr->k);
		if (lr->k == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("candidates must not be empty")));
	}
	else
		lr->has_action = false;	/* not scored */
	d = job_get(i, 5, &isnull);
	if (!isnull)
	{
		lr->row.r = DatumGetFloat8(d);
		lr->present |= OPE_IN_R;
	}
	d = job_get(i, 6, &isnull);
	if (!isnull)
	{
		lr->row.mu = DatumGetFloat8(d);
		lr->present |= OPE_IN_MU;
	}
}

/* Score row lr under target t and count it in state s. */
static void
add_scored_row(const Target *t, const LogRow *lr, OpeState *s)
{
	OpeRow		row = lr->row;
	unsigned	present = lr->present;
	AbError		err;

	if (lr->has_action)
	{
		if (!bm_check_context(t->model, lr->x, lr->xlen, &err))
			ab_raise(&err);
	}
	if (lr->has_action)
	{
		double	   *scores = palloc(sizeof(double) * lr->k);
		double	   *probs = palloc(sizeof(double) * lr->k);
		double	   *work = palloc(sizeof(double) * policy_work_doubles(lr->k));
		int			i;

		if (!policy_evaluate(&t->policy, &t->scorer, lr->x, lr->cands, lr->k, scores, probs,
							 work, &err))
			ab_raise(&err);
		row.pi = 0.0;
		for (i = 0; i < lr->k; i++)
			if (lr->cands[i] == lr->action)
				row.pi = probs[i];
		present |= OPE_IN_PI;
		if (t->dr)
		{
			row.q = bm_scorer_mean(&t->reward_scorer, bm_scorer_find(&t->reward_scorer, lr->action), lr->x);
			row.v = 0.0;
			for (i = 0; i < lr->k; i++)
				if (probs[i] > 0.0)
					row.v += probs[i] * bm_scorer_mean(&t->reward_scorer,
													   bm_scorer_find(&t->reward_scorer, lr->cands[i]),
													   lr->x);
			if (!isfinite(row.q) || !isfinite(row.v))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("the reward model's prediction is out of range for target policy \"%s\"",
								t->name)));
			present |= OPE_IN_Q | OPE_IN_V;
		}
	}
	if (!ope_state_add(s, &row, present, &err))
		ab_raise(&err);
}

/* The arguments of ope_rollup_day and ope_rollup_range after their days. */
typedef struct RollupArgs
{
	Oid			log,
				results,
				targets;
	ArrayType  *policies;		/* NULL: every target of the table */
	Name		segment,		/* NULL: no segmentation */
				day_col,		/* NULL: the default name, for each below */
				action,
				context,
				candidates,
				reward,
				propensity;
	bool		has_window;
	Datum		window;			/* reward_window */
} RollupArgs;

static Name
opt_name(FunctionCallInfo fcinfo, int i)
{
	return (PG_NARGS() <= i || PG_ARGISNULL(i)) ? NULL : PG_GETARG_NAME(i);
}

/*
 * log, results and targets are arguments 0-2; the optional ones (policies
 * ... reward_window) start at argument first.
 */
static void
rollup_args(FunctionCallInfo fcinfo, int first, RollupArgs *a)
{
	a->log = PG_GETARG_OID(0);
	a->results = PG_GETARG_OID(1);
	a->targets = PG_GETARG_OID(2);
	a->policies = PG_ARGISNULL(first) ? NULL : PG_GETARG_ARRAYTYPE_P(first);
	a->segment = opt_name(fcinfo, first + 1);
	a->day_col = opt_name(fcinfo, first + 2);
	a->action = opt_name(fcinfo, first + 3);
	a->context = opt_name(fcinfo, first + 4);
	a->candidates = opt_name(fcinfo, first + 5);
	a->reward = opt_name(fcinfo, first + 6);
	a->propensity = opt_name(fcinfo, first + 7);
	a->has_window = PG_NARGS() > first + 8 && !PG_ARGISNULL(first + 8);
	a->window = a->has_window ? PG_GETARG_DATUM(first + 8) : (Datum) 0;
}

/*
 * Delayed rewards: with reward_window, a day's rewards are all in once
 * every impression's window has closed, at the end of the day plus the
 * window.  That time is stored in the results table's complete_at column
 * (needed then, optional otherwise; NULL without a window), and a state
 * computed before it is provisional (ope_rollup_report says so) until the
 * day is computed again.
 */
static Datum
window_end(const RollupArgs *a, DateADT day, bool *has_column, bool *isnull)
{
	Datum		zero;
	JobColumn	col = {"complete_at", TIMESTAMPTZOID};

	*has_column = OidIsValid(job_column_type(a->results, "complete_at"));
	if (*has_column)
		job_check_table(a->results, "results", &col, 1);
	*isnull = !a->has_window;
	if (*isnull)
		return (Datum) 0;
	if (!*has_column)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("results table %s has no column \"complete_at\", which reward_window needs",
						job_relname(a->results)),
				 errhint("ALTER TABLE %s ADD COLUMN complete_at timestamptz;", job_relname(a->results))));
	zero = DirectFunctionCall3(interval_in, CStringGetDatum("0"), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, a->window, zero)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reward_window must not be negative, got %s",
						DatumGetCString(DirectFunctionCall1(interval_out, a->window)))));
	return DirectFunctionCall2(timestamptz_pl_interval,
							   DirectFunctionCall1(date_timestamptz, DateADTGetDatum(job_next_day(day))),
							   a->window);
}

/* What a rollup needs for any day: built once, before the first day. */
typedef struct RollupPlan
{
	Oid			state_type;
	ArrayType  *policies;		/* the target policies, checked */
	Target	   *tgts;			/* in name order */
	int			ntargets;
	char	   *seg_by;			/* the segment column's name, '' for none */
	Oid			seg_output;
	char	   *rows_sql;		/* the log's rows of the days $1 to $2 */
	char	   *results_name;
	SPIPlanPtr	insert;			/* one state into the results table */
	bool		has_complete_at;
} RollupPlan;

/*
 * Check the tables, columns and reward window (first_day's), load the
 * targets and prepare the SQL (inside the caller's SPI connection, whose
 * memory holds the plan until SPI_finish), and take the results table's
 * lock for the rest of the transaction.
 */
static void
rollup_plan(const RollupArgs *a, DateADT first_day, RollupPlan *p)
{
	Oid			model_type;
	JobColumn	result_cols[7],
				target_cols[3],
				extra;
	bool		has_reward_model,
				has_ridge = false,
				has_window_end;
	char	  **names,
			  **sorted;
	char	   *day_ref,
			   *seg_ref;
	Oid			argtypes[7];
	int			i;

	p->seg_by = a->segment ? pstrdup(NameStr(*a->segment)) : "";
	p->state_type = job_extension_type("ope_state");
	model_type = job_extension_type("banditmodel");
	result_cols[0] = (JobColumn) {"day", DATEOID};
	result_cols[1] = (JobColumn) {"policy", TEXTOID};
	result_cols[2] = (JobColumn) {"segment_by", TEXTOID};
	result_cols[3] = (JobColumn) {"segment", TEXTOID};
	result_cols[4] = (JobColumn) {"state", p->state_type};
	result_cols[5] = (JobColumn) {"computed_at", TIMESTAMPTZOID};
	result_cols[6] = (JobColumn) {"definition", TEXTOID};
	job_check_table(a->results, "results", result_cols, 7);
	(void) window_end(a, first_day, &p->has_complete_at, &has_window_end);
	target_cols[0] = (JobColumn) {"name", TEXTOID};
	target_cols[1] = (JobColumn) {"policy", TEXTOID};
	target_cols[2] = (JobColumn) {"model", model_type};
	job_check_table(a->targets, "targets", target_cols, 3);
	has_reward_model = OidIsValid(job_column_type(a->targets, "reward_model"));
	if (has_reward_model)
	{
		extra = (JobColumn) {"reward_model", model_type};
		job_check_table(a->targets, "targets", &extra, 1);
		has_ridge = OidIsValid(job_column_type(a->targets, "reward_ridge"));
		if (has_ridge)
		{
			extra = (JobColumn) {"reward_ridge", FLOAT8OID};
			job_check_table(a->targets, "targets", &extra, 1);
		}
	}

	/* the target policies: the list given, or every one of the table */
	if (a->policies == NULL)
	{
		bool		isnull;
		Datum		all;

		job_execute(psprintf("SELECT pg_catalog.array_agg(t.name ORDER BY t.name) FROM %s t",
							 job_relname(a->targets)), 0, NULL, NULL, NULL, false, 0);
		all = job_get(0, 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("targets table %s is empty", job_relname(a->targets))));
		p->policies = DatumGetArrayTypePCopy(all);
	}
	else
		p->policies = a->policies;
	names = job_check_names(p->policies, "target policies", &p->ntargets);

	/* the days' rows of the log, as the inputs of the estimators */
	day_ref = job_column_expr(a->log, a->day_col, JOB_DAY);
	seg_ref = a->segment ? job_column_expr(a->log, a->segment, JOB_SEGMENT) : "''::pg_catalog.text";
	p->seg_output = a->segment ? job_text_output(a->log, a->segment) : InvalidOid;
	p->rows_sql = psprintf("SELECT %s, %s, %s, %s, %s, %s FROM %s l "
						   "WHERE %s OPERATOR(pg_catalog.>=) $1 AND %s OPERATOR(pg_catalog.<) $2",
						   seg_ref,
						   job_column_expr(a->log, a->action, JOB_ACTION),
						   job_column_expr(a->log, a->context, JOB_CONTEXT),
						   job_column_expr(a->log, a->candidates, JOB_CANDIDATES),
						   job_column_expr(a->log, a->reward, JOB_REWARD),
						   job_column_expr(a->log, a->propensity, JOB_PROPENSITY),
						   job_relname(a->log), day_ref, day_ref);

	/* writers of one results table take turns; readers are not blocked */
	p->results_name = job_relname(a->results);
	job_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", p->results_name),
				0, NULL, NULL, NULL, false, 0);

	/* the targets, in name order */
	sorted = palloc(sizeof(char *) * p->ntargets);
	memcpy(sorted, names, sizeof(char *) * p->ntargets);
	qsort(sorted, p->ntargets, sizeof(char *), compare_strings);
	p->tgts = palloc0(sizeof(Target) * p->ntargets);
	for (i = 0; i < p->ntargets; i++)
		load_target(&p->tgts[i], sorted[i], a->targets, has_reward_model, has_ridge,
					a->reward ? NameStr(*a->reward) : "played");

	/* the insert of a new state */
	argtypes[0] = DATEOID;
	argtypes[1] = TEXTOID;
	argtypes[2] = TEXTOID;
	argtypes[3] = TEXTOID;
	argtypes[4] = p->state_type;
	argtypes[5] = TEXTOID;
	argtypes[6] = TIMESTAMPTZOID;
	p->insert = SPI_prepare(psprintf("INSERT INTO %s (day, policy, segment_by, segment, state, computed_at, definition%s) "
									 "VALUES ($1, $2, $3, $4, $5, pg_catalog.now(), $6%s)", p->results_name,
									 p->has_complete_at ? ", complete_at" : "",
									 p->has_complete_at ? ", $7" : ""),
							p->has_complete_at ? 7 : 6, argtypes);
	if (p->insert == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
}

/*
 * One day: read the day's rows once, score them for every target, replace
 * the day's states.  Runs inside the caller's SPI connection; returns the
 * states written and sets *nrows to the log rows read.
 */
static int
rollup_day(const RollupArgs *a, const RollupPlan *p, DateADT day, uint64 *nrows)
{
	int			i,
				written = 0;
	Segments	groups;
	Portal		portal;
	RowPlace	place;
	ErrorContextCallback errcb;
	MemoryContext rowcxt,
				old;
	Oid			argtypes[3];
	Datum		args[7];
	bool		has_complete_at,
				complete_at_null;
	Datum		complete_at;
	ListCell   *lc;

	*nrows = 0;
	complete_at = window_end(a, day, &has_complete_at, &complete_at_null);
	Assert(has_complete_at == p->has_complete_at);

	argtypes[0] = DATEOID;
	argtypes[1] = TEXTOID;
	argtypes[2] = TEXTARRAYOID;
	args[0] = DateADTGetDatum(day);
	args[1] = CStringGetTextDatum(p->seg_by);
	args[2] = PointerGetDatum(p->policies);
	job_execute(psprintf("DELETE FROM %s WHERE day OPERATOR(pg_catalog.=) $1 "
						 "AND segment_by OPERATOR(pg_catalog.=) $2 "
						 "AND policy OPERATOR(pg_catalog.=) ANY ($3)", p->results_name),
				3, argtypes, args, NULL, false, 0);

	/* one pass over the day's rows */
	groups.nbuckets = 64;
	groups.buckets = palloc0(sizeof(Segment *) * groups.nbuckets);
	groups.all = NIL;
	portal = job_open_days(p->rows_sql, day, day);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ope_rollup_day rows",
								   ALLOCSET_DEFAULT_SIZES);
	place.day = day;
	place.target = NULL;
	errcb.callback = row_place_context;
	errcb.arg = &place;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	for (;;)
	{
		uint64		r;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			LogRow		lr;
			Segment    *seg;
			MemoryContext spicxt;

			CHECK_FOR_INTERRUPTS();
			place.target = NULL;
			spicxt = MemoryContextSwitchTo(rowcxt);
			read_row((int) r, &lr, p->seg_output);
			MemoryContextSwitchTo(spicxt);
			seg = segment_for(&groups, lr.segment, p->tgts, p->ntargets);
			old = MemoryContextSwitchTo(rowcxt);
			for (i = 0; i < p->ntargets; i++)
			{
				place.target = p->tgts[i].name;
				add_scored_row(&p->tgts[i], &lr, &seg->states[i]);
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
		}
		*nrows += SPI_processed;
		SPI_freetuptable(SPI_tuptable);
	}
	error_context_stack = errcb.previous;
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);

	/* the new states */
	args[0] = DateADTGetDatum(day);
	args[2] = CStringGetTextDatum(p->seg_by);
	args[6] = complete_at;
	foreach(lc, groups.all)
	{
		Segment    *seg = (Segment *) lfirst(lc);

		args[3] = CStringGetTextDatum(seg->name);
		for (i = 0; i < p->ntargets; i++)
		{
			int			rc;

			args[1] = CStringGetTextDatum(p->tgts[i].name);
			args[4] = PointerGetDatum(ope_state_make_datum(&seg->states[i]));
			args[5] = CStringGetTextDatum(p->tgts[i].definition);
			rc = SPI_execute_plan(p->insert, args, complete_at_null ? "      n" : NULL, false, 0);
			if (rc != SPI_OK_INSERT)
				elog(ERROR, "inserting a state failed: %s", SPI_result_code_string(rc));
			written += (int) SPI_processed;
		}
	}
	return written;
}

static void
check_not_null(FunctionCallInfo fcinfo, int n, const char *what)
{
	int			i;

	for (i = 0; i < n; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be NULL", what)));
}

/* ope_rollup_day(log, results, targets, day, policies, segment_column, day_column, ...) */
PG_FUNCTION_INFO_V1(ope_rollup_day);
Datum
ope_rollup_day(PG_FUNCTION_ARGS)
{
	RollupArgs	a;
	RollupPlan	plan;
	DateADT		day;
	uint64		nrows;
	int			written;
	TimestampTz start = GetCurrentTimestamp();

	check_not_null(fcinfo, 4, "log, results, targets and day");
	rollup_args(fcinfo, 4, &a);
	day = PG_GETARG_DATEADT(3);
	SPI_connect();
	rollup_plan(&a, day, &plan);
	written = rollup_day(&a, &plan, day, &nrows);
	SPI_finish();
	job_log_summary("ope_rollup_day", a.log, job_date_text(DateADTGetDatum(day)),
					nrows, written, a.results, start);
	PG_RETURN_INT32(written);
}

/*
 * ope_rollup_range(log, results, targets, from_day, to_day, policies, ...):
 * ope_rollup_day for each day of [from_day, to_day], in order, in the
 * caller's transaction (an error leaves every day as it was), with a NOTICE
 * per day saying what was read and written.  Each day's work lives in its
 * own memory context, freed before the next day.
 */
PG_FUNCTION_INFO_V1(ope_rollup_range);
Datum
ope_rollup_range(PG_FUNCTION_ARGS)
{
	RollupArgs	a;
	RollupPlan	plan;
	DateADT		from,
				to,
				day;
	uint64		total_rows = 0;
	int64		total = 0;
	MemoryContext daycxt,
				old;
	TimestampTz start = GetCurrentTimestamp();

	check_not_null(fcinfo, 5, "log, results, targets, from_day and to_day");
	rollup_args(fcinfo, 5, &a);
	from = PG_GETARG_DATEADT(3);
	to = PG_GETARG_DATEADT(4);
	job_check_days(from, to);
	if (DATE_NOT_FINITE(from) || DATE_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a range of days must have finite ends, got %s to %s",
						job_date_text(DateADTGetDatum(from)), job_date_text(DateADTGetDatum(to)))));

	SPI_connect();
	rollup_plan(&a, from, &plan);
	daycxt = AllocSetContextCreate(CurrentMemoryContext, "ope_rollup_range day",
								   ALLOCSET_DEFAULT_SIZES);
	for (day = from;; day++)
	{
		uint64		nrows;
		int			written;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(daycxt);
		written = rollup_day(&a, &plan, day, &nrows);
		ereport(NOTICE,
				(errmsg("ope_rollup_range: %s: %llu rows read, %d states written",
						job_date_text(DateADTGetDatum(day)), (unsigned long long) nrows, written)));
		MemoryContextSwitchTo(old);
		MemoryContextReset(daycxt);
		total_rows += nrows;
		total += written;
		if (total > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("ope_rollup_range would write more than %d states: split the range", PG_INT32_MAX)));
		if (day == to)
			break;
	}
	SPI_finish();
	job_log_summary("ope_rollup_range", a.log,
					psprintf("%s to %s", job_date_text(DateADTGetDatum(from)), job_date_text(DateADTGetDatum(to))),
					total_rows, (int) total, a.results, start);
	PG_RETURN_INT32((int32) total);
}
