/*
 * ope_pair_codec.c — see ope_pair_codec.h.
 */
#include "ope_pair_codec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "byte_codec.h"
#include "float_text.h"
#include "compsum_text.h"
#include "json_reader.h"
#include "ope_codec.h"

size_t
ope_pair_text_max(const OpePair *p)
{
	return 256 + ope_state_text_max(&p->a) + ope_state_text_max(&p->b) +
		OPE_XNSUMS * (16 + COMPSUM_TEXT_MAX + 1);
}

size_t
ope_pair_to_text(const OpePair *p, char *buf)
{
	size_t		len;
	int			k;
	bool		first = true;

	len = (size_t) sprintf(buf, "{\"version\":%d,\"kind\":\"%s\",\"a\":", (int) p->version,
						   ope_pair_is_dr(p) ? "dr" : "basic");
	len += ope_state_to_text(&p->a, buf + len);
	len += (size_t) sprintf(buf + len, ",\"b\":");
	len += ope_state_to_text(&p->b, buf + len);
	len += (size_t) sprintf(buf + len, ",\"cross\":{");
	for (k = 0; k < OPE_XNSUMS; k++)
	{
		const CompSum *c = &p->cross[k];

		if (compsum_is_plus_zero(c))
			continue;
		len += (size_t) sprintf(buf + len, "%s\"%s\":", first ? "" : ",", ope_pair_sum_names[k]);
		first = false;
		len += compsum_to_text(c, buf + len);
	}
	len += (size_t) sprintf(buf + len, "}}");
	return len;
}

static bool
read_state(JsonReader *r, OpeState *s, AbError *err)
{
	const char *start;
	size_t		n;
	OpeStateBuf buf;

	if (!json_read_object_span(r, &start, &n) || !ope_state_from_text(start, n, &buf.state, err))
		return false;
	if (buf.state.nlambdas != 0)
		return json_fail(r, "the states of a comparison have no lambdas");
	*s = buf.state;
	return true;
}


bool
ope_pair_from_text(const char *text, size_t len, OpePair *p, AbError *err)
{
	static const char *const keys[5] = {"version", "kind", "a", "b", "cross"};
	JsonReader	r;
	JsonIter	it;
	char		kind[8];
	bool		seen[5] = {false};
	int64_t		version;
	int			k;

	memset(p, 0, sizeof(*p));
	json_reader_init(&r, text, len, "ope_pair_state", err);
	if (!json_object_begin(&r, &it))
		return false;
	for (;;)
	{
		if (!json_object_next_known(&r, &it, keys, 5, seen, "key", &k))
			return false;
		if (k < 0)
			break;
		switch (k)
		{
			case 0:
				if (!json_read_int64(&r, &version))
					return false;
				if (version != OPE_PAIR_VERSION)
					return json_fail(&r, "unsupported version %lld", (long long) version);
				p->version = (uint8_t) version;
				break;
			case 1:
				if (!json_read_string(&r, kind, sizeof(kind)))
					return false;
				if (strcmp(kind, "dr") == 0)
					p->flags = OPE_FLAG_DR;
				else if (strcmp(kind, "basic") != 0)
					return json_fail(&r, "kind must be \"basic\" or \"dr\"");
				break;
			case 2:
				if (!read_state(&r, &p->a, err))
					return false;
				break;
			case 3:
				if (!read_state(&r, &p->b, err))
					return false;
				break;
			case 4:
				if (!json_read_compsum_object(&r, ope_pair_sum_names, OPE_XNSUMS, p->cross))
					return false;
				break;
		}
	}
	if (!json_finish(&r))
		return false;
	for (k = 0; k < 5; k++)
		if (!seen[k])
			return json_fail(&r, "missing key \"%s\"", keys[k]);
	return ope_pair_validate(p, AB_ERR_SYNTAX, err);
}

size_t
ope_pair_binary_size(const OpePair *p)
{
	return 8 + 4 + ope_state_binary_size(&p->a) + 4 + ope_state_binary_size(&p->b) + OPE_XNSUMS * 16;
}

void
ope_pair_to_binary(const OpePair *p, unsigned char *buf)
{
	ByteWriter	w = {buf};
	size_t		la = ope_state_binary_size(&p->a),
				lb = ope_state_binary_size(&p->b);
	int			k;

	bw_u8(&w, p->version);
	bw_u8(&w, p->flags);
	bw_u16(&w, p->reserved);
	bw_u32(&w, p->reserved2);
	bw_u32(&w, (uint32_t) la);
	ope_state_to_binary(&p->a, w.p);
	w.p += la;
	bw_u32(&w, (uint32_t) lb);
	ope_state_to_binary(&p->b, w.p);
	w.p += lb;
	for (k = 0; k < OPE_XNSUMS; k++)
	{
		bw_f64(&w, p->cross[k].hi);
		bw_f64(&w, p->cross[k].lo);
	}
}

static bool
read_binary_state(ByteReader *r, OpeState *s, AbError *err)
{
	uint32_t	n = br_u32(r);
	OpeStateBuf buf;

	if (r->truncated || (size_t) (r->end - r->p) < n)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_pair_state: truncated");
	if (!ope_state_from_binary(r->p, n, &buf.state, err))
		return false;
	if (buf.state.nlambdas != 0)
		return ab_fail(err, AB_ERR_BINARY, "the states of a comparison have no lambdas");
	*s = buf.state;
	r->p += n;
	return true;
}

bool
ope_pair_from_binary(const unsigned char *buf, size_t len, OpePair *p, AbError *err)
{
	ByteReader	r = {buf, buf + len, false};
	int			k;

	memset(p, 0, sizeof(*p));
	p->version = br_u8(&r);
	p->flags = br_u8(&r);
	p->reserved = br_u16(&r);
	p->reserved2 = br_u32(&r);
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_pair_state: truncated");
	if (p->version != OPE_PAIR_VERSION)
		return ab_fail(err, AB_ERR_BINARY, "unsupported ope_pair_state version %d", (int) p->version);
	if (!read_binary_state(&r, &p->a, err) || !read_binary_state(&r, &p->b, err))
		return false;
	for (k = 0; k < OPE_XNSUMS; k++)
	{
		p->cross[k].hi = br_f64(&r);
		p->cross[k].lo = br_f64(&r);
	}
	if (r.truncated || r.p != r.end)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_pair_state: %zu bytes do not match its contents", len);
	return ope_pair_validate(p, AB_ERR_BINARY, err);
}
