/*
 * ope_boot_codec.h — text (JSON) and binary forms of OpeBootstrap.
 *
 * Text: {"version":1,"kind":"basic"|"dr","replicates":R,"seed":S,
 *        "base":<the ope_state text>,"sums":{"n":[s,...],"pi":[...],...}}
 * with R entries per sum, each a number or [hi, lo] as in ope_state's text;
 * the dr sums only in a dr state.
 * Binary, big-endian: version u8, flags u8, reserved u16, replicates i32,
 * seed i64, the base state's binary length u32 and its binary form, then hi
 * and lo (f64) of every replicate sum, sum by sum (all seven, zeros in a
 * basic state).  Both decoders validate.
 */
#ifndef OPE_BOOT_CODEC_H
#define OPE_BOOT_CODEC_H

#include <stddef.h>

#include "ope_bootstrap.h"

size_t		ope_boot_text_max(const OpeBootstrap *b);
size_t		ope_boot_to_text(const OpeBootstrap *b, char *buf);

size_t		ope_boot_binary_size(const OpeBootstrap *b);
void		ope_boot_to_binary(const OpeBootstrap *b, unsigned char *buf);

/*
 * Decoders: the replicate count comes first, so they ask alloc (with ctx)
 * for ope_boot_bytes(replicates) bytes and return the state there.
 */
typedef void *(*OpeAllocFn) (void *ctx, size_t size);

bool		ope_boot_from_text(const char *text, size_t len, OpeAllocFn alloc, void *ctx,
							   OpeBootstrap **out, AbError *err);
bool		ope_boot_from_binary(const unsigned char *buf, size_t len, OpeAllocFn alloc, void *ctx,
								 OpeBootstrap **out, AbError *err);

#endif
