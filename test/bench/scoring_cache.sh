#!/usr/bin/env bash
# Benchmark: per-row scoring cost through the model cache against the cold
# path (see scoring_cache.sql).  Uses $PG* when set, otherwise a throwaway
# cluster.  Usage: test/bench/scoring_cache.sh [rows]   (default 100000)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh
ROWS=${1:-100000}
if [[ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]]; then
  ab_build
  ab_install
  cluster_start
fi
psql -X -q -v rows="$ROWS" -f test/bench/scoring_cache.sql
