# ensure_deps: install the Debian packages the build, tests and demo need.
# Installs only what is missing, and only as root; otherwise says what to run.
# shellcheck shell=bash

# shellcheck source=test/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

AB_DEPS=(postgresql-15 postgresql-server-dev-15 libipc-run-perl make gcc clang
         libclang-rt-14-dev python3 python3-numpy python3-matplotlib
         libdigest-murmurhash3-pureperl-perl
         valgrind sqlsmith postgresql-15-cron)

# What `make check` needs: build, unit, regress and TAP (no hardening tools).
# shellcheck disable=SC2034 # used by run_tests.sh
AB_CHECK_DEPS=(postgresql-15 postgresql-server-dev-15 libipc-run-perl make gcc clang
               libclang-rt-14-dev python3 python3-numpy libdigest-murmurhash3-pureperl-perl
               postgresql-15-cron)

_ab_missing_pkgs() {
  local p
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] ||
      echo "$p"
  done
}

# Another apt run (e.g. image provisioning) may hold the lock: wait for it.
_ab_apt() {
  DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=900 "$@"
}

# ensure_deps [PKG...]: the packages given, or AB_DEPS.
ensure_deps() {
  local want=("$@")
  [[ ${#want[@]} -gt 0 ]] || want=("${AB_DEPS[@]}")
  ab_ensure_pkgs "${want[@]}"
}

# ab_ensure_pkgs PKG...: install those of PKG that are missing (as root).
ab_ensure_pkgs() {
  local missing=()
  if ! command -v dpkg-query >/dev/null 2>&1; then
    ab_warn "not a Debian system: cannot check packages, assuming $* are installed"
    return 0
  fi
  mapfile -t missing < <(_ab_missing_pkgs "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0

  if ! ab_is_root; then
    ab_warn "missing packages: ${missing[*]}"
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  ab_log "Installing missing packages: ${missing[*]}"
  ab_quiet _ab_apt update || return 1
  ab_quiet _ab_apt -y --no-install-recommends install "${missing[@]}" || return 1
}
