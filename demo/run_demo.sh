#!/usr/bin/env bash
# `make demo`: build and install the extension, run demo/demo.sql, then draw
# its chart with matplotlib (demo/plot_chart.py).
# With PGHOST/PGHOSTADDR/PGPORT/PGDATABASE/PGSERVICE set, the demo runs on
# that server, in a dedicated database artbandit_demo (created if missing,
# kept afterwards); otherwise on a throwaway cluster that is deleted at the
# end.  DEMO_ROWS sets the size of the simulated log (default 2,000,000
# impressions).  ARTBANDIT_SKIP_INSTALL=1 installs no packages and neither
# builds nor installs the extension: the server's own copy is used.
# The chart lands in demo/out/artbandit-demo.png and .svg, drawn from the
# numbers the SQL writes to demo/out/artbandit-demo.csv.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

DEMO_DB=artbandit_demo
OUT=$ROOT/demo/out
STARTED=$SECONDS

# timed CMD...: run a step that may take a while, then say how long it took
# (the step itself says what it does first).
timed() {
  local t0=$SECONDS
  "$@"
  printf '    done in %d s\n' $((SECONDS - t0)) >&2
}

user_server_configured() {
  [[ -n "${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" ]]
}

# The demo creates objects: on the user's server keep them in their own
# database.  createdb connects to the user's database if they named one.
use_user_server() {
  local bindir maint=()
  bindir=$(ab_pg_bindir)
  [[ -n "${PGDATABASE:-}" ]] && maint=(--maintenance-db="$PGDATABASE")
  ab_log "Using your server (PG* variables are set), database $DEMO_DB"
  case "${PGHOSTADDR:-${PGHOST:-}}" in
    "" | /* | localhost | 127.0.0.1 | ::1) ;;
    *) ab_log "Note: the extension was installed on this machine; a remote server needs it too" ;;
  esac
  if ! PGDATABASE="$DEMO_DB" "$bindir/psql" -X -q -t -c 'SELECT 1' >/dev/null 2>&1; then
    ab_log "Creating database $DEMO_DB"
    "$bindir/createdb" "${maint[@]}" "$DEMO_DB"
  fi
  export PGDATABASE="$DEMO_DB"
}

# The chart, from the CSV demo.sql wrote (Debian's python3-matplotlib).
draw_chart() {
  local py=/usr/bin/python3
  [[ -x $py ]] || py=python3
  "$py" -c 'import matplotlib' 2>/dev/null ||
    ab_die "matplotlib is missing (Debian: apt-get install python3-matplotlib): no chart"
  ab_log "Drawing the chart (demo/plot_chart.py): demo/out/artbandit-demo.png and .svg"
  "$py" demo/plot_chart.py "$OUT/artbandit-demo.csv" "$OUT/artbandit-demo"
}

# The closing line says what happened to the demo's tables, and is true.
finish() {
  local throwaway=$1 dir=$AB_CLUSTER_DIR took=$((SECONDS - STARTED))
  if [[ $throwaway -eq 0 ]]; then
    ab_log "Demo finished in $took s. Its tables stay in schema artbandit_demo of database $DEMO_DB" \
      "on your server (DROP DATABASE $DEMO_DB removes them); the chart is in demo/out/."
    return 0
  fi
  cluster_stop
  [[ ! -e "$dir" ]] || ab_die "could not delete the throwaway cluster in $dir"
  ab_log "Demo finished in $took s. The throwaway cluster has been stopped and deleted, and the" \
    "demo's tables with it; the chart stays in demo/out/. To keep the tables, run the demo on" \
    "your own server (set PGHOST/PGPORT: see README)."
}

main() {
  [[ -f demo/demo.sql ]] || ab_die "demo/demo.sql is missing"
  ab_pg_config
  ab_export_data_dir "$ROOT"
  if [[ "${ARTBANDIT_SKIP_INSTALL:-}" == 1 ]]; then
    ab_log "ARTBANDIT_SKIP_INSTALL=1: no packages, no build, using the extension the server has"
  else
    ab_log "Checking the Debian packages the demo needs (installing what is missing)"
    timed ensure_deps
    timed ab_build
    timed ab_install
  fi

  local throwaway=0
  if user_server_configured; then
    use_user_server
  else
    ab_log "Starting a throwaway PostgreSQL cluster"
    timed cluster_start
    throwaway=1
  fi

  ab_log "Running demo/demo.sql on ${DEMO_ROWS:-2000000} impressions (it says what each step does)"
  mkdir -p "$OUT"
  # No pager and no ~/.psqlrc: the demo must never stop to wait for input.
  if ! "$(ab_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off \
      -v rows="${DEMO_ROWS:-2000000}" -v chart_data="$OUT/artbandit-demo.csv" \
      -f demo/demo.sql; then
    [[ $throwaway -eq 1 ]] && cluster_log_if_crashed
    ab_die "demo/demo.sql failed"
  fi
  timed draw_chart
  finish "$throwaway"
}

main "$@"
