# A throwaway PostgreSQL cluster for tests and the demo.  Source it, then:
#   cluster_start   initdb + start in a private temp dir, export PGHOST/PGPORT/
#                   PGUSER/PGDATABASE; cluster_stop is registered for EXIT
#   cluster_stop    stop the server and delete everything (idempotent)
# The server listens on a unix socket only, in its own directory, on a port
# that nothing else uses, so a cluster already running on 5432 is untouched.
# shellcheck shell=bash

# shellcheck source=test/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

AB_CLUSTER_DIR=""
AB_CLUSTER_LOG=""
AB_CLUSTER_BINDIR=""

# The usual socket directories: a Debian cluster uses /var/run/postgresql.
_AB_SOCKET_DIRS=(/var/run/postgresql /run/postgresql /tmp)

# A port is free when no socket or lock file exists for it and nothing
# listens on it over TCP (another server may not use unix sockets at all).
_ab_port_free() {
  local port=$1 d
  for d in "${_AB_SOCKET_DIRS[@]}"; do
    [[ -e "$d/.s.PGSQL.$port" || -e "$d/.s.PGSQL.$port.lock" ]] && return 1
  done
  if command -v ss >/dev/null 2>&1; then
    [[ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]] || return 1
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return 1
  fi
  return 0
}

_ab_free_port() {
  local port
  for ((port = ${AB_CLUSTER_PORT_BASE:-55432}; port < 65535; port++)); do
    if _ab_port_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  ab_die "no free port found for the test cluster"
}

# Settings for tests: fast and disposable, room for parallel plans.
_ab_write_conf() {
  local port=$1 sockdir=$2
  cat >>"$AB_CLUSTER_DIR/data/postgresql.conf" <<EOF

# --- artbandit throwaway test cluster ---
listen_addresses = ''
port = $port
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
EOF
}

cluster_start() {
  local port sockdir
  AB_CLUSTER_BINDIR=$(ab_pg_bindir)
  [[ -x "$AB_CLUSTER_BINDIR/initdb" ]] ||
    ab_die "initdb not found in $AB_CLUSTER_BINDIR (is postgresql-15 installed?)"

  AB_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-pg.XXXXXX")
  ab_on_exit cluster_stop
  chmod 700 "$AB_CLUSTER_DIR"
  sockdir="$AB_CLUSTER_DIR/sock"
  AB_CLUSTER_LOG="$AB_CLUSTER_DIR/server.log"
  mkdir "$sockdir"
  ab_chown_pg "$AB_CLUSTER_DIR"

  if ! ab_as_pg "$AB_CLUSTER_BINDIR/initdb" -D "$AB_CLUSTER_DIR/data" \
      --auth=trust -U postgres --encoding=UTF8 --locale=C --no-sync \
      >"$AB_CLUSTER_DIR/initdb.log" 2>&1; then
    cat "$AB_CLUSTER_DIR/initdb.log" >&2
    ab_die "initdb failed"
  fi

  port=$(_ab_free_port)
  _ab_write_conf "$port" "$sockdir"
  if ! ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$AB_CLUSTER_DIR/data" \
      -l "$AB_CLUSTER_LOG" -w -t 60 -s start >/dev/null 2>&1; then
    echo "---- server log ($AB_CLUSTER_LOG) ----" >&2
    cat "$AB_CLUSTER_LOG" >&2 || true
    ab_die "could not start the test cluster on port $port"
  fi

  # Our socket must win over anything the caller had set.
  unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGSSLMODE
  export PGHOST="$sockdir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
  ab_log "Test cluster running (port $PGPORT, socket dir $PGHOST)"
}

# After a failure: show the server log if the server crashed or panicked.
cluster_log_if_crashed() {
  [[ -f "$AB_CLUSTER_LOG" ]] || return 0
  if grep -Eq 'terminated by signal|PANIC|TRAP:' "$AB_CLUSTER_LOG"; then
    echo "---- server log, last 40 lines ($AB_CLUSTER_LOG) ----" >&2
    tail -n 40 "$AB_CLUSTER_LOG" >&2
  fi
}

_ab_postmaster_pid() {
  head -n 1 "$AB_CLUSTER_DIR/data/postmaster.pid" 2>/dev/null || true
}

cluster_stop() {
  local dir=$AB_CLUSTER_DIR pid
  [[ -n "$dir" && -d "$dir" ]] || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop \
      >/dev/null 2>&1 ||
      ab_as_pg "$AB_CLUSTER_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop \
        >/dev/null 2>&1 || true
    # Last resort: the postmaster we started, by its pid.
    pid=$(_ab_postmaster_pid)
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
  AB_CLUSTER_DIR=""
}
