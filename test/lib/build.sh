# Build and install the extension (shared by make test and make demo).
# Run from the repository root.
# shellcheck shell=bash

# shellcheck source=test/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ab_build() {
  ab_pg_config
  ab_log "Building (PG_CONFIG=$PG_CONFIG)"
  ab_quiet make -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$PG_CONFIG"
}

# Can this user write where `make install` puts files?
_ab_install_dirs_writable() {
  local d
  for d in "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --sharedir)/extension"; do
    [[ -w "$d" ]] || return 1
  done
}

ab_install() {
  ab_pg_config
  ab_log "Installing into $("$PG_CONFIG" --pkglibdir)"
  if ab_is_root || _ab_install_dirs_writable; then
    ab_quiet make install PG_CONFIG="$PG_CONFIG"
  elif command -v sudo >/dev/null 2>&1; then
    # Never prompt in CI; locally sudo may ask for a password.
    if [[ "${CI:-}" == "true" ]]; then
      ab_quiet sudo -n make install PG_CONFIG="$PG_CONFIG"
    else
      sudo make install PG_CONFIG="$PG_CONFIG" >/dev/null
    fi
  else
    ab_warn "not root and no sudo: assuming the extension is already installed"
  fi
}

# ARTBANDIT_DATA: the shared real data next to the repository, when present
# (tests skip their real-data parts without it).  A value set by the caller wins.
ab_export_data_dir() {
  local root=$1
  if [[ -n "${ARTBANDIT_DATA:-}" ]]; then
    export ARTBANDIT_DATA
  elif [[ -d "$root/../shared/data" ]]; then
    ARTBANDIT_DATA=$(cd "$root/../shared/data" && pwd)
    export ARTBANDIT_DATA
  else
    unset ARTBANDIT_DATA
  fi
}
