/*
 * ab_error.h — how the pure-C core reports a failure.
 *
 * Core functions never longjmp or print: they fill an AbError and return
 * false.  The PostgreSQL glue turns the kind into a SQLSTATE (ab_raise in
 * src/pg_glue.c); unit tests and fuzzers read the message directly.
 */
#ifndef AB_ERROR_H
#define AB_ERROR_H

#include <stdbool.h>

typedef enum AbErrorKind
{
	AB_OK = 0,
	AB_ERR_SYNTAX,				/* malformed text input */
	AB_ERR_BINARY,				/* malformed binary input */
	AB_ERR_VALUE,				/* a value outside its domain */
	AB_ERR_OUT_OF_RANGE,		/* arithmetic overflow */
	AB_ERR_LIMIT,				/* a size limit exceeded */
	AB_ERR_MISMATCH,			/* combining incompatible objects */
	AB_ERR_NULL_ELEMENT			/* a NULL inside an array */
} AbErrorKind;

#define AB_ERROR_MSG_LEN 256

typedef struct AbError
{
	AbErrorKind kind;
	char		message[AB_ERROR_MSG_LEN];
	char		detail[AB_ERROR_MSG_LEN];
	char		hint[AB_ERROR_MSG_LEN];
} AbError;

/* Fill *err (which may be NULL) and return false, printf-style. */
bool		ab_fail(AbError *err, AbErrorKind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Add a detail sentence to an error already failed with ab_fail. */
void		ab_detail(AbError *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Add a hint (what to do about it) to an error already failed with ab_fail. */
void		ab_hint(AbError *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/*
 * Called in the core's long loops (model codecs, validation, merging) when
 * set; the PostgreSQL glue points it at CHECK_FOR_INTERRUPTS, so a query
 * cancel or statement_timeout is honoured inside them.
 */
extern void (*ab_interrupt_hook) (void);

#define AB_CHECK_INTERRUPTS() \
	do { \
		if (ab_interrupt_hook != NULL) \
			ab_interrupt_hook(); \
	} while (0)

#endif
