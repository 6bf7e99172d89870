/*
 * fuzz_ope_boot_binary.c — ope_boot_from_binary (ope_bootstrap_state's
 * receive) on arbitrary bytes.
 *
 * Rejection: an AB_ERR_BINARY error (22P03) with a message.  Acceptance:
 * the state validates; writing it back gives the input bytes; its text
 * form reads back to the same bits.
 */
#include "fuzz_common.h"

#include "ope_boot_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpeBootstrap *b1,
			   *b2;
	FuzzAlloc	a1 = {0},
				a2 = {0};
	size_t		tmax,
				len;
	char	   *text;
	unsigned char *bin;
	AbError		err;

	fuzz_error_init(&err);
	if (!ope_boot_from_binary(data, size, fuzz_alloc, &a1, &b1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_BINARY), "ope_boot_from_binary");
		free(a1.p);
		return 0;
	}
	FUZZ_CHECK(ope_boot_validate(b1, AB_ERR_BINARY, &err), "accepted bytes do not validate: %s", err.message);
	FUZZ_CHECK(ope_boot_binary_size(b1) == size, "binary size %zu for %zu input bytes",
			   ope_boot_binary_size(b1), size);
	bin = malloc(size ? size : 1);
	FUZZ_CHECK(bin != NULL, "out of memory");
	ope_boot_to_binary(b1, bin);
	fuzz_check_same(data, size, bin, size, "binary written back");
	tmax = ope_boot_text_max(b1);
	text = malloc(tmax);
	FUZZ_CHECK(text != NULL, "out of memory");
	len = ope_boot_to_text(b1, text);
	FUZZ_CHECK(len < tmax, "text of %zu bytes, room for %zu", len, tmax);
	FUZZ_CHECK(ope_boot_from_text(text, len, fuzz_alloc, &a2, &b2, &err),
			   "text form does not read back: %s", err.message);
	fuzz_check_same(b1, a1.n, b2, a2.n, "state after a text round trip");
	free(text);
	free(bin);
	free(b1);
	free(b2);
	return 0;
}
