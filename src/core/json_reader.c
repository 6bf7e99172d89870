/*
 * json_reader.c — see json_reader.h.  Grammar: RFC 8259, strictly (no
 * comments, no trailing commas, no NaN/Infinity, no leading zeros or '+').
 */
#include "json_reader.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "float_text.h"

void
json_reader_init(JsonReader *r, const char *text, size_t len,
				 const char *what, AbError *err)
{
	r->start = text;
	r->p = text;
	r->end = text + len;
	r->what = what;
	r->err = err;
	r->failed = false;
}

bool
json_fail(JsonReader *r, const char *fmt,...)
{
	char		msg[160];
	va_list		ap;

	if (r->failed)
		return false;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ab_fail(r->err, AB_ERR_SYNTAX,
				   "invalid input syntax for type %s: %s at byte %ld",
				   r->what, msg, (long) (r->p - r->start));
}

static void
skip_ws(JsonReader *r)
{
	while (r->p < r->end &&
		   (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* Consume the character c (after white space) or fail. */
static bool
expect(JsonReader *r, char c)
{
	if (r->failed)
		return false;
	skip_ws(r);
	if (r->p >= r->end || *r->p != c)
		return json_fail(r, "expected '%c'", c);
	r->p++;
	return true;
}

/* Consume c if it is next (after white space). */
static bool
accept(JsonReader *r, char c)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == c)
	{
		r->p++;
		return true;
	}
	return false;
}

bool
json_object_begin(JsonReader *r, JsonIter *it)
{
	it->count = 0;
	return expect(r, '{');
}

bool
json_object_next(JsonReader *r, JsonIter *it, char *key, size_t keysz, bool *done)
{
	if (r->failed)
		return false;
	*done = false;
	if (accept(r, '}'))
	{
		*done = true;
		return true;
	}
	if (it->count > 0 && !expect(r, ','))
		return false;
	if ((++it->count & 4095) == 0)
		AB_CHECK_INTERRUPTS();
	return json_read_string(r, key, keysz) && expect(r, ':');
}

bool
json_object_next_known(JsonReader *r, JsonIter *it, const char *const *keys, int nkeys,
					   bool *seen, const char *what, int *index)
{
	char		key[64];
	bool		done;
	int			k;

	if (!json_object_next(r, it, key, sizeof(key), &done))
		return false;
	if (done)
	{
		*index = -1;
		return true;
	}
	for (k = 0; k < nkeys && strcmp(key, keys[k]) != 0; k++)
		;
	if (k == nkeys)
		return json_fail(r, "unknown %s \"%s\"", what, key);
	if (seen[k])
		return json_fail(r, "duplicate %s \"%s\"", what, key);
	seen[k] = true;
	*index = k;
	return true;
}

bool
json_array_begin(JsonReader *r, JsonIter *it)
{
	it->count = 0;
	return expect(r, '[');
}

bool
json_array_next(JsonReader *r, JsonIter *it, bool *done)
{
	if (r->failed)
		return false;
	*done = false;
	if (accept(r, ']'))
	{
		*done = true;
		return true;
	}
	if (it->count > 0 && !expect(r, ','))
		return false;
	if ((++it->count & 4095) == 0)
		AB_CHECK_INTERRUPTS();
	return true;
}

/* Scan a number token per RFC 8259; returns its length, 0 if none. */
static size_t
scan_number(const char *p, const char *end)
{
	const char *s = p;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return (size_t) (p - s);
}

/* The next number token (after white space): its length, or 0 on error. */
static size_t
next_number(JsonReader *r, const char *what)
{
	size_t		n;

	if (r->failed)
		return 0;
	skip_ws(r);
	/*
	 * Scanned no further than JSON_MAX_NUMBER + 1 bytes: a number token
	 * (any double needs at most ~770 significant digits) longer than that
	 * is refused at once instead of being read for seconds.
	 */
	n = scan_number(r->p, r->end - r->p > JSON_MAX_NUMBER + 1 ? r->p + JSON_MAX_NUMBER + 1 : r->end);
	if (n > JSON_MAX_NUMBER)
	{
		n = 0;
		json_fail(r, "number longer than %d characters", JSON_MAX_NUMBER);
	}
	else if (n == 0)
		json_fail(r, "expected %s", what);
	else if (r->p + n < r->end &&
			 (isalnum((unsigned char) r->p[n]) || r->p[n] == '.' || r->p[n] == '+' || r->p[n] == '-'))
	{
		n = 0;
		json_fail(r, "invalid number");
	}
	return n;
}

bool
json_read_double(JsonReader *r, double *out)
{
	size_t		n = next_number(r, "a number");

	if (n == 0)
		return false;
	if (!text_to_float(r->p, n, out))
		return json_fail(r, "number \"%.*s\" is out of range for type double precision",
						 (int) (n > 40 ? 40 : n), r->p);
	r->p += n;
	return true;
}

bool
json_read_int64(JsonReader *r, int64_t *out)
{
	size_t		n = next_number(r, "an integer");

	if (n == 0)
		return false;
	if (!text_to_int64(r->p, n, out))
		return json_fail(r, "\"%.*s\" is not an integer in the range of bigint",
						 (int) (n > 40 ? 40 : n), r->p);
	r->p += n;
	return true;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(JsonReader *r, unsigned *cp)
{
	int			i;

	*cp = 0;
	if (r->end - r->p < 4)
		return json_fail(r, "truncated \\u escape");
	for (i = 0; i < 4; i++)
	{
		int			h = hex_value(r->p[i]);

		if (h < 0)
			return json_fail(r, "invalid \\u escape");
		*cp = (*cp << 4) | (unsigned) h;
	}
	r->p += 4;
	return true;
}

/* Append a code point as UTF-8; false when it does not fit. */
static bool
put_utf8(char *buf, size_t bufsz, size_t *len, unsigned cp)
{
	char		tmp[4];
	size_t		n,
				i;

	if (cp < 0x80)
	{
		tmp[0] = (char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		tmp[0] = (char) (0xC0 | (cp >> 6));
		tmp[1] = (char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		tmp[0] = (char) (0xE0 | (cp >> 12));
		tmp[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		tmp[0] = (char) (0xF0 | (cp >> 18));
		tmp[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	if (*len + n >= bufsz)
		return false;
	for (i = 0; i < n; i++)
		buf[(*len)++] = tmp[i];
	return true;
}

static bool
read_escape(JsonReader *r, unsigned *cp)
{
	char		c = *r->p++;

	switch (c)
	{
		case '"':
		case '\\':
		case '/':
			*cp = (unsigned) c;
			return true;
		case 'b':
			*cp = '\b';
			return true;
		case 'f':
			*cp = '\f';
			return true;
		case 'n':
			*cp = '\n';
			return true;
		case 'r':
			*cp = '\r';
			return true;
		case 't':
			*cp = '\t';
			return true;
		case 'u':
			if (!read_hex4(r, cp))
				return false;
			if (*cp >= 0xD800 && *cp <= 0xDBFF)
			{
				unsigned	lo;

				if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
					return json_fail(r, "unpaired surrogate in \\u escape");
				r->p += 2;
				if (!read_hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return json_fail(r, "unpaired surrogate in \\u escape");
				*cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			else if (*cp >= 0xDC00 && *cp <= 0xDFFF)
				return json_fail(r, "unpaired surrogate in \\u escape");
			if (*cp == 0)
				return json_fail(r, "\\u0000 is not allowed");
			return true;
		default:
			r->p--;
			return json_fail(r, "invalid escape");
	}
}

bool
json_read_string(JsonReader *r, char *buf, size_t bufsz)
{
	size_t		len = 0;

	if (!expect(r, '"'))
		return false;
	while (r->p < r->end && *r->p != '"')
	{
		unsigned	cp = 0;
		unsigned char c = (unsigned char) *r->p;

		if (c < 0x20)
			return json_fail(r, "control character in string");
		if (c == '\\')
		{
			r->p++;
			if (r->p >= r->end)
				break;
			if (!read_escape(r, &cp))
				return false;
			if (!put_utf8(buf, bufsz, &len, cp))
				return json_fail(r, "string too long");
			continue;
		}
		if (len + 1 >= bufsz)
			return json_fail(r, "string too long");
		buf[len++] = (char) c;
		r->p++;
	}
	if (r->p >= r->end)
		return json_fail(r, "unterminated string");
	r->p++;
	buf[len] = '\0';
	return true;
}

char
json_peek(JsonReader *r)
{
	skip_ws(r);
	return r->p < r->end ? *r->p : '\0';
}

bool
json_next_is_null(JsonReader *r)
{
	if (r->failed)
		return false;
	skip_ws(r);
	if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0)
	{
		r->p += 4;
		return true;
	}
	return false;
}

bool
json_read_bool(JsonReader *r, bool *out)
{
	if (r->failed)
		return false;
	skip_ws(r);
	if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0)
	{
		r->p += 4;
		*out = true;
		return true;
	}
	if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0)
	{
		r->p += 5;
		*out = false;
		return true;
	}
	return json_fail(r, "expected true or false");
}

bool
json_read_object_span(JsonReader *r, const char **start, size_t *len)
{
	const char *p;
	int64_t		depth = 0;

	if (r->failed)
		return false;
	skip_ws(r);
	if (r->p >= r->end || *r->p != '{')
		return json_fail(r, "expected an object");
	p = r->p;
	while (p < r->end)
	{
		char		c = *p++;

		if (c == '"')
		{
			while (p < r->end && *p != '"')
				p += *p == '\\' ? 2 : 1;
			if (p >= r->end)
				return json_fail(r, "unterminated string");
			p++;
		}
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
		{
			*start = r->p;
			*len = (size_t) (p - r->p);
			r->p = p;
			return true;
		}
	}
	return json_fail(r, "unterminated object");
}

bool
json_finish(JsonReader *r)
{
	if (r->failed)
		return false;
	skip_ws(r);
	if (r->p != r->end)
		return json_fail(r, "unexpected data after the end of the value");
	return true;
}
