/*
 * calltrace.c — a test-only module for test/t/125_job_call_capture.pl.
 *
 * While calltrace.enabled is on, every query parsed inside a running
 * statement (PL/pgSQL bodies, their simple expressions and their EXECUTEd
 * dynamic SQL; never the top-level statement itself) is walked, and each
 * call that PostgreSQL resolved by name -- functions, aggregates, window
 * functions, operators (also in = ANY, IS DISTINCT FROM and NULLIF) -- is
 * written to the server log as one line:
 *
 *   calltrace: <kind>;<schema>;<name>;<call-site argument types>;<result type>;<flags>;<resolved>
 *
 * The argument types are those of the expressions as written at the call
 * site, before the implicit casts the parser added to reach the resolved
 * signature: exactly the signature an overload would need to match the call
 * exactly.  Types are printed schema-qualified (format_type_be_qualified).
 * <resolved> names the function or operator the call resolved to, with its
 * declared signature.  Casts written with :: are not name lookups (pg_cast)
 * and are not reported.
 */
#include "postgres.h"

#include "executor/executor.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "nodes/makefuncs.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "utils/syscache.h"
#include "access/htup_details.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static bool trace_enabled = false;
static int	nesting = 0;

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static planner_hook_type prev_planner = NULL;
static ExecutorRun_hook_type prev_executor_run = NULL;
static ExecutorFinish_hook_type prev_executor_finish = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/* The expression as written: below the implicit casts the parser added. */
static Node *
strip_implicit(Node *n)
{
	for (;;)
	{
		if (n == NULL)
			return n;
		if (IsA(n, RelabelType) && ((RelabelType *) n)->relabelformat == COERCE_IMPLICIT_CAST)
			n = (Node *) ((RelabelType *) n)->arg;
		else if (IsA(n, FuncExpr) && ((FuncExpr *) n)->funcformat == COERCE_IMPLICIT_CAST)
			n = linitial(((FuncExpr *) n)->args);
		else if (IsA(n, CoerceViaIO) && ((CoerceViaIO *) n)->coerceformat == COERCE_IMPLICIT_CAST)
			n = (Node *) ((CoerceViaIO *) n)->arg;
		else if (IsA(n, ArrayCoerceExpr) && ((ArrayCoerceExpr *) n)->coerceformat == COERCE_IMPLICIT_CAST)
			n = (Node *) ((ArrayCoerceExpr *) n)->arg;
		else if (IsA(n, CoerceToDomain) && ((CoerceToDomain *) n)->coercionformat == COERCE_IMPLICIT_CAST)
			n = (Node *) ((CoerceToDomain *) n)->arg;
		else
			return n;
	}
}

/* The type of an argument as written; for an ARRAY[...] whose elements were cast, theirs. */
static Oid
written_type(Node *arg)
{
	Node	   *n = strip_implicit(arg);

	if (n && IsA(n, ArrayExpr) && ((ArrayExpr *) n)->elements != NIL)
	{
		Node	   *first = strip_implicit(linitial(((ArrayExpr *) n)->elements));
		Oid			arr = get_array_type(exprType(first));

		if (OidIsValid(arr))
			return arr;
	}
	return exprType(n);
}

static void
append_types(StringInfo buf, List *args)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, args)
	{
		Node	   *a = (Node *) lfirst(lc);

		if (IsA(a, TargetEntry))
			a = (Node *) ((TargetEntry *) a)->expr;
		appendStringInfo(buf, "%s%s", first ? "" : ",", format_type_be_qualified(written_type(a)));
		first = false;
	}
}

static void
report(const char *kind, Oid nsp, const char *name, List *args, Oid result, const char *flags,
	   const char *resolved)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s;%s;%s;", kind, get_namespace_name(nsp), name);
	append_types(&buf, args);
	appendStringInfo(&buf, ";%s;%s;%s", format_type_be_qualified(result), flags, resolved);
	ereport(LOG, (errmsg("calltrace: %s", buf.data), errhidestmt(true), errhidecontext(true)));
	pfree(buf.data);
}

static void
report_function(Oid funcid, List *args, Oid result, bool retset, const char *kind, bool star)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc p;

	if (!HeapTupleIsValid(tup))
		return;
	p = (Form_pg_proc) GETSTRUCT(tup);
	report(kind, p->pronamespace, NameStr(p->proname), args, result,
		   star ? "star" : (retset ? "setof" : ""), format_procedure_qualified(funcid));
	ReleaseSysCache(tup);
}

static void
report_operator(Oid opno, List *args, Oid result)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Form_pg_operator o;

	if (!HeapTupleIsValid(tup))
		return;
	o = (Form_pg_operator) GETSTRUCT(tup);
	report("operator", o->oprnamespace, NameStr(o->oprname), args, result,
		   list_length(args) == 1 ? "prefix" : "", format_operator_qualified(opno));
	ReleaseSysCache(tup);
}

static bool trace_walker(Node *node, void *context);

static bool
trace_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, trace_walker, context, 0);
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) node;

		/* casts come from pg_cast, not from a lookup by name */
		if (f->funcformat == COERCE_EXPLICIT_CALL)
			report_function(f->funcid, f->args, f->funcresulttype, f->funcretset, "function", false);
	}
	else if (IsA(node, Aggref))
	{
		Aggref	   *a = (Aggref *) node;

		report_function(a->aggfnoid, a->args, a->aggtype, false, "aggregate", a->aggstar);
	}
	else if (IsA(node, WindowFunc))
	{
		WindowFunc *w = (WindowFunc *) node;

		report_function(w->winfnoid, w->args, w->wintype, false,
						get_func_prokind(w->winfnoid) == PROKIND_AGGREGATE ? "aggregate" : "function",
						w->winstar);
	}
	else if (IsA(node, OpExpr) || IsA(node, DistinctExpr) || IsA(node, NullIfExpr))
	{
		OpExpr	   *o = (OpExpr *) node;

		report_operator(o->opno, o->args, o->opresulttype);
	}
	else if (IsA(node, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *s = (ScalarArrayOpExpr *) node;
		Node	   *right = strip_implicit(lsecond(s->args));
		Oid			elem = get_element_type(written_type(right));
		List	   *pair;

		/* the operator is looked up for (left, element of the right array) */
		pair = list_make2(linitial(s->args),
						  makeNullConst(OidIsValid(elem) ? elem : exprType(right), -1, InvalidOid));
		report_operator(s->opno, pair, BOOLOID);
	}
	return expression_tree_walker(node, trace_walker, context);
}

static void
trace_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
	if (trace_enabled && nesting > 0)
		(void) trace_walker((Node *) query, NULL);
}

/* Nesting: anything parsed while a statement plans or runs is inside a body. */
static PlannedStmt *
trace_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo params)
{
	PlannedStmt *result;

	nesting++;
	PG_TRY();
	{
		result = prev_planner ? prev_planner(parse, query_string, cursorOptions, params)
			: standard_planner(parse, query_string, cursorOptions, params);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
	return result;
}

static void
trace_executor_run(QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once)
{
	nesting++;
	PG_TRY();
	{
		if (prev_executor_run)
			prev_executor_run(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
}

static void
trace_executor_finish(QueryDesc *queryDesc)
{
	nesting++;
	PG_TRY();
	{
		if (prev_executor_finish)
			prev_executor_finish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
}

static void
trace_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					  ProcessUtilityContext context, ParamListInfo params,
					  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	nesting++;
	PG_TRY();
	{
		if (prev_process_utility)
			prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		nesting--;
	}
	PG_END_TRY();
}

void
_PG_init(void)
{
	DefineCustomBoolVariable("calltrace.enabled",
							 "Log the calls resolved by name in queries parsed inside running statements.",
							 NULL, &trace_enabled, false, PGC_SUSET, 0, NULL, NULL, NULL);
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = trace_post_parse_analyze;
	prev_planner = planner_hook;
	planner_hook = trace_planner;
	prev_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = trace_executor_run;
	prev_executor_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = trace_executor_finish;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = trace_process_utility;
}
