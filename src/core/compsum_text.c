/*
 * compsum_text.c — see compsum_text.h.
 */
#include "compsum_text.h"

#include <string.h>

size_t
compsum_to_text(const CompSum *c, char *p)
{
	size_t		n = 0;

	if (c->lo == 0.0 && !signbit(c->lo))
		return (size_t) float_to_text(c->hi, p);
	p[n++] = '[';
	n += (size_t) float_to_text(c->hi, p + n);
	p[n++] = ',';
	n += (size_t) float_to_text(c->lo, p + n);
	p[n++] = ']';
	return n;
}

bool
json_read_compsum(JsonReader *r, CompSum *c)
{
	JsonIter	it;
	bool		done;

	c->lo = 0.0;
	if (json_peek(r) != '[')
		return json_read_double(r, &c->hi);
	if (!json_array_begin(r, &it) || !json_array_next(r, &it, &done) || done ||
		!json_read_double(r, &c->hi) || !json_array_next(r, &it, &done) || done ||
		!json_read_double(r, &c->lo) || !json_array_next(r, &it, &done) || !done)
		return json_fail(r, "a sum must be a number or a pair [hi, lo]");
	return true;
}

bool
json_read_compsum_object(JsonReader *r, const char *const *names, int nnames, CompSum *sums)
{
	JsonIter	it;
	bool		seen[COMPSUM_MAX_NAMES] = {false};

	if (nnames > COMPSUM_MAX_NAMES)
		return json_fail(r, "internal error: %d sum names", nnames);
	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		int			k;

		if (!json_object_next_known(r, &it, names, nnames, seen, "sum", &k))
			return false;
		if (k < 0)
			return true;
		if (!json_read_compsum(r, &sums[k]))
			return false;
	}
}
