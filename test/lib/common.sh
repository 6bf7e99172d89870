# Shared helpers for test/ and demo/ scripts.  Source it; it only defines
# functions and installs one EXIT trap (cleanups are registered with ab_on_exit
# so several libraries can share that single trap).
# shellcheck shell=bash

[[ -n "${_AB_COMMON_LOADED:-}" ]] && return 0
_AB_COMMON_LOADED=1

ab_log()  { printf '==> %s\n' "$*" >&2; }
ab_warn() { printf 'WARNING: %s\n' "$*" >&2; }
ab_die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

ab_is_root() { [[ $(id -u) -eq 0 ]]; }

# initdb, postgres and TAP test nodes refuse to run as root: as root we use the
# account created by the Debian package, otherwise the calling user.
ab_pg_user() {
  if ab_is_root; then echo postgres; else id -un; fi
}

# Run a command as the server user.  As root, start from / because the
# caller's cwd (e.g. /root) is usually not readable by postgres.
ab_as_pg() {
  if ab_is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Give a directory we created to the server user.
ab_chown_pg() {
  if ab_is_root; then chown -R postgres:postgres "$@"; fi
}

# Set and export PG_CONFIG (the server we build for): Debian installs several
# versions side by side, so never rely on whichever pg_config is on PATH.
ab_pg_config() {
  : "${PG_CONFIG:=/usr/lib/postgresql/15/bin/pg_config}"
  export PG_CONFIG
}

ab_pg_bindir() {
  if [[ -n "${PG_CONFIG:-}" && -x "$PG_CONFIG" ]]; then
    "$PG_CONFIG" --bindir
  else
    echo /usr/lib/postgresql/15/bin
  fi
}

# Run a noisy command with its output kept aside; show it only on failure.
ab_quiet() {
  local log rc=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    cat "$log" >&2
    printf 'ERROR: command failed (exit %d): %s\n' "$rc" "$*" >&2
  fi
  rm -f "$log"
  return "$rc"
}

# --- cleanup stack, run in reverse order on any exit ---------------------------
_AB_CLEANUPS=()

# ab_on_exit CMD [ARGS...]: run CMD ARGS when the script exits, even on failure.
ab_on_exit() {
  _AB_CLEANUPS+=("$(printf '%q ' "$@")")
}

# AB_EXIT_STATUS: the script's exit status, for cleanups that report it.
_ab_run_cleanups() {
  # shellcheck disable=SC2034 # read by the cleanups
  AB_EXIT_STATUS=$?
  local i
  for ((i = ${#_AB_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${_AB_CLEANUPS[i]}" || true
  done
  _AB_CLEANUPS=()
}

trap _ab_run_cleanups EXIT
# Turn signals into a normal exit so the EXIT trap cleans up (not in an
# interactive shell, which Ctrl-C must not close).
if [[ $- != *i* ]]; then
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

# The checking scripts (test/ubsan, test/valgrind) collect what went wrong
# with ab_check_fail and end with one line, "NAME: PASS (PASS_DETAIL TAIL)"
# or "NAME: FAIL (FAIL_DETAIL<reasons; >TAIL)", from ab_check_summary NAME
# PASS_DETAIL FAIL_DETAIL TAIL (run it from an exit cleanup).
AB_FAIL_REASONS=()
ab_check_fail() {
  AB_FAIL_REASONS+=("$*")
  ab_warn "$*"
}

ab_check_summary() {
  local name=$1 pass=$2 fail=$3 tail=$4 rc=${AB_EXIT_STATUS:-0} reasons
  echo
  if [[ $rc -eq 0 && ${#AB_FAIL_REASONS[@]} -eq 0 ]]; then
    echo "$name: PASS ($pass$tail)"
  else
    [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]] && AB_FAIL_REASONS=("aborted (exit $rc)")
    reasons=$(printf '%s; ' "${AB_FAIL_REASONS[@]}")
    echo "$name: FAIL ($fail$reasons$tail)"
  fi
}

# ab_regress_order TEST...: the regress tests in the order pg_regress must run
# them: sql/setup.sql (shared helpers such as expect_error) first, once.
ab_regress_order() {
  local t out=(setup)
  for t in "$@"; do [[ "$t" == setup ]] || out+=("$t"); done
  echo "${out[*]}"
}
