/*
 * fuzz_ope_state_text.c — ope_state_from_text on arbitrary bytes.
 *
 * Rejection: an AB_ERR_SYNTAX error (SQLSTATE 22P02) with a message.
 * Acceptance: the state validates; its text reads back to the same bits
 * and prints the same text again; its binary form reads back to the same
 * bits; the text fits OPE_TEXT_MAX (the buffer is exactly that size, on the
 * heap, so AddressSanitizer sees any overrun).
 */
#include "fuzz_common.h"

#include "ope_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpeStateBuf *s1 = malloc(sizeof(OpeStateBuf)),
			   *s2 = malloc(sizeof(OpeStateBuf)),
			   *s3 = malloc(sizeof(OpeStateBuf));
	AbError		err;
	char	   *t1,
			   *t2;
	unsigned char *b1,
			   *b2;
	size_t		len1,
				len2,
				bsize,
				tmax,
				bytes;

	FUZZ_CHECK(s1 && s2 && s3, "out of memory");
	fuzz_error_init(&err);
	if (!ope_state_from_text((const char *) data, size, &s1->state, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_SYNTAX), "ope_state_from_text");
		free(s1);
		free(s2);
		free(s3);
		return 0;
	}
	FUZZ_CHECK(ope_state_validate(&s1->state, AB_ERR_SYNTAX, &err),
			   "accepted text does not validate: %s", err.message);

	tmax = ope_state_text_max(&s1->state);
	bsize = ope_state_binary_size(&s1->state);
	bytes = ope_state_bytes(s1->state.nlambdas);
	t1 = malloc(tmax);
	t2 = malloc(tmax);
	b1 = malloc(bsize);
	b2 = malloc(bsize);
	FUZZ_CHECK(t1 && t2 && b1 && b2, "out of memory");

	/* text -> state -> text -> state: same bits, same text */
	len1 = ope_state_to_text(&s1->state, t1);
	FUZZ_CHECK(len1 < tmax && strlen(t1) == len1, "bad text length %zu", len1);
	FUZZ_CHECK(ope_state_from_text(t1, len1, &s2->state, &err),
			   "printed text does not read back: %s\n  text: %s", err.message, t1);
	if (memcmp(s1, s2, bytes) != 0)
		fprintf(stderr, "text: %s\n", t1);
	fuzz_check_same(s1, bytes, s2, ope_state_bytes(s2->state.nlambdas), "state after a text round trip");
	len2 = ope_state_to_text(&s2->state, t2);
	fuzz_check_same(t1, len1, t2, len2, "text printed twice");

	/* state -> binary -> state: same bits, same binary */
	ope_state_to_binary(&s1->state, b1);
	FUZZ_CHECK(ope_state_from_binary(b1, bsize, &s3->state, &err),
			   "binary form of an accepted state does not read back: %s\n  text: %s",
			   err.message, t1);
	fuzz_check_same(s1, bytes, s3, ope_state_bytes(s3->state.nlambdas), "state after a binary round trip");
	ope_state_to_binary(&s3->state, b2);
	fuzz_check_same(b1, bsize, b2, bsize, "binary written twice");

	free(t1);
	free(t2);
	free(b1);
	free(b2);
	free(s1);
	free(s2);
	free(s3);
	return 0;
}
