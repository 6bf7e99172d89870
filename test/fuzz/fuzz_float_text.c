/*
 * fuzz_float_text.c — the number reader and printer every text form rests
 * on (float_text.c: text_to_float, text_to_int64, float_to_text).
 *
 * The input is read two ways:
 *  - as text: text_to_float accepts only finite decimal numbers that
 *    strtod reads completely; an accepted value prints in at most
 *    FLOAT_TEXT_LEN - 1 characters and reads back to the same bits;
 *    text_to_int64 agrees with a reference reader;
 *  - its first 8 bytes as a double: a finite value prints text that reads
 *    back to the same bits and has the fewest significant digits that do
 *    (one digit fewer does not round-trip, or does only as the exact
 *    midpoint between two doubles, which PostgreSQL's printer avoids);
 *    NaN and infinities print as PostgreSQL does.
 */
#include "fuzz_common.h"

#include <errno.h>
#include <float.h>
#include <math.h>

#include "float_text.h"

/* the midpoint of two doubles has 54 significant bits */
typedef char long_double_holds_midpoints[LDBL_MANT_DIG >= 54 ? 1 : -1];

/* s is exactly halfway between v and a neighbouring double */
static bool
is_midpoint(double v, const char *s)
{
	long double x = strtold(s, NULL);

	return x == ((long double) v + (long double) nextafter(v, -INFINITY)) / 2 ||
		x == ((long double) v + (long double) nextafter(v, INFINITY)) / 2;
}

/* Significant digits of a printed finite, non-zero value. */
static int
significant_digits(const char *s)
{
	int			n = 0,
				last = 0;
	bool		started = false;

	for (; *s && *s != 'e'; s++)
	{
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = true;
		if (started)
		{
			n++;
			if (*s != '0')
				last = n;
		}
	}
	return last;
}

static void
check_print(double v)
{
	char	   *buf = malloc(FLOAT_TEXT_LEN);
	char		shorter[64];
	int			len,
				digits;
	double		back;

	FUZZ_CHECK(buf != NULL, "out of memory");
	len = float_to_text(v, buf);
	FUZZ_CHECK(len > 0 && len < FLOAT_TEXT_LEN && strlen(buf) == (size_t) len,
			   "float_to_text(%a) wrote %d characters", v, len);
	if (isnan(v))
		FUZZ_CHECK(strcmp(buf, "NaN") == 0, "NaN printed as %s", buf);
	else if (isinf(v))
		FUZZ_CHECK(strcmp(buf, v > 0 ? "Infinity" : "-Infinity") == 0, "%a printed as %s", v, buf);
	else
	{
		FUZZ_CHECK(text_to_float(buf, (size_t) len, &back),
				   "%a printed as \"%s\", which does not read back", v, buf);
		FUZZ_CHECK(memcmp(&back, &v, sizeof(v)) == 0,
				   "%a printed as \"%s\", which reads back as %a", v, buf, back);
		digits = significant_digits(buf);
		if (v != 0.0 && digits > 1)
		{
			snprintf(shorter, sizeof(shorter), "%.*e", digits - 2, v);
			FUZZ_CHECK(strtod(shorter, NULL) != v || is_midpoint(v, shorter),
					   "%a printed as \"%s\", but \"%s\" reads back too", v, buf, shorter);
		}
	}
	free(buf);
}

/* A straightforward int64 reader: optional '-', digits, no overflow. */
static bool
reference_int64(const char *s, size_t len, int64_t *out)
{
	__int128	acc = 0;
	size_t		i = 0;
	bool		neg = len > 0 && s[0] == '-';

	if (neg)
		i = 1;
	if (i == len)
		return false;
	for (; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		acc = acc * 10 + (s[i] - '0');
		if (acc > (__int128) INT64_MAX + 1)
			return false;
	}
	if (neg)
		acc = -acc;
	if (acc > INT64_MAX || acc < INT64_MIN)
		return false;
	*out = (int64_t) acc;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	double		v,
				ref;
	int64_t		i,
				iref;
	bool		ok,
				iok;
	char	   *copy,
			   *endp;

	ok = text_to_float(s, size, &v);
	if (ok)
	{
		FUZZ_CHECK(isfinite(v), "accepted a non-finite value");
		copy = malloc(size + 1);
		FUZZ_CHECK(copy != NULL, "out of memory");
		memcpy(copy, s, size);
		copy[size] = '\0';
		errno = 0;
		ref = strtod(copy, &endp);
		FUZZ_CHECK(endp == copy + size && memcmp(&ref, &v, sizeof(v)) == 0,
				   "text_to_float(\"%.60s\") = %a, strtod gives %a", copy, v, ref);
		for (size_t j = 0; j < size; j++)
			FUZZ_CHECK(strchr("0123456789+-.eE", copy[j]) != NULL && copy[j] != '\0',
					   "accepted a character outside a decimal number: \"%.60s\"", copy);
		free(copy);
		check_print(v);
	}

	iok = text_to_int64(s, size, &i);
	FUZZ_CHECK(iok == reference_int64(s, size, &iref) && (!iok || i == iref),
			   "text_to_int64 disagrees with the reference on \"%.*s\"",
			   (int) (size > 60 ? 60 : size), s);

	if (size >= sizeof(double))
	{
		memcpy(&v, data, sizeof(v));
		check_print(v);
	}
	return 0;
}
