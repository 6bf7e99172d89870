/*
 * float_text.c — shortest round-trip printing and strict parsing of numbers.
 *
 * Printing is PostgreSQL's own Ryu (libpgcommon's common/shortest_dec.h, a
 * frontend-safe header: the server has the function built in, the unit and
 * fuzz builds link libpgcommon.a), so a double prints exactly as float8out
 * prints it: the shortest digits that read back to the same bits, laid out
 * positionally for decimal exponents -4 to 14 and as 1e+15, 2.5e-07
 * otherwise; "NaN", "Infinity", "-Infinity", "-0".  Where the strictly
 * shortest digits would be the exact midpoint between two doubles (reading
 * back only by ties-to-even; about 1 in 4,000 random bit patterns, all of
 * them large, 2^54 to 2^67) PostgreSQL prints more digits, which read back
 * exactly on any reader.  test/unit/test_float_text.c compares it with the
 * printf/strtod search used before 1.2: the same text but for those, and
 * some powers of two the search printed one digit too long.  Parsing
 * assumes the C locale's decimal point, as in PostgreSQL backends
 * (LC_NUMERIC is "C").
 */
#include "float_text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/shortest_dec.h"

/* callers' buffers hold Ryu's longest output */
typedef char float_text_len_holds_ryu[FLOAT_TEXT_LEN >= DOUBLE_SHORTEST_DECIMAL_LEN ? 1 : -1];

int
float_to_text(double value, char *buf)
{
	return double_to_shortest_decimal_buf(value, buf);
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
