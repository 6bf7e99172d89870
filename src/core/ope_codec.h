/*
 * ope_codec.h — text (JSON) and binary forms of OpeState.
 *
 * Text, for people and pg_dump (version 2, artbandit 1.2):
 *   {"version":2,"kind":"basic"|"dr","n":N,"n_skipped":N,"n_matched":N,
 *    "max_weight":x|null,"min_propensity":x|null,"sums":{"pi":s,...},
 *    "tracked":true,"binary_reward":b,"deterministic_target":b,
 *    "ranges":{"r":[lo,hi],"v":[lo,hi],"e":[lo,hi]},
 *    "lambdas":[{"lambda":x,"n":N,"sums":{"wr":s,...,"os":s,...}},...],
 *    "lambda_above":{"n":N,"sums":{"wr":s,...}}}
 * where each sum is a number, or [hi, lo] when its compensation term is not
 * zero; sums that are exactly zero may be left out; a range is present
 * exactly when rows contributed to it (r and e: matched rows, v: rows, e and
 * v in dr states only); "lambdas" only when the state has some;
 * "tracked":false (a state merged from a 1.0/1.1 one) has no flags and no
 * ranges.  Every double is printed in its shortest exact form, so text
 * round-trips bit for bit ("Infinity" for an infinite lambda).
 *
 * A state with neither lambdas nor tracking (a 1.0/1.1 state) is written in
 * the version 1 forms it was read from, byte for byte; both forms of
 * version 1 are read.  (A blank one starts tracking with its first row.)
 *
 * Binary, for COPY BINARY and the wire, big-endian:
 *   version 1: version u8, flags u8, reserved u16, reserved u32, n,
 *     n_skipped, n_matched (i64), max_weight, min_propensity, then hi and
 *     lo of every sum (f64): OPE_BINARY_V1_SIZE bytes;
 *   version 2: version u8, flags u8, nlambdas u16, reserved u32, then the
 *     counts, extremes and sums as in version 1 (OPE_BINARY_V1_SIZE bytes
 *     in all), then r_min, r_max, v_min, v_max, e_min, e_max (f64),
 *     with lambdas: each lambda (f64), each bucket's row count (i64, one
 *     more than the lambdas), hi and lo of every bucket sum (bucket by
 *     bucket, the sums of a bucket in order), then of every shrinkage sum
 *     (sum by sum, lambda by lambda): the section of ope_lambda.h.
 * Both decoders run ope_state_validate before returning.
 */
#ifndef OPE_CODEC_H
#define OPE_CODEC_H

#include <stddef.h>

#include "ope_lambda.h"
#include "ope_state.h"

#define OPE_BINARY_V1_SIZE (8 + 3 * 8 + 2 * 8 + OPE_NSUMS * 16)
/* Room for any state the decoders accept. */
#define OPE_STATE_MAX_BYTES (sizeof(OpeState) + \
	OPE_MAX_LAMBDAS * (8 + 8 + (OPE_LBNSUMS + OPE_LONSUMS) * 16) + 8 + OPE_LBNSUMS * 16)
typedef union OpeStateBuf
{
	OpeState	state;
	double		align;
	char		bytes[OPE_STATE_MAX_BYTES];
} OpeStateBuf;

/* Upper bound of ope_state_to_text's output for s, including the final NUL. */
size_t		ope_state_text_max(const OpeState *s);

/* Writes the text form into buf (ope_state_text_max(s) bytes); returns its length. */
size_t		ope_state_to_text(const OpeState *s, char *buf);

/* Decode into s, which must have OPE_STATE_MAX_BYTES of room. */
bool		ope_state_from_text(const char *text, size_t len, OpeState *s, AbError *err);

/* Size of the binary form of s. */
size_t		ope_state_binary_size(const OpeState *s);
/* Writes ope_state_binary_size(s) bytes. */
void		ope_state_to_binary(const OpeState *s, unsigned char *buf);
/* Decode into s, which must have OPE_STATE_MAX_BYTES of room. */
bool		ope_state_from_binary(const unsigned char *buf, size_t len, OpeState *s,
								  AbError *err);

/*
 * Whether s is written in the version 1 forms: no lambdas and not tracked
 * (a 1.0/1.1 state with rows), so that it prints as it was read.
 */
static inline bool
ope_state_writes_v1(const OpeState *s)
{
	return s->nlambdas == 0 && !ope_state_is_tracked(s);
}

/*
 * Turn s, whose first sizeof(version 1 state) bytes hold a 1.0/1.1 state
 * (the same fields in the same order as the start of OpeState), into a
 * current state: version 2, untracked, no ranges.  Fails
 * (with kind) when those bytes are not a version 1 state; the caller then
 * validates the result.
 */
bool		ope_state_upgrade_v1(OpeState *s, AbErrorKind kind, AbError *err);

/* Bytes of a 1.0/1.1 state in memory (and on disk, after the varlena header). */
#define OPE_STATE_V1_BYTES (8 + 3 * 8 + 2 * 8 + OPE_NSUMS * 16)

#endif
