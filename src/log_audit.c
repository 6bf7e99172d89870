/*
 * log_audit.c — bandit_audit_propensities: recompute each logged
 * propensity from the model, the row's context and candidates and the
 * policy, as bandit_act computed it when the image was shown, and report
 * the rows where the log disagrees; with a seed column, recompute the
 * chosen image too.  Also counts candidates the model has never seen: a
 * show scored with another show's model (a wrong join) has none it knows,
 * gets uniform probabilities by the contract (an unseen arm is the prior),
 * and would otherwise pass unnoticed.
 *
 * One streaming scan of the log (job_stream), read-only, under the jobs'
 * pinned search_path; the scoring is the core's policy_evaluate.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "bandit_model_pg.h"
#include "bandit_scorer.h"
#include "model_cache.h"
#include "float_text.h"
#include "job_common.h"
#include "pg_arrays.h"
#include "pg_glue.h"
#include "policy.h"
#include "rng.h"

/* A difference above this is a mismatch (API.md section 5). */
#define AUDIT_TOLERANCE 1e-12

#define AUDIT_COLS 10

typedef struct AuditScan
{
	DestReceiver pub;
	const BmHeader *model;
	BmScorer	scorer;
	Policy		policy;
	bool		has_seed,
				has_ctid;
	int64		number;			/* rows read */
	int64		compared,
				skipped,
				mismatches,
				unseen,
				all_unseen,
				choices,
				choice_mismatches;
	double		max_difference; /* over finite differences */
	char	   *example;		/* the row of the largest difference (or the first non-finite one) */
	bool		example_finite;
	double		example_difference;
	Datum		ctid;			/* of the current row, when has_ctid */
	char	   *choice_example;
	MemoryContext rowcxt,
				keep;
} AuditScan;

static char *
float_text(double x)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(x, buf);
	return pstrdup(buf);
}

/* Keep the example of a mismatch: the largest finite difference (a non-finite one only while there is none). */
static void
note_mismatch(AuditScan *a, int64 action, double logged, double recomputed, bool among)
{
	double		diff = fabs(logged - recomputed);
	bool		finite = isfinite(diff);

	a->mismatches++;
	if (finite && diff > a->max_difference)
		a->max_difference = diff;
	if (a->example != NULL && !(finite && (!a->example_finite || diff > a->example_difference)))
		return;
	a->example = MemoryContextStrdup(a->keep,
									 psprintf("%s: image " INT64_FORMAT " logged with propensity %s, %s %s",
											  job_row_place(a->has_ctid, a->ctid, a->number), action,
											  float_text(logged),
											  among ? "recomputed" : "not among the candidates, recomputed",
											  float_text(recomputed)));
	a->example_finite = finite;
	a->example_difference = diff;
}

/* Errors while scoring a row say which row. */
static void
audit_row_context(void *arg)
{
	AuditScan  *a = (AuditScan *) arg;

	errcontext("bandit_audit_propensities, %s", job_row_place(a->has_ctid, a->ctid, a->number));
}

static bool
audit_receive(TupleTableSlot *slot, DestReceiver *self)
{
	AuditScan  *a = (AuditScan *) self;
	MemoryContext old;
	bool	   *isnull;
	Datum	   *values;
	const double *x;
	const int64 *cands;
	int			xlen,
				k,
				i,
				shown = -1,
				unseen = 0;
	double	   *scores,
			   *probs,
			   *work,
				logged,
				recomputed;
	int64		action;
	AbError		err;
	ErrorContextCallback errcb;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	values = slot->tts_values;
	isnull = slot->tts_isnull;
	a->number++;
	a->ctid = a->has_ctid ? values[a->has_seed ? 5 : 4] : (Datum) 0;
	/* columns: action, context, candidates, propensity[, seed][, ctid] */
	if (isnull[0] || isnull[1] || isnull[2] || isnull[3])
	{
		a->skipped++;
		return true;
	}
	errcb.callback = audit_row_context;
	errcb.arg = a;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	old = MemoryContextSwitchTo(a->rowcxt);
	action = DatumGetInt64(values[0]);
	x = float8_array_values(DatumGetArrayTypeP(values[1]), "context", PG_INT32_MAX, &xlen);
	cands = int8_array_values(DatumGetArrayTypeP(values[2]), "candidates", BM_MAX_ARMS, true, &k);
	if (k == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("candidates must not be empty")));
	if (!bm_check_context(a->model, x, xlen, &err))
		ab_raise(&err);
	logged = DatumGetFloat8(values[3]);
	scores = palloc(sizeof(double) * k);
	probs = palloc(sizeof(double) * k);
	work = palloc(sizeof(double) * policy_work_doubles(k));
	if (!policy_evaluate(&a->policy, &a->scorer, x, cands, k, scores, probs, work, &err))
		ab_raise(&err);

	for (i = 0; i < k; i++)
	{
		if (cands[i] == action)
			shown = i;
		if (bm_scorer_find(&a->scorer, cands[i]) < 0)
			unseen++;
	}
	a->unseen += unseen;
	if (unseen == k)
		a->all_unseen++;
	a->compared++;
	recomputed = shown >= 0 ? probs[shown] : 0.0;
	if (!(fabs(logged - recomputed) <= AUDIT_TOLERANCE))
		note_mismatch(a, action, logged, recomputed, shown >= 0);

	if (a->has_seed && !isnull[4])
	{
		int64		seed = DatumGetInt64(values[4]);
		int64		chosen = cands[policy_pick(probs, k, rng_uniform_from_seed(seed))];

		a->choices++;
		if (chosen != action)
		{
			a->choice_mismatches++;
			if (a->choice_example == NULL)
				a->choice_example =
					MemoryContextStrdup(a->keep,
										psprintf("%s: seed " INT64_FORMAT " chooses image " INT64_FORMAT ", the log shows image " INT64_FORMAT,
												 job_row_place(a->has_ctid, a->ctid, a->number),
												 seed, chosen, action));
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(a->rowcxt);
	error_context_stack = errcb.previous;
	return true;
}

/*
 * bandit_audit_propensities(log, model, policy, action_column,
 * context_column, candidates_column, propensity_column, seed_column)
 */
PG_FUNCTION_INFO_V1(bandit_audit_propensities);
Datum
bandit_audit_propensities(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AuditScan  *a;
	Oid			rel;
	StringInfoData sql;
	text	   *ptext;
	size_t		size;
	AbError		err;
	Datum		values[AUDIT_COLS];
	bool		nulls[AUDIT_COLS] = {false};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the log, the model and the policy must not be NULL")));
	rel = PG_GETARG_OID(0);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	a = palloc0(sizeof(AuditScan));
	a->keep = CurrentMemoryContext;
	a->model = bm_datum_model(PG_GETARG_DATUM(1), &size);
	ptext = PG_GETARG_TEXT_PP(2);
	if (!policy_parse(VARDATA_ANY(ptext), VARSIZE_ANY_EXHDR(ptext), &a->policy, &err))
		ab_raise(&err);
	model_scorer_build(a->model, a->policy.ridge, &a->scorer);

	(void) job_relname(rel);	/* ERROR if it does not exist */
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s, %s, %s, %s",
					 job_column_expr(rel, PG_ARGISNULL(3) ? NULL : PG_GETARG_NAME(3), JOB_ACTION),
					 job_column_expr(rel, PG_ARGISNULL(4) ? NULL : PG_GETARG_NAME(4), JOB_CONTEXT),
					 job_column_expr(rel, PG_ARGISNULL(5) ? NULL : PG_GETARG_NAME(5), JOB_CANDIDATES),
					 job_column_expr(rel, PG_ARGISNULL(6) ? NULL : PG_GETARG_NAME(6), JOB_PROPENSITY));
	a->has_seed = !PG_ARGISNULL(7);
	if (a->has_seed)
		appendStringInfo(&sql, ", %s", job_column_expr(rel, PG_GETARG_NAME(7), JOB_SEED));
	a->has_ctid = job_has_ctid(rel);
	if (a->has_ctid)
		appendStringInfoString(&sql, ", l.ctid");
	appendStringInfo(&sql, " FROM %s l", job_relname(rel));

	a->rowcxt = AllocSetContextCreate(a->keep, "bandit_audit_propensities rows", ALLOCSET_DEFAULT_SIZES);
	job_receiver_init(&a->pub, audit_receive);
	job_stream(sql.data, &a->pub);
	if (a->number == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("log %s has no rows: there is nothing to audit", job_relname(rel))));

	values[0] = Int64GetDatum(a->compared);
	values[1] = Int64GetDatum(a->skipped);
	values[2] = Int64GetDatum(a->mismatches);
	values[3] = Float8GetDatum(a->max_difference);
	nulls[3] = a->compared == 0;
	values[4] = a->example ? CStringGetTextDatum(a->example) : (Datum) 0;
	nulls[4] = a->example == NULL;
	values[5] = Int64GetDatum(a->unseen);
	values[6] = Int64GetDatum(a->all_unseen);
	values[7] = Int64GetDatum(a->choices);
	values[8] = Int64GetDatum(a->choice_mismatches);
	nulls[7] = nulls[8] = !a->has_seed;
	values[9] = a->choice_example ? CStringGetTextDatum(a->choice_example) : (Datum) 0;
	nulls[9] = a->choice_example == NULL;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}
