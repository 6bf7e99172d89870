/*
 * bench_float_text.c — the "text output" row of make bench (issue 13.7):
 * float_to_text (libpgcommon's Ryu, src/core/float_text.c) against the
 * printf/strtod search it replaced (test/unit/float_text_reference.c), over
 * the same doubles, in one program so that before and after are timed side
 * by side.  Reads the doubles, one per line, from stdin (make bench feeds it
 * the doubles of its d = 1024 model), then
 *   - checks both printers on them and on `random` random bit patterns:
 *     the same text, or a difference test/unit/test_float_text.c explains
 *     (an exact midpoint printed longer, a power of two printed shorter),
 *     and every text reads back to the same bits;
 *   - times a pass of each printer over the doubles, alternating, `reps`
 *     times, and prints the medians (ns per double) and their ratio.
 * Usage: bench_float_text REPS RANDOM < doubles
 * Output: one line "key=value ..."; exit 1 on an unexplained difference.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "float_text.h"
#include "float_text_reference.h"

static long n_same = 0,
			n_midpoint = 0,
			n_shorter = 0,
			n_bad = 0;

static int
digits(const char *s)
{
	int			n = 0,
				last = 0,
				started = 0;

	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
		{
			started |= *s != '0';
			if (started && ++n && *s != '0')
				last = n;
		}
	return last;
}

static void
check(double v)
{
	char		got[FLOAT_TEXT_LEN],
				want[FLOAT_TEXT_LEN];
	double		back = 0;

	float_to_text(v, got);
	reference_float_to_text(v, want);
	if (isfinite(v) && (!text_to_float(got, strlen(got), &back) || memcmp(&back, &v, sizeof(v)) != 0))
		n_bad++;
	else if (strcmp(got, want) == 0)
		n_same++;
	else if (reference_is_midpoint(v, want) && digits(got) > digits(want))
		n_midpoint++;
	else if (digits(got) < digits(want))
		n_shorter++;
	else
	{
		if (n_bad++ < 5)
			fprintf(stderr, "bench_float_text: %a printed %s, the old printer %s\n", v, got, want);
	}
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One pass of a printer over vals; returns ns per double. */
static double
pass(int (*print) (double, char *), const double *vals, size_t n, unsigned long *sink)
{
	char		buf[FLOAT_TEXT_LEN];
	double		t0 = now_ns();
	size_t		i;

	for (i = 0; i < n; i++)
		*sink += (unsigned long) print(vals[i], buf) + (unsigned char) buf[0];
	return (now_ns() - t0) / (double) n;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int			reps = argc > 1 ? atoi(argv[1]) : 5;
	long		nrandom = argc > 2 ? atol(argv[2]) : 0;
	size_t		n = 0,
				cap = 1 << 20,
				i;
	double	   *vals = malloc(cap * sizeof(double));
	double	   *t_old = calloc(reps > 0 ? reps : 1, sizeof(double));
	double	   *t_new = calloc(reps > 0 ? reps : 1, sizeof(double));
	char		line[128];
	uint64_t	seed = 0x5eed13;
	unsigned long sink = 0;
	double		old_ns,
				new_ns;
	int			r;

	if (vals == NULL || t_old == NULL || t_new == NULL || reps < 1)
		return 2;
	while (fgets(line, sizeof(line), stdin))
	{
		if (n == cap && (vals = realloc(vals, (cap *= 2) * sizeof(double))) == NULL)
			return 2;
		vals[n++] = strtod(line, NULL);
	}
	if (n == 0)
	{
		fprintf(stderr, "bench_float_text: no doubles on stdin\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		check(vals[i]);
	for (i = 0; i < (size_t) nrandom; i++)
	{
		/* splitmix64 */
		uint64_t	z = (seed += 0x9E3779B97F4A7C15ULL);
		double		v;

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		memcpy(&v, &z, sizeof(v));
		check(v);
	}
	for (r = 0; r < reps; r++)
	{
		t_old[r] = pass(reference_float_to_text, vals, n, &sink);
		t_new[r] = pass(float_to_text, vals, n, &sink);
	}
	qsort(t_old, reps, sizeof(double), cmp_double);
	qsort(t_new, reps, sizeof(double), cmp_double);
	old_ns = t_old[reps / 2];
	new_ns = t_new[reps / 2];
	printf("doubles=%zu old_ns=%.1f new_ns=%.1f ratio=%.1f checked=%ld same=%ld midpoints=%ld shorter=%ld bad=%ld sink=%lu\n",
		   n, old_ns, new_ns, old_ns / new_ns, n_same + n_midpoint + n_shorter + n_bad,
		   n_same, n_midpoint, n_shorter, n_bad, sink % 10);
	return n_bad == 0 ? 0 : 1;
}
