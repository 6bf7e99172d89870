#!/usr/bin/env bash
# `make valgrind-check`: the pg_regress suite against a server running under
# Valgrind Memcheck.
#
# Builds and installs the extension as `make test` does, starts a throwaway
# cluster (test/lib/cluster.sh), restarts its postmaster under
#   valgrind --tool=memcheck --trace-children=yes --leak-check=no ...
# (every backend and worker is a fork of it, so all are checked; one log per
# process), runs pg_regress, stops the server and reads the logs.  It fails
# on any Memcheck error -- those with a frame in artbandit are listed first --
# on a process killed by a signal and on any pg_regress failure.  PostgreSQL's
# own false positives are suppressed by test/valgrind/postgres.supp (see the
# comments there).  Nothing is left behind; on failure the logs with errors and
# the server log are kept in test/valgrind/out/ (git-ignored).
#
# Valgrind makes the server 20-50x slower.  Environment:
#   VALGRIND_TESTS   regress tests to run (default: all sql/*.sql), e.g.
#                    VALGRIND_TESTS="ope_estimators replay policies bandit_fit simulate"
#   VALGRIND_OPTS    extra valgrind options, e.g. --track-origins=yes (slower)
#   VALGRIND_ALLOW_SERVER_ERRORS=1  errors with no artbandit frame only warn
#   PG_CONFIG        the PostgreSQL 15 installation (default Debian's)
# Stages are called indirectly (ab_on_exit):
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

# Exit code of a process in which Memcheck found an error.  1, which the
# postmaster takes for an ordinary FATAL exit of a backend: any other code
# makes it kill every session and reinitialise, and under valgrind the rest of
# the suite then fails to connect -- one error would hide all the later ones.
# The errors are found by reading the logs, not by exit codes.
VG_EXITCODE=1

T0=$SECONDS
T_REGRESS=0
SCRATCH=""
WORK=""
VGDIR=""
NREGRESS=0
NLOGS=0

summary() {
  ab_check_summary valgrind-check \
    "$NREGRESS regress tests, $NLOGS processes checked, 0 Memcheck errors; " "$NREGRESS regress tests; " \
    "regress ${T_REGRESS}s, total $((SECONDS - T0))s"
}

# --- the server under valgrind ---------------------------------------------------
# cluster_start has created, configured and started the cluster: stop it and
# start the same data directory again through `pg_ctl -p <wrapper>`, the
# wrapper exec'ing valgrind on the real postgres binary (same pid, so pg_ctl
# -w and cluster_stop work unchanged).
restart_under_valgrind() {
  local valgrind postgres wrapper supp opts=() pmpid
  valgrind=$(command -v valgrind)
  postgres="$AB_CLUSTER_BINDIR/postgres"
  wrapper="$AB_CLUSTER_DIR/postgres-under-valgrind"
  supp="$AB_CLUSTER_DIR/postgres.supp"
  VGDIR="$AB_CLUSTER_DIR/valgrind"
  mkdir "$VGDIR"
  cp "$ROOT/test/valgrind/postgres.supp" "$supp"
  # --trace-children-skip: COPY ... PROGRAM runs /bin/sh; system tools are not
  # what we test.  --fullpath-after=: full source paths, so frames in
  # artbandit's sources are recognisable.
  opts=(--tool=memcheck --trace-children=yes
        "--trace-children-skip=/bin/*,/usr/bin/*,/sbin/*,/usr/sbin/*"
        "--error-exitcode=$VG_EXITCODE" --leak-check=no --gen-suppressions=all
        --suppressions="$supp" --num-callers=40 --fullpath-after=
        "--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END"
        --log-file="$VGDIR/valgrind.%p.log")
  # shellcheck disable=SC2206 # word splitting of the user's options wanted
  [[ -n "${VALGRIND_OPTS:-}" ]] && opts+=($VALGRIND_OPTS)
  {
    echo '#!/bin/sh'
    printf 'exec %q' "$valgrind"
    printf ' %q' "${opts[@]}" "$postgres"
    echo ' "$@"'
  } >"$wrapper"
  chmod 755 "$wrapper"
  # jit: LLVM under valgrind takes minutes per query, and JIT compiles only
  # PostgreSQL's expression evaluation (our functions are still called through
  # fmgr), so off; it would also inline our installed bitcode instead of
  # running the artbandit.so under test.  autovacuum: the tests ANALYZE what
  # they need, and background workers under valgrind only slow the run.
  cat >>"$AB_CLUSTER_DIR/data/postgresql.conf" <<EOF

# --- valgrind run ---
jit = off
autovacuum = off
EOF
  ab_chown_pg "$AB_CLUSTER_DIR"

  ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" -m fast -w -t 60 -s stop
  ab_log "Restarting the test cluster under valgrind"
  if ! ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" -p "$wrapper" \
      -l "$AB_CLUSTER_LOG" -w -t 600 -s start >/dev/null 2>&1; then
    tail -n 40 "$AB_CLUSTER_LOG" >&2 || true
    cat "$VGDIR"/*.log >&2 2>/dev/null | head -n 80 || true
    ab_die "could not start the postmaster under valgrind"
  fi
  # Make sure the postmaster really runs on valgrind's core.
  pmpid=$(head -n 1 "$AB_CLUSTER_DIR/data/postmaster.pid")
  [[ "$(readlink "/proc/$pmpid/exe" 2>/dev/null || echo '?')" == *memcheck* ]] ||
    ab_die "postmaster $pmpid is not running under memcheck ($(readlink "/proc/$pmpid/exe" 2>/dev/null))"
  ab_log "Postmaster $pmpid runs under $(valgrind --version); logs in $VGDIR"
}

# --- pg_regress -----------------------------------------------------------------
# pg_regress writes results/ into the tree, which the server user may not be
# able to write: run it in a copy it owns.
prepare_workdir() {
  WORK="$SCRATCH/work"
  mkdir "$WORK"
  tar -C "$ROOT" --exclude=./.git --exclude=./results --exclude=./tmp_check \
      --exclude=./log --exclude='*.o' --exclude='*.bc' \
      --exclude=./regression.diffs --exclude=./regression.out \
      --exclude=./test/ubsan/out --exclude=./test/valgrind/out -cf - . |
    tar -C "$WORK" -xf -
  chmod 755 "$SCRATCH"
  ab_chown_pg "$WORK"
}

quiet_regress() {
  grep --line-buffered -Ev '^(SET|(CREATE|DROP|ALTER) DATABASE|CREATE EXTENSION|\+\+\+ .* \+\+\+)$' || true
}

run_regress() {
  local tests=() t t0=$SECONDS
  if [[ -n "${VALGRIND_TESTS:-}" ]]; then
    read -r -a tests <<<"$VALGRIND_TESTS"
  else
    for t in "$WORK"/sql/*.sql; do tests+=("$(basename "$t" .sql)"); done
  fi
  read -r -a tests <<<"$(ab_regress_order "${tests[@]}")"
  NREGRESS=${#tests[@]}
  ab_log "pg_regress under valgrind: ${tests[*]}"
  if ! ab_as_pg env PATH="$PATH" PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" \
      PGDATABASE="$PGDATABASE" make -s -C "$WORK" --no-print-directory \
      PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS= REGRESS="${tests[*]}" | quiet_regress; then
    [[ -f "$WORK/regression.diffs" ]] && head -n 200 "$WORK/regression.diffs" >&2
    ab_check_fail "pg_regress failed"
  fi
  T_REGRESS=$((SECONDS - t0))
}

# --- the verdict ------------------------------------------------------------------
# Every error block (between the error markers) of every log, tagged "ours"
# when a frame is in artbandit.so or in one of its source files.
SRC_RE=""
split_errors() {
  # (the pattern goes through the environment: awk -v would eat backslashes)
  SRC_RE=$SRC_RE awk '
    BEGIN { src_re = ENVIRON["SRC_RE"] }
    /VALGRINDERROR-BEGIN/ { inblk = 1; blk = ""; next }
    /VALGRINDERROR-END/ {
      inblk = 0
      tag = (blk ~ /artbandit\.so/ || blk ~ src_re) ? "ours" : "other"
      printf "%s\t%s\t", tag, FILENAME
      gsub(/\n/, "\\n", blk); print blk
      next
    }
    inblk { blk = blk $0 "\n" }
  ' "$@"
}

show_errors() {
  local tag=$1 max=$2 file blk n=0
  while IFS=$'\t' read -r t file blk; do
    [[ "$t" == "$tag" ]] || continue
    n=$((n + 1))
    [[ $n -le $max ]] || continue
    echo "---- $tag error $n, $(basename "$file") ----" >&2
    printf '%b' "$blk" | sed -E 's/^==[0-9]+== ?//' >&2
  done <"$SCRATCH/errors.tsv"
}

analyse() {
  local logs=() ours other crashes f
  ab_log "Stopping the server (valgrind writes its last logs)"
  ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" -m fast -w -t 600 -s stop \
    >/dev/null 2>&1 || ab_check_fail "the server did not stop cleanly"

  for f in "$VGDIR"/valgrind.*.log; do [[ -f "$f" ]] && logs+=("$f"); done
  NLOGS=${#logs[@]}
  [[ $NLOGS -gt 1 ]] || { ab_check_fail "no valgrind logs from the backends"; return; }
  local names=()
  for f in "$ROOT"/src/*.[ch] "$ROOT"/src/core/*.[ch]; do
    [[ -e "$f" ]] && names+=("$(basename "${f%.[ch]}")")
  done
  SRC_RE="/src/(core/)?($(printf '%s\n' "${names[@]}" | sort -u | paste -sd '|'))\\.[ch]:[0-9]+"
  split_errors "${logs[@]}" >"$SCRATCH/errors.tsv"
  ours=$(grep -c '^ours' "$SCRATCH/errors.tsv" || true)
  other=$(grep -c '^other' "$SCRATCH/errors.tsv" || true)
  # A process that died of a signal (valgrind says so in its log) or that the
  # postmaster saw die (crash, or our --error-exitcode).
  crashes=$( (grep -l 'Process terminating with default action of signal' "${logs[@]}" || true) | wc -l)
  crashes=$((crashes + $(grep -Ec 'terminated by signal|server process \(PID [0-9]+\) exited with exit code|PANIC:|TRAP:' "$AB_CLUSTER_LOG" || true)))
  if grep -q "the 'impossible' happened\|Valgrind's memory management: out of memory" "${logs[@]}"; then
    ab_check_fail "valgrind itself failed (see logs)"
  fi

  ab_log "Read $NLOGS valgrind logs: $ours error(s) in artbandit, $other elsewhere, $crashes crash line(s)"
  show_errors ours 20
  show_errors other 10
  [[ $ours -eq 0 ]] || ab_check_fail "$ours Memcheck error(s) with a frame in artbandit"
  if [[ $other -gt 0 ]]; then
    if [[ "${VALGRIND_ALLOW_SERVER_ERRORS:-0}" == 1 ]]; then
      ab_warn "$other Memcheck error(s) outside artbandit (allowed by VALGRIND_ALLOW_SERVER_ERRORS=1)"
    else
      ab_check_fail "$other Memcheck error(s) outside artbandit (a suppression for test/valgrind/postgres.supp? the logs print one for each)"
    fi
  fi
  if [[ $crashes -gt 0 ]]; then
    grep -E -B2 -A10 'terminated by signal|exited with exit code|PANIC:|TRAP:' "$AB_CLUSTER_LOG" | head -n 60 >&2 || true
    ab_check_fail "$crashes crashed process(es)"
  fi

  if [[ ${#AB_FAIL_REASONS[@]} -gt 0 && -w "$ROOT/test/valgrind" ]]; then
    local out="$ROOT/test/valgrind/out"
    rm -rf "$out"; mkdir -p "$out"
    cp "$AB_CLUSTER_LOG" "$out/"
    cut -f2 "$SCRATCH/errors.tsv" | sort -u | xargs -r cp -t "$out/"
    { grep -l 'Process terminating' "${logs[@]}" || true; } | xargs -r cp -t "$out/"
    for f in regression.diffs regression.out; do
      [[ -f "$WORK/$f" ]] && cp "$WORK/$f" "$out/"
    done
    ab_log "Logs kept in $out"
  fi
}

main() {
  ab_on_exit summary   # registered first, so it runs last
  ab_pg_config
  ensure_deps || exit 1
  ab_build || exit 1
  ab_install || exit 1

  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-valgrind.XXXXXX")
  ab_on_exit rm -rf "$SCRATCH"
  cluster_start
  restart_under_valgrind
  prepare_workdir
  run_regress
  analyse
  [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]]
}

main "$@"
