/*
 * fuzz_ope_state_binary.c — ope_state_from_binary (the type's recv) on
 * arbitrary bytes.
 *
 * Rejection: an AB_ERR_BINARY error (SQLSTATE 22P03) with a message.
 * Acceptance: exactly the size its header announces; the state validates; writing
 * it back gives the input bytes; its text form reads back to the same bits
 * (so binary COPY -> text dump -> restore loses nothing) and prints the
 * same text again.
 */
#include "fuzz_common.h"

#include "ope_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpeStateBuf *s1 = malloc(sizeof(OpeStateBuf)),
			   *s2 = malloc(sizeof(OpeStateBuf));
	AbError		err;
	char	   *t1,
			   *t2;
	unsigned char *b1,
			   *b2;
	size_t		len1,
				len2,
				bsize,
				tmax;

	FUZZ_CHECK(s1 && s2, "out of memory");
	fuzz_error_init(&err);
	if (!ope_state_from_binary(data, size, &s1->state, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_BINARY), "ope_state_from_binary");
		free(s1);
		free(s2);
		return 0;
	}
	bsize = ope_state_binary_size(&s1->state);
	FUZZ_CHECK(size == bsize, "accepted %zu bytes, its binary form is %zu", size, bsize);
	FUZZ_CHECK(ope_state_validate(&s1->state, AB_ERR_BINARY, &err),
			   "accepted binary does not validate: %s", err.message);

	tmax = ope_state_text_max(&s1->state);
	t1 = malloc(tmax);
	t2 = malloc(tmax);
	b1 = malloc(bsize);
	b2 = malloc(bsize);
	FUZZ_CHECK(t1 && t2 && b1 && b2, "out of memory");

	/* binary -> state -> binary: the input bytes */
	ope_state_to_binary(&s1->state, b1);
	fuzz_check_same(data, size, b1, bsize, "binary written back");

	/* state -> text -> state: same bits, same text */
	len1 = ope_state_to_text(&s1->state, t1);
	FUZZ_CHECK(len1 < tmax && strlen(t1) == len1, "bad text length %zu", len1);
	FUZZ_CHECK(ope_state_from_text(t1, len1, &s2->state, &err),
			   "text of an accepted binary state does not read back: %s\n  text: %s",
			   err.message, t1);
	FUZZ_CHECK(ope_state_binary_size(&s2->state) == bsize, "binary size changed in a text round trip");
	ope_state_to_binary(&s2->state, b2);
	if (memcmp(b1, b2, bsize) != 0)
		fprintf(stderr, "text: %s\n", t1);
	fuzz_check_same(b1, bsize, b2, bsize, "binary after a text round trip");
	len2 = ope_state_to_text(&s2->state, t2);
	fuzz_check_same(t1, len1, t2, len2, "text printed twice");

	free(t1);
	free(t2);
	free(b1);
	free(b2);
	free(s1);
	free(s2);
	return 0;
}
