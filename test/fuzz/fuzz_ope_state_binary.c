/*
 * fuzz_ope_state_binary.c — ope_state_from_binary (the type's recv) on
 * arbitrary bytes.
 *
 * Rejection: an AB_ERR_BINARY error (SQLSTATE 22P03) with a message.
 * Acceptance: exactly OPE_BINARY_SIZE bytes; the state validates; writing
 * it back gives the input bytes; its text form reads back to the same bits
 * (so binary COPY -> text dump -> restore loses nothing) and prints the
 * same text again.
 */
#include "fuzz_common.h"

#include "ope_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpeState	s1,
				s2;
	AbError		err;
	char	   *t1,
			   *t2;
	unsigned char *b1,
			   *b2;
	size_t		len1,
				len2;

	fuzz_error_init(&err);
	if (!ope_state_from_binary(data, size, &s1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_BINARY), "ope_state_from_binary");
		return 0;
	}
	FUZZ_CHECK(size == OPE_BINARY_SIZE, "accepted %zu bytes, expected %d", size,
			   (int) OPE_BINARY_SIZE);
	FUZZ_CHECK(ope_state_validate(&s1, AB_ERR_BINARY, &err),
			   "accepted binary does not validate: %s", err.message);

	t1 = malloc(OPE_TEXT_MAX);
	t2 = malloc(OPE_TEXT_MAX);
	b1 = malloc(OPE_BINARY_SIZE);
	b2 = malloc(OPE_BINARY_SIZE);
	FUZZ_CHECK(t1 && t2 && b1 && b2, "out of memory");

	/* binary -> state -> binary: the input bytes */
	ope_state_to_binary(&s1, b1);
	fuzz_check_same(data, size, b1, OPE_BINARY_SIZE, "binary written back");

	/* state -> text -> state: same bits, same text */
	len1 = ope_state_to_text(&s1, t1);
	FUZZ_CHECK(len1 < OPE_TEXT_MAX && strlen(t1) == len1, "bad text length %zu", len1);
	FUZZ_CHECK(ope_state_from_text(t1, len1, &s2, &err),
			   "text of an accepted binary state does not read back: %s\n  text: %s",
			   err.message, t1);
	ope_state_to_binary(&s2, b2);
	if (memcmp(b1, b2, OPE_BINARY_SIZE) != 0)
		fprintf(stderr, "text: %s\n", t1);
	fuzz_check_same(b1, OPE_BINARY_SIZE, b2, OPE_BINARY_SIZE,
					"binary after a text round trip");
	len2 = ope_state_to_text(&s2, t2);
	fuzz_check_same(t1, len1, t2, len2, "text printed twice");

	free(t1);
	free(t2);
	free(b1);
	free(b2);
	return 0;
}
