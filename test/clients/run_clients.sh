#!/usr/bin/env bash
# The client tests of README "Clients": psycopg2 (Debian), pgjdbc (Debian's
# libpostgresql-jdbc-java, the driver of Metabase and Tableau) and
# node-postgres (npm, pinned by test/clients/node/package-lock.json) each
# build test/clients/fixture.sql and run the dashboard queries, checking the
# type and value of what arrives (test/clients/*/).  First, the README's
# snippets must equal the marked regions of the tests (check_readme.py).
#
# Runs against the server in PGHOST/PGPORT/PGUSER, which must have artbandit
# installed: in `make test` (stage clients) the throwaway cluster of
# run_tests.sh.  It creates (and drops) a database artbandit_clients there.
# As root it installs the Debian packages it needs, and nodejs/npm only
# when the node or npm command is missing (a NodeSource nodejs already
# provides npm and conflicts with Debian's); the clients run as the server
# user in a private copy of test/clients (npm ci writes node_modules there).
#
# npm ci needs the npm registry.  When it fails the stage FAILS, unless npm
# is explicitly set offline (npm_config_offline=true, or offline=true in an
# npmrc): then the node-postgres client is reported skipped, and the script
# exits 77 ("skipped") if the other clients passed.  A network that merely
# happens to be down is not a reason to pass without node-postgres.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/common.sh
source test/lib/common.sh
# shellcheck source=test/lib/deps.sh
source test/lib/deps.sh

JDBC_JAR=/usr/share/java/postgresql.jar
PYTHON=/usr/bin/python3   # Debian's, which has python3-psycopg2 (not a pyenv one)
DB=artbandit_clients
SKIPPED=()
WORK=""

# The closing line: PASS, FAIL with the reasons, or SKIPPED (exit 77).
summary() {
  if [[ ${AB_EXIT_STATUS:-0} -eq 77 ]]; then
    echo
    echo "clients: SKIPPED (${SKIPPED[*]}; psycopg2 and pgjdbc passed)"
  else
    ab_check_summary clients "psycopg2, pgjdbc and node-postgres" "" ""
  fi
}
ab_on_exit summary

[[ -n "${PGHOST:-}" && -n "${PGPORT:-}" ]] ||
  ab_die "set PGHOST and PGPORT (and PGUSER) to a server with artbandit installed; make test does"

client_deps() {
  AB_DEPS=(python3-psycopg2 default-jdk-headless libpostgresql-jdbc-java)
  command -v node >/dev/null 2>&1 || AB_DEPS+=(nodejs)
  command -v npm >/dev/null 2>&1 || AB_DEPS+=(npm)
  ensure_deps
}

# The clients' environment: the server, and npm's cache and HOME in the copy.
as_client() {
  ab_as_pg env PATH="/usr/bin:/bin:$(ab_pg_bindir)" PGHOST="$PGHOST" PGPORT="$PGPORT" \
    PGUSER="${PGUSER:-postgres}" PGDATABASE="$DB" HOME="$WORK" npm_config_cache="$WORK/.npm" \
    npm_config_update_notifier=false ${npm_config_offline:+npm_config_offline="$npm_config_offline"} "$@"
}

psql_admin() {
  as_client "$(ab_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
}

# run_client NAME CMD...: one client's TAP output; a failure is recorded.
run_client() {
  local name=$1 out rc=0
  shift
  ab_log "Client test: $name"
  out=$(as_client "$@" 2>&1) || rc=$?
  printf '%s\n' "$out"
  if [[ $rc -ne 0 ]] || ! grep -q '^1\.\.[1-9]' <<<"$out" || grep -q '^not ok' <<<"$out"; then
    ab_check_fail "$name: $(grep -c '^not ok' <<<"$out" || true) failed checks (exit $rc)"
    return 1
  fi
  ab_log "$name: $(grep -c '^ok' <<<"$out") checks passed"
}

npm_offline() {
  [[ "${npm_config_offline:-}" == true ]] || [[ "$(as_client npm config get offline 2>/dev/null)" == true ]]
}

run_node() {
  local log="$WORK/npm-ci.log"
  ab_log "npm ci (node-postgres from the npm registry)"
  if ! as_client sh -c "cd '$WORK/node' && npm ci --no-audit --no-fund" >"$log" 2>&1; then
    cat "$log" >&2
    if npm_offline; then
      SKIPPED+=("node-postgres: npm is set offline and npm ci could not install pg")
      ab_warn "${SKIPPED[-1]}"
      return 0
    fi
    ab_check_fail "node-postgres: npm ci failed (is the npm registry reachable? set npm_config_offline=true to record the client as skipped)"
    return 1
  fi
  run_client node-postgres sh -c "cd '$WORK/node' && node dashboard_client.js ../fixture.sql"
}

main() {
  client_deps || ab_check_fail "could not install the clients' packages"
  "$PYTHON" test/clients/check_readme.py || ab_check_fail "README snippets differ from the client tests"

  WORK=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-clients.XXXXXX")
  ab_on_exit rm -rf "$WORK"
  cp -R test/clients/. "$WORK"
  rm -rf "$WORK/node/node_modules"
  ab_chown_pg "$WORK"

  psql_admin -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  ab_on_exit psql_admin -c "DROP DATABASE IF EXISTS $DB"
  as_client "$(ab_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION artbandit"

  run_client psycopg2 "$PYTHON" "$WORK/python/dashboard_client.py" || true
  if as_client javac -Xlint:all -Werror -cp "$JDBC_JAR" -d "$WORK/java/classes" \
      "$WORK/java/DashboardClient.java" "$WORK/java/UnixSocketFactory.java"; then
    run_client pgjdbc java -cp "$WORK/java/classes:$JDBC_JAR" DashboardClient "$WORK/fixture.sql" || true
  else
    ab_check_fail "pgjdbc: javac failed"
  fi
  run_node || true

  [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]] || exit 1
  [[ ${#SKIPPED[@]} -eq 0 ]] || exit 77
}

main "$@"
