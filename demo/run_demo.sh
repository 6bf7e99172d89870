#!/usr/bin/env bash
# `make demo`: build and install the extension, then run demo/demo.sql.
# With PGHOST/PGHOSTADDR/PGPORT/PGDATABASE/PGSERVICE set, the demo runs on
# that server, in a dedicated database artbandit_demo (created if missing);
# otherwise on a throwaway cluster that is deleted afterwards.  DEMO_ROWS
# sets the size of the simulated log (default 2,000,000 impressions); the
# chart is written to demo/out/artbandit-demo.svg.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

DEMO_DB=artbandit_demo

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

main() {
  [[ -f demo/demo.sql ]] || ab_die "demo/demo.sql is missing"
  ab_pg_config
  ab_export_data_dir "$ROOT"
  ensure_deps
  ab_build
  ab_install

  local throwaway=0
  if user_server_configured; then
    use_user_server
  else
    cluster_start
    throwaway=1
  fi

  ab_log "Running demo/demo.sql"
  mkdir -p "$ROOT/demo/out"
  # No pager and no ~/.psqlrc: the demo must never stop to wait for input.
  if ! "$(ab_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off \
      -v rows="${DEMO_ROWS:-2000000}" -v chart="$ROOT/demo/out/artbandit-demo.svg" \
      -f demo/demo.sql; then
    [[ $throwaway -eq 1 ]] && cluster_log_if_crashed
    ab_die "demo/demo.sql failed"
  fi
  ab_log "Demo finished"
}

main "$@"
