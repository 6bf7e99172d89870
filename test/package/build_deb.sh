#!/usr/bin/env bash
# `make deb`: build the Debian package postgresql-15-artbandit with
# dpkg-buildpackage -us -uc -b (debian/: dh --with pgxs_loop, pg_buildext).
#
# The build runs in a clean copy of the tree in a temporary directory: the
# files git knows (tracked, or untracked but not ignored) -- so no object file,
# results/ or other build product of the working tree gets into the package,
# and nothing is written into the tree but build/deb/.  Without git (a release
# tarball) the whole tree is copied and the package build's own `make clean`
# removes build products.  As root, missing build dependencies are installed.
#
# Leaves in build/deb/ (git-ignored): postgresql-15-artbandit_<version>_<arch>.deb,
# its -dbgsym package, the .buildinfo and .changes, and build.log; prints the
# .deb's path on stdout.
#
# Environment:
#   DEB_BUILD_OPTIONS  as for any Debian build; "nocheck" skips the regress run
#                      against the built files (dh_pgxs_test)
#   DEB_OUT            where to leave the results (default build/deb)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

OUT=${DEB_OUT:-$ROOT/build/deb}
# debian/control's Build-Depends, build-essential, and the server that
# dh_pgxs_test runs the suite on.
BUILD_DEPS=(build-essential dpkg-dev debhelper postgresql-server-dev-all
            postgresql-server-dev-15 postgresql-15)

# copy_clean_tree DIR: the source files of the tree, without build products.
copy_clean_tree() {
  local dest=$1
  if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do
        [[ -e "$f" ]] && printf '%s\0' "$f"   # (deleted but not yet committed)
      done |
      tar --null -T - -cf - | tar -C "$dest" -xf -
  else
    tar --exclude=./build --exclude=./.git -cf - . | tar -C "$dest" -xf -
  fi
}

main() {
  local version upstream arch work src log deb
  ab_ensure_pkgs "${BUILD_DEPS[@]}" || exit 1
  version=$(dpkg-parsechangelog -l debian/changelog -S Version)
  upstream=${version%-*}
  arch=$(dpkg --print-architecture)

  # Readable by the server user: dh_pgxs_test's server loads the built files.
  work=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-deb.XXXXXX")
  ab_on_exit rm -rf "$work"
  chmod 755 "$work"
  src="$work/artbandit-$upstream"
  mkdir "$src"
  copy_clean_tree "$src"

  mkdir -p "$OUT"
  log="$OUT/build.log"
  rm -f "$OUT"/*.deb "$OUT"/*.buildinfo "$OUT"/*.changes
  ab_log "dpkg-buildpackage -b of artbandit $version in $src (log: $log)"
  if ! (cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc 2>/dev/null || echo 2)") \
      >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    ab_die "dpkg-buildpackage failed (whole log: $log)"
  fi
  mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$OUT"/
  deb="$OUT/postgresql-15-artbandit_${version}_$arch.deb"
  [[ -f "$deb" ]] || ab_die "dpkg-buildpackage made no $deb"
  ab_log "Built $deb"
  echo "$deb"
}

main "$@"
