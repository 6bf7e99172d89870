#!/usr/bin/env bash
# `make ubsan-check`: the pg_regress suite (and, with UBSAN_TAP=1, the TAP
# tests) against the extension built with -fsanitize=undefined -fno-wrapv.
#
# Nothing here touches the system-wide PostgreSQL install other sessions use,
# nor the object files in the repository:
#   - PostgreSQL 15 is copied into a private prefix with its relative layout
#     intact (<prefix>/usr/lib/postgresql/15, <prefix>/usr/share/postgresql/15;
#     the server and pg_config compute their share/lib paths from where the
#     binary is, so the copy is self-contained -- checked below);
#   - the extension is built in a temporary copy of the tree and installed into
#     that private prefix only;
#   - a throwaway cluster (test/lib/cluster.sh) runs from the private prefix,
#     with UBSAN_OPTIONS exported to the server.
# Every runtime error is fatal (-fno-sanitize-recover=all, halt_on_error=1):
# the backend prints "runtime error: ..." plus a stack to the server log and
# aborts.  The check fails on any such line, on a backend killed by a signal,
# and on any pg_regress (or TAP) failure.  Everything is deleted on exit; on
# failure the logs are kept in test/ubsan/out/ (git-ignored).
#
# Environment:
#   UBSAN_TESTS  regress tests to run (default: all sql/*.sql), e.g. "replay simulate"
#   UBSAN_TAP    1: also run the TAP tests (test/t) against the UBSan build
#   UBSAN_PROVE_TESTS  TAP scripts for UBSAN_TAP=1 (default: all test/t/*.pl)
#   UBSAN_FLAGS  sanitizer flags.  Default: -fsanitize=undefined plus
#                float-cast-overflow (an out-of-range double -> integer
#                conversion is undefined too, but gcc leaves that check out of
#                "undefined"), -fno-wrapv (PostgreSQL builds with -fwrapv,
#                which would define signed overflow away), and
#                -fno-sanitize-recover=all (the first error aborts the backend)
#   PG_CONFIG    the PostgreSQL 15 installation to copy (default Debian's)
# Stages are called indirectly (step, ab_on_exit):
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

UBSAN_FLAGS=${UBSAN_FLAGS:--fsanitize=undefined,float-cast-overflow -fno-wrapv -fno-sanitize-recover=all}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

T0=$SECONDS
SCRATCH=""     # everything we create lives under here
PREFIX=""      # the relocated PostgreSQL copy
WORK=""        # the build/regress copy of the tree (owned by the server user)
RPG_CONFIG=""  # the relocated copy's pg_config
PRELOAD=""
NREGRESS=0

summary() {
  local what="$NREGRESS regress tests"
  [[ "${UBSAN_TAP:-0}" == 1 ]] && what+=" + TAP"
  ab_check_summary ubsan-check "$what, 0 UBSan runtime errors, no crashed backend; " "$what; " \
    "$((SECONDS - T0))s"
}

# --- the private PostgreSQL copy (test/lib/prefix.sh) ---------------------------
make_prefix() {
  ab_make_prefix "$SCRATCH"
  PREFIX=$AB_PREFIX
  RPG_CONFIG=$AB_RPG_CONFIG
  ab_log "Relocated: --sharedir $("$RPG_CONFIG" --sharedir), --pkglibdir $("$RPG_CONFIG" --pkglibdir)"
}

# --- build and install (in a copy of the tree, never in $ROOT) ------------------
copy_tree() {
  WORK="$SCRATCH/work"
  mkdir "$WORK"
  tar -C "$ROOT" --exclude=./.git --exclude=./results --exclude=./tmp_check \
      --exclude=./log --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
      --exclude=./regression.diffs --exclude=./regression.out \
      --exclude=./test/ubsan/out --exclude=./test/valgrind/out \
      --exclude=./test/unit/run_unit -cf - . | tar -C "$WORK" -xf -
}

# with_llvm=no: no bitcode, so JIT can never inline unsanitized copies of our
# functions (and no clang needed).  COPT reaches both CFLAGS and LDFLAGS, so
# gcc links libubsan into artbandit.so; -fno-wrapv comes after PG's -fwrapv.
ubsan_make() {
  make -C "$WORK" --no-print-directory PG_CONFIG="$RPG_CONFIG" with_llvm=no \
    COPT="$UBSAN_FLAGS" "$@"
}

build_install() {
  local so lib
  ab_log "Building with $UBSAN_FLAGS (in $WORK)"
  ab_quiet ubsan_make -j"$(nproc 2>/dev/null || echo 2)" || return 1
  ab_log "Installing into $("$RPG_CONFIG" --pkglibdir)"
  ab_quiet ubsan_make install || return 1
  so="$("$RPG_CONFIG" --pkglibdir)/artbandit.so"
  [[ -f "$so" ]] || { ab_warn "$so not installed"; return 1; }
  # (grep the whole output: grep -q in a pipe trips pipefail via SIGPIPE)
  if [[ "$(nm -D "$so")" != *__ubsan_handle_* ]]; then
    ab_warn "$so has no UBSan instrumentation"
    return 1
  fi
  # The server gets two things preloaded (LD_PRELOAD):
  #  - test/ubsan/ubsan_options.c, which hands UBSAN_OPTIONS to the runtime
  #    through the __ubsan_default_options() hook: the runtime reads the
  #    variable from /proc/self/environ on its first report, and a backend has
  #    overwritten that memory with its process title by then, so without the
  #    hook print_stacktrace etc. are silently ignored;
  #  - the UBSan runtime itself, only if artbandit.so does not pull it in
  #    (gcc links it as a dependency of the module; clang does not by default).
  local cc=${CC:-gcc}
  PRELOAD="$SCRATCH/ubsan_options.so"
  ab_quiet "$cc" -O2 -fPIC -shared -o "$PRELOAD" "$ROOT/test/ubsan/ubsan_options.c" || return 1
  if [[ "$(readelf -d "$so")" != *"NEEDED"*"[libubsan"* ]]; then
    lib=$("$cc" -print-file-name=libubsan.so)
    [[ -e "$lib" ]] || { ab_warn "artbandit.so does not link libubsan and none found to preload"; return 1; }
    PRELOAD="$PRELOAD:$(readlink -f "$lib")"
  fi
  ab_log "Preloading into the server: $PRELOAD"
}

# --- the cluster and the suites -----------------------------------------------
start_cluster() {
  # The server user must reach the copy and the work tree.
  chmod 755 "$SCRATCH"
  ab_chown_pg "$WORK"
  # cluster_start takes bindir from PG_CONFIG: the private copy.  The server
  # inherits UBSAN_OPTIONS and LD_PRELOAD from pg_ctl.
  PG_CONFIG=$RPG_CONFIG
  LD_PRELOAD="$PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" cluster_start
  # Prove that a backend really maps the instrumented module from the copy.
  local maps psql="$AB_CLUSTER_BINDIR/psql"
  maps=$("$psql" -XAtq -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION artbandit' \
          -c "SELECT string_agg(DISTINCT regexp_replace(l, '^.* ', ''), ' ') FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l WHERE l ~ '(artbandit|ubsan)'" \
          -c 'DROP EXTENSION artbandit' || true)
  ab_log "Backend maps: ${maps:-?}"
  [[ "$maps" == *"$PREFIX"*artbandit.so* && "$maps" == *libubsan* ]] ||
    { ab_check_fail "backend did not load the UBSan build from $PREFIX (maps: ${maps:-?})"; return 1; }
}

# make in the work copy, as the server user, against our cluster.
pg_make() {
  ab_as_pg env PATH="$PATH" PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" \
    PGDATABASE="$PGDATABASE" UBSAN_OPTIONS="$UBSAN_OPTIONS" TMPDIR="$WORK/.abtmp" \
    LD_PRELOAD="$PRELOAD" ${ARTBANDIT_DATA:+ARTBANDIT_DATA="$ARTBANDIT_DATA"} \
    make -s -C "$WORK" --no-print-directory PG_CONFIG="$RPG_CONFIG" with_llvm=no "$@"
}

quiet_regress() {
  grep --line-buffered -Ev '^(SET|(CREATE|DROP|ALTER) DATABASE|CREATE EXTENSION|\+\+\+ .* \+\+\+)$' || true
}

run_regress() {
  local tests=() t
  if [[ -n "${UBSAN_TESTS:-}" ]]; then
    read -r -a tests <<<"$UBSAN_TESTS"
  else
    for t in "$WORK"/sql/*.sql; do tests+=("$(basename "$t" .sql)"); done
  fi
  read -r -a tests <<<"$(ab_regress_order "${tests[@]}")"
  NREGRESS=${#tests[@]}
  ab_log "pg_regress under UBSan: ${tests[*]}"
  if ! pg_make installcheck TAP_TESTS= REGRESS="${tests[*]}" | quiet_regress; then
    [[ -f "$WORK/regression.diffs" ]] && head -n 200 "$WORK/regression.diffs" >&2
    ab_check_fail "pg_regress failed"
  fi
}

run_tap() {
  [[ "${UBSAN_TAP:-0}" == 1 ]] || return 0
  ab_log "TAP tests under UBSan${UBSAN_PROVE_TESTS:+: $UBSAN_PROVE_TESTS}"
  ab_as_pg mkdir -p "$WORK/.abtmp"
  if ! pg_make installcheck REGRESS= ${UBSAN_PROVE_TESTS:+PROVE_TESTS="$UBSAN_PROVE_TESTS"}; then
    ab_check_fail "TAP tests failed"
  fi
}

# UBSan reports ("file:line:col: runtime error: ...") and dead backends, in
# the cluster's log and in the logs of the TAP tests' own nodes.  The
# postmaster logs "exited with exit code N" only for an abnormal exit (a UBSan
# abort exits with 1 without the backend's own cleanup: a crash too).
CRASH_RE='terminated by signal|server process \(PID [0-9]+\) exited with exit code|terminating any other active server processes|PANIC:|TRAP:'
scan_logs() {
  local logs=() f n_rt=0 n_sig=0 c
  ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" -m fast -w -t 60 -s stop >/dev/null 2>&1 || true
  [[ -f "$AB_CLUSTER_LOG" ]] && logs+=("$AB_CLUSTER_LOG")
  for f in "$WORK"/tmp_check/log/*.log; do [[ -f "$f" ]] && logs+=("$f"); done
  for f in "${logs[@]}"; do
    c=$(grep -c 'runtime error:' "$f" || true); n_rt=$((n_rt + c))
    c=$(grep -Ec "$CRASH_RE" "$f" || true); n_sig=$((n_sig + c))
    if grep -Eq "runtime error:|$CRASH_RE" "$f"; then
      echo "---- $f ----" >&2
      grep -E -A 25 "runtime error:|$CRASH_RE" "$f" | head -n 200 >&2
    fi
  done
  ab_log "Scanned ${#logs[@]} server log(s): $n_rt UBSan runtime error(s), $n_sig crash line(s) (exit/signal/restart/PANIC)"
  [[ $n_rt -eq 0 ]] || ab_check_fail "$n_rt UBSan runtime error(s)"
  [[ $n_sig -eq 0 ]] || ab_check_fail "$n_sig crash line(s) in server logs"
  if [[ ${#AB_FAIL_REASONS[@]} -gt 0 && -w "$ROOT/test/ubsan" ]]; then
    rm -rf "$ROOT/test/ubsan/out"; mkdir -p "$ROOT/test/ubsan/out"
    cp "${logs[@]}" "$ROOT/test/ubsan/out/" 2>/dev/null || true
    for f in regression.diffs regression.out; do
      [[ -f "$WORK/$f" ]] && cp "$WORK/$f" "$ROOT/test/ubsan/out/"
    done
    ab_log "Logs kept in $ROOT/test/ubsan/out"
  fi
}

main() {
  ab_on_exit summary   # registered first, so it runs last
  ab_pg_config
  ab_export_data_dir "$ROOT"
  ensure_deps || exit 1

  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-ubsan.XXXXXX")
  ab_on_exit rm -rf "$SCRATCH"
  make_prefix
  copy_tree
  build_install || { ab_check_fail "build/install failed"; exit 1; }
  start_cluster || exit 1
  run_regress
  run_tap
  scan_logs
  [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]]
}

main "$@"
