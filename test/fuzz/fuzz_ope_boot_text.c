/*
 * fuzz_ope_boot_text.c — ope_boot_from_text (ope_bootstrap_state's input)
 * on arbitrary bytes.
 *
 * Rejection: an AB_ERR_SYNTAX error (22P02) with a message.  Acceptance:
 * the state validates; its text reads back to the same bits and prints the
 * same text; its binary form reads back to the same bits.  Buffers are
 * exactly as large as the codec says, on the heap (AddressSanitizer).
 */
#include "fuzz_common.h"

#include "ope_boot_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpeBootstrap *b1,
			   *b2,
			   *b3;
	FuzzAlloc	a1 = {0},
				a2 = {0},
				a3 = {0};
	size_t		tmax,
				bsize,
				len1,
				len2;
	char	   *t1,
			   *t2;
	unsigned char *bin;
	AbError		err;

	fuzz_error_init(&err);
	if (!ope_boot_from_text((const char *) data, size, fuzz_alloc, &a1, &b1, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_SYNTAX), "ope_boot_from_text");
		free(a1.p);
		return 0;
	}
	FUZZ_CHECK(a1.n == ope_boot_bytes(b1->replicates), "allocated %zu bytes for %d replicates", a1.n, b1->replicates);
	FUZZ_CHECK(ope_boot_validate(b1, AB_ERR_SYNTAX, &err), "accepted text does not validate: %s", err.message);
	tmax = ope_boot_text_max(b1);
	t1 = malloc(tmax);
	t2 = malloc(tmax);
	FUZZ_CHECK(t1 && t2, "out of memory");
	len1 = ope_boot_to_text(b1, t1);
	FUZZ_CHECK(len1 < tmax, "text of %zu bytes, room for %zu", len1, tmax);
	FUZZ_CHECK(ope_boot_from_text(t1, len1, fuzz_alloc, &a2, &b2, &err),
			   "printed text does not read back: %s", err.message);
	fuzz_check_same(b1, a1.n, b2, a2.n, "state after a text round trip");
	len2 = ope_boot_to_text(b2, t2);
	fuzz_check_same(t1, len1, t2, len2, "text printed twice");
	bsize = ope_boot_binary_size(b1);
	bin = malloc(bsize);
	FUZZ_CHECK(bin != NULL, "out of memory");
	ope_boot_to_binary(b1, bin);
	FUZZ_CHECK(ope_boot_from_binary(bin, bsize, fuzz_alloc, &a3, &b3, &err),
			   "binary form does not read back: %s", err.message);
	fuzz_check_same(b1, a1.n, b3, a3.n, "state after a binary round trip");
	free(bin);
	free(t1);
	free(t2);
	free(b1);
	free(b2);
	free(b3);
	return 0;
}
