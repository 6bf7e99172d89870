/*
 * ope_codec.h — text (JSON) and binary forms of OpeState.
 *
 * Text, for people and pg_dump:
 *   {"version":1,"kind":"basic"|"dr","n":N,"n_skipped":N,"n_matched":N,
 *    "max_weight":x|null,"min_propensity":x|null,"sums":{"pi":s,...}}
 * where each sum is a number, or [hi, lo] when its compensation term is not
 * zero; sums that are exactly zero may be left out.  Every double is printed
 * in its shortest exact form, so text round-trips bit for bit.
 *
 * Binary, for COPY BINARY and the wire: version u8, flags u8, reserved u16,
 * reserved u32, n, n_skipped, n_matched (i64), max_weight, min_propensity,
 * then hi and lo of every sum (f64), all big-endian: OPE_BINARY_SIZE bytes.
 * Both decoders run ope_state_validate before returning.
 */
#ifndef OPE_CODEC_H
#define OPE_CODEC_H

#include <stddef.h>

#include "ope_state.h"

#define OPE_BINARY_SIZE (8 + 3 * 8 + 2 * 8 + OPE_NSUMS * 16)

/* Upper bound of ope_state_to_text's output, including the final NUL. */
#define OPE_TEXT_MAX (256 + OPE_NSUMS * (16 + 2 * 32))

/* Writes the text form into buf (OPE_TEXT_MAX bytes); returns its length. */
size_t		ope_state_to_text(const OpeState *s, char *buf);
bool		ope_state_from_text(const char *text, size_t len, OpeState *s, AbError *err);

void		ope_state_to_binary(const OpeState *s, unsigned char *buf);
bool		ope_state_from_binary(const unsigned char *buf, size_t len, OpeState *s,
								  AbError *err);

#endif
