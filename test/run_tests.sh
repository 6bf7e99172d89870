#!/usr/bin/env bash
# `make test`: install missing packages, build and install the extension, run
# the pure-C unit tests, then `make installcheck` (pg_regress, then the TAP
# tests in test/t) against a throwaway cluster, then the hardening stages.
# Nothing is left running or lying around afterwards; failures print the
# diffs/logs and exit non-zero.
#
# `make check` (run_tests.sh check) is the fast loop: build, unit, regress and
# TAP only, with the build installed into a private copy of the server
# (test/lib/prefix.sh) instead of the system: no root needed once the
# packages are there.  AB_SELECT_REGRESS / AB_SELECT_TAP (set by the Makefile
# when REGRESS= / PROVE_TESTS= are on make's command line) run just those.
# Stages are called indirectly (step, ab_on_exit):
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

RESULTS=()
FAILED=0
WORK=""

# --- summary -----------------------------------------------------------------
record() {
  RESULTS+=("$(printf '  %-10s %s' "$1" "$2")")
  if [[ "$2" == FAIL* ]]; then FAILED=1; fi
}

print_summary() {
  local rc=${AB_EXIT_STATUS:-0}
  echo
  echo "======== artbandit: make $MODE summary ========"
  [[ ${#RESULTS[@]} -gt 0 ]] && printf '%s\n' "${RESULTS[@]}"
  if [[ $FAILED -eq 0 && $rc -eq 0 ]]; then
    echo "  RESULT     all passed"
  else
    echo "  RESULT     FAILED"
  fi
  # The closing line CI reads: stages that passed and failed.
  local line passed=0 failed=0
  for line in "${RESULTS[@]}"; do
    case "$line" in
      *FAIL*) failed=$((failed + 1)) ;;
      *skipped*) ;;
      *) passed=$((passed + 1)) ;;
    esac
  done
  [[ $rc -ne 0 && $failed -eq 0 ]] && failed=1
  echo "stages: $passed passed, $failed failed"
}

# step NAME CMD...: run one stage and record its outcome (unless the stage
# recorded a "skipped" itself).
step() {
  local name=$1 n=${#RESULTS[@]} t0=$SECONDS
  shift
  if "$@"; then
    [[ ${#RESULTS[@]} -gt $n ]] || record "$name" "ok ($((SECONDS - t0))s)"
  else
    record "$name" "FAIL ($((SECONDS - t0))s)"
    return 1
  fi
}

# --- stages ------------------------------------------------------------------
run_unit() {
  if [[ "$MODE" == check && -n "${AB_SELECT_REGRESS:-}${AB_SELECT_TAP:-}" ]]; then
    record unit "skipped (tests selected)"
    return 0
  fi
  if ! compgen -G 'test/unit/*.c' >/dev/null; then
    record unit "skipped (no test/unit/*.c)"
    return 0
  fi
  ab_log "Unit tests (make unit)"
  make -s unit PG_CONFIG="$PG_CONFIG"
}

# pg_regress and prove write results/ and tmp_check/ into the build dir, and
# the server user cannot write into a root-owned clone: work on a copy it owns.
prepare_workdir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-check.XXXXXX")
  ab_on_exit rm -rf "$WORK"
  ab_chown_pg "$WORK"
  tar -C "$ROOT" --exclude=./.git --exclude=./results --exclude=./tmp_check \
      --exclude=./regression.diffs --exclude=./regression.out \
      -cf - . |
    ab_as_pg tar -C "$WORK" -xf -
  ab_as_pg mkdir -p "$WORK/.abtmp"
}

# make in the work copy, as the server user, pointed at our cluster.
# TMPDIR inside the copy: TAP nodes keep their socket dirs on failure.
pg_make() {
  local env=(PATH="$PATH" PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER"
             PGDATABASE="$PGDATABASE" CI="${CI:-}" TMPDIR="$WORK/.abtmp")
  [[ -n "${ARTBANDIT_DATA:-}" ]] && env+=(ARTBANDIT_DATA="$ARTBANDIT_DATA")
  [[ -n "${ARTBANDIT_QUICK:-}" ]] && env+=(ARTBANDIT_QUICK="$ARTBANDIT_QUICK")
  [[ -n "$AB_CITUS_TARBALL" ]] && env+=(ARTBANDIT_VENDOR="$(dirname "$AB_CITUS_TARBALL")")
  [[ -n "${RANDOM_CALLS_SCALE:-}" ]] && env+=(RANDOM_CALLS_SCALE="$RANDOM_CALLS_SCALE")
  ab_as_pg env "${env[@]}" make -s -C "$WORK" --no-print-directory \
    PG_CONFIG="$PG_CONFIG" "$@"
}

# pg_regress echoes every statement of its database setup: drop that chatter.
quiet_regress() {
  grep --line-buffered -Ev '^(SET|(CREATE|DROP|ALTER) DATABASE|CREATE EXTENSION|\+\+\+ .* \+\+\+)$' || true
}

# Keep failure artifacts in the original tree (all git-ignored) when we can:
# the work copy is deleted on exit.
save_artifacts() {
  local f
  [[ -w "$ROOT" ]] || return 0
  for f in "$@"; do
    [[ -e "$WORK/$f" ]] || continue
    mkdir -p "$ROOT/$(dirname "$f")"
    rm -rf "${ROOT:?}/$f"
    cp -R "$WORK/$f" "$ROOT/$f"
  done
  ab_log "Failure artifacts copied to $ROOT: $*"
}

# In `make check` with a selection, only the suites selected run.
selected() {
  [[ "$MODE" == check && -n "${AB_SELECT_REGRESS:-}${AB_SELECT_TAP:-}" ]] || return 0
  case $1 in
    regress) [[ -n "${AB_SELECT_REGRESS:-}" ]] ;;
    tap) [[ -n "${AB_SELECT_TAP:-}" ]] ;;
  esac
}

run_regress() {
  if ! selected regress; then
    record regress "skipped (not selected)"
    return 0
  fi
  if ! compgen -G 'sql/*.sql' >/dev/null; then
    record regress "skipped (no sql/*.sql)"
    return 0
  fi
  ab_log "pg_regress (make installcheck)"
  if pg_make installcheck TAP_TESTS= | quiet_regress; then
    return 0
  fi
  if [[ -f "$WORK/regression.diffs" ]]; then
    echo "---- regression.diffs (first 400 lines) ----" >&2
    head -n 400 "$WORK/regression.diffs" >&2
  fi
  cluster_log_if_crashed
  save_artifacts results regression.diffs regression.out
  return 1
}

# The Debian package (test/package): built, installed into the system
# PostgreSQL in place of `make install`'s files, the regress suite run against
# it, then purged and `make install` redone for the stages below.
run_package() {
  ab_log "Debian package: build, install, pg_regress (test/package)"
  ARTBANDIT_PKG_INSTALL=system bash test/package/run_package_test.sh
}

# Hardening stages (issue 5), each a standalone script with its own cluster
# or build.  In make test the fuzzers run FUZZ_SECONDS each (20 here, 60 in
# `make fuzz`) and valgrind a reduced suite; see README "Hardening".
run_fuzz() {
  ab_log "libFuzzer harnesses (test/fuzz, ${FUZZ_SECONDS:-20} s each)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash test/fuzz/run_fuzzers.sh
}

run_sqlsmith() {
  ab_log "sqlsmith (test/sqlsmith)"
  bash test/sqlsmith/run_sqlsmith.sh
}

run_ubsan() {
  ab_log "pg_regress with -fsanitize=undefined (test/ubsan)"
  bash test/ubsan/run_ubsan.sh
}

run_valgrind() {
  ab_log "pg_regress under valgrind, reduced suite (test/valgrind)"
  VALGRIND_TESTS=${VALGRIND_TESTS:-"ope_estimators ope_io ope_bad_input replay policies policy_value bandit_fit simulate"} \
    bash test/valgrind/run_valgrind.sh
}

# Names of the TAP scripts prove reported as failed (its summary report).
failed_tap_tests() {
  sed -nE 's|^test/t/([^ /]+)\.pl +\(Wstat.*|\1|p' "$1"
}

# Tail the logs of the failed TAP scripts (all logs if prove said nothing).
show_tap_logs() {
  local names=() name log
  mapfile -t names < <(failed_tap_tests "$WORK/prove.out")
  for log in "$WORK"/tmp_check/log/*; do
    [[ -f "$log" ]] || continue
    if [[ ${#names[@]} -gt 0 ]]; then
      for name in "${names[@]}"; do
        case "$(basename "$log")" in
          "regress_log_$name" | "${name}_"*.log) break ;;
        esac
        name=""
      done
      [[ -n "$name" ]] || continue
    fi
    echo "---- tail of tmp_check/log/$(basename "$log") ----" >&2
    tail -n 40 "$log" >&2
  done
}

# The TAP scripts with the longest ones first, so that two at a time finish
# together (scheduling only: every script runs).
TAP_SLOW_FIRST=(200_citus 110_resource_limits 050_feature_hash_reference 125_job_call_capture
                070_banditmodel_binary 060_policies_vs_numpy)
tap_longest_first() {
  local t all=() out=()
  for t in test/t/*.pl; do all+=("$t"); done
  for t in "${TAP_SLOW_FIRST[@]}"; do
    [[ -f "test/t/$t.pl" ]] && out+=("test/t/$t.pl")
  done
  for t in "${all[@]}"; do
    [[ " ${out[*]} " == *" $t "* ]] || out+=("$t")
  done
  echo "${out[*]}"
}

run_tap() {
  if ! selected tap; then
    record tap "skipped (not selected)"
    return 0
  fi
  if ! compgen -G 'test/t/*.pl' >/dev/null; then
    record tap "skipped (no test/t/*.pl)"
    return 0
  fi
  ab_log "TAP tests (make installcheck, prove${TAP_JOBS:+ -j$TAP_JOBS})"
  local order=()
  [[ -n "${TAP_JOBS:-}" && -z "${AB_SELECT_TAP:-}" ]] && order=(PROVE_TESTS="$(tap_longest_first)")
  if pg_make installcheck REGRESS= ${TAP_JOBS:+PROVE_FLAGS="-j$TAP_JOBS --timer"} "${order[@]}" | tee "$WORK/prove.out" | quiet_regress; then
    return 0
  fi
  show_tap_logs
  save_artifacts tmp_check/log
  return 1
}

# Citus for test/t/200_citus.pl (test/lib/citus.sh): built from the vendored
# source once per machine, installed into the system (make test) or into the
# private copy (make check).  No Citus and no tarball: recorded as skipped,
# and the test skips saying so; a tarball that does not build is a failure.
run_citus() {
  local rc=0
  if ! selected tap || [[ "$MODE" == check && -n "${AB_SELECT_TAP:-}" && "$AB_SELECT_TAP" != *200_citus* ]]; then
    record citus "skipped (200_citus not selected)"
    return 0
  fi
  if [[ "$MODE" == check ]]; then
    ab_citus_ensure "$ROOT" "$AB_SYS_PG_CONFIG" "$AB_PREFIX" || rc=$?
  else
    ab_citus_ensure "$ROOT" "$PG_CONFIG" || rc=$?
  fi
  if [[ $rc -eq 77 ]]; then
    record citus "skipped (no Citus $AB_CITUS_VERSION installed, no vendored source)"
    return 0
  fi
  return "$rc"
}

# Real clients on the dashboard queries: psycopg2, pgjdbc, node-postgres
# (test/clients, README "Clients and BI tools").  Exit status 77 is the
# script's "skipped" (only when npm is explicitly offline), recorded with
# its reason; anything else non-zero is a failure.
run_clients() {
  local rc=0 out
  ab_log "Client tests: psycopg2, pgjdbc, node-postgres (test/clients)"
  out=$(mktemp)
  bash test/clients/run_clients.sh 2>&1 | tee "$out" || rc=$?
  if [[ $rc -eq 77 ]]; then
    record clients "skipped ($(sed -n 's/^clients: SKIPPED (\(.*\))$/\1/p' "$out"))"
    rc=0
  fi
  rm -f "$out"
  return "$rc"
}

warn_unreadable_data() {
  [[ -n "${ARTBANDIT_DATA:-}" ]] || { ab_log "ARTBANDIT_DATA not set: real-data tests will skip"; return 0; }
  ab_log "ARTBANDIT_DATA=$ARTBANDIT_DATA"
  ab_as_pg test -r "$ARTBANDIT_DATA" -a -x "$ARTBANDIT_DATA" ||
    ab_warn "$(ab_pg_user) cannot read $ARTBANDIT_DATA: real-data tests may fail"
}

# make check: install into a private copy of the server, not the system's.
install_private() {
  local scratch
  AB_SYS_PG_CONFIG=$PG_CONFIG
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-prefix.XXXXXX")
  ab_on_exit rm -rf "$scratch"
  ab_make_prefix "$scratch"
  ab_log "Installing into the private copy $AB_PREFIX"
  ab_quiet make install PG_CONFIG="$PG_CONFIG" DESTDIR="$AB_PREFIX" || return 1
  # From here on everything (cluster, pg_regress, TAP nodes) runs the copy.
  PG_CONFIG=$AB_RPG_CONFIG
  PATH="$("$PG_CONFIG" --bindir):$PATH"
  export PATH
}

MODE=test
AB_SYS_PG_CONFIG=""

main() {
  MODE=${1:-test}
  [[ "$MODE" == test || "$MODE" == check ]] || ab_die "usage: run_tests.sh [test|check]"
  ab_on_exit print_summary   # registered first, so it runs last
  ab_pg_config
  ab_export_data_dir "$ROOT"

  if [[ "$MODE" == check ]]; then
    # The fast loop: TAP tests two at a time, the slow ones smaller or
    # skipped (test/t/lib/TestScale.pm); ARTBANDIT_QUICK=0 runs them in full.
    export ARTBANDIT_QUICK=${ARTBANDIT_QUICK:-1}
    if [[ "$ARTBANDIT_QUICK" == 1 ]]; then
      export RANDOM_CALLS_SCALE=${RANDOM_CALLS_SCALE:-0.3}
    fi
    TAP_JOBS=${TAP_JOBS:-2}
    step deps ensure_deps "${AB_CHECK_DEPS[@]}" || exit 1
  else
    step deps ensure_deps || exit 1
  fi
  step build ab_build || exit 1
  if [[ "$MODE" == check ]]; then
    step install install_private || exit 1
  else
    step install ab_install || exit 1
  fi
  step citus run_citus || true
  step unit run_unit || true

  step cluster cluster_start || exit 1
  prepare_workdir
  warn_unreadable_data
  # Every suite runs even if an earlier one fails: one run, the whole picture.
  step regress run_regress || true
  step tap run_tap || true
  if [[ "$MODE" == test ]]; then
    step clients run_clients || true
    step package run_package || true
    step fuzz run_fuzz || true
    step sqlsmith run_sqlsmith || true
    step ubsan run_ubsan || true
    step valgrind run_valgrind || true
  fi
  exit "$FAILED"
}

main "$@"
