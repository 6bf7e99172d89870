/*
 * ab_error.c — filling AbError (see ab_error.h).
 */
#include "ab_error.h"

#include <stdarg.h>
#include <stdio.h>

void		(*ab_interrupt_hook) (void) = NULL;

bool
ab_fail(AbError *err, AbErrorKind kind, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return false;
	err->kind = kind;
	err->detail[0] = '\0';
	err->hint[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return false;
}

void
ab_detail(AbError *err, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
ab_hint(AbError *err, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}
