#!/usr/bin/env bash
# A bounded sqlsmith run against artbandit (issue: "a bounded sqlsmith run
# (Debian package) of at least 5,000 queries against a database holding the
# extension and sample tables ...: 0 crashed backends").
#
#   bash test/sqlsmith/run_sqlsmith.sh        (as root: installs what is missing)
#
# Installs sqlsmith (Debian package) and the project's dependencies if
# missing, builds and installs the extension, starts a throwaway cluster
# (test/lib/cluster.sh), creates a database with the extension and sample
# tables holding every type it takes (setup.sql), and runs sqlsmith as an
# unprivileged role whose statements time out after SMITH_TIMEOUT.  By default
# sqlsmith only sees the extension's functions and a few dozen core helpers
# (focus.sql: otherwise it hardly ever calls ours among PostgreSQL's ~3,000
# routines).  Afterwards the server log must show no backend terminated by a
# signal, no PANIC and no failed assertion, and no query calling an
# artbandit function may fail with an internal error (SQLSTATE class XX).  The
# report (analyze.pl) says how many queries called an artbandit function, how
# many of those ran without error, and which errors the others met; the last
# line is PASS or FAIL.
#
# Settings (environment):
#   SMITH_QUERIES  queries to run (default 5000)
#   SMITH_SEED     sqlsmith --seed (default 160); a sqlsmith process that dies
#                  before the end is restarted with the next seed for the rest
#   SMITH_TIMEOUT  statement_timeout of sqlsmith's role (default 2s)
#   SMITH_CATALOG  focused (default) or full: every routine of the catalog
#   SMITH_OUT      where the queries, sqlsmith's report and the server log go
#                  (default test/sqlsmith/out)
# Runtime: about 3-4 minutes for 5,000 queries on 2 cores.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/test/sqlsmith"
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

SMITH_QUERIES=${SMITH_QUERIES:-5000}
SMITH_SEED=${SMITH_SEED:-160}
SMITH_TIMEOUT=${SMITH_TIMEOUT:-2s}
SMITH_CATALOG=${SMITH_CATALOG:-focused}
OUT=${SMITH_OUT:-$HERE/out}
DB=smith
T0=$SECONDS

case "$SMITH_CATALOG" in
  focused | full) ;;
  *) ab_die "SMITH_CATALOG must be focused or full, got '$SMITH_CATALOG'" ;;
esac

psql_db() {
  "$AB_CLUSTER_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# Keep the server log: cluster_stop deletes the cluster directory.
save_server_log() {
  [[ -n "${AB_CLUSTER_LOG:-}" && -f "$AB_CLUSTER_LOG" ]] && cp "$AB_CLUSTER_LOG" "$OUT/server.log"
  return 0
}

# The artbandit functions' names as a regex alternation.
artbandit_pattern() {
  psql_db -d "$DB" -At -c "
    SELECT string_agg(DISTINCT p.proname, '|')
    FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'artbandit')"
}

# Queries in a dump file (sqlsmith ends each with ";" and a newline).
count_queries() {
  perl -0777 -ne '$n += () = /;\n/g; END { print $n + 0, "\n" }' "$1"
}

main() {
  ab_pg_config
  ensure_deps || exit 1
  ab_build
  ab_install

  rm -rf "$OUT"
  mkdir -p "$OUT"
  cluster_start
  ab_on_exit save_server_log
  # The whole text of a crashing query in the log ("Failed process was running").
  # Each error logged with its SQLSTATE and statement (analyze.pl reads them).
  psql_db -c "ALTER SYSTEM SET track_activity_query_size = '64kB'" \
          -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %e: '" \
          -c "ALTER SYSTEM SET log_min_error_statement = 'error'" \
          -c "ALTER SYSTEM SET restart_after_crash = on"
  ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" -l "$AB_CLUSTER_LOG" \
    -w -t 60 -s restart >/dev/null

  ab_log "Creating database $DB with sample tables"
  psql_db -c "CREATE DATABASE $DB"
  psql_db -d "$DB" -f "$HERE/setup.sql"
  if [[ "$SMITH_CATALOG" == focused ]]; then
    psql_db -d "$DB" -f "$HERE/focus.sql"
  fi
  psql_db -d "$DB" \
    -c "ALTER ROLE smith SET statement_timeout = '$SMITH_TIMEOUT'" \
    -c "ALTER ROLE smith SET parallel_setup_cost = 0" \
    -c "ALTER ROLE smith SET parallel_tuple_cost = 0" \
    -c "ALTER ROLE smith SET min_parallel_table_scan_size = 0"

  local target="host=$PGHOST port=$PGPORT user=smith dbname=$DB"
  local done_q=0 seed=$SMITH_SEED run=0 rc
  ab_log "sqlsmith: $SMITH_QUERIES queries, seed $SMITH_SEED, catalog $SMITH_CATALOG, statement_timeout $SMITH_TIMEOUT"
  while ((done_q < SMITH_QUERIES)); do
    run=$((run + 1))
    rc=0
    timeout 3600 sqlsmith --target="$target" --seed="$seed" --exclude-catalog --verbose \
      --dump-all-queries --max-queries=$((SMITH_QUERIES - done_q)) \
      >"$OUT/queries.$run.sql" 2>"$OUT/sqlsmith.$run.log" || rc=$?
    done_q=$((done_q + $(count_queries "$OUT/queries.$run.sql")))
    if ((rc != 0)); then
      ab_warn "sqlsmith (seed $seed) exited with status $rc after $done_q queries in all; see $OUT/sqlsmith.$run.log"
    fi
    if ((done_q < SMITH_QUERIES && run >= 5)); then
      cluster_log_if_crashed
      echo "sqlsmith: FAIL (5 sqlsmith runs stopped after $done_q queries)"
      exit 1
    fi
    seed=$((seed + 1))
  done

  # --- report -------------------------------------------------------------------
  local summary crashes internal total touched fails=()
  echo
  echo "======== artbandit: sqlsmith ========"
  echo "  run            seed $SMITH_SEED, $run sqlsmith process(es), catalog $SMITH_CATALOG, statement_timeout $SMITH_TIMEOUT"
  grep -h '^error rate' "$OUT"/sqlsmith.*.log | tail -n 1 | sed 's/^/  sqlsmith       /' || true
  echo "  timeouts       $(grep -c 'canceling statement due to statement timeout' "$AB_CLUSTER_LOG" || true)"
  perl "$HERE/analyze.pl" "$(artbandit_pattern)" "$AB_CLUSTER_LOG" "$OUT"/queries.*.sql |
    tee "$OUT/report.txt" | grep -v '^crashes='
  summary=$(tail -n 1 "$OUT/report.txt")
  crashes=$(sed -E 's/.*crashes=([0-9]+).*/\1/' <<<"$summary")
  internal=$(sed -E 's/.*internal=([0-9]+).*/\1/' <<<"$summary")
  touched=$(sed -E 's/.*touched=([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.*total=([0-9]+).*/\1/' <<<"$summary")

  ((crashes == 0)) || fails+=("$crashes crash line(s) in the server log, see $OUT/crashes.txt")
  ((internal == 0)) || fails+=("$internal internal error(s) in queries calling artbandit, see $OUT/internal_errors.txt")
  psql_db -d "$DB" -At -c 'SELECT 1' >/dev/null || fails+=("the server does not answer")
  ((total >= SMITH_QUERIES)) || fails+=("only $total queries ran")
  echo "  runtime        $((SECONDS - T0)) s; queries, sqlsmith reports and server log in $OUT"
  if ((${#fails[@]} == 0)); then
    echo "sqlsmith: PASS ($total queries, $touched calling artbandit, 0 crashed backends)"
  else
    echo "sqlsmith: FAIL (${fails[*]})"
    exit 1
  fi
}

main "$@"
