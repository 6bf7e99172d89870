/*
 * float_text_reference.c — the pre-1.2 printer of src/core/float_text.c,
 * verbatim but for its name: round-tripping at N significant digits is
 * monotone in N, and 17 always suffice, so a binary search over N in
 * [1, 17] finds the shortest digits that read back (under glibc's correctly
 * rounded, ties-to-even strtod) in at most five printf/strtod pairs; they
 * are then laid out as float8out does.
 */
#include "float_text_reference.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "float_text.h"

/* the midpoint of two doubles has 54 significant bits */
typedef char long_double_holds_midpoints[LDBL_MANT_DIG >= 54 ? 1 : -1];

static bool
reads_back(double value, int digits, char *buf)
{
	snprintf(buf, FLOAT_TEXT_LEN, "%.*e", digits - 1, value);
	return strtod(buf, NULL) == value;
}

/*
 * Lay out the significant digits of "%.*e" output (sign, d.ddd, exponent)
 * as PostgreSQL's float8out does: positional notation for decimal exponents
 * from -4 to 14, scientific otherwise (1e+15, 2.5e-07).
 */
static int
layout(const char *sci, char *buf)
{
	char		digits[FLOAT_TEXT_LEN];
	int			ndigits = 0,
				exp10,
				len = 0,
				i;
	const char *p = sci;
	bool		negative = *p == '-';

	if (negative)
		p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[ndigits++] = *p;
	exp10 = atoi(p + 1);
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	if (negative)
		buf[len++] = '-';
	if (exp10 < -4 || exp10 >= 15)
	{
		buf[len++] = digits[0];
		if (ndigits > 1)
		{
			buf[len++] = '.';
			for (i = 1; i < ndigits; i++)
				buf[len++] = digits[i];
		}
		return len + snprintf(buf + len, FLOAT_TEXT_LEN - len, "e%c%02d",
							  exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
	}
	if (exp10 < 0)
	{
		buf[len++] = '0';
		buf[len++] = '.';
		for (i = 0; i < -exp10 - 1; i++)
			buf[len++] = '0';
		for (i = 0; i < ndigits; i++)
			buf[len++] = digits[i];
	}
	else
	{
		for (i = 0; i <= exp10; i++)
			buf[len++] = i < ndigits ? digits[i] : '0';
		if (ndigits > exp10 + 1)
		{
			buf[len++] = '.';
			for (i = exp10 + 1; i < ndigits; i++)
				buf[len++] = digits[i];
		}
	}
	buf[len] = '\0';
	return len;
}

int
reference_float_to_text(double value, char *buf)
{
	char		sci[FLOAT_TEXT_LEN];
	int			lo = 1,
				hi = 17;

	if (isnan(value))
		return snprintf(buf, FLOAT_TEXT_LEN, "NaN");
	if (isinf(value))
		return snprintf(buf, FLOAT_TEXT_LEN, value > 0 ? "Infinity" : "-Infinity");
	if (value == 0.0)
		return snprintf(buf, FLOAT_TEXT_LEN, signbit(value) ? "-0" : "0");

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (reads_back(value, mid, buf))
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(sci, sizeof(sci), "%.*e", lo - 1, value);
	return layout(sci, buf);
}

int
reference_is_midpoint(double v, const char *s)
{
	long double x = strtold(s, NULL);
	long double down = ((long double) v + (long double) nextafter(v, -INFINITY)) / 2;
	long double up = ((long double) v + (long double) nextafter(v, INFINITY)) / 2;

	return isfinite(v) && v != 0.0 && (x == down || x == up);
}
