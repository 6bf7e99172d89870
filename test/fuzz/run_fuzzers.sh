#!/usr/bin/env bash
# `make fuzz`: build the libFuzzer harnesses of the pure-C core
# (test/fuzz/fuzz_<target>.c) with AddressSanitizer and UBSan, replay every
# saved regression input (test/fuzz/regressions/<target>/*), then fuzz each
# target for FUZZ_SECONDS from a copy of its seed corpus.  Exits non-zero on
# any crash, sanitizer report, leak, timeout or failed round-trip check and
# prints where the reproducer was saved.  Nothing is written into the
# repository; temporary files are removed on exit.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated subset of targets (default: all)
#   FUZZ_CC        compiler (default clang; needs libFuzzer: on Debian 12
#                  the clang and libclang-rt-14-dev packages)
#   FUZZ_KEEP_DIR  where failing inputs and logs are kept (default: a new
#                  directory under ${TMPDIR:-/tmp})
#   PG_CONFIG      the PostgreSQL 15 whose libpgcommon.a the core links
#                  (default Debian's)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_CC=${FUZZ_CC:-clang}
ALL_TARGETS="ope_state_text ope_state_binary ope_boot_text ope_boot_binary ope_pair_text ope_pair_binary banditmodel_text banditmodel_binary policy thompson float_text"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

# -max_len per target: enough for every valid value of interest (an
# ope_state text is under 1.7 kB; a model of a few arms of dimension up to
# ~60 fits 16 kB of text; policy text is limited to 1024 bytes).
declare -A MAX_LEN=(
  [ope_state_text]=4096 [ope_state_binary]=1024
  [ope_boot_text]=8192 [ope_boot_binary]=4096 [ope_pair_text]=8192 [ope_pair_binary]=2048
  [banditmodel_text]=16384 [banditmodel_binary]=8192
  [policy]=1100 [thompson]=600 [float_text]=600
)
declare -A DICT=(
  [ope_state_text]=json.dict [banditmodel_text]=json.dict [policy]=policy.dict
  [ope_boot_text]=json.dict [ope_pair_text]=json.dict
)

if ! [[ "$FUZZ_SECONDS" =~ ^[0-9]+$ ]] || [[ "$FUZZ_SECONDS" -lt 1 ]]; then
  echo "run_fuzzers.sh: FUZZ_SECONDS must be a positive integer, got '$FUZZ_SECONDS'" >&2
  exit 2
fi
for t in $FUZZ_TARGETS; do
  if [[ -z "${MAX_LEN[$t]:-}" || ! -f "test/fuzz/fuzz_$t.c" ]]; then
    echo "run_fuzzers.sh: unknown target '$t' (known: $ALL_TARGETS)" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
KEEP=""

# Sets KEEP: a directory that outlives the run, for failing inputs and logs.
keep_dir() {
  [[ -n "$KEEP" ]] && return 0
  if [[ -n "${FUZZ_KEEP_DIR:-}" ]]; then
    KEEP=$FUZZ_KEEP_DIR
    mkdir -p "$KEEP"
  else
    KEEP=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-fuzz-failures.XXXXXX")
  fi
}

# --- toolchain ------------------------------------------------------------------
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
  echo "run_fuzzers.sh: $FUZZ_CC not found; on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
  exit 1
fi
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 1000000; }' \
  >"$WORK/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$WORK/probe" "$WORK/probe.c" \
     >"$WORK/probe.log" 2>&1; then
  cat "$WORK/probe.log" >&2
  echo "run_fuzzers.sh: $FUZZ_CC cannot build libFuzzer programs;" \
       "on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
  exit 1
fi

# --- build ----------------------------------------------------------------------
# The core is compiled once with coverage instrumentation (fuzzer-no-link)
# and linked into every harness, with libpgcommon's frontend library (its
# Ryu printer; libpgport beside it) from postgresql-server-dev-15.
if [[ -z "${PG_CONFIG:-}" ]]; then
  PG_CONFIG=pg_config
  [[ -x /usr/lib/postgresql/15/bin/pg_config ]] && PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
fi
if ! PG_INC=$("$PG_CONFIG" --includedir-server 2>/dev/null) || [[ ! -f "$PG_INC/common/shortest_dec.h" ]]; then
  echo "run_fuzzers.sh: no PostgreSQL server headers ($PG_CONFIG); on Debian 12: apt-get install postgresql-server-dev-15" >&2
  exit 1
fi
PG_LIBS=()
for d in $("$PG_CONFIG" --pkglibdir --libdir); do PG_LIBS+=(-L"$d"); done
PG_LIBS+=(-lpgcommon -lpgport)
CFLAGS=(-g -O1 -std=gnu99 -Wall -Wextra -Wno-unused-parameter -Isrc/core -Itest/fuzz -I"$PG_INC"
        -fno-omit-frame-pointer -fno-sanitize-recover=all)
mkdir -p "$WORK/obj" "$WORK/bin"
t0=$SECONDS
core_objs=()
for src in src/core/*.c; do
  obj="$WORK/obj/$(basename "${src%.c}").o"
  "$FUZZ_CC" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$obj"
  core_objs+=("$obj")
done
for t in $FUZZ_TARGETS; do
  "$FUZZ_CC" "${CFLAGS[@]}" -fsanitize=fuzzer,address,undefined \
    -o "$WORK/bin/fuzz_$t" "test/fuzz/fuzz_$t.c" "${core_objs[@]}" "${PG_LIBS[@]}" -lm
done
echo "fuzz: built $(wc -w <<<"$FUZZ_TARGETS") harnesses in $((SECONDS - t0))s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

FAILED=0
COMMON=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048)

# The lines of a libFuzzer log that say what failed.
show_failure() {
  {
    grep -E -A1 'FUZZ CHECK FAILED' "$1" || true
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|ERROR: libFuzzer: (timeout|out-of-memory|fuzz target exited)|^SUMMARY: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)' "$1" || true
  } | head -n 8 | sed 's/^/    /'
}

# --- regressions ------------------------------------------------------------------
# Every saved input is run once, on its own so that each failing one is
# named; a target whose regressions fail is not fuzzed (it would only find
# the same failure again).
declare -A BROKEN=()
for t in $FUZZ_TARGETS; do
  dir="test/fuzz/regressions/$t"
  [[ -d "$dir" ]] || continue
  mapfile -t files < <(find "$dir" -type f ! -name '.*' | sort)
  [[ ${#files[@]} -gt 0 ]] || continue
  bad=0
  for f in "${files[@]}"; do
    log="$WORK/regress.log"
    if ! timeout 600 "$WORK/bin/fuzz_$t" "${COMMON[@]}" "$f" >"$log" 2>&1; then
      bad=$((bad + 1))
      keep_dir
      mkdir -p "$KEEP/regressions/$t"
      cp "$log" "$KEEP/regressions/$t/$(basename "$f").log"
      printf 'fuzz %-20s regression FAILED: %s (log %s)\n' \
        "$t" "$f" "$KEEP/regressions/$t/$(basename "$f").log"
      show_failure "$log"
    fi
  done
  if [[ $bad -eq 0 ]]; then
    printf 'fuzz %-20s regressions ok (%d inputs)\n' "$t" "${#files[@]}"
  else
    FAILED=1
    BROKEN[$t]=1
  fi
done

# --- fuzzing ----------------------------------------------------------------------
for t in $FUZZ_TARGETS; do
  if [[ -n "${BROKEN[$t]:-}" ]]; then
    printf 'fuzz %-20s not fuzzed: its regression inputs fail\n' "$t"
    continue
  fi
  corpus="$WORK/corpus/$t"
  artifacts="$WORK/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seeds=0
  if [[ -d "test/fuzz/corpus/$t" ]]; then
    cp -R "test/fuzz/corpus/$t/." "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
  fi
  opts=("${COMMON[@]}" -max_total_time="$FUZZ_SECONDS" -max_len="${MAX_LEN[$t]}"
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  [[ -n "${DICT[$t]:-}" ]] && opts+=(-dict="test/fuzz/dict/${DICT[$t]}")
  log="$WORK/fuzz_$t.log"
  t0=$SECONDS
  rc=0
  timeout $((FUZZ_SECONDS + 300)) "$WORK/bin/fuzz_$t" "${opts[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  mapfile -t found < <(find "$artifacts" -type f | sort)
  if [[ $rc -eq 0 && ${#found[@]} -eq 0 ]]; then
    printf 'fuzz %-20s ok: %s runs in %ds, coverage %s, corpus %d -> %d, peak RSS %s MB\n' \
      "$t" "${runs:-?}" $((SECONDS - t0)) "${cov:-?}" "$seeds" "$size" "${rss:-?}"
  else
    FAILED=1
    keep_dir
    k=$KEEP
    mkdir -p "$k/$t"
    cp "$log" "$k/$t/fuzz.log"
    kept=()
    for f in "${found[@]}"; do
      cp "$f" "$k/$t/"
      kept+=("$k/$t/$(basename "$f")")
    done
    printf 'fuzz %-20s FAILED (exit %d) after %ds: reproducer %s (log %s)\n' \
      "$t" "$rc" $((SECONDS - t0)) "${kept[*]:-none saved}" "$k/$t/fuzz.log"
    show_failure "$log"
    if [[ ${#kept[@]} -gt 0 ]]; then
      echo "    to keep it as a regression: cp ${kept[0]} test/fuzz/regressions/$t/"
    fi
  fi
done

if [[ $FAILED -ne 0 ]]; then
  echo "fuzz: FAILED (inputs and logs kept in $KEEP)" >&2
  exit 1
fi
echo "fuzz: all targets passed"
