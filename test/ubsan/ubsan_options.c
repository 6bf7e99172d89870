/*
 * Preloaded into the test server by run_ubsan.sh (LD_PRELOAD): hands the
 * UBSan runtime its options through the __ubsan_default_options() hook.
 *
 * Why: the runtime reads UBSAN_OPTIONS lazily, on the first report, and on
 * Linux from /proc/self/environ rather than from libc's environ.  A
 * PostgreSQL backend has by then overwritten that memory with its process
 * title (ps_status.c moves environ away first, so getenv() still works), so
 * the runtime would see no options at all: no stack traces, no log_path.
 * The hook is a weak symbol in libubsan; a preloaded definition wins.
 */
#include <stdlib.h>

const char *__ubsan_default_options(void);

const char *
__ubsan_default_options(void)
{
	const char *opts = getenv("UBSAN_OPTIONS");

	return opts ? opts : "";
}
