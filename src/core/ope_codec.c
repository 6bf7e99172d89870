/*
 * ope_codec.c — see ope_codec.h.
 */
#include "ope_codec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "byte_codec.h"
#include "float_text.h"
#include "json_reader.h"

/* ---- text output ---- */

typedef struct TextOut
{
	char	   *buf;
	size_t		len;
} TextOut;

static void
put_str(TextOut *o, const char *s)
{
	size_t		n = strlen(s);

	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_double(TextOut *o, double v)
{
	o->len += (size_t) float_to_text(v, o->buf + o->len);
}

static void
put_int64(TextOut *o, const char *key, int64_t v)
{
	o->len += (size_t) sprintf(o->buf + o->len, ",\"%s\":%lld", key, (long long) v);
}

size_t
ope_state_to_text(const OpeState *s, char *buf)
{
	TextOut		o = {buf, 0};
	int			i;
	bool		first = true;

	o.len = (size_t) sprintf(buf, "{\"version\":%d,\"kind\":\"%s\"",
							 (int) s->version, ope_state_is_dr(s) ? "dr" : "basic");
	put_int64(&o, "n", s->n);
	put_int64(&o, "n_skipped", s->n_skipped);
	put_int64(&o, "n_matched", s->n_matched);
	if (s->n == 0)
		put_str(&o, ",\"max_weight\":null,\"min_propensity\":null");
	else
	{
		put_str(&o, ",\"max_weight\":");
		put_double(&o, s->max_weight);
		put_str(&o, ",\"min_propensity\":");
		put_double(&o, s->min_propensity);
	}
	put_str(&o, ",\"sums\":{");
	for (i = 0; i < OPE_NSUMS; i++)
	{
		const CompSum *c = &s->sums[i];

		/* omitted only when both halves are +0, so -0 survives the round trip */
		if (c->hi == 0.0 && c->lo == 0.0 && !signbit(c->hi) && !signbit(c->lo))
			continue;
		if (!first)
			put_str(&o, ",");
		first = false;
		put_str(&o, "\"");
		put_str(&o, ope_sum_names[i]);
		put_str(&o, "\":");
		if (c->lo == 0.0 && !signbit(c->lo))
			put_double(&o, c->hi);
		else
		{
			put_str(&o, "[");
			put_double(&o, c->hi);
			put_str(&o, ",");
			put_double(&o, c->lo);
			put_str(&o, "]");
		}
	}
	put_str(&o, "}}");
	buf[o.len] = '\0';
	return o.len;
}

/* ---- text input ---- */

enum
{
	KEY_VERSION, KEY_KIND, KEY_N, KEY_N_SKIPPED, KEY_N_MATCHED,
	KEY_MAX_WEIGHT, KEY_MIN_PROPENSITY, KEY_SUMS, NKEYS
};

static const char *const top_keys[NKEYS] = {
	"version", "kind", "n", "n_skipped", "n_matched",
	"max_weight", "min_propensity", "sums"
};

static int
find_key(const char *key, const char *const *keys, int nkeys)
{
	int			i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(key, keys[i]) == 0)
			return i;
	return -1;
}

/* A double, or null (then *is_null); null is allowed only where asked. */
static bool
read_optional_double(JsonReader *r, double *out, bool *is_null)
{
	*is_null = json_next_is_null(r);
	if (*is_null)
	{
		*out = 0.0;
		return true;
	}
	return json_read_double(r, out);
}

/* A sum: a number, or [hi, lo]. */
static bool
read_sum(JsonReader *r, CompSum *c)
{
	JsonIter	it;
	bool		done;

	c->lo = 0.0;
	if (json_peek(r) != '[')
		return json_read_double(r, &c->hi);
	if (!json_array_begin(r, &it) ||
		!json_array_next(r, &it, &done) || done ||
		!json_read_double(r, &c->hi) ||
		!json_array_next(r, &it, &done) || done ||
		!json_read_double(r, &c->lo) ||
		!json_array_next(r, &it, &done))
		return json_fail(r, "a sum must be a number or a pair [hi, lo]");
	if (!done)
		return json_fail(r, "a sum must be a number or a pair [hi, lo]");
	return true;
}

static bool
read_sums(JsonReader *r, OpeState *s)
{
	JsonIter	it;
	char		key[32];
	bool		done;
	bool		seen[OPE_NSUMS] = {false};

	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		int			k;

		if (!json_object_next(r, &it, key, sizeof(key), &done))
			return false;
		if (done)
			return true;
		k = find_key(key, ope_sum_names, OPE_NSUMS);
		if (k < 0)
			return json_fail(r, "unknown sum \"%s\"", key);
		if (seen[k])
			return json_fail(r, "duplicate sum \"%s\"", key);
		seen[k] = true;
		if (!read_sum(r, &s->sums[k]))
			return false;
	}
}

static bool
read_member(JsonReader *r, int k, OpeState *s, bool *null_extreme)
{
	int64_t		i64;
	char		kind[16];
	bool		is_null;

	switch (k)
	{
		case KEY_VERSION:
			if (!json_read_int64(r, &i64))
				return false;
			if (i64 != OPE_STATE_VERSION)
				return json_fail(r, "unsupported version %lld", (long long) i64);
			s->version = (uint8_t) i64;
			return true;
		case KEY_KIND:
			if (!json_read_string(r, kind, sizeof(kind)))
				return false;
			if (strcmp(kind, "dr") == 0)
				s->flags |= OPE_FLAG_DR;
			else if (strcmp(kind, "basic") != 0)
				return json_fail(r, "kind must be \"basic\" or \"dr\"");
			return true;
		case KEY_N:
			return json_read_int64(r, &s->n);
		case KEY_N_SKIPPED:
			return json_read_int64(r, &s->n_skipped);
		case KEY_N_MATCHED:
			return json_read_int64(r, &s->n_matched);
		case KEY_MAX_WEIGHT:
			if (!read_optional_double(r, &s->max_weight, &is_null))
				return false;
			null_extreme[0] = is_null;
			return true;
		case KEY_MIN_PROPENSITY:
			if (!read_optional_double(r, &s->min_propensity, &is_null))
				return false;
			null_extreme[1] = is_null;
			return true;
		case KEY_SUMS:
			return read_sums(r, s);
	}
	return false;
}

bool
ope_state_from_text(const char *text, size_t len, OpeState *s, AbError *err)
{
	JsonReader	r;
	JsonIter	it;
	char		key[32];
	bool		done;
	bool		seen[NKEYS] = {false};
	bool		null_extreme[2] = {false, false};
	int			k;

	memset(s, 0, sizeof(*s));
	json_reader_init(&r, text, len, "ope_state", err);
	if (!json_object_begin(&r, &it))
		return false;
	for (;;)
	{
		if (!json_object_next(&r, &it, key, sizeof(key), &done))
			return false;
		if (done)
			break;
		k = find_key(key, top_keys, NKEYS);
		if (k < 0)
			return json_fail(&r, "unknown key \"%s\"", key);
		if (seen[k])
			return json_fail(&r, "duplicate key \"%s\"", key);
		seen[k] = true;
		if (!read_member(&r, k, s, null_extreme))
			return false;
	}
	if (!json_finish(&r))
		return false;
	for (k = 0; k < NKEYS; k++)
		if (!seen[k])
			return json_fail(&r, "missing key \"%s\"", top_keys[k]);
	if ((null_extreme[0] || null_extreme[1]) != (s->n == 0) ||
		null_extreme[0] != null_extreme[1])
		return json_fail(&r, "max_weight and min_propensity must be null exactly when n is 0");
	return ope_state_validate(s, AB_ERR_SYNTAX, err);
}

/* ---- binary ---- */

void
ope_state_to_binary(const OpeState *s, unsigned char *buf)
{
	ByteWriter	w = {buf};
	int			i;

	bw_u8(&w, s->version);
	bw_u8(&w, s->flags);
	bw_u16(&w, s->reserved);
	bw_u32(&w, s->reserved2);
	bw_i64(&w, s->n);
	bw_i64(&w, s->n_skipped);
	bw_i64(&w, s->n_matched);
	bw_f64(&w, s->max_weight);
	bw_f64(&w, s->min_propensity);
	for (i = 0; i < OPE_NSUMS; i++)
	{
		bw_f64(&w, s->sums[i].hi);
		bw_f64(&w, s->sums[i].lo);
	}
}

bool
ope_state_from_binary(const unsigned char *buf, size_t len, OpeState *s, AbError *err)
{
	ByteReader	r = {buf, buf + len, false};
	int			i;

	memset(s, 0, sizeof(*s));
	s->version = br_u8(&r);
	if (!r.truncated && s->version != OPE_STATE_VERSION)
		return ab_fail(err, AB_ERR_BINARY, "unsupported ope_state version %d", (int) s->version);
	if (len != OPE_BINARY_SIZE)
		return ab_fail(err, AB_ERR_BINARY,
					   "invalid binary ope_state: expected %d bytes, got %zu",
					   (int) OPE_BINARY_SIZE, len);
	s->flags = br_u8(&r);
	s->reserved = br_u16(&r);
	s->reserved2 = br_u32(&r);
	s->n = br_i64(&r);
	s->n_skipped = br_i64(&r);
	s->n_matched = br_i64(&r);
	s->max_weight = br_f64(&r);
	s->min_propensity = br_f64(&r);
	for (i = 0; i < OPE_NSUMS; i++)
	{
		s->sums[i].hi = br_f64(&r);
		s->sums[i].lo = br_f64(&r);
	}
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_state: truncated");
	return ope_state_validate(s, AB_ERR_BINARY, err);
}
