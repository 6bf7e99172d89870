/*
 * pg_glue.c — the module's magic block and the mapping from core error
 * kinds to SQLSTATEs.
 */
#include "pg_glue.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "model_cache.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * Let the pure-C core's long loops honour query cancel and statement_timeout;
 * define the artbandit.* settings.
 */
void
_PG_init(void)
{
	ab_interrupt_hook = check_interrupts;
	model_cache_define_setting();
	MarkGUCPrefixReserved("artbandit");
}

static int
sqlstate_for(AbErrorKind kind)
{
	switch (kind)
	{
		case AB_ERR_SYNTAX:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case AB_ERR_BINARY:
			return ERRCODE_INVALID_BINARY_REPRESENTATION;
		case AB_ERR_VALUE:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case AB_ERR_OUT_OF_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case AB_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case AB_ERR_MISMATCH:
			return ERRCODE_DATA_EXCEPTION;
		case AB_ERR_NULL_ELEMENT:
			return ERRCODE_NULL_VALUE_NOT_ALLOWED;
		case AB_OK:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

void
ab_raise(const AbError *err)
{
	ereport(ERROR,
			(errcode(sqlstate_for(err->kind)),
			 errmsg_internal("%s", err->message),
			 err->detail[0] ? errdetail_internal("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
	pg_unreachable();
}
