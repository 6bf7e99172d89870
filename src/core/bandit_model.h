/*
 * bandit_model.h — per-arm sufficient statistics of a weighted ridge
 * regression of reward on context, in one flat, self-describing block.
 *
 * Layout (native byte order; the binary wire form in bandit_codec.h is the
 * same fields big-endian):
 *     BmHeader, then narms arm records sorted by strictly ascending action.
 * An arm record is BmArm followed by A (packed lower triangle of
 * sum w x x^T, d (d + 1) / 2 doubles) and b (sum w r x, d doubles).  Every
 * field is a sum over rows, so two models of the same dimension merge by
 * adding the records of equal actions.
 */
#ifndef BANDIT_MODEL_H
#define BANDIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ab_error.h"

#define BM_VERSION 1

/* Limits, checked on every path that builds a model. */
#define BM_MAX_DIM 1024
#define BM_MAX_ARMS 100000
/*
 * 128 MB binary: the text form (every double at most 25 characters, the full
 * symmetric matrix) then stays under PostgreSQL's 1 GB limit, so any model
 * can be printed and dumped.
 */
#define BM_MAX_BYTES ((size_t) 128 * 1024 * 1024)

typedef struct BmHeader
{
	uint8_t		version;
	uint8_t		flags;			/* must be zero */
	uint16_t	reserved;		/* must be zero */
	uint32_t	dim;
	uint32_t	narms;
	uint32_t	reserved2;		/* must be zero */
} BmHeader;

typedef struct BmArm
{
	int64_t		action;
	int64_t		n;				/* rows */
	double		weight;			/* sum w */
	double		sum_wr;			/* sum w r */
	double		sum_wr2;		/* sum w r^2 */
	double		data[];			/* A (packed), then b */
} BmArm;

/* Bytes of one arm record of dimension dim (dim <= BM_MAX_DIM). */
size_t		bm_arm_size(uint32_t dim);

/*
 * Bytes of a whole model (header included) with the given dimension and
 * arm count, after checking both against the limits; false (AB_ERR_LIMIT or
 * AB_ERR_VALUE) when they are out of range or the total exceeds BM_MAX_BYTES.
 */
bool		bm_model_size(int64_t dim, int64_t narms, size_t *size, AbError *err);

static inline BmArm *
bm_arm(BmHeader *h, uint32_t i)
{
	return (BmArm *) ((char *) (h + 1) + (size_t) i * bm_arm_size(h->dim));
}

static inline const BmArm *
bm_arm_const(const BmHeader *h, uint32_t i)
{
	return (const BmArm *) ((const char *) (h + 1) + (size_t) i * bm_arm_size(h->dim));
}

static inline double *
bm_arm_a(BmArm *a)
{
	return a->data;
}

static inline double *
bm_arm_b(BmArm *a, uint32_t dim)
{
	return a->data + (size_t) dim * (dim + 1) / 2;
}

/* An empty model of dimension dim (the caller checked dim with bm_model_size). */
void		bm_init(BmHeader *h, uint32_t dim);

/* Index of action, or of where it would be inserted (*found tells which). */
uint32_t	bm_find(const BmHeader *h, int64_t action, bool *found);

/*
 * Make room for a new, zeroed arm at index idx (from bm_find); the block
 * must have room for narms + 1 arms.
 */
BmArm	   *bm_insert_arm(BmHeader *h, uint32_t idx, int64_t action);

/* Check a context vector: dim elements, all finite. */
bool		bm_check_context(const BmHeader *h, const double *x, int64_t len, AbError *err);

/*
 * Add one row (x of h->dim finite values, finite reward, finite weight >= 0)
 * to an arm.  Fails, leaving the arm unchanged, when a sum would overflow.
 */
bool		bm_arm_add(BmArm *arm, uint32_t dim, const double *x, double reward,
					   double weight, AbError *err);

/* Number of distinct actions of a and b together (both sorted). */
uint32_t	bm_union_arms(const BmHeader *a, const BmHeader *b);

/*
 * dst := dst + src.  Same dimension required (AB_ERR_MISMATCH); dst must
 * have room for bm_union_arms(dst, src) arms.
 */
bool		bm_merge(BmHeader *dst, const BmHeader *src, AbError *err);

/*
 * Validate a model block of size bytes that came from outside (text,
 * binary, a table): header, limits, exact size, sorted unique actions,
 * counts, finite sums, non-negative weights and diagonals.  kind is the
 * error kind to report (AB_ERR_SYNTAX, AB_ERR_BINARY, ...).
 */
bool		bm_validate(const BmHeader *h, size_t size, AbErrorKind kind, AbError *err);

#endif
