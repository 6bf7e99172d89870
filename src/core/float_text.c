/*
 * float_text.c — shortest round-trip printing and strict parsing of numbers.
 *
 * Round-tripping at N significant digits is monotone in N (if N digits read
 * back exactly, so do N + 1), and 17 always suffice for IEEE doubles, so a
 * binary search over N in [1, 17] finds the shortest exact digits in at most
 * five printf/strtod pairs; they are then laid out as float8out does.  The C locale's decimal point is assumed, as in
 * PostgreSQL backends (LC_NUMERIC is "C").
 */
#include "float_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
float_to_text(double value, char *buf)
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

/* Only digits, sign, '.', and exponent: rejects "inf", "nan", hex, spaces. */
static bool
is_decimal_syntax(const char *s, size_t len)
{
	size_t		i;
	bool		digits = false;

	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c >= '0' && c <= '9')
			digits = true;
		else if (c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E')
			return false;
	}
	return digits;
}

bool
text_to_float(const char *s, size_t len, double *out)
{
	char		small[512];
	char	   *buf = small;
	char	   *end;
	double		v;
	bool		ok;

	if (len == 0 || !is_decimal_syntax(s, len))
		return false;
	/* numbers may be long (many digits are valid JSON); copy to terminate */
	if (len >= sizeof(small) && (buf = malloc(len + 1)) == NULL)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	/* like float8in: overflow and underflow to zero are out of range */
	ok = end == buf + len && isfinite(v) && !(errno == ERANGE && v == 0.0);
	if (buf != small)
		free(buf);
	if (ok)
		*out = v;
	return ok;
}

bool
text_to_int64(const char *s, size_t len, int64_t *out)
{
	size_t		i = 0;
	bool		neg = false;
	uint64_t	acc = 0;
	uint64_t	limit;

	if (len > 0 && s[0] == '-')
	{
		neg = true;
		i = 1;
	}
	if (i == len)
		return false;
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; i < len; i++)
	{
		unsigned	d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned) (s[i] - '0');
		if (acc > (limit - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	*out = neg ? (int64_t) (0 - acc) : (int64_t) acc;
	return true;
}
