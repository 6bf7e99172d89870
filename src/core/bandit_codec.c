/*
 * bandit_codec.c — see bandit_codec.h.
 */
#include "bandit_codec.h"

#include <stdio.h>
#include <string.h>

#include "byte_codec.h"
#include "float_text.h"
#include "json_reader.h"
#include "linalg.h"

/* ---- text output ---- */

static void
emit_str(BmEmitFn emit, void *ctx, const char *s)
{
	emit(ctx, s, strlen(s));
}

static void
emit_double(BmEmitFn emit, void *ctx, double v)
{
	char		buf[FLOAT_TEXT_LEN];
	int			n = float_to_text(v, buf);

	emit(ctx, buf, (size_t) n);
}

static void
emit_arm(const BmArm *arm, uint32_t dim, BmEmitFn emit, void *ctx)
{
	char		buf[96];
	const double *a = arm->data,
			   *b = arm->data + packed_size(dim);
	uint32_t	i,
				j;

	snprintf(buf, sizeof(buf), "{\"action\":%lld,\"n\":%lld,\"weight\":",
			 (long long) arm->action, (long long) arm->n);
	emit_str(emit, ctx, buf);
	emit_double(emit, ctx, arm->weight);
	emit_str(emit, ctx, ",\"sum_wr\":");
	emit_double(emit, ctx, arm->sum_wr);
	emit_str(emit, ctx, ",\"sum_wr2\":");
	emit_double(emit, ctx, arm->sum_wr2);
	emit_str(emit, ctx, ",\"A\":[");
	for (i = 0; i < dim; i++)
	{
		AB_CHECK_INTERRUPTS();
		emit_str(emit, ctx, i ? ",[" : "[");
		for (j = 0; j < dim; j++)
		{
			if (j)
				emit_str(emit, ctx, ",");
			emit_double(emit, ctx, a[j <= i ? packed_index(i, j) : packed_index(j, i)]);
		}
		emit_str(emit, ctx, "]");
	}
	emit_str(emit, ctx, "],\"b\":[");
	for (i = 0; i < dim; i++)
	{
		if (i)
			emit_str(emit, ctx, ",");
		emit_double(emit, ctx, b[i]);
	}
	emit_str(emit, ctx, "]}");
}

void
bm_to_text(const BmHeader *h, BmEmitFn emit, void *ctx)
{
	char		buf[64];
	uint32_t	i;

	snprintf(buf, sizeof(buf), "{\"version\":%d,\"dim\":%u,\"arms\":[", (int) h->version, h->dim);
	emit_str(emit, ctx, buf);
	for (i = 0; i < h->narms; i++)
	{
		AB_CHECK_INTERRUPTS();
		if (i)
			emit_str(emit, ctx, ",");
		emit_arm(bm_arm_const(h, i), h->dim, emit, ctx);
	}
	emit_str(emit, ctx, "]}");
}

/* ---- text input ---- */

typedef struct TextIn
{
	JsonReader	r;
	BmAllocFn	alloc;
	void	   *ctx;
	BmHeader   *model;
	size_t		capacity;		/* arms the block has room for */
	double	   *square;			/* dim x dim scratch for one matrix */
} TextIn;

/* A JSON array of exactly n numbers into out. */
static bool
read_vector(JsonReader *r, double *out, uint32_t n, const char *what)
{
	JsonIter	it;
	bool		done;
	uint32_t	i;

	if (!json_array_begin(r, &it))
		return false;
	for (i = 0;; i++)
	{
		if (!json_array_next(r, &it, &done))
			return false;
		if (done)
			break;
		if (i >= n)
			return json_fail(r, "%s has more than %u elements", what, n);
		if (!json_read_double(r, &out[i]))
			return false;
	}
	if (i != n)
		return json_fail(r, "%s has %u elements, expected %u", what, i, n);
	return true;
}

/* The full symmetric matrix A, stored packed into a. */
static bool
read_matrix(TextIn *in, double *a)
{
	JsonReader *r = &in->r;
	uint32_t	d = in->model->dim,
				i,
				j;
	JsonIter	it;
	bool		done;

	if (!json_array_begin(r, &it))
		return false;
	for (i = 0;; i++)
	{
		if (!json_array_next(r, &it, &done))
			return false;
		if (done)
			break;
		if (i >= d)
			return json_fail(r, "A has more than %u rows", d);
		if (!read_vector(r, in->square + (size_t) i * d, d, "a row of A"))
			return false;
	}
	if (i != d)
		return json_fail(r, "A has %u rows, expected %u", i, d);
	for (i = 0; i < d; i++)
		for (j = 0; j <= i; j++)
		{
			double		lower = in->square[(size_t) i * d + j];

			if (lower != in->square[(size_t) j * d + i])
				return json_fail(r, "A is not symmetric at (%u, %u)", i + 1, j + 1);
			a[packed_index(i, j)] = lower;
		}
	return true;
}

enum
{
	ARM_ACTION, ARM_N, ARM_WEIGHT, ARM_SUM_WR, ARM_SUM_WR2, ARM_A, ARM_B, ARM_NKEYS
};
static const char *const arm_keys[ARM_NKEYS] = {
	"action", "n", "weight", "sum_wr", "sum_wr2", "A", "b"
};

static int
key_index(const char *key, const char *const *keys, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(key, keys[i]) == 0)
			return i;
	return -1;
}

static bool
read_arm_member(TextIn *in, int k, BmArm *arm)
{
	JsonReader *r = &in->r;
	uint32_t	d = in->model->dim;

	switch (k)
	{
		case ARM_ACTION:
			return json_read_int64(r, &arm->action);
		case ARM_N:
			return json_read_int64(r, &arm->n);
		case ARM_WEIGHT:
			return json_read_double(r, &arm->weight);
		case ARM_SUM_WR:
			return json_read_double(r, &arm->sum_wr);
		case ARM_SUM_WR2:
			return json_read_double(r, &arm->sum_wr2);
		case ARM_A:
			return read_matrix(in, arm->data);
		case ARM_B:
			return read_vector(r, arm->data + packed_size(d), d, "b");
	}
	return false;
}

/* Room for one more arm: the next arm must fit the limits; grow by doubling when that fits too. */
static bool
reserve_arm(TextIn *in, AbError *err)
{
	uint32_t	dim = in->model->dim;
	size_t		narms = in->model->narms;
	size_t		size,
				doubled;

	if (narms < in->capacity)
		return true;
	if (!bm_model_size(dim, (int64_t) narms + 1, &size, err))
	{
		in->r.failed = true;
		return false;
	}
	/* double, but no further than the limits allow (never one arm at a time) */
	in->capacity = narms + 1;
	if (narms >= 4)
	{
		size_t		cap = narms * 2,
					fit = (BM_MAX_BYTES - sizeof(BmHeader)) / bm_arm_size(dim);

		if (cap > BM_MAX_ARMS)
			cap = BM_MAX_ARMS;
		if (cap > fit)
			cap = fit;
		if (cap > narms + 1 && bm_model_size(dim, (int64_t) cap, &doubled, NULL))
		{
			size = doubled;
			in->capacity = cap;
		}
	}
	in->model = in->alloc(in->ctx, in->model, size);
	return true;
}

static bool
read_arm(TextIn *in, AbError *err)
{
	JsonReader *r = &in->r;
	JsonIter	it;
	char		key[16];
	bool		done;
	bool		seen[ARM_NKEYS] = {false};
	BmArm	   *arm;
	int			k;

	AB_CHECK_INTERRUPTS();
	if (!reserve_arm(in, err))
		return false;
	arm = bm_arm(in->model, in->model->narms);
	memset(arm, 0, bm_arm_size(in->model->dim));
	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		if (!json_object_next(r, &it, key, sizeof(key), &done))
			return false;
		if (done)
			break;
		k = key_index(key, arm_keys, ARM_NKEYS);
		if (k < 0)
			return json_fail(r, "unknown arm key \"%s\"", key);
		if (seen[k])
			return json_fail(r, "duplicate arm key \"%s\"", key);
		seen[k] = true;
		if (!read_arm_member(in, k, arm))
			return false;
	}
	for (k = 0; k < ARM_NKEYS; k++)
		if (!seen[k])
			return json_fail(r, "arm is missing key \"%s\"", arm_keys[k]);
	in->model->narms++;
	return true;
}

static bool
read_arms(TextIn *in, AbError *err)
{
	JsonIter	it;
	bool		done;

	if (!json_array_begin(&in->r, &it))
		return false;
	for (;;)
	{
		if (!json_array_next(&in->r, &it, &done))
			return false;
		if (done)
			return true;
		if (!read_arm(in, err))
			return false;
	}
}

/* "dim": checked against the limits, then the block and scratch allocated. */
static bool
read_dim(TextIn *in, AbError *err)
{
	int64_t		dim;
	size_t		size;

	if (!json_read_int64(&in->r, &dim))
		return false;
	if (dim < 1)
		return json_fail(&in->r, "dim must be at least 1, got %lld", (long long) dim);
	if (!bm_model_size(dim, 0, &size, err))
	{
		in->r.failed = true;
		return false;
	}
	in->model = in->alloc(in->ctx, NULL, size);
	bm_init(in->model, (uint32_t) dim);
	in->square = in->alloc(in->ctx, NULL, sizeof(double) * (size_t) dim * (size_t) dim);
	return true;
}

bool
bm_from_text(const char *text, size_t len, BmAllocFn alloc, void *ctx,
			 BmHeader **out, size_t *out_size, AbError *err)
{
	TextIn		in;
	JsonIter	it;
	char		key[16];
	bool		done;
	bool		seen_version = false,
				seen_arms = false;
	int64_t		version;

	memset(&in, 0, sizeof(in));
	in.alloc = alloc;
	in.ctx = ctx;
	json_reader_init(&in.r, text, len, "banditmodel", err);
	if (!json_object_begin(&in.r, &it))
		return false;
	for (;;)
	{
		if (!json_object_next(&in.r, &it, key, sizeof(key), &done))
			return false;
		if (done)
			break;
		if (strcmp(key, "version") == 0 && !seen_version)
		{
			seen_version = true;
			if (!json_read_int64(&in.r, &version))
				return false;
			if (version != BM_VERSION)
				return json_fail(&in.r, "unsupported version %lld", (long long) version);
		}
		else if (strcmp(key, "dim") == 0 && in.model == NULL)
		{
			if (!read_dim(&in, err))
				return false;
		}
		else if (strcmp(key, "arms") == 0 && !seen_arms)
		{
			if (in.model == NULL)
				return json_fail(&in.r, "\"dim\" must come before \"arms\"");
			seen_arms = true;
			if (!read_arms(&in, err))
				return false;
		}
		else
			return json_fail(&in.r, "unknown or duplicate key \"%s\"", key);
	}
	if (!json_finish(&in.r))
		return false;
	if (!seen_version || in.model == NULL || !seen_arms)
		return json_fail(&in.r, "\"version\", \"dim\" and \"arms\" are required");
	if (!bm_model_size(in.model->dim, in.model->narms, out_size, err) ||
		!bm_validate(in.model, *out_size, AB_ERR_SYNTAX, err))
		return false;
	*out = in.model;
	return true;
}

/* ---- binary ---- */

void
bm_to_binary(const BmHeader *h, unsigned char *buf)
{
	ByteWriter	w = {buf};
	size_t		n = packed_size(h->dim) + h->dim,
				k;
	uint32_t	i;

	bw_u8(&w, h->version);
	bw_u8(&w, h->flags);
	bw_u16(&w, h->reserved);
	bw_u32(&w, h->dim);
	bw_u32(&w, h->narms);
	bw_u32(&w, h->reserved2);
	for (i = 0; i < h->narms; i++)
	{
		const BmArm *arm = bm_arm_const(h, i);

		bw_i64(&w, arm->action);
		bw_i64(&w, arm->n);
		bw_f64(&w, arm->weight);
		bw_f64(&w, arm->sum_wr);
		bw_f64(&w, arm->sum_wr2);
		for (k = 0; k < n; k++)
			bw_f64(&w, arm->data[k]);
	}
}

bool
bm_from_binary(const unsigned char *buf, size_t len, BmAllocFn alloc, void *ctx,
			   BmHeader **out, size_t *out_size, AbError *err)
{
	ByteReader	r = {buf, buf + len, false};
	BmHeader	h;
	BmHeader   *m;
	size_t		size,
				n,
				k;
	uint32_t	i;

	h.version = br_u8(&r);
	h.flags = br_u8(&r);
	h.reserved = br_u16(&r);
	h.dim = br_u32(&r);
	h.narms = br_u32(&r);
	h.reserved2 = br_u32(&r);
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary banditmodel: truncated header");
	if (h.version != BM_VERSION)
		return ab_fail(err, AB_ERR_BINARY, "unsupported banditmodel version %d", (int) h.version);
	if (h.flags != 0 || h.reserved != 0 || h.reserved2 != 0)
		return ab_fail(err, AB_ERR_BINARY, "banditmodel has unknown flags or non-zero reserved bits");
	if (h.dim == 0)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary banditmodel: dimension 0");
	if (!bm_model_size(h.dim, h.narms, &size, err))
		return false;
	if (len != size)
		return ab_fail(err, AB_ERR_BINARY,
					   "invalid binary banditmodel: %zu bytes, expected %zu for %u arms of dimension %u",
					   len, size, h.narms, h.dim);
	m = alloc(ctx, NULL, size);
	*m = h;
	n = packed_size(h.dim) + h.dim;
	for (i = 0; i < h.narms; i++)
	{
		BmArm	   *arm = bm_arm(m, i);

		AB_CHECK_INTERRUPTS();
		arm->action = br_i64(&r);
		arm->n = br_i64(&r);
		arm->weight = br_f64(&r);
		arm->sum_wr = br_f64(&r);
		arm->sum_wr2 = br_f64(&r);
		for (k = 0; k < n; k++)
			arm->data[k] = br_f64(&r);
	}
	if (!bm_validate(m, size, AB_ERR_BINARY, err))
		return false;
	*out = m;
	*out_size = size;
	return true;
}
