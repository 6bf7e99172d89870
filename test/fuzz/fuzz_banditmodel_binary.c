/*
 * fuzz_banditmodel_binary.c — bm_from_binary (the type's recv, reachable by
 * anyone through binary COPY) on arbitrary bytes.
 *
 * Rejection: AB_ERR_BINARY (22P03) or AB_ERR_LIMIT (54000), with a message.
 * Acceptance: the model validates; writing it back gives the input bytes;
 * its text form reads back to the same bytes and prints the same text
 * again.  Allocation: at most the input's length (the size is checked
 * against the header before allocating), all freed at the end.
 */
#include "fuzz_common.h"

#include "bandit_codec.h"

typedef struct Run
{
	FuzzArena	arena;
	FuzzText	t1,
				t2;
	unsigned char *bin;
} Run;

static void
check(const uint8_t *data, size_t size, Run *run)
{
	BmHeader   *m1,
			   *m2;
	size_t		size1,
				size2;
	AbError		err;

	fuzz_error_init(&err);
	if (!bm_from_binary(data, size, fuzz_arena_alloc, &run->arena, &m1, &size1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_BINARY) | FUZZ_KIND(AB_ERR_LIMIT),
							 "bm_from_binary");
		FUZZ_CHECK(run->arena.largest <= size,
				   "a rejected input of %zu bytes made the decoder allocate %zu bytes",
				   size, run->arena.largest);
		return;
	}
	FUZZ_CHECK(size1 == size, "accepted %zu bytes as a model of %zu bytes", size, size1);
	FUZZ_CHECK(run->arena.largest <= size,
			   "an input of %zu bytes made the decoder allocate %zu bytes",
			   size, run->arena.largest);
	FUZZ_CHECK(bm_validate(m1, size1, AB_ERR_BINARY, &err),
			   "accepted binary does not validate: %s", err.message);

	/* binary -> model -> binary: the input bytes */
	run->bin = malloc(size1);
	FUZZ_CHECK(run->bin != NULL, "out of memory");
	bm_to_binary(m1, run->bin);
	fuzz_check_same(data, size, run->bin, size1, "binary written back");

	/* model -> text -> model: same bytes; text printed twice is the same */
	bm_to_text(m1, fuzz_text_emit, &run->t1);
	FUZZ_CHECK(bm_from_text(run->t1.buf, run->t1.len, fuzz_arena_alloc, &run->arena,
							&m2, &size2, &err),
			   "text of an accepted binary model does not read back: %s\n  text: %.2000s",
			   err.message, run->t1.buf);
	fuzz_check_same(m1, size1, m2, size2, "model after a text round trip");
	bm_to_text(m2, fuzz_text_emit, &run->t2);
	fuzz_check_same(run->t1.buf, run->t1.len, run->t2.buf, run->t2.len, "text printed twice");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Run			run;

	memset(&run, 0, sizeof(run));
	fuzz_arena_init(&run.arena, BM_MAX_BYTES);
	if (setjmp(run.arena.bail) == 0)
		check(data, size, &run);
	fuzz_arena_free(&run.arena);
	fuzz_text_free(&run.t1);
	fuzz_text_free(&run.t2);
	free(run.bin);
	return 0;
}
