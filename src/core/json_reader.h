/*
 * json_reader.h — a strict pull parser for the JSON text forms of our types.
 *
 * The caller walks a known structure (object with known keys, arrays of
 * numbers) and the reader checks each token as it goes: no tree is built and
 * nothing is allocated, so hostile input cannot make it use memory or stack.
 * Any syntax error latches: after the first failure every call returns false
 * and err holds the first message, with the byte offset where it happened.
 */
#ifndef JSON_READER_H
#define JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ab_error.h"

typedef struct JsonReader
{
	const char *start;
	const char *p;
	const char *end;
	const char *what;			/* type name for messages */
	AbError    *err;
	bool		failed;
} JsonReader;

/* The longest number token read (text forms print at most 24 characters). */
#define JSON_MAX_NUMBER 4096

/* Each container being walked keeps its own member count. */
typedef struct JsonIter
{
	int64_t		count;
} JsonIter;

void		json_reader_init(JsonReader *r, const char *text, size_t len,
							 const char *what, AbError *err);

/* Fail at the current position with a syntax error. */
bool		json_fail(JsonReader *r, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

bool		json_object_begin(JsonReader *r, JsonIter *it);

/*
 * Reads the next member's key (decoded, at most keysz - 1 bytes) and its ':'.
 * Returns true with *done = false for a member, true with *done = true at
 * the closing '}', false on error.
 */
bool		json_object_next(JsonReader *r, JsonIter *it, char *key, size_t keysz,
							 bool *done);

/*
 * json_object_next for an object whose keys must be among keys[0..nkeys-1],
 * each at most once (seen[nkeys] tracks them): *index is the key's index,
 * or -1 at the closing '}'.  An unknown or repeated key fails, naming it
 * as a "what" ("unknown sum \"x\"").
 */
bool		json_object_next_known(JsonReader *r, JsonIter *it, const char *const *keys, int nkeys,
								   bool *seen, const char *what, int *index);

bool		json_array_begin(JsonReader *r, JsonIter *it);

/* Like json_object_next for arrays: *done at ']', else an element follows. */
bool		json_array_next(JsonReader *r, JsonIter *it, bool *done);

bool		json_read_double(JsonReader *r, double *out);
bool		json_read_int64(JsonReader *r, int64_t *out);
bool		json_read_string(JsonReader *r, char *buf, size_t bufsz);
bool		json_read_bool(JsonReader *r, bool *out);

/*
 * The text of the object that comes next, braces included, without parsing
 * it (the caller hands it to the object's own reader, which checks it).
 */
bool		json_read_object_span(JsonReader *r, const char **start, size_t *len);

/* The next non-blank character, or '\0' at the end; consumes nothing. */
char		json_peek(JsonReader *r);

/* true (and consumes it) when the next token is null. */
bool		json_next_is_null(JsonReader *r);

/* Only white space may follow. */
bool		json_finish(JsonReader *r);

#endif
