/*
 * model_cache_sql.c — bandit_model_cache() and bandit_model_cache_reset():
 * what the backend's model cache (model_cache.c) holds, and emptying it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "call_site_cache.h"
#include "model_cache.h"

PG_FUNCTION_INFO_V1(bandit_model_cache);
Datum
bandit_model_cache(PG_FUNCTION_ARGS)
{
	ModelCacheStats st;
	TupleDesc	desc = call_result_desc(fcinfo);
	Datum		values[7];
	bool		nulls[7] = {false};

	model_cache_stats(&st);
	values[0] = Int64GetDatum(st.entries);
	values[1] = Int64GetDatum(st.bytes);
	values[2] = Int64GetDatum(st.budget);
	values[3] = Int64GetDatum(st.hits);
	values[4] = Int64GetDatum(st.misses);
	values[5] = Int64GetDatum(st.evictions);
	values[6] = Int64GetDatum(st.oid_wraparounds);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

PG_FUNCTION_INFO_V1(bandit_model_cache_reset);
Datum
bandit_model_cache_reset(PG_FUNCTION_ARGS)
{
	model_cache_reset();
	PG_RETURN_VOID();
}
