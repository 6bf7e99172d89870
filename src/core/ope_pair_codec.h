/*
 * ope_pair_codec.h — text (JSON) and binary forms of OpePair.
 *
 * Text: {"version":1,"kind":"basic"|"dr","a":<ope_state text>,
 *        "b":<ope_state text>,"cross":{"ww":s,...}} (sums as in ope_state's
 * text; zero sums may be left out).
 * Binary, big-endian: version u8, flags u8, reserved u16, reserved u32, the
 * length (u32) and binary form of a, the same for b, then hi and lo (f64)
 * of every cross sum.  Both decoders validate.
 */
#ifndef OPE_PAIR_CODEC_H
#define OPE_PAIR_CODEC_H

#include <stddef.h>

#include "ope_pair.h"

size_t		ope_pair_text_max(const OpePair *p);
size_t		ope_pair_to_text(const OpePair *p, char *buf);
bool		ope_pair_from_text(const char *text, size_t len, OpePair *p, AbError *err);

size_t		ope_pair_binary_size(const OpePair *p);
void		ope_pair_to_binary(const OpePair *p, unsigned char *buf);
bool		ope_pair_from_binary(const unsigned char *buf, size_t len, OpePair *p, AbError *err);

#endif
