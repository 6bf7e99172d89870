# artbandit — PGXS build.  `make test` and `make demo` are the two entry points
# (see README.md); everything else is the standard PGXS surface.

EXTENSION   = artbandit
MODULE_big  = artbandit

CORE_SRCS   = $(sort $(wildcard src/core/*.c))
GLUE_SRCS   = $(sort $(wildcard src/*.c))
OBJS        = $(GLUE_SRCS:.c=.o) $(CORE_SRCS:.c=.o)
DATA        = $(sort $(wildcard artbandit--*.sql))

REGRESS     = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=artbandit --encoding=UTF8
TAP_TESTS   = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

WERROR     ?= -Werror
WARNINGS    = -Wall -Wextra $(WERROR) -Wno-unused-parameter -Wno-sign-compare \
              -Wno-missing-field-initializers -Wno-cast-function-type
PG_CPPFLAGS = -Isrc/core
# No fused multiply-adds: the same results on every CPU and compiler
# (GNU C would contract a*b + c across statements where FMA exists).
PG_CFLAGS   = $(WARNINGS) -ffp-contract=off
EXTRA_CLEAN = test/unit/run_unit results tmp_check regression.diffs regression.out

# Debian installs several servers side by side: prefer the 15 one when present.
ifneq ($(wildcard /usr/lib/postgresql/15/bin/pg_config),)
PG_CONFIG  ?= /usr/lib/postgresql/15/bin/pg_config
else
PG_CONFIG  ?= pg_config
endif

# `make test`/`make demo` install the server headers themselves, so PGXS may be
# missing when they start: include it only when it is there.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

.PHONY: test demo bench unit fuzz valgrind-check ubsan-check sqlsmith

# The pure-C core, with no PostgreSQL headers, under ASan/UBSan.
UNIT_CFLAGS = -std=c99 -O1 -g -Wall -Wextra $(WERROR) -Wno-format-truncation -Isrc/core \
              -fsanitize=address,undefined -fno-sanitize-recover=all
test/unit/run_unit: $(CORE_SRCS) $(wildcard src/core/*.h) $(wildcard test/unit/*.c test/unit/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(sort $(wildcard test/unit/*.c)) $(CORE_SRCS) -lm

unit: test/unit/run_unit
	./test/unit/run_unit

test:
	bash test/run_tests.sh

demo:
	bash demo/run_demo.sh

# Performance targets as ratios measured side by side (see BENCHMARKS.md).
bench:
	bash test/bench/run_bench.sh

# Hardening (see README "Development"): libFuzzer harnesses of the pure-C
# parsers and decoders, the regress suite under a valgrind'ed server and
# under a -fsanitize=undefined build, and a bounded sqlsmith run (the
# isolation spec runs in TAP test 140).
fuzz:
	bash test/fuzz/run_fuzzers.sh

valgrind-check:
	bash test/valgrind/run_valgrind.sh

ubsan-check:
	bash test/ubsan/run_ubsan.sh

sqlsmith:
	bash test/sqlsmith/run_sqlsmith.sh
