#!/usr/bin/env bash
# `make unit` runs this first: src/core includes no backend header.  A
# quoted include must be a file of src/core or one of libpgcommon's
# frontend-safe headers listed below; an angle include must be a standard C
# header.  Prints each offending line and fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

ALLOWED_PG="common/shortest_dec.h"
STD_C="assert.h ctype.h errno.h float.h inttypes.h limits.h math.h stdarg.h stdbool.h
       stddef.h stdint.h stdio.h stdlib.h string.h"

bad=0
while IFS=: read -r file line text; do
  name=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/' <<<"$text")
  case "$text" in
    *'"'*) [[ -f "src/core/$name" ]] || [[ " $ALLOWED_PG " == *" $name "* ]] && continue ;;
    *'<'*) [[ " $(echo $STD_C) " == *" $name "* ]] && continue ;;
  esac
  echo "$file:$line: not allowed in src/core (no backend headers): $text" >&2
  bad=1
done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' src/core/*.[ch])
[[ $bad -eq 0 ]] || exit 1
echo "core includes: no backend headers"
