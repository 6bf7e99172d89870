/*
 * fuzz_banditmodel_text.c — bm_from_text (the type's input function) on
 * arbitrary bytes.
 *
 * Rejection: AB_ERR_SYNTAX (22P02) or AB_ERR_LIMIT (54000), with a message.
 * Acceptance: the model validates at the size returned; it prints text that
 * reads back to the same bytes and prints the same text again; its binary
 * form reads back to the same bytes.
 * Allocation: every request is at most BM_MAX_BYTES (a "dim" of 10^9 must
 * be refused before anything is allocated); everything the decoder
 * allocated, on success or failure, is freed at the end.
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
			   *m2,
			   *m3;
	size_t		size1,
				size2,
				size3;
	AbError		err;

	fuzz_error_init(&err);
	if (!bm_from_text((const char *) data, size, fuzz_arena_alloc, &run->arena,
					  &m1, &size1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_SYNTAX) | FUZZ_KIND(AB_ERR_LIMIT),
							 "bm_from_text");
		return;
	}
	FUZZ_CHECK(bm_validate(m1, size1, AB_ERR_SYNTAX, &err),
			   "accepted text does not validate: %s", err.message);

	/* model -> text -> model: same bytes; text printed twice is the same */
	bm_to_text(m1, fuzz_text_emit, &run->t1);
	FUZZ_CHECK(bm_from_text(run->t1.buf, run->t1.len, fuzz_arena_alloc, &run->arena,
							&m2, &size2, &err),
			   "printed text does not read back: %s\n  text: %.2000s", err.message, run->t1.buf);
	fuzz_check_same(m1, size1, m2, size2, "model after a text round trip");
	bm_to_text(m2, fuzz_text_emit, &run->t2);
	fuzz_check_same(run->t1.buf, run->t1.len, run->t2.buf, run->t2.len, "text printed twice");

	/* model -> binary -> model: same bytes */
	run->bin = malloc(size1);
	FUZZ_CHECK(run->bin != NULL, "out of memory");
	bm_to_binary(m1, run->bin);
	FUZZ_CHECK(bm_from_binary(run->bin, size1, fuzz_arena_alloc, &run->arena,
							  &m3, &size3, &err),
			   "binary form of an accepted model does not read back: %s", err.message);
	fuzz_check_same(m1, size1, m3, size3, "model after a binary round trip");
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
