/* Shortest round-trip printing and strict number parsing. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "float_text.h"
#include "float_text_reference.h"
#include "unit.h"

/*
 * Random bit patterns compared with the pre-1.2 printer (about 15 us each
 * under ASan; test/bench/bench_float_text.c compares millions more).
 */
#define NRANDOM 200000

static long n_compared = 0;
static long n_midpoints = 0;
static long n_shorter = 0;

/* Significant digits of a printed finite value (trailing zeros excluded). */
static int
significant_digits(const char *s)
{
	int			n = 0,
				last = 0;
	int			started = 0;

	for (; *s && *s != 'e'; s++)
	{
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = 1;
		if (started)
		{
			n++;
			if (*s != '0')
				last = n;
		}
	}
	return last;
}

/*
 * True when one significant digit fewer than text (correctly rounded) does
 * not read back as v, or does only as an exact midpoint: text is as short
 * as it can be without relying on the reader's ties-to-even.
 */
static bool
no_shorter_text(double v, const char *text)
{
	char		shorter[FLOAT_TEXT_LEN];
	int			digits = significant_digits(text);

	if (!isfinite(v) || v == 0.0 || digits <= 1)
		return true;
	snprintf(shorter, sizeof(shorter), "%.*e", digits - 2, v);
	return strtod(shorter, NULL) != v || reference_is_midpoint(v, shorter);
}

/*
 * float_to_text (libpgcommon's Ryu) against the pre-1.2 printf/strtod
 * search: the same text, except (a) where the search's digits are an exact
 * midpoint between two doubles, which PostgreSQL avoids with more digits,
 * and (b) at some powers of two, where the search tried only the nearest
 * decimal of each length and missed a shorter one in the wider half of the
 * interval above (2^-24: 5.960464477539063e-08, not ...0625e-08).  Either
 * way the text reads back to the same bits, and no correctly rounded text
 * one digit shorter does (but for a midpoint).
 */
static void
check_against_reference(double v)
{
	char		got[FLOAT_TEXT_LEN],
				want[FLOAT_TEXT_LEN];
	double		back = 0;
	int			len = float_to_text(v, got);
	bool		same;

	reference_float_to_text(v, want);
	same = strcmp(got, want) == 0;
	n_compared++;
	unit_checks++;
	if (!same && reference_is_midpoint(v, want) &&
		significant_digits(got) > significant_digits(want))
	{
		n_midpoints++;
		same = true;
	}
	if (!same && significant_digits(got) < significant_digits(want))
	{
		n_shorter++;
		same = true;
	}
	if (!same)
	{
		unit_failures++;
		fprintf(stderr, "  %a printed %s, the reference %s\n", v, got, want);
	}
	if (len != (int) strlen(got) || len >= FLOAT_TEXT_LEN)
	{
		unit_failures++;
		fprintf(stderr, "  %a printed %s with length %d\n", v, got, len);
	}
	if (isfinite(v) && (!text_to_float(got, strlen(got), &back) ||
						memcmp(&v, &back, sizeof(v)) != 0))
	{
		unit_failures++;
		fprintf(stderr, "  %a printed %s, which reads back as %a\n", v, got, back);
	}
	if (!no_shorter_text(v, got))
	{
		unit_failures++;
		fprintf(stderr, "  %a printed %s, but one digit fewer reads back\n", v, got);
	}
}

/* v, its neighbours and their negations */
static void
check_around(double v)
{
	double		around[3] = {nextafter(v, -INFINITY), v, nextafter(v, INFINITY)};
	int			i;

	for (i = 0; i < 3; i++)
	{
		check_against_reference(around[i]);
		check_against_reference(-around[i]);
	}
}

static void
compare_with_reference(void)
{
	unsigned long long seed = 20240613;
	char		pow10[16];
	long		i;
	int			e;

	check_around(0.0);
	check_around(DBL_MAX);
	check_around(DBL_MIN);
	check_around(5e-324);
	check_around(DBL_MIN - 5e-324);		/* the largest subnormal */
	check_against_reference(NAN);
	check_against_reference(INFINITY);
	check_against_reference(-INFINITY);
	for (e = -1074; e <= 1023; e++)
		check_around(ldexp(1.0, e));
	for (e = -323; e <= 308; e++)
	{
		snprintf(pow10, sizeof(pow10), "1e%d", e);
		check_around(strtod(pow10, NULL));
	}
	for (i = 1; i <= 100000; i++)
		check_against_reference((double) i * 0.001);
	for (i = 0; i < 100000; i++)
	{
		/* subnormals: random mantissas with a zero exponent field */
		uint64_t	bits = unit_rand_u64(&seed) & 0x800fffffffffffffULL;
		double		v;

		memcpy(&v, &bits, sizeof(v));
		check_against_reference(v);
	}
	for (i = 0; i < NRANDOM; i++)
	{
		uint64_t	bits = unit_rand_u64(&seed);
		double		v;

		memcpy(&v, &bits, sizeof(v));
		check_against_reference(v);
	}
	/* both kinds of difference exist and stay rare: the test sees them */
	CHECK(n_midpoints > 0 && n_midpoints < n_compared / 1000);
	CHECK(n_shorter > 0 && n_shorter < n_compared / 1000);
	printf("     float_text: %ld doubles as the pre-1.2 printer prints them, "
		   "%ld exact midpoints printed longer, %ld powers of two shorter\n",
		   n_compared - n_midpoints - n_shorter, n_midpoints, n_shorter);
}

static void
check_prints(double v, const char *want)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(v, buf);
	CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		fprintf(stderr, "  printed %s, want %s\n", buf, want);
}

void
test_float_text(void)
{
	unsigned long long seed = 42;
	char		buf[FLOAT_TEXT_LEN];
	double		d;
	int64_t		i64;
	int			i;

	check_prints(0.1, "0.1");
	check_prints(1.0 / 3.0, "0.3333333333333333");
	check_prints(5e-324, "5e-324");
	check_prints(-0.0, "-0");
	check_prints(1e300, "1e+300");
	check_prints(1.7976931348623157e308, "1.7976931348623157e+308");
	check_prints(250, "250");
	check_prints(1e14, "100000000000000");
	check_prints(1e15, "1e+15");
	check_prints(123456789012345.6, "123456789012345.6");
	check_prints(0.0001, "0.0001");
	check_prints(0.00001234, "1.234e-05");
	check_prints(-2.5e-7, "-2.5e-07");
	check_prints(1234.5, "1234.5");
	check_prints(NAN, "NaN");
	check_prints(-INFINITY, "-Infinity");
	check_prints(INFINITY, "Infinity");
	check_prints(0.0, "0");
	check_prints(2.2250738585072014e-308, "2.2250738585072014e-308");
	check_prints(2.225073858507201e-308, "2.225073858507201e-308");	/* largest subnormal */
	/* 30892612233637952 = 2^54 * 0x1.b702ab297ac1: "3.089261223363795e+16" is
	 * the midpoint below it; PostgreSQL (float8out) prints 17 digits */
	check_prints(0x1.b702ab297ac1p+54, "3.0892612233637952e+16");
	CHECK(reference_is_midpoint(0x1.b702ab297ac1p+54, "3.089261223363795e+16"));
	/* 2^-24 = 5.9604644775390625e-08 exactly; 16 digits read back from above */
	check_prints(0x1p-24, "5.960464477539063e-08");

	compare_with_reference();

	/* random bit patterns round-trip exactly */
	for (i = 0; i < 100000; i++)
	{
		uint64_t	bits = unit_rand_u64(&seed);
		double		v,
					back = 0;

		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		float_to_text(v, buf);
		CHECK(text_to_float(buf, strlen(buf), &back));
		CHECK(memcmp(&v, &back, sizeof(v)) == 0);
	}

	CHECK(text_to_float("2.5e-3", 6, &d) && d == 2.5e-3);
	CHECK(!text_to_float("1e999", 5, &d));
	CHECK(!text_to_float("inf", 3, &d));
	CHECK(!text_to_float("nan", 3, &d));
	CHECK(!text_to_float("0x10", 4, &d));
	CHECK(!text_to_float(" 1", 2, &d));
	CHECK(!text_to_float("1 ", 2, &d));
	CHECK(!text_to_float("", 0, &d));
	CHECK(text_to_int64("-9223372036854775808", 20, &i64) && i64 == INT64_MIN);
	CHECK(text_to_int64("9223372036854775807", 19, &i64) && i64 == INT64_MAX);
	CHECK(!text_to_int64("9223372036854775808", 19, &i64));
	CHECK(!text_to_int64("-", 1, &i64));
	CHECK(!text_to_int64("1.0", 3, &i64));
}
