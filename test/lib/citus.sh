# Citus 12.1.12 for the Citus TAP test (test/t/200_citus.pl).  Citus is not
# a Debian package: it is built once per machine from the vendored source
# (../shared/vendor/citus-12.1.12.tar.gz, or $ARTBANDIT_VENDOR/...), in a
# cache directory, and installed from there into the server under test.
#   ab_citus_vendor ROOT          sets AB_CITUS_TARBALL (empty when absent)
#   ab_citus_installed PG_CONFIG  is Citus 12.1.12 installed for that server?
#   ab_citus_ensure ROOT PG_CONFIG [DESTDIR]
#                                 build if needed and install, into the
#                                 system (no DESTDIR: needs root or sudo) or
#                                 into a private copy of the server (DESTDIR)
# Knobs: ARTBANDIT_VENDOR (a directory holding the tarball), ARTBANDIT_CACHE
# (where the build is kept; default ~/.cache/artbandit).
# shellcheck shell=bash

# shellcheck source=test/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=test/lib/deps.sh
source "$(dirname "${BASH_SOURCE[0]}")/deps.sh"

AB_CITUS_VERSION=12.1.12
AB_CITUS_SHA256=a344da15513601e718a268d907e1c86e43a69eb243398b929f65a4580723f552
# What its build needs from Debian (libkrb5-dev: the server headers include gssapi.h).
AB_CITUS_BUILD_DEPS=(liblz4-dev libzstd-dev libcurl4-openssl-dev libkrb5-dev)
AB_CITUS_TARBALL=""

ab_citus_vendor() {
  local root=$1 d
  AB_CITUS_TARBALL=""
  for d in "${ARTBANDIT_VENDOR:-}" "$root/../shared/vendor"; do
    [[ -n "$d" && -f "$d/citus-$AB_CITUS_VERSION.tar.gz" ]] || continue
    AB_CITUS_TARBALL=$(cd "$d" && pwd)/citus-$AB_CITUS_VERSION.tar.gz
    return 0
  done
  return 1
}

# The control file says 12.1-1 for every 12.1.x: the library names the release.
ab_citus_installed() {
  local pgc=$1 so ctl
  so="$("$pgc" --pkglibdir)/citus.so"
  ctl="$("$pgc" --sharedir)/extension/citus.control"
  [[ -f "$so" && -f "$ctl" ]] || return 1
  grep -q "^default_version = '12.1-1'" "$ctl" || return 1
  grep -aq "Citus $AB_CITUS_VERSION on " "$so"
}

# The build tree, keyed by the server it was built for (PG_CONFIG).
_ab_citus_builddir() {
  local major
  major=$("$1" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
  echo "${ARTBANDIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/artbandit}/citus-$AB_CITUS_VERSION-pg$major"
}

# Build into the cache unless a build of this tarball for this server is
# there (stamp file); another run building at the same time waits (flock).
_ab_citus_build() {
  local dir=$1 pgc=$2 stamp want sum
  stamp="$dir/.artbandit-built"
  want="$AB_CITUS_SHA256 $("$pgc" --version) $pgc"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
  sum=$(sha256sum "$AB_CITUS_TARBALL" | cut -d' ' -f1)
  [[ "$sum" == "$AB_CITUS_SHA256" ]] ||
    { ab_warn "$AB_CITUS_TARBALL: sha256 $sum, expected $AB_CITUS_SHA256"; return 1; }
  ab_log "Building Citus $AB_CITUS_VERSION in $dir (once per machine; a few minutes)"
  rm -rf "$dir/src"
  mkdir -p "$dir/src"
  tar -C "$dir/src" --strip-components=1 -xzf "$AB_CITUS_TARBALL" || return 1
  (cd "$dir/src" &&
    ab_quiet ./configure PG_CONFIG="$pgc" &&
    ab_quiet make -j"$(nproc 2>/dev/null || echo 2)") || return 1
  echo "$want" >"$stamp"
}

# install-extension: the libraries and scripts, not the C headers Citus
# would also put into the server's include directory.
_ab_citus_install() {
  local dir=$1 pgc=$2 destdir=$3
  if [[ -n "$destdir" ]]; then
    ab_log "Installing Citus $AB_CITUS_VERSION into $destdir"
    ab_quiet make -C "$dir/src" install-extension PG_CONFIG="$pgc" DESTDIR="$destdir"
  elif ab_is_root; then
    ab_log "Installing Citus $AB_CITUS_VERSION into $("$pgc" --pkglibdir)"
    ab_quiet make -C "$dir/src" install-extension PG_CONFIG="$pgc"
  elif command -v sudo >/dev/null 2>&1; then
    # as ab_install: never prompt in CI
    if [[ "${CI:-}" == "true" ]]; then
      ab_quiet sudo -n make -C "$dir/src" install-extension PG_CONFIG="$pgc"
    else
      sudo make -C "$dir/src" install-extension PG_CONFIG="$pgc" >/dev/null
    fi
  else
    ab_warn "not root: install Citus with: sudo make -C $dir/src install-extension"
    return 1
  fi
}

# Exit 0 when Citus is there (or was built and installed), 77 when it cannot
# be had (no tarball), 1 when it could be but is not (build packages missing
# and we are not root, a failed build or install).  PG_CONFIG is the system
# server's (the build's paths are its); DESTDIR the private copy
# (test/lib/prefix.sh), whose pg_config is $DESTDIR$PG_CONFIG.
ab_citus_ensure() {
  local root=$1 pgc=$2 destdir=${3:-} dir lock rc=0
  if ab_citus_installed "$destdir$pgc"; then
    ab_log "Citus $AB_CITUS_VERSION is installed${destdir:+ in $destdir}"
    return 0
  fi
  if ! ab_citus_vendor "$root"; then
    ab_warn "no Citus $AB_CITUS_VERSION installed and no citus-$AB_CITUS_VERSION.tar.gz in ../shared/vendor or \$ARTBANDIT_VENDOR: the Citus test will skip"
    return 77
  fi
  ab_ensure_pkgs "${AB_CITUS_BUILD_DEPS[@]}" || return 1
  dir=$(_ab_citus_builddir "$pgc")
  mkdir -p "$dir" || return 1
  lock="$dir/.lock"
  (
    flock 9
    _ab_citus_build "$dir" "$pgc" && _ab_citus_install "$dir" "$pgc" "$destdir"
  ) 9>"$lock" || rc=1
  if [[ $rc -ne 0 ]] || ! ab_citus_installed "$destdir$pgc"; then
    ab_warn "Citus $AB_CITUS_VERSION is still not installed${destdir:+ in $destdir}"
    return 1
  fi
}
