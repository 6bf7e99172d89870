/*
 * bandit_model_expanded.c — see bandit_model_expanded.h.
 *
 * The flat form is what bm_make_datum builds from the same block (varlena
 * header, zero padding to BM_DATUM_OFFSET, the model without the spare room
 * of FitState), so a model fitted in place reads, prints and compares
 * exactly as one built any other way.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "bandit_model_expanded.h"
#include "bandit_model_pg.h"

static Size bm_expanded_get_flat_size(ExpandedObjectHeader *eohptr);
static void bm_expanded_flatten_into(ExpandedObjectHeader *eohptr, void *result,
									 Size allocated_size);

const ExpandedObjectMethods bm_expanded_methods = {
	bm_expanded_get_flat_size,
	bm_expanded_flatten_into
};

BmExpanded *
bm_expanded_new(MemoryContext parent, const BmHeader *from, uint32 dim)
{
	/*
	 * Small blocks (one context per group of a GROUP BY): a model block over
	 * 1 kB gets a malloc'd block of its own, which repalloc grows by realloc.
	 */
	MemoryContext cxt = AllocSetContextCreate(parent, "banditmodel expanded",
											  ALLOCSET_SMALL_SIZES);
	BmExpanded *e = MemoryContextAlloc(cxt, sizeof(BmExpanded));

	EOH_init_header(&e->hdr, &bm_expanded_methods, cxt);
	fit_state_init(&e->st, cxt, from, dim);
	e->checked = from != NULL;
	return e;
}

/*
 * Every way out of the expanded form passes here first: the model is checked
 * like one read from outside (bm_check_built) once per change, so nothing
 * can store or send a value that would not read back.
 */
static Size
bm_expanded_get_flat_size(ExpandedObjectHeader *eohptr)
{
	BmExpanded *e = (BmExpanded *) eohptr;
	size_t		size;

	bm_check_size(e->st.model->dim, e->st.model->narms, &size);
	if (!e->checked)
	{
		bm_check_built(e->st.model, size);
		e->checked = true;
	}
	return BM_DATUM_OFFSET + size;
}

static void
bm_expanded_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	BmExpanded *e = (BmExpanded *) eohptr;
	size_t		size;

	bm_check_size(e->st.model->dim, e->st.model->narms, &size);
	if (allocated_size != BM_DATUM_OFFSET + size)
		elog(ERROR, "banditmodel changed between sizing and flattening");
	memset(result, 0, BM_DATUM_OFFSET);
	SET_VARSIZE(result, BM_DATUM_OFFSET + size);
	memcpy((char *) result + BM_DATUM_OFFSET, e->st.model, size);
}
