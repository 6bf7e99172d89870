/*
 * bandit_codec.h — text (JSON) and binary forms of a bandit model.
 *
 * Text, readable and exact (shortest round-trip digits):
 *   {"version":1,"dim":2,"arms":[{"action":7,"n":3,"weight":3,"sum_wr":1,
 *     "sum_wr2":1,"A":[[2,1],[1,2]],"b":[1,0]}, ...]}
 * "version" and "dim" come before "arms"; every arm key is required; A is
 * the full symmetric matrix (checked to be exactly symmetric); arms are in
 * strictly ascending action order.
 *
 * Binary: the BmHeader fields (u8, u8, u16, u32, u32, u32), then per arm
 * action, n (i64), weight, sum_wr, sum_wr2, A packed lower, b (f64), all
 * big-endian: exactly the size of the native block.
 *
 * Decoders check the limits (bm_model_size) before allocating and run
 * bm_validate before returning.  Memory comes from the caller's allocator,
 * so the backend can use palloc.
 */
#ifndef BANDIT_CODEC_H
#define BANDIT_CODEC_H

#include <stddef.h>

#include "bandit_model.h"

/* realloc-like: ptr NULL allocates; must not return NULL (raise instead). */
typedef void *(*BmAllocFn) (void *ctx, void *ptr, size_t size);

/* Receives output text in pieces. */
typedef void (*BmEmitFn) (void *ctx, const char *text, size_t len);

void		bm_to_text(const BmHeader *h, BmEmitFn emit, void *ctx);
bool		bm_from_text(const char *text, size_t len, BmAllocFn alloc, void *ctx,
						 BmHeader **out, size_t *out_size, AbError *err);

/* The binary form has as many bytes as the native block. */
void		bm_to_binary(const BmHeader *h, unsigned char *buf);
bool		bm_from_binary(const unsigned char *buf, size_t len, BmAllocFn alloc, void *ctx,
						   BmHeader **out, size_t *out_size, AbError *err);

#endif
