/*
 * fuzz_ope_pair_text.c — ope_pair_from_text (ope_pair_state's input) on
 * arbitrary bytes.
 *
 * Rejection: an AB_ERR_SYNTAX error (22P02) with a message.  Acceptance:
 * the state validates; its text reads back to the same bits and prints the
 * same text; its binary form reads back to the same bits.
 */
#include "fuzz_common.h"

#include "ope_pair_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpePair    *p1 = calloc(1, sizeof(OpePair)),
			   *p2 = calloc(1, sizeof(OpePair)),
			   *p3 = calloc(1, sizeof(OpePair));
	size_t		tmax,
				bsize,
				len1,
				len2;
	char	   *t1,
			   *t2;
	unsigned char *bin;
	AbError		err;

	FUZZ_CHECK(p1 && p2 && p3, "out of memory");
	fuzz_error_init(&err);
	if (!ope_pair_from_text((const char *) data, size, p1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_SYNTAX), "ope_pair_from_text");
		free(p1);
		free(p2);
		free(p3);
		return 0;
	}
	FUZZ_CHECK(ope_pair_validate(p1, AB_ERR_SYNTAX, &err), "accepted text does not validate: %s", err.message);
	tmax = ope_pair_text_max(p1);
	t1 = malloc(tmax);
	t2 = malloc(tmax);
	FUZZ_CHECK(t1 && t2, "out of memory");
	len1 = ope_pair_to_text(p1, t1);
	FUZZ_CHECK(len1 < tmax, "text of %zu bytes, room for %zu", len1, tmax);
	FUZZ_CHECK(ope_pair_from_text(t1, len1, p2, &err), "printed text does not read back: %s", err.message);
	fuzz_check_same(p1, sizeof(OpePair), p2, sizeof(OpePair), "state after a text round trip");
	len2 = ope_pair_to_text(p2, t2);
	fuzz_check_same(t1, len1, t2, len2, "text printed twice");
	bsize = ope_pair_binary_size(p1);
	bin = malloc(bsize);
	FUZZ_CHECK(bin != NULL, "out of memory");
	ope_pair_to_binary(p1, bin);
	FUZZ_CHECK(ope_pair_from_binary(bin, bsize, p3, &err), "binary form does not read back: %s", err.message);
	fuzz_check_same(p1, sizeof(OpePair), p3, sizeof(OpePair), "state after a binary round trip");
	free(bin);
	free(t1);
	free(t2);
	free(p1);
	free(p2);
	free(p3);
	return 0;
}
