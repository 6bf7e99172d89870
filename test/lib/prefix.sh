# A private copy of the PostgreSQL 15 server install, so that a build can be
# installed and tested without touching the system-wide install (no root,
# nothing left behind).  Source it, then:
#   ab_make_prefix DIR   copy the server into DIR/pg with its relative layout
#                        intact (<prefix>/usr/lib/postgresql/15, ...): the
#                        server and pg_config compute their share/lib paths
#                        from where the binary is, so the copy is
#                        self-contained (checked).  Sets AB_PREFIX and
#                        AB_RPG_CONFIG (the copy's pg_config); the copy has
#                        no artbandit until one is installed into it, with
#                        `make install DESTDIR=$AB_PREFIX` or PG_CONFIG=$AB_RPG_CONFIG.
# shellcheck shell=bash

# shellcheck source=test/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

AB_PREFIX=""
AB_RPG_CONFIG=""

ab_make_prefix() {
  local scratch=$1 sys=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  local bindir sharedir pkglibdir instroot d got want
  bindir=$("$sys" --bindir)
  sharedir=$("$sys" --sharedir)
  pkglibdir=$("$sys" --pkglibdir)
  # Debian: bin/ and lib/ share /usr/lib/postgresql/15; share/ is elsewhere.
  instroot=$(dirname "$bindir")
  AB_PREFIX="$scratch/pg"
  ab_log "Copying $instroot and $sharedir into $AB_PREFIX"
  for d in "$instroot" "$sharedir"; do
    mkdir -p "$AB_PREFIX$(dirname "$d")"
    cp -a "$d" "$AB_PREFIX$d"
  done
  [[ "$pkglibdir" == "$instroot"/* ]] ||
    { mkdir -p "$AB_PREFIX$(dirname "$pkglibdir")"; cp -a "$pkglibdir" "$AB_PREFIX$pkglibdir"; }
  # The headers stay shared (read-only use): a link where the copy looks.
  for d in "$("$sys" --pkgincludedir)" "$("$sys" --includedir-server)"; do
    [[ -e "$AB_PREFIX$d" || ! -d "$d" ]] && continue
    mkdir -p "$AB_PREFIX$(dirname "$d")"
    ln -s "$d" "$AB_PREFIX$d"
  done
  AB_RPG_CONFIG="$AB_PREFIX$bindir/pg_config"

  # The copy must compute its paths from its own location.
  for d in bindir sharedir pkglibdir includedir-server; do
    got=$("$AB_RPG_CONFIG" "--$d")
    want=$AB_PREFIX$("$sys" "--$d")
    [[ "$got" == "$want" ]] ||
      ab_die "relocated pg_config --$d says $got, expected $want (installation not relocatable?)"
  done

  # Drop whatever artbandit the system has, so only our build can be loaded.
  rm -rf "$AB_PREFIX$pkglibdir"/artbandit.so "$AB_PREFIX$pkglibdir"/bitcode/artbandit \
         "$AB_PREFIX$pkglibdir"/bitcode/artbandit.index.bc "$AB_PREFIX$sharedir"/extension/artbandit[.-]*
  chmod 755 "$scratch"
}
