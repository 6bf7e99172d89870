/*
 * fuzz_common.h — shared helpers of the libFuzzer harnesses (test/fuzz).
 *
 * A harness calls one entry point of the pure-C core on the fuzzer's bytes.
 * Rejected input must come back as a clean AbError of the kind the SQL
 * surface maps to the documented SQLSTATE; accepted input must survive a
 * round trip (decode -> encode -> decode) bit for bit.  A failed check
 * prints what went wrong and aborts, which libFuzzer reports as a crash and
 * saves as a reproducer.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_error.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message when cond does not hold (a finding). */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "FUZZ CHECK FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

static inline void
fuzz_error_init(AbError *err)
{
	memset(err, 0, sizeof(*err));
	err->kind = AB_OK;
}

/*
 * A rejection must say why, with one of the allowed kinds (a bit mask of
 * 1 << AbErrorKind): the glue turns the kind into the SQLSTATE the README
 * documents (22P02 for text, 22P03 for binary, 54000 for limits, ...).
 */
#define FUZZ_KIND(k) (1u << (k))

static inline void
fuzz_check_rejection(const AbError *err, unsigned allowed, const char *what)
{
	FUZZ_CHECK(err->kind != AB_OK && (allowed & FUZZ_KIND(err->kind)) != 0,
			   "%s: rejected with unexpected error kind %d: \"%s\"",
			   what, (int) err->kind, err->message);
	FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL &&
			   err->message[0] != '\0',
			   "%s: rejected without a message", what);
}

/* Bit-for-bit equality of two byte ranges, reporting the first difference. */
#define fuzz_check_same(a, alen, b, blen, what) \
	fuzz_check_same_at(a, alen, b, blen, what, __FILE__, __LINE__)

static inline void
fuzz_check_same_at(const void *a, size_t alen, const void *b, size_t blen, const char *what,
				   const char *file, int line)
{
	size_t		i,
				n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (((const unsigned char *) a)[i] != ((const unsigned char *) b)[i])
			break;
	if (alen != blen || i != n)
	{
		fprintf(stderr, "FUZZ CHECK FAILED at %s:%d: %s differs\n"
				"  lengths %zu and %zu, first difference at byte %zu\n",
				file, line, what, alen, blen, i);
		abort();
	}
}

/*
 * An OpeAllocFn for decoders that allocate (ope_boot_from_*): the block is
 * remembered in the FuzzAlloc, so that a rejection can free it too.
 */
typedef struct FuzzAlloc
{
	void	   *p;
	size_t		n;
} FuzzAlloc;

static inline void *
fuzz_alloc(void *ctx, size_t size)
{
	FuzzAlloc  *a = ctx;

	a->p = calloc(1, size);
	FUZZ_CHECK(a->p != NULL, "out of memory");
	a->n = size;
	return a->p;
}

/* ---- a growable output buffer (BmEmitFn) ---- */

typedef struct FuzzText
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} FuzzText;

static inline void
fuzz_text_emit(void *ctx, const char *text, size_t len)
{
	FuzzText   *t = ctx;

	if (t->len + len + 1 > t->cap)
	{
		size_t		cap = t->cap ? t->cap : 256;

		while (cap < t->len + len + 1)
			cap *= 2;
		t->buf = realloc(t->buf, cap);
		FUZZ_CHECK(t->buf != NULL, "out of memory for %zu bytes of text", cap);
		t->cap = cap;
	}
	memcpy(t->buf + t->len, text, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

static inline void
fuzz_text_free(FuzzText *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}

/*
 * ---- a malloc/realloc allocator for the model codecs (BmAllocFn) ----
 *
 * It remembers every block it hands out so that everything is freed at the
 * end of the input, including what a decoder abandoned when it failed.  New
 * bytes are filled with 0xA5 so that a decoder relying on zeroed memory
 * shows up as a round-trip difference.  The API lets the allocator not
 * return (the backend's palloc raises): a request above FUZZ_ALLOC_CAP
 * skips the input by longjmp to the harness; one above BM_MAX_BYTES would
 * mean the decoder did not check its limits before allocating, a finding.
 */
#define FUZZ_ALLOC_CAP ((size_t) 64 * 1024 * 1024)

typedef struct FuzzArena
{
	void	  **ptr;
	size_t	   *size;
	size_t		n;
	size_t		cap;
	size_t		limit;			/* largest request allowed by the API */
	jmp_buf		bail;
	size_t		largest;		/* largest request seen */
} FuzzArena;

static inline void
fuzz_arena_init(FuzzArena *a, size_t limit)
{
	memset(a, 0, sizeof(*a));
	a->limit = limit;
}

static inline void *
fuzz_arena_alloc(void *ctx, void *ptr, size_t size)
{
	FuzzArena  *a = ctx;
	size_t		i = a->n,
				old = 0;
	void	   *p;

	FUZZ_CHECK(size > 0, "allocation of 0 bytes");
	FUZZ_CHECK(size <= a->limit,
			   "allocation of %zu bytes exceeds the decoder's limit of %zu bytes", size, a->limit);
	if (size > a->largest)
		a->largest = size;
	if (size > FUZZ_ALLOC_CAP)
		longjmp(a->bail, 1);
	if (ptr != NULL)
	{
		for (i = 0; i < a->n; i++)
			if (a->ptr[i] == ptr)
				break;
		FUZZ_CHECK(i < a->n, "realloc of a pointer the allocator never returned");
		old = a->size[i];
	}
	else if (a->n == a->cap)
	{
		a->cap = a->cap ? 2 * a->cap : 16;
		a->ptr = realloc(a->ptr, a->cap * sizeof(void *));
		a->size = realloc(a->size, a->cap * sizeof(size_t));
		FUZZ_CHECK(a->ptr != NULL && a->size != NULL, "out of memory");
	}
	p = realloc(ptr, size);
	FUZZ_CHECK(p != NULL, "out of memory for %zu bytes", size);
	if (size > old)
		memset((char *) p + old, 0xA5, size - old);
	a->ptr[i] = p;
	a->size[i] = size;
	if (i == a->n)
		a->n++;
	return p;
}

static inline void
fuzz_arena_free(FuzzArena *a)
{
	size_t		i;

	for (i = 0; i < a->n; i++)
		free(a->ptr[i]);
	free(a->ptr);
	free(a->size);
	a->ptr = NULL;
	a->size = NULL;
	a->n = a->cap = 0;
}

#endif
