/*
 * ope_boot_codec.c — see ope_boot_codec.h.
 */
#include "ope_boot_codec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "byte_codec.h"
#include "float_text.h"
#include "compsum_text.h"
#include "json_reader.h"
#include "ope_codec.h"

#define SUM_TEXT_MAX (COMPSUM_TEXT_MAX + 1)

size_t
ope_boot_text_max(const OpeBootstrap *b)
{
	return 256 + ope_state_text_max(&b->base) +
		(size_t) OPE_BNSUMS * (16 + (size_t) b->replicates * SUM_TEXT_MAX);
}

size_t
ope_boot_to_text(const OpeBootstrap *b, char *buf)
{
	size_t		len;
	int			k,
				r;

	len = (size_t) sprintf(buf, "{\"version\":%d,\"kind\":\"%s\",\"replicates\":%d,\"seed\":%lld,\"base\":",
						   (int) b->version, ope_boot_is_dr(b) ? "dr" : "basic", b->replicates,
						   (long long) b->seed);
	len += ope_state_to_text(&b->base, buf + len);
	len += (size_t) sprintf(buf + len, ",\"sums\":{");
	for (k = 0; k < (ope_boot_is_dr(b) ? OPE_BNSUMS : OPE_B_V); k++)
	{
		len += (size_t) sprintf(buf + len, "%s\"%s\":[", k ? "," : "", ope_boot_sum_names[k]);
		for (r = 0; r < b->replicates; r++)
		{
			if (r)
				buf[len++] = ',';
		{
			CompSum		c = ope_boot_sum(b, k, r);

			len += compsum_to_text(&c, buf + len);
		}
		}
		buf[len++] = ']';
	}
	len += (size_t) sprintf(buf + len, "}}");
	return len;
}

/* ---- text input ---- */

static const char *const top_keys[] = {"version", "kind", "replicates", "seed", "base", "sums"};
#define NKEYS 6

static bool
read_sums(JsonReader *r, OpeBootstrap *b)
{
	JsonIter	it,
				ait;
	bool		done,
				seen[OPE_BNSUMS] = {false};

	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		int			k,
					n;

		if (!json_object_next_known(r, &it, ope_boot_sum_names, OPE_BNSUMS, seen, "sum", &k))
			return false;
		if (k < 0)
			return true;
		if (!json_array_begin(r, &ait))
			return false;
		for (n = 0;; n++)
		{
			CompSum		c;

			if (!json_array_next(r, &ait, &done))
				return false;
			if (done)
				break;
			if (n >= b->replicates)
				return json_fail(r, "sum \"%s\" has more than %d replicates", ope_boot_sum_names[k], b->replicates);
			if (!json_read_compsum(r, &c))
				return false;
			ope_boot_set_sum(b, k, n, c);
		}
		if (n != b->replicates)
			return json_fail(r, "sum \"%s\" has %d replicates, expected %d", ope_boot_sum_names[k], n, b->replicates);
	}
}

bool
ope_boot_from_text(const char *text, size_t len, OpeAllocFn alloc, void *ctx,
				   OpeBootstrap **out, AbError *err)
{
	JsonReader	r;
	JsonIter	it;
	char		kind[8];
	bool		seen[NKEYS] = {false};
	int64_t		version = 0,
				replicates = 0,
				seed = 0;
	OpeBootstrap *b = NULL;
	OpeStateBuf base;

	json_reader_init(&r, text, len, "ope_bootstrap_state", err);
	if (!json_object_begin(&r, &it))
		return false;
	for (;;)
	{
		int			k;

		if (!json_object_next_known(&r, &it, top_keys, NKEYS, seen, "key", &k))
			return false;
		if (k < 0)
			break;
		/* the fixed fields come first: the sums need the replicate count */
		if (k >= 4 && !(seen[0] && seen[1] && seen[2] && seen[3]))
			return json_fail(&r, "\"version\", \"kind\", \"replicates\" and \"seed\" must come before \"%s\"", top_keys[k]);
		/* the four fixed fields known (in any order): the state can be made */
		if (k >= 4 && b == NULL)
		{
			b = alloc(ctx, ope_boot_bytes((int) replicates));
			if (b == NULL)
				return ab_fail(err, AB_ERR_LIMIT, "out of memory for %lld replicates", (long long) replicates);
			ope_boot_init(b, strcmp(kind, "dr") == 0, (int) replicates, seed);
		}
		seen[k] = true;
		switch (k)
		{
			case 0:
				if (!json_read_int64(&r, &version))
					return false;
				if (version != OPE_BOOT_VERSION)
					return json_fail(&r, "unsupported version %lld", (long long) version);
				break;
			case 1:
				if (!json_read_string(&r, kind, sizeof(kind)))
					return false;
				if (strcmp(kind, "dr") != 0 && strcmp(kind, "basic") != 0)
					return json_fail(&r, "kind must be \"basic\" or \"dr\"");
				break;
			case 2:
				if (!json_read_int64(&r, &replicates))
					return false;
				if (!ope_boot_check_replicates(replicates, NULL))
					return json_fail(&r, "replicates must be in 1..%d", OPE_BOOT_MAX_REPLICATES);
				break;
			case 3:
				if (!json_read_int64(&r, &seed))
					return false;
				break;
			case 4:
				{
					const char *start;
					size_t		n;

					if (!json_read_object_span(&r, &start, &n))
						return false;
					if (!ope_state_from_text(start, n, &base.state, err))
						return false;
					if (base.state.nlambdas != 0)
						return json_fail(&r, "the base state of a bootstrap has no lambdas");
					b->base = base.state;
				}
				break;
			case 5:
				if (!read_sums(&r, b))
					return false;
				break;
		}
	}
	if (!json_finish(&r))
		return false;
	if (!seen[4] || !seen[5] || b == NULL)
		return json_fail(&r, "missing key \"%s\"", !seen[4] ? "base" : "sums");
	if (!ope_boot_validate(b, AB_ERR_SYNTAX, err))
		return false;
	*out = b;
	return true;
}

/* ---- binary ---- */

size_t
ope_boot_binary_size(const OpeBootstrap *b)
{
	return 20 + ope_state_binary_size(&b->base) + (size_t) b->replicates * OPE_BNSUMS * 16;
}

void
ope_boot_to_binary(const OpeBootstrap *b, unsigned char *buf)
{
	ByteWriter	w = {buf};
	size_t		i,
				base = ope_state_binary_size(&b->base),
				n = (size_t) b->replicates * OPE_BNSUMS;

	bw_u8(&w, b->version);
	bw_u8(&w, b->flags);
	bw_u16(&w, b->reserved);
	bw_u32(&w, (uint32_t) b->replicates);
	bw_i64(&w, b->seed);
	bw_u32(&w, (uint32_t) base);
	ope_state_to_binary(&b->base, w.p);
	w.p += base;
	for (i = 0; i < n; i++)
	{
		CompSum		c = ope_boot_sum(b, (int) (i / b->replicates), (int) (i % b->replicates));

		bw_f64(&w, c.hi);
		bw_f64(&w, c.lo);
	}
}

bool
ope_boot_from_binary(const unsigned char *buf, size_t len, OpeAllocFn alloc, void *ctx,
					 OpeBootstrap **out, AbError *err)
{
	ByteReader	r = {buf, buf + len, false};
	uint8_t		version,
				flags;
	uint16_t	reserved;
	int32_t		replicates;
	int64_t		seed;
	uint32_t	base_len;
	OpeStateBuf base;
	OpeBootstrap *b;
	size_t		i,
				n;

	version = br_u8(&r);
	flags = br_u8(&r);
	reserved = br_u16(&r);
	replicates = (int32_t) br_u32(&r);
	seed = br_i64(&r);
	base_len = br_u32(&r);
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_bootstrap_state: truncated");
	if (version != OPE_BOOT_VERSION)
		return ab_fail(err, AB_ERR_BINARY, "unsupported ope_bootstrap_state version %d", (int) version);
	if (!ope_boot_check_replicates(replicates, err))
	{
		err->kind = AB_ERR_BINARY;
		return false;
	}
	if ((size_t) (r.end - r.p) < base_len ||
		len != 20 + (size_t) base_len + (size_t) replicates * OPE_BNSUMS * 16)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_bootstrap_state: %zu bytes do not match its header", len);
	if (!ope_state_from_binary(r.p, base_len, &base.state, err))
		return false;
	r.p += base_len;
	if (base.state.nlambdas != 0)
		return ab_fail(err, AB_ERR_BINARY, "the base state of a bootstrap has no lambdas");
	b = alloc(ctx, ope_boot_bytes(replicates));
	if (b == NULL)
		return ab_fail(err, AB_ERR_LIMIT, "out of memory for %d replicates", (int) replicates);
	memset(b, 0, ope_boot_bytes(replicates));
	b->version = version;
	b->flags = flags;
	b->reserved = reserved;
	b->replicates = replicates;
	b->seed = seed;
	b->base = base.state;
	n = (size_t) replicates * OPE_BNSUMS;
	for (i = 0; i < n; i++)
	{
		CompSum		c;

		c.hi = br_f64(&r);
		c.lo = br_f64(&r);
		ope_boot_set_sum(b, (int) (i / b->replicates), (int) (i % b->replicates), c);
	}
	if (r.truncated || !ope_boot_validate(b, AB_ERR_BINARY, err))
		return r.truncated ? ab_fail(err, AB_ERR_BINARY, "invalid binary ope_bootstrap_state: truncated") : false;
	*out = b;
	return true;
}
