#!/usr/bin/env bash
# The package test (`make test` stage "package"): build the Debian package,
# check it, install it into a clean PostgreSQL 15 and run the regress suite
# against the installed files.
#
#  1. build   test/package/build_deb.sh with DEB_BUILD_OPTIONS=nocheck (the
#             suite runs in step 5, against the installed package)
#  2. meta    META.json against the PGXN Meta Spec, its version against
#             artbandit.control and debian/changelog (check_meta.py); the
#             .deb's name, version and dependency on postgresql-15
#  3. files   the package's files under usr/lib/postgresql and
#             usr/share/postgresql are exactly those `make install DESTDIR=...`
#             installs, and it has nothing else but its doc directory
#  4. install one of
#     system  (ARTBANDIT_PKG_INSTALL=system, as `make test` runs it; the default
#             when CI=true; root only): every artbandit file is removed from the
#             system PostgreSQL (what `make install` put there), the package is
#             installed with `apt-get install ./<deb>` and checked with
#             `dpkg --verify`.  On exit it is purged -- which must leave no
#             artbandit file behind -- and, if the extension was installed
#             before, `make install` of this tree puts it back, so the stages
#             after this one find what they expect.
#     private (the default otherwise): the system PostgreSQL is copied into a
#             scratch prefix, every artbandit file is removed from the copy and
#             the package unpacked into it with dpkg-deb -x.  Nothing is
#             installed into the system PostgreSQL.
#  5. regress on a throwaway cluster of that PostgreSQL: a backend that ran
#             CREATE EXTENSION must have mapped the packaged artbandit.so, and
#             every packaged file must match the package's md5sums; then
#             `make installcheck` (pg_regress, setup first, no TAP) from a copy
#             of the tree; in system mode also debian/tests/installcheck
#             (the autopkgtest, pg_buildext installcheck).
# Ends with "package-check: PASS (...)" or "package-check: FAIL (reasons)".
#
# Environment:
#   ARTBANDIT_PKG_INSTALL  system | private (see above)
#   ARTBANDIT_PKG_DEB      test this .deb instead of building one (e.g. to see
#                          that a broken package fails)
#   PG_CONFIG              the system PostgreSQL 15 (default Debian's)
# Cleanups and checks are called indirectly (ab_on_exit):
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

PKG=postgresql-15-artbandit
T0=$SECONDS
MODE=""
DEB=""
SCRATCH=""
SYS_PG_CONFIG=""
PGC=""            # pg_config of the PostgreSQL under test
TREE=/            # where the package's files are (/ or the private prefix)
HAD_EXTENSION=0   # system mode: was artbandit installed before we started?
RESTORE_PENDING=0
NREGRESS=0

summary() {
  ab_check_summary package-check \
    "$MODE install of $(basename "${DEB:-?}"), $NREGRESS regress tests; " "" \
    "$((SECONDS - T0))s"
  # A failure found by the exit cleanups (purge, restore) fails the script.
  [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]] || exit 1
}

# Is the package on the system in any state but "not installed"?
pkg_present() {
  local st
  st=$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != not-installed ]]
}

flat() { tr '\n' ' ' <<<"$1" | sed 's/ *$//'; }

# The artbandit files of a PostgreSQL whose pg_config is $1 (none: empty).
artbandit_files() {
  local lib share
  lib=$("$1" --pkglibdir)
  share=$("$1" --sharedir)
  find "$lib" "$share/extension" \( -path "$lib/artbandit.so" -o \
       -path "$lib/bitcode/artbandit/*" -o -path "$lib/bitcode/artbandit.index.bc" -o \
       -name 'artbandit.control' -o -name 'artbandit--*' \) ! -type d 2>/dev/null | sort
}

remove_artbandit_files() {
  local lib
  lib=$("$1" --pkglibdir)
  rm -rf "$lib/artbandit.so" "$lib/bitcode/artbandit" "$lib/bitcode/artbandit.index.bc" \
         "$("$1" --sharedir)"/extension/artbandit[.-]*
}

# --- 1-3: build and check the package -------------------------------------------
build_package() {
  if [[ -n "${ARTBANDIT_PKG_DEB:-}" ]]; then
    DEB=$(readlink -f "$ARTBANDIT_PKG_DEB")
    ab_log "Testing the given package $DEB"
    return 0
  fi
  DEB=$(DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" bash test/package/build_deb.sh) ||
    { ab_check_fail "the package did not build (build/deb/build.log)"; return 1; }
}

check_metadata() {
  local out want_version
  out=$(python3 test/package/check_meta.py "$ROOT") || {
    echo "$out" >&2
    ab_check_fail "META.json or the versions are wrong (above)"
  }
  ab_log "$out"
  want_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
  [[ "$(dpkg-deb -f "$DEB" Package)" == "$PKG" ]] ||
    ab_check_fail "the .deb is $(dpkg-deb -f "$DEB" Package), not $PKG"
  [[ "$(dpkg-deb -f "$DEB" Version)" == "$want_version" ]] ||
    ab_check_fail "the .deb's version $(dpkg-deb -f "$DEB" Version) is not debian/changelog's $want_version"
  [[ ", $(dpkg-deb -f "$DEB" Depends)," == *", postgresql-15,"* ]] ||
    ab_check_fail "the .deb does not depend on postgresql-15: $(dpkg-deb -f "$DEB" Depends)"
}

# The package's files against what `make install` installs (this tree, built
# as `make` builds it; in `make test` the build stage has done that already).
check_contents() {
  local dest="$SCRATCH/make-install" expected packaged missing extra stray
  ab_log "Comparing the package's files with make install DESTDIR=..."
  if ! ab_quiet make -s install DESTDIR="$dest" PG_CONFIG="$SYS_PG_CONFIG"; then
    ab_check_fail "make install DESTDIR=... failed: no reference file list"
    return 0
  fi
  expected=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort)
  packaged=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort)
  missing=$(comm -23 <(echo "$expected") <(grep -E '^usr/(lib|share)/postgresql/' <<<"$packaged" || true))
  extra=$(comm -13 <(echo "$expected") <(grep -E '^usr/(lib|share)/postgresql/' <<<"$packaged" || true))
  stray=$(grep -vE "^usr/(lib|share)/postgresql/|^usr/share/doc/$PKG/" <<<"$packaged" || true)
  [[ -z "$missing" ]] || ab_check_fail "missing from the package: $(flat "$missing")"
  [[ -z "$extra" ]] || ab_check_fail "in the package but not installed by make install: $(flat "$extra")"
  [[ -z "$stray" ]] || ab_check_fail "package files outside PostgreSQL's and its doc directories: $(flat "$stray")"
  grep -qx "usr/share/doc/$PKG/copyright" <<<"$packaged" ||
    ab_check_fail "no usr/share/doc/$PKG/copyright in the package"
  ab_log "$(wc -l <<<"$expected") files from make install; the package has $(wc -l <<<"$packaged") files"
}

# --- 4: install ---------------------------------------------------------------------
install_system() {
  local left
  PGC=$SYS_PG_CONFIG
  TREE=/
  [[ -f "$("$PGC" --sharedir)/extension/artbandit.control" ]] && HAD_EXTENSION=1
  if pkg_present; then
    ab_warn "$PKG is on the system already (an interrupted run?): purging it"
    ab_quiet _ab_apt -y purge "$PKG" || { ab_check_fail "could not purge the installed $PKG"; return 1; }
  fi
  ab_log "Removing what make install put into $("$PGC" --pkglibdir) and $("$PGC" --sharedir)/extension"
  RESTORE_PENDING=1
  ab_on_exit restore_system
  remove_artbandit_files "$PGC"
  left=$(artbandit_files "$PGC")
  [[ -z "$left" ]] || { ab_check_fail "artbandit files left after removal: $(flat "$left")"; return 1; }

  ab_log "apt-get install $DEB"
  ab_quiet _ab_apt -y install "$DEB" || { ab_check_fail "apt-get install of the package failed"; return 1; }
  left=$(dpkg --verify "$PKG" 2>&1) || true
  [[ -z "$left" ]] || ab_check_fail "dpkg --verify $PKG: $left"
}

# Purge the package (it must take every file of it along) and put back what
# was there before.  Runs once: from main, or on exit after a failure.
restore_system() {
  local left
  [[ $RESTORE_PENDING -eq 1 ]] || return 0
  RESTORE_PENDING=0
  if pkg_present; then
    ab_log "apt-get purge $PKG"
    ab_quiet _ab_apt -y purge "$PKG" || ab_check_fail "apt-get purge $PKG failed"
    left=$(artbandit_files "$PGC")
    [[ -z "$left" ]] || ab_check_fail "files left after purging $PKG: $(flat "$left")"
  fi
  if [[ $HAD_EXTENSION -eq 1 ]]; then
    ab_log "Restoring the extension with make install"
    ab_install || ab_check_fail "make install after the package test failed"
  fi
}

install_private() {
  # a private copy of the server (test/lib/prefix.sh), without any artbandit
  PG_CONFIG=$SYS_PG_CONFIG ab_make_prefix "$SCRATCH"
  TREE=$AB_PREFIX
  PGC=$AB_RPG_CONFIG
  remove_artbandit_files "$PGC"
  [[ -z "$(artbandit_files "$PGC")" ]] || ab_die "artbandit files left in the copy after removal"
  ab_log "Unpacking the package into $TREE (dpkg-deb -x)"
  dpkg-deb -x "$DEB" "$TREE"
}

# --- 5: the packaged files are the ones used; regress ------------------------------
check_installed_files() {
  local sums so rel mapped
  sums="$SCRATCH/md5sums"
  dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./md5sums >"$sums"
  if ! (cd "$TREE" && md5sum --quiet -c "$sums") >&2; then
    ab_check_fail "installed files differ from the package's md5sums"
  fi
  # A backend that created the extension has its library mapped: which file?
  so="$("$PGC" --pkglibdir)/artbandit.so"
  ab_psql -c 'CREATE DATABASE artbandit_pkgcheck' >/dev/null
  if mapped=$(ab_psql -d artbandit_pkgcheck -c 'CREATE EXTENSION artbandit' -c \
      "SELECT DISTINCT substring(l FROM '(/[^ ]*artbandit\.so)\$')
         FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\n') AS l
        WHERE l LIKE '%artbandit.so'"); then
    ab_log "The backend mapped $mapped"
    [[ "$mapped" == "$so" ]] || ab_check_fail "the server loaded '$mapped', not the packaged $so"
  else
    ab_check_fail "CREATE EXTENSION artbandit failed with the packaged files"
  fi
  ab_psql -c 'DROP DATABASE artbandit_pkgcheck' >/dev/null
  rel=${so#"${TREE%/}"}
  grep -q "  ${rel#/}\$" "$sums" || ab_check_fail "$so is not a file of the package"
}

ab_psql() {
  ab_as_pg "$("$PGC" --bindir)/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

run_regress() {
  local work tests out rc=0
  work="$SCRATCH/work"
  out="$SCRATCH/regress.out"
  mkdir "$work"
  tar -C "$ROOT" --exclude=./.git --exclude=./build --exclude=./results \
      --exclude=./tmp_check --exclude=./regression.diffs --exclude=./regression.out \
      -cf - . | tar -C "$work" -xf -
  ab_chown_pg "$work"
  # shellcheck disable=SC2016 # $(REGRESS) is make's
  tests=$(cd "$work" && make -s --no-print-directory PG_CONFIG="$PGC" \
          -f Makefile -f - print-regress <<<'print-regress: ; @echo $(REGRESS)')
  NREGRESS=$(wc -w <<<"$tests")
  ab_log "pg_regress against the packaged files: $NREGRESS tests"
  ab_as_pg env PATH="$("$PGC" --bindir):$PATH" PGHOST="$PGHOST" PGPORT="$PGPORT" \
      PGUSER="$PGUSER" make -s -C "$work" --no-print-directory installcheck \
      PG_CONFIG="$PGC" TAP_TESTS= >"$out" 2>&1 || rc=$?
  grep -Ev '^(SET|(CREATE|DROP|ALTER) DATABASE|CREATE EXTENSION|\+\+\+ .* \+\+\+)$' "$out" >&2 || true
  if [[ $rc -ne 0 ]] || ! grep -q "All $NREGRESS tests passed" "$out"; then
    [[ -f "$work/regression.diffs" ]] && head -n 200 "$work/regression.diffs" >&2
    ab_check_fail "pg_regress failed against the packaged files"
  fi
}

# System mode: Debian's own test of the installed package as well
# (debian/tests/installcheck, `pg_buildext installcheck` on a pg_virtualenv
# cluster), from the work copy.
run_autopkgtest() {
  local out="$SCRATCH/autopkgtest.out"
  ab_log "debian/tests/installcheck (the autopkgtest: pg_buildext installcheck)"
  if ! (cd "$SCRATCH/work" && env -u PGHOST -u PGPORT -u PGDATABASE debian/tests/installcheck) \
      >"$out" 2>&1 || ! grep -q "All $NREGRESS tests passed" "$out"; then
    tail -n 80 "$out" >&2
    ab_check_fail "debian/tests/installcheck failed"
  fi
}

main() {
  ab_on_exit summary   # registered first, so it runs last
  ab_pg_config
  SYS_PG_CONFIG=$PG_CONFIG
  MODE=${ARTBANDIT_PKG_INSTALL:-}
  if [[ -z "$MODE" ]]; then
    if [[ "${CI:-}" == "true" ]]; then MODE=system; else MODE=private; fi
  fi
  if [[ "$MODE" == system ]] && ! ab_is_root; then
    ab_warn "not root: cannot install the package into the system; unpacking it into a private copy instead"
    MODE=private
  fi
  [[ "$MODE" == system || "$MODE" == private ]] || ab_die "ARTBANDIT_PKG_INSTALL=$MODE: system or private"

  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-pkg.XXXXXX")
  ab_on_exit rm -rf "$SCRATCH"
  chmod 755 "$SCRATCH"   # the server user reads the private copy and the work tree

  build_package || exit 1
  check_metadata
  check_contents
  if [[ "$MODE" == system ]]; then
    install_system || exit 1
  else
    install_private
  fi

  PG_CONFIG=$PGC cluster_start
  check_installed_files
  run_regress
  cluster_stop
  [[ "$MODE" == system ]] && run_autopkgtest
  restore_system
  [[ ${#AB_FAIL_REASONS[@]} -eq 0 ]]
}

main "$@"
