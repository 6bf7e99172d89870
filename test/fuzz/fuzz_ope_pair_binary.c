/*
 * fuzz_ope_pair_binary.c — ope_pair_from_binary (ope_pair_state's
 * receive) on arbitrary bytes.
 *
 * Rejection: an AB_ERR_BINARY error (22P03) with a message.  Acceptance:
 * the state validates; writing it back gives the input bytes; its text
 * form reads back to the same bits.
 */
#include "fuzz_common.h"

#include "ope_pair_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpePair    *p1 = calloc(1, sizeof(OpePair)),
			   *p2 = calloc(1, sizeof(OpePair));
	size_t		tmax,
				len;
	char	   *text;
	unsigned char *bin;
	AbError		err;

	FUZZ_CHECK(p1 && p2, "out of memory");
	fuzz_error_init(&err);
	if (!ope_pair_from_binary(data, size, p1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_BINARY), "ope_pair_from_binary");
		free(p1);
		free(p2);
		return 0;
	}
	FUZZ_CHECK(ope_pair_validate(p1, AB_ERR_BINARY, &err), "accepted bytes do not validate: %s", err.message);
	FUZZ_CHECK(ope_pair_binary_size(p1) == size, "binary size %zu for %zu input bytes",
			   ope_pair_binary_size(p1), size);
	bin = malloc(size ? size : 1);
	FUZZ_CHECK(bin != NULL, "out of memory");
	ope_pair_to_binary(p1, bin);
	fuzz_check_same(data, size, bin, size, "binary written back");
	tmax = ope_pair_text_max(p1);
	text = malloc(tmax);
	FUZZ_CHECK(text != NULL, "out of memory");
	len = ope_pair_to_text(p1, text);
	FUZZ_CHECK(len < tmax, "text of %zu bytes, room for %zu", len, tmax);
	FUZZ_CHECK(ope_pair_from_text(text, len, p2, &err), "text form does not read back: %s", err.message);
	fuzz_check_same(p1, sizeof(OpePair), p2, sizeof(OpePair), "state after a text round trip");
	free(text);
	free(bin);
	free(p1);
	free(p2);
	return 0;
}
