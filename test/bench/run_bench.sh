#!/usr/bin/env bash
# `make bench`: the performance targets of artbandit, each a ratio of two
# timings measured side by side in one run (the machine is shared and noisy,
# so no absolute time is a target).  Builds and installs the extension,
# starts a throwaway cluster unless PG* variables name a server, loads the
# benchmark log (bench_data.sql), times every query BENCH_REPS times,
# interleaved with the query it is compared with, and prints a table of
# medians and ratios, also written to BENCHMARKS.md with the machine's
# description.  Exits non-zero when a target is missed.
#
#   BENCH_ROWS           rows of the log (default 5,000,000)
#   BENCH_SCORE_ROWS     rows scored by bandit_act with LinUCB (default 1,000,000)
#   BENCH_THOMPSON_ROWS  rows scored with Thompson sampling (default 20,000)
#   BENCH_REPS           timings per query, the median is reported (default 7)
#   BENCH_SERVE_SECONDS  length of each pgbench run of the serving rows (default 4)
#   BENCH_SERVE_REPS     pgbench runs per script and client count (default 4)
#   BENCH_OUT            the report (default BENCHMARKS.md; "-" for none)
#   BENCH_ONLY           a subset of: ope parallel fitstate estimates12 validate python scoring
#                        memory textout thompson serving growth (one row alone: BENCH_ONLY=textout
#                        BENCH_OUT=-; textout, thompson, serving and growth alone do not load the
#                        5M-row log)
#   BENCH_GROWTH_ROWS    the sizes of growth's rows series (default "1000000 3000000 10000000")
#   BENCH_GROWTH_SCALE   factor on the rows of growth's arms and dimension series (default 1;
#                        smaller for a quick try, at the cost of fixed overheads in the fits)
#   BENCH_REUSE          set: keep the tables of the last run (same sizes); growth's tables,
#                        otherwise dropped after the part, are then kept and reused
#   BENCH_NO_INSTALL     set: skip the build and install; the extension must already be
#                        installed in the server the PG* variables name (a private one,
#                        e.g. installed with make install DESTDIR=...), which they must name
# Timed repetitions are called through helpers:
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=test/lib/all.sh
source test/lib/all.sh

ROWS=${BENCH_ROWS:-5000000}
SCORE_ROWS=${BENCH_SCORE_ROWS:-1000000}
THOMPSON_ROWS=${BENCH_THOMPSON_ROWS:-20000}
SERVE_SECONDS=${BENCH_SERVE_SECONDS:-4}
SERVE_REPS=${BENCH_SERVE_REPS:-4}
REPS=${BENCH_REPS:-7}
GROWTH_ROWS=${BENCH_GROWTH_ROWS:-1000000 3000000 10000000}
GROWTH_SCALE=${BENCH_GROWTH_SCALE:-1}
OUT=${BENCH_OUT:-BENCHMARKS.md}
PY=/usr/bin/python3

SERIAL="SET max_parallel_workers_per_gather = 0;"
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = on;"

ROWS_OUT=()         # the report's table rows
MISSED=0

# --- measuring ----------------------------------------------------------------

# psql_ms SETUP QUERY: run QUERY after SETUP in a fresh session, print its
# wall time in ms as psql's \timing measures it (server execution plus one
# round trip).
psql_ms() {
  local out
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "$1" -c '\timing on' -c "$2") ||
    ab_die "benchmark query failed: $2"
  sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | tail -n 1
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# compare NAME_A SETUP_A QUERY_A NAME_B SETUP_B QUERY_B: time both, alternating,
# REPS times after one warm-up each; sets MS_A and MS_B to the medians.
compare() {
  local i ta=() tb=()
  psql_ms "$2" "$3" >/dev/null
  psql_ms "$5" "$6" >/dev/null
  for ((i = 0; i < REPS; i++)); do
    ta+=("$(psql_ms "$2" "$3")")
    tb+=("$(psql_ms "$5" "$6")")
  done
  MS_A=$(printf '%s\n' "${ta[@]}" | median)
  MS_B=$(printf '%s\n' "${tb[@]}" | median)
  ab_log "$(printf '%-44s %10.1f ms   %-34s %10.1f ms' "$1" "$MS_A" "$4" "$MS_B")"
}

# row TARGET_TEXT MEASURED HOLDS(1/0/-) DETAIL: one line of the report.
row() {
  local holds=$3
  case "$holds" in
    1) holds=yes ;;
    0) holds="**no**"; MISSED=1 ;;
    *) holds="(report)" ;;
  esac
  ROWS_OUT+=("| $1 | $2 | $holds | $4 |")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
le() { awk -v x="$1" -v y="$2" 'BEGIN { print (x <= y) ? 1 : 0 }'; }
ge() { awk -v x="$1" -v y="$2" 'BEGIN { print (x >= y) ? 1 : 0 }'; }
sq() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# --- the targets ----------------------------------------------------------------

# Issue 6.2: ope_accumulate near the scan limit and against hand-written SQL.
bench_ope() {
  local acc hand r
  acc="SELECT ope_accumulate(r, mu, pi, q, v) IS NOT NULL FROM bench_log"
  compare "ope_accumulate(r, mu, pi, q, v)" "$SERIAL" "$acc" \
    "sum(r + mu + pi + q + v)" "$SERIAL" "SELECT sum(r + mu + pi + q + v) FROM bench_log"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_accumulate, 5 inputs (all estimators, SEs, diagnostics) ≤ 1.3× \`sum(r+mu+pi+q+v)\` scan" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.3)" "serial, $ROWS rows"

  local scan_ms=$MS_B ours hand_ms ours_ms
  ours="SELECT count(*) FROM ope_report((SELECT ope_accumulate(r, mu, pi, q, v) FROM bench_log))"
  hand=$(cat test/bench/hand_written_ope.sql)
  compare "hand-written SQL (sums only)" "$SERIAL" "$hand" "ope_accumulate + ope_report" "$SERIAL" "$ours"
  hand_ms=$MS_A ours_ms=$MS_B
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_accumulate ≥ 2× faster than the best hand-written SQL (IPS, SNIPS, DR and SEs)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(ge "$r" 2)" "serial; eight plain sum()s, the weight computed once; same estimates checked to 1e-9"
  compare "hand-written SQL (avg, var_samp)" "$SERIAL" "$(cat test/bench/hand_written_ope_conventional.sql)" \
    "ope_accumulate + ope_report" "$SERIAL" "$ours"
  r=$(ratio "$MS_A" "$MS_B")
  row "the same against hand-written SQL as usually written (avg, var_samp)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "-" "serial"
  r=$(awk -v h="$hand_ms" -v o="$ours_ms" -v s="$scan_ms" 'BEGIN {
    if (o > s) printf "%.1f× (%.0f vs %.0f ms over the scan)", (h - s) / (o - s), h - s, o - s
    else printf "ope_accumulate within the scan time (noise)" }')
  row "work beyond the \`sum()\` scan: best hand-written SQL against ope_accumulate" \
    "$r" "-" "derived from the medians above"

  compare "replay_take_fraction(la, ta, played)" "$SERIAL" \
    "SELECT replay_take_fraction(la, ta, played) FROM bench_log" \
    "avg(r) FILTER (WHERE la = ta)" "$SERIAL" "SELECT avg(r) FILTER (WHERE la = ta) FROM bench_log"
  r=$(ratio "$MS_A" "$MS_B")
  row "replay_take_fraction ≤ 1.2× \`avg(reward) FILTER (WHERE logged = target)\`" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.2)" "serial, $ROWS rows"
}

# Issue 12.1: ope_validate_log is one scan, cheap enough before every evaluation.
bench_validate() {
  local full r n
  n=$(sq -c "SELECT count(*) FROM bench_vlog")
  full="SELECT count(*) FROM ope_validate_log('bench_vlog', 'image_id', 'propensity', 'candidates', 'id', 'played', 'pmf')"
  compare "ope_validate_log, every column" "$SERIAL" "$full" \
    "count(*)" "$SERIAL" "SELECT count(*) FROM bench_vlog"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_validate_log with ids, candidates, rewards and pmfs (16 checks) ≤ 4× \`count(*)\`" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 4)" "serial, $n rows, 8 candidates per row"
  compare "ope_validate_log, action and propensity" "$SERIAL" \
    "SELECT count(*) FROM ope_validate_log('bench_vlog', 'image_id', 'propensity')" \
    "count(*)" "$SERIAL" "SELECT count(*) FROM bench_vlog"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_validate_log, action and propensity only" "${r}× (${MS_A} vs ${MS_B} ms)" "-" "serial, $n rows"
  compare "ope_validate_log, every column" "$SERIAL" "$full" \
    "an evaluation: ope_accumulate" "$SERIAL" \
    "SELECT ope_accumulate(played, propensity, (image_id = candidates[1])::int::float8) IS NOT NULL FROM bench_vlog"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_validate_log against one evaluation of the same log (ope_accumulate)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "-" "serial, $n rows"
}

# Issue 11: the 1.2 aggregates against ope_accumulate on the same rows.
bench_estimates12() {
  local acc r n
  n=$(sq -c "SELECT count(*) FROM bench_log12")
  acc="SELECT ope_accumulate(r, mu, pi, q, v) IS NOT NULL FROM bench_log12"
  compare "ope_accumulate, 8 lambdas" "$SERIAL" \
    "SELECT ope_accumulate(r, mu, pi, q, v, '{0.5,1,2,5,10,20,50,Infinity}') IS NOT NULL FROM bench_log12" \
    "ope_accumulate, 5 inputs" "$SERIAL" "$acc"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_accumulate with 8 λ values ≤ 1.6× the plain 5-input ope_accumulate" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.6)" "serial, $n rows"
  compare "ope_bootstrap, 200 replicates" "$SERIAL" \
    "SELECT ope_bootstrap(r, mu, pi, q, v, u, 200, 0) IS NOT NULL FROM bench_log12" \
    "ope_accumulate, 5 inputs" "$SERIAL" "$acc"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_bootstrap with 200 replicates ≤ 10× ope_accumulate" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 10)" "serial, $n rows, 100 rows per unit, units interleaved"
  compare "ope_compare, 7 inputs" "$SERIAL" \
    "SELECT ope_compare(r, mu, pi, pb, q, v, vb) IS NOT NULL FROM bench_log12" \
    "ope_accumulate, 5 inputs" "$SERIAL" "$acc"
  r=$(ratio "$MS_A" "$MS_B")
  row "ope_compare ≤ 1.5× ope_accumulate" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.5)" "serial, $n rows; two policies and their cross sums"
  parallel_row "ope_bootstrap (200 replicates)" \
    "SELECT ope_bootstrap(r, mu, pi, q, v, u, 200, 0) IS NOT NULL FROM bench_log12" "same report"
}

# Issue 6.3: two workers against serial, and the same answers
# (bench_checks.sql compares them first).
parallel_row() {
  local name=$1 q=$2 same=$3 r launched
  launched=$(sq -c "$PARALLEL" -c "EXPLAIN (ANALYZE, FORMAT json) $q" |
    grep -o '"Workers Launched": [0-9]*' | grep -o '[0-9]*$' | head -n 1 || true)
  compare "$name, serial" "$SERIAL" "$q" "$name, 2 workers" "$PARALLEL" "$q"
  r=$(ratio "$MS_A" "$MS_B")
  row "$name with 2 parallel workers ≥ 1.6× faster than serial" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$([[ ${launched:-0} -ge 1 ]] && ge "$r" 1.6 || echo 0)" \
    "${launched:-0} workers launched; $same checked to 1e-12"
}

bench_parallel() {
  parallel_row ope_accumulate "SELECT ope_accumulate(r, mu, pi, q, v) IS NOT NULL FROM bench_log" "same estimates"
  parallel_row bandit_fit "SELECT bandit_fit(action, context, reward) IS NOT NULL FROM bench_fit" "same model"
}

# Issue 14.2: bandit_fit with its 1.2 state (a banditmodel updated in place
# as an expanded object, partial states shipped flat) against the same
# aggregate with the internal state of 1.0/1.1, built from the C functions
# the library keeps (bench_fit_internal.sql, which first checks both give
# the same bytes), serial, with 2 workers, and grouped into 8,000 groups.
bench_fitstate() {
  local new old r q
  sq -f test/bench/bench_fit_internal.sql >/dev/null || ab_die "bench_fit_internal.sql failed"
  new="SELECT bandit_fit(action, context, reward) IS NOT NULL FROM bench_fit"
  old="SELECT bench_old.bandit_fit(action, context, reward) IS NOT NULL FROM bench_fit"
  compare "bandit_fit, banditmodel state" "$SERIAL" "$new" "bandit_fit, internal state (1.1)" "$SERIAL" "$old"
  r=$(ratio "$MS_A" "$MS_B")
  row "bandit_fit with its 1.2 banditmodel state ≤ 1.05× the 1.1 internal state" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.05)" "serial, $ROWS rows, d = 8, 8 arms; same bytes checked"
  compare "bandit_fit, banditmodel state, 2 workers" "$PARALLEL" "$new" \
    "bandit_fit, internal state, 2 workers" "$PARALLEL" "$old"
  r=$(ratio "$MS_A" "$MS_B")
  row "the same with 2 parallel workers (partial states: flat banditmodel against serialize/deserialize)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.05)" "2 workers and the leader"
  q="SELECT count(*) FROM (SELECT action, floor(context[1] * 1000), %s(action, context, reward) FROM bench_fit GROUP BY 1, 2) g"
  # shellcheck disable=SC2059
  compare "bandit_fit, 8,000 groups, banditmodel state" "$SERIAL" "$(printf "$q" bandit_fit)" \
    "bandit_fit, 8,000 groups, internal state" "$SERIAL" "$(printf "$q" bench_old.bandit_fit)"
  r=$(ratio "$MS_A" "$MS_B")
  row "the same grouped into 8,000 groups (one expanded object and memory context per group)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "-" "serial, the planner's choice of plan"
}

# Issue 6.4: the data scientist's way, psycopg2 COPY + numpy, end to end,
# against the database with its default settings (parallel query, as a
# user gets it) and, reported beside it, with parallel query off.
bench_python() {
  local i ts=() db=() db1=() py ms_py ms_db ms_db1 r json
  local in_db="SELECT count(*) FROM ope_report((SELECT ope_accumulate(r, mu, pi, q, v) FROM bench_log)); SELECT bandit_fit(action, context, reward) IS NOT NULL FROM bench_fit"
  "$PY" test/bench/python_way.py --check >/dev/null || ab_die "python_way.py --check failed"
  for ((i = 0; i < REPS; i++)); do
    json=$("$PY" test/bench/python_way.py)
    py=$(sed -n 's/.*"total_s": *\([0-9.e+-]*\).*/\1/p' <<<"$json")
    ts+=("$(awk -v s="$py" 'BEGIN { printf "%.1f", s * 1000 }')")
    db+=("$(psql_ms "SELECT 1" "$in_db")")
    db1+=("$(psql_ms "$SERIAL" "$in_db")")
  done
  ms_py=$(printf '%s\n' "${ts[@]}" | median)
  ms_db=$(printf '%s\n' "${db[@]}" | median)
  ms_db1=$(printf '%s\n' "${db1[@]}" | median)
  ab_log "$(printf '%-44s %10.1f ms   %-34s %10.1f ms (serial %.1f ms)' "python: COPY + numpy" "$ms_py" "in the database" "$ms_db" "$ms_db1")"
  r=$(ratio "$ms_py" "$ms_db")
  row "psycopg2 COPY + numpy (estimators + per-arm ridge fits) ≥ 5× slower than in the database" \
    "${r}× (${ms_py} vs ${ms_db} ms)" "$(ge "$r" 5)" "database with default settings (2 parallel workers), numpy single-threaded; numbers checked against the database's"
  r=$(ratio "$ms_py" "$ms_db1")
  row "the same, with parallel query off in the database" \
    "${r}× (${ms_py} vs ${ms_db1} ms)" "-" "one core on each side"
}

# Issue 6.5: scoring throughput, per-row cost against rows sharing a model,
# and the model cache.
bench_scoring() {
  local act scan r dps small
  # rows of bench_score in heap order: a LIMIT stops the scan early
  act="SELECT sum((a).probability) FROM (SELECT bandit_act(m.model, s.x, s.candidates, '%s', s.i) AS a FROM (SELECT * FROM bench_score LIMIT %d) s, bench_model m WHERE m.id = 0) t"
  scan="SELECT sum(array_length(s.x, 1) + array_length(s.candidates, 1)) FROM (SELECT * FROM bench_score LIMIT %d) s, bench_model m WHERE m.id = 0"
  # shellcheck disable=SC2059
  compare "bandit_act LinUCB d=16 K=8, $SCORE_ROWS rows" "$SERIAL" "$(printf "$act" 'linucb(alpha=1.0)' "$SCORE_ROWS")" \
    "scan of the same columns" "$SERIAL" "$(printf "$scan" "$SCORE_ROWS")"
  dps=$(awk -v n="$SCORE_ROWS" -v ms="$MS_A" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
  r=$(ratio "$MS_A" "$MS_B")
  row "bandit_act, LinUCB, d=16, 8 candidates: decisions/s and ratio to a scan" \
    "$dps decisions/s; ${r}× the scan" "-" "serial, $SCORE_ROWS rows"
  # the scoring cost per row (query minus scan) at SCORE_ROWS and at a tenth
  local net_big
  net_big=$(awk -v a="$MS_A" -v b="$MS_B" -v n="$SCORE_ROWS" 'BEGIN { print (a - b) / n }')
  small=$((SCORE_ROWS / 10))
  # shellcheck disable=SC2059
  compare "bandit_act LinUCB, $small rows" "$SERIAL" "$(printf "$act" 'linucb(alpha=1.0)' "$small")" \
    "scan, $small rows" "$SERIAL" "$(printf "$scan" "$small")"
  r=$(awk -v big="$net_big" -v a="$MS_A" -v b="$MS_B" -v m="$small" 'BEGIN { printf "%.2f", big / ((a - b) / m) }')
  row "per-row scoring cost does not grow with the rows sharing a model ($SCORE_ROWS vs $small rows)" \
    "${r}× per row" "$(le "$r" 1.2)" "cost = query minus scan; ≤ 1.2× counts as flat"

  # shellcheck disable=SC2059
  compare "bandit_act Thompson d=16 K=8, $THOMPSON_ROWS rows" "$SERIAL" "$(printf "$act" 'thompson(scale=1.0)' "$THOMPSON_ROWS")" \
    "scan, same rows" "$SERIAL" "$(printf "$scan" "$THOMPSON_ROWS")"
  dps=$(awk -v n="$THOMPSON_ROWS" -v ms="$MS_A" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
  r=$(ratio "$MS_A" "$MS_B")
  row "bandit_act, Thompson (exact probabilities), d=16, 8 candidates: decisions/s" \
    "$dps decisions/s; ${r}× the scan" "-" "serial, $THOMPSON_ROWS rows"

  local hot cold n_cold=1028
  hot="SELECT sum((bandit_scores(m.model, c.x64, NULL, 'linucb'))[1]) FROM bench_ctx64 c JOIN bench_big m ON m.id = 0 WHERE c.i <= $n_cold"
  cold="SELECT sum((bandit_scores(m.model, c.x64, NULL, 'linucb'))[1]) FROM bench_ctx64 c JOIN bench_big m ON m.id = c.i % 257 WHERE c.i <= $n_cold"
  compare "uncached: 257 models cycling, $n_cold rows" "$SERIAL SET artbandit.model_cache_size = 0;" "$cold" \
    "cached: one model, $n_cold rows" "$SERIAL" "$hot"
  r=$(ratio "$MS_A" "$MS_B")
  row "model cache: cached scoring ≥ 10× faster than uncached (d=64, K=50, LinUCB)" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(ge "$r" 10)" "uncached: each row a different model of 257, artbandit.model_cache_size = 0"
}

# Issue 19.3: Thompson's exact probabilities against the 1.1 integrator, side
# by side in one C program (test/bench/bench_thompson.c, `make
# bench-thompson`), which also checks that both agree to 1e-12.
bench_thompson() {
  local out k line r
  out=$(make -s bench-thompson 2>&1) || { echo "$out" >&2; ab_die "bench_thompson failed (or the two integrators disagree)"; }
  ab_log "bench_thompson: $out"
  for k in 4 8 16 50; do
    line=$(grep "^thompson K=$k:" <<<"$out") || ab_die "bench_thompson printed no line for K = $k"
    r=$(sed -n 's/.*ratio \([0-9.]*\)x.*/\1/p' <<<"$line")
    if [[ $k == 8 ]]; then
      row "Thompson's exact probabilities, K = 8: the integrator ≥ 10× the decisions/s of 1.1's" \
        "${r}× (${line#*: })" "$(ge "$r" 10)" \
        "one C program, both integrators on the same LinUCB-like posteriors (d = 16, unseen arms), blocks timed alternately; every probability of both within 1e-12"
    else
      row "the same at K = $k" "${r}× (${line#*: })" "-" "same program"
    fi
  done
}

# Issue 19.2: a decision at serving time.  pgbench (prepared statements,
# one request per transaction, test/bench/serving/floor.sql and decide.sql) against
# serve_models/serve_contexts (bench_data_serving.sql): the floor is the same
# lookup reading the model row but not the model; greedy, LinUCB and
# Thompson add bandit_act.  For 1, 2 and 8 clients the four scripts run in
# turn, SERVE_REPS times each for SERVE_SECONDS; each client's first second
# is dropped (its backend's model cache warming up).  Latencies come from
# pgbench's per-transaction log; decisions/s from the transactions kept.
declare -A SERVE_POLICY=([greedy]=greedy [linucb]='linucb(alpha=1.0)' [thompson]='thompson(scale=1.0)')
serve_run() { # NAME CLIENTS OUTFILE: one run, the kept latencies (µs) appended to OUTFILE
  local dir prefix script=decide.sql define=()
  dir=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-serve.XXXXXX")
  prefix="$dir/log"
  if [[ $1 == floor ]]; then script=floor.sql; else define=(-D "policy=${SERVE_POLICY[$1]}"); fi
  pgbench -n -M prepared -c "$2" -j "$(($2 < 2 ? $2 : 2))" -T "$SERVE_SECONDS" -l --log-prefix="$prefix" \
    "${define[@]}" -f "test/bench/serving/$script" >"$dir/out" 2>&1 ||
    { cat "$dir/out" >&2; ab_die "pgbench failed on $1"; }
  grep -q 'number of failed transactions: 0' "$dir/out" || { cat "$dir/out" >&2; ab_die "pgbench: failed transactions in $1"; }
  # fields: client transaction latency_us script epoch_s epoch_us
  cat "$prefix".* | awk '{ t = $5 + $6 / 1e6; if (!($1 in first)) first[$1] = t - $3 / 1e6;
                            if (t - first[$1] >= 1) print $3 }' >>"$3"
  rm -rf "$dir"
}

percentile() { # P FILE
  sort -n "$2" | awk -v p="$1" '{ a[NR] = $1 } END { i = int(p * NR + 0.999999); if (i < 1) i = 1; print a[i] }'
}

bench_serving() {
  local c s rep dir n i order=(floor greedy linucb thompson)
  local -A P50 P99 DPS
  dir=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-serving.XXXXXX")
  for c in 1 2 8; do
    for s in floor greedy linucb thompson; do : >"$dir/$s.$c"; done
    # the order rotates from one repetition to the next, so that a drift of
    # the machine does not always favour the same script
    for ((rep = 0; rep < SERVE_REPS; rep++)); do
      for ((i = 0; i < 4; i++)); do
        s=${order[$(((rep + i) % 4))]}
        serve_run "$s" "$c" "$dir/$s.$c"
      done
    done
    for s in floor greedy linucb thompson; do
      n=$(wc -l <"$dir/$s.$c")
      P50[$s.$c]=$(percentile 0.5 "$dir/$s.$c")
      P99[$s.$c]=$(percentile 0.99 "$dir/$s.$c")
      DPS[$s.$c]=$(awk -v n="$n" -v t="$(( (SERVE_SECONDS - 1) * SERVE_REPS ))" 'BEGIN { printf "%.0f", n / t }')
      ab_log "$(printf 'serving %-9s %d clients: %7s/s  p50 %6s µs  p99 %6s µs' "$s" "$c" "${DPS[$s.$c]}" "${P50[$s.$c]}" "${P99[$s.$c]}")"
    done
  done
  rm -rf "$dir"
  for s in floor greedy linucb thompson; do
    local m="" sep=""
    for c in 1 2 8; do
      m+="$sep$c: ${DPS[$s.$c]}/s, p50 ${P50[$s.$c]} µs, p99 ${P99[$s.$c]} µs"; sep="; "
    done
    if [[ $s == floor ]]; then
      row "serving floor: the request's lookup, model row read but not the model (clients 1; 2; 8)" "$m" "-" \
        "pgbench -M prepared, one request per transaction, test/bench/serving/floor.sql; the policies run decide.sql"
      continue
    fi
    local bound="" holds=- ratios="" r
    case $s in
      linucb) bound=1.15 holds=1 ;;
      thompson) bound=2 holds=1 ;;
    esac
    sep=""
    for c in 1 2 8; do
      r=$(ratio "${P50[$s.$c]}" "${P50[floor.$c]}")
      ratios+="$sep${c}: ${r}×"; sep=", "
      if [[ -n $bound && $c != 1 && $(le "$r" "$bound") == 0 ]]; then holds=0; fi
    done
    if [[ -n $bound ]]; then
      row "serving $s: p50 ≤ ${bound}× the floor's at 2 and 8 clients" "p50 ratio ${ratios} (clients); $m" "$holds" \
        "K = 8, d = 16, 100 models of ~10 kB stored compressed out of line, looked up per request; the backend's model cache"
    else
      row "serving $s: p50 against the floor's" "p50 ratio ${ratios} (clients); $m" "-" \
        "same set-up"
    fi
  done
}

# Issue 6.6: peak private memory (RssAnon, sampled every 20 ms) of the
# backend running QUERY.
peak_kb() {
  local app job pid="" peak=0 kb
  app="artbandit_bench_$$_$RANDOM"
  PGAPPNAME=$app psql -X -q -At -v ON_ERROR_STOP=1 -c "$SERIAL" -c "SELECT pg_sleep(0.5)" \
    -c "$1" >/dev/null &
  job=$!
  while [[ -z "$pid" ]] && kill -0 "$job" 2>/dev/null; do
    pid=$(sq -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'")
  done
  while kill -0 "$job" 2>/dev/null; do
    kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n "$kb" && "$kb" -gt "$peak" ]] && peak=$kb
    sleep 0.02
  done
  wait "$job" || ab_die "memory benchmark query failed: $1"
  [[ -n "$pid" && "$peak" -gt 0 ]] ||
    ab_die "could not read the backend's memory (/proc/${pid:-?}/status): the server must run on this machine"
  echo "$peak"
}

# JIT is off here: LLVM's ~10 MB for compiling a plan is per query, whatever
# the rows (a plain sum() scan shows the same step), and would be mistaken
# for growth.
bench_memory() {
  local what q small big base small_q d SERIAL="$SERIAL SET jit = off;"
  for what in ope_accumulate bandit_fit; do
    if [[ $what == ope_accumulate ]]; then
      q="SELECT ope_accumulate(r, mu, pi, q, v) IS NOT NULL FROM bench_log"
      base=$(peak_kb "SELECT sum(r + mu + pi + q + v) FROM bench_log")
    else
      q="SELECT bandit_fit(action, context, reward) IS NOT NULL FROM bench_fit"
      base=$(peak_kb "SELECT sum(array_length(context, 1) + action + reward) FROM bench_fit")
    fi
    small_q="${q/ FROM bench_log/ FROM (SELECT * FROM bench_log LIMIT $((ROWS / 5))) t}"
    small_q="${small_q/ FROM bench_fit/ FROM (SELECT * FROM bench_fit LIMIT $((ROWS / 5))) t}"
    small=$(peak_kb "$small_q")
    big=$(peak_kb "$q")
    d=$((big - small))
    ab_log "$(printf '%-44s %8d kB at %d rows, %8d kB at %d rows (plain scan %d kB)' "peak RssAnon, $what" "$small" $((ROWS / 5)) "$big" "$ROWS" "$base")"
    row "$what: backend peak memory flat from $((ROWS / 5)) to $ROWS rows" \
      "$(awk -v a="$small" -v b="$big" -v c="$base" 'BEGIN { printf "%.1f MB → %.1f MB (plain scan: %.1f MB)", a / 1024, b / 1024, c / 1024 }')" \
      "$([[ ${d#-} -le 1024 ]] && echo 1 || echo 0)" \
      "peak RssAnon of the backend sampled every 20 ms, JIT off; flat = within 1 MB"
  done
}

# Issue 13.7: text output.  The printer alone, before and after, in one C
# program over the d = 1024 model's doubles (test/bench/bench_float_text.c,
# which also checks that both print the same text); then the whole model's
# text output against PostgreSQL printing the same doubles as a float8[].
bench_textout() {
  local dir out r n
  dir=$(mktemp -d "${TMPDIR:-/tmp}/artbandit-bench.XXXXXX")
  "${CC:-cc}" -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Isrc/core -Itest/unit \
    -I"$("$PG_CONFIG" --includedir-server)" test/bench/bench_float_text.c src/core/float_text.c \
    test/unit/float_text_reference.c -L"$("$PG_CONFIG" --pkglibdir)" -L"$("$PG_CONFIG" --libdir)" \
    -lpgcommon -lpgport -lm -o "$dir/bench_float_text" || ab_die "could not build bench_float_text.c"
  sq -c "COPY (SELECT unnest(doubles) FROM bench_text) TO STDOUT" >"$dir/doubles"
  out=$("$dir/bench_float_text" "$REPS" 2000000 <"$dir/doubles") ||
    ab_die "bench_float_text: the two printers disagree: $out"
  rm -rf "$dir"
  ab_log "bench_float_text: $out"
  # field KEY: the value of KEY=value in the program's output line
  field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" <<<"$out"; }
  n=$(field doubles)
  r=$(ratio "$(field old_ns)" "$(field new_ns)")
  row "float_to_text (libpgcommon's Ryu) ≥ 20× faster than the pre-1.2 printf/strtod search" \
    "${r}× ($(field old_ns) vs $(field new_ns) ns per double)" "$(ge "$r" 20)" \
    "the $n doubles of the d = 1024 model, both printers in one C program; of those and 2,000,000 random bit patterns, $(field same) print the same text, $(field midpoints) exact midpoints print longer, $(field shorter) shorter"
  compare "banditmodel::text, d = 1024" "$SERIAL" "SELECT length(model::text) FROM bench_text" \
    "float8[]::text, the same doubles" "$SERIAL" "SELECT length(doubles::text) FROM bench_text"
  r=$(ratio "$MS_A" "$MS_B")
  row "text output of a d = 1024 banditmodel ≤ 1.5× PostgreSQL's float8[] text output of the same doubles" \
    "${r}× (${MS_A} vs ${MS_B} ms)" "$(le "$r" 1.5)" "one arm, $n doubles, about 21 MB of text"
}

# Issue 19.6: how cost grows with rows, arms and dimension, as exponents
# fitted by least squares on log(time) against log(size), each beside the
# exponent the algorithm should have (bench_data_growth.sql's tables).  The
# sizes of one series run interleaved, REPS rounds after a warm-up round, so
# the machine's noise hits every size alike.  Rows: the total time of the
# query, nothing subtracted.  Arms and dimension: cost per row, the query
# minus a scan of the same rows (the function replaced by a cheap expression
# over the same columns), so the exponent is the function's own.  A series
# holds when its exponent is at most the expected one + GROWTH_TOLERANCE.
# JIT is off: it compiles only above a plan cost, so the larger sizes alone
# would pay (or gain) it, a step in the curve that is not the function's.
GROWTH_TOLERANCE=0.25
GROWTH_SET="$SERIAL SET jit = off;"
GROWTH_ARMS=(4 16 64 256 1000)
GROWTH_DIMS=(4 16 64 256)
# rows per point, scaled down where a row costs more (each run ~1-3 s here)
growth_arms_fit_rows() { growth_scaled 3000000; }
growth_arms_score_rows() { growth_scaled $((8000000 / $1 < 500000 ? 8000000 / $1 : 500000)); }
growth_dim_fit_rows() { case $1 in 4 | 16) growth_scaled 2000000 ;; 64) growth_scaled 500000 ;; *) growth_scaled $((60000 * 256 * 256 / $1 / $1)) ;; esac; }
growth_dim_score_rows() { case $1 in 4 | 16) growth_scaled 600000 ;; 64) growth_scaled 200000 ;; *) growth_scaled $((16000 * 256 * 256 / $1 / $1)) ;; esac; }
growth_scaled() { awk -v n="$1" -v s="$GROWTH_SCALE" 'BEGIN { printf "%d", n * s + 0.5 }'; }

# 1000000 -> 1M, 3000000 -> 3M, 300000 -> 300k
human() { awk -v n="$1" 'BEGIN { if (n >= 1e6 && n % 1e5 == 0) printf "%gM", n / 1e6; else if (n >= 1e4 && n % 1e3 == 0) printf "%gk", n / 1e3; else printf "%d", n }'; }

growth_load() {
  local dims dim_rows d max fit_rows score_rows n
  dims="{$(IFS=,; echo "${GROWTH_DIMS[*]}")}"
  dim_rows=""
  for d in "${GROWTH_DIMS[@]}"; do
    max=$(growth_dim_fit_rows "$d"); n=$(growth_dim_score_rows "$d")
    dim_rows+="${dim_rows:+,}$((n > max ? n : max))"
  done
  max=$(tr ' ' '\n' <<<"$GROWTH_ROWS" | sort -g | tail -n 1)
  fit_rows=$(growth_arms_fit_rows); fit_rows=$((fit_rows > max ? fit_rows : max))
  score_rows=$(growth_arms_score_rows "${GROWTH_ARMS[0]}"); score_rows=$((score_rows > max ? score_rows : max))
  ab_log "Loading the growth tables: $fit_rows fitting rows, $score_rows contexts, $max OPE rows; d = $dims: {$dim_rows} rows"
  sq -v fit_rows="$fit_rows" -v score_rows="$score_rows" -v ope_rows="$max" -v dims="$dims" \
    -v dim_rows="{$dim_rows}" -v arms="{$(IFS=,; echo "${GROWTH_ARMS[*]}")}" \
    -f test/bench/bench_data_growth.sql >/dev/null || ab_die "bench_data_growth.sql failed"
}

growth_drop() {
  local d
  sq -c "DROP TABLE IF EXISTS growth_fit, growth_score, growth_ope, growth_model" >/dev/null
  for d in "${GROWTH_DIMS[@]}"; do sq -c "DROP TABLE IF EXISTS growth_d$d" >/dev/null; done
}

# growth_time: time G_Q[i], and G_SCAN[i] after it when set, for every i in
# turn, one warm-up round then REPS rounds; medians in G_MS and G_SCAN_MS.
growth_time() {
  local i r t n=${#G_Q[@]}
  local -a tq=() ts=()
  for ((r = -1; r < REPS; r++)); do
    for ((i = 0; i < n; i++)); do
      t=$(psql_ms "$GROWTH_SET" "${G_Q[i]}")
      ((r < 0)) || tq[i]+="$t "
      if [[ -n ${G_SCAN[i]:-} ]]; then
        t=$(psql_ms "$GROWTH_SET" "${G_SCAN[i]}")
        ((r < 0)) || ts[i]+="$t "
      fi
    done
  done
  G_MS=() G_SCAN_MS=()
  for ((i = 0; i < n; i++)); do
    # shellcheck disable=SC2086 # the timings, one word each
    G_MS+=("$(printf '%s\n' ${tq[i]} | median)")
    # shellcheck disable=SC2086
    [[ -z ${G_SCAN[i]:-} ]] || G_SCAN_MS+=("$(printf '%s\n' ${ts[i]} | median)")
  done
}

# fit_exponent X1 Y1 X2 Y2 ...: the least-squares slope of log(y) on log(x),
# over the points with y > 0; prints "slope points".
fit_exponent() {
  printf '%s %s\n' "$@" | awk '$2 > 0 { x = log($1); y = log($2); n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
    END { if (n < 2 || n * sxx == sx * sx) print "nan", n + 0
          else printf "%.2f %d\n", (n * sxy - sx * sy) / (n * sxx - sx * sx), n }'
}

# num X: X with 3 significant digits, no exponent (0.123, 1.23, 12.3, 1234)
num() { awk -v x="$1" 'BEGIN { a = (x < 0) ? -x : x
  printf (a >= 100) ? "%.0f" : (a >= 10) ? "%.1f" : (a >= 1) ? "%.2f" : "%.3f", x }'; }
per_row() { awk -v ms="$1" -v n="$2" -v u="$3" 'BEGIN { print ms * u / n }'; } # MS ROWS UNITS_PER_MS
plus_tolerance() { awk -v e="$1" -v t="$GROWTH_TOLERANCE" 'BEGIN { print e + t }'; }

# growth_row_total OP EXPECTED DETAIL: a rows series (G_SIZES rows, G_Q):
# the exponent of the total time.
growth_row_total() {
  local i pts=() timings="" e holds=0
  growth_time
  for ((i = 0; i < ${#G_SIZES[@]}; i++)); do
    pts+=("${G_SIZES[i]}" "${G_MS[i]}")
    timings+="${timings:+, }$(human "${G_SIZES[i]}"): $(num "${G_MS[i]}") ms ($(num "$(per_row "${G_MS[i]}" "${G_SIZES[i]}" 1e6)") ns/row)"
  done
  read -r e _ < <(fit_exponent "${pts[@]}")
  ab_log "growth: $1 vs rows: exponent $e (expected $2); $timings"
  [[ $e == nan ]] || holds=$(le "$e" "$(plus_tolerance "$2")")
  row "growth: $1 vs rows ($(growth_sizes human))" "fitted exponent $e (expected $2); $timings" "$holds" \
    "$3; exponent of the total time, nothing subtracted; holds if ≤ $2 + $GROWTH_TOLERANCE"
}

# growth_row_per_row OP VARIABLE EXPECTED DETAIL: a cost-per-row series
# (G_SIZES, G_ROWS rows per point, G_Q and its scan G_SCAN): the exponent of
# the net cost per row (query minus scan), the raw one and the slope between
# the two largest sizes (where fixed per-row costs weigh least) beside it.
growth_row_per_row() {
  local i n=${#G_SIZES[@]} raw=() net=() timings="" e used eraw top smallest=1e300 note="" holds=0 netms
  growth_time
  for ((i = 0; i < n; i++)); do
    netms=$(awk -v a="${G_MS[i]}" -v b="${G_SCAN_MS[i]}" 'BEGIN { print a - b }')
    raw+=("${G_SIZES[i]}" "$(per_row "${G_MS[i]}" "${G_ROWS[i]}" 1e3)")
    net+=("${G_SIZES[i]}" "$(per_row "$netms" "${G_ROWS[i]}" 1e3)")
    timings+="${timings:+, }$2=${G_SIZES[i]}: $(num "${raw[-1]}")/$(num "${net[-1]}") µs"
    timings+=" ($(human "${G_ROWS[i]}") rows, $(num "${G_MS[i]}") − $(num "${G_SCAN_MS[i]}") ms)"
    smallest=$(awk -v a="$smallest" -v b="$netms" 'BEGIN { print (b < a) ? b : a }')
  done
  read -r e used < <(fit_exponent "${net[@]}")
  read -r eraw _ < <(fit_exponent "${raw[@]}")
  read -r top _ < <(fit_exponent "${net[@]: -4}")
  ((used == n)) || note+="; $((n - used)) point(s) with no time beyond the scan left out"
  [[ $(ge "$smallest" 200) == 1 ]] ||
    note+="; the smallest net time is only $(num "$smallest") ms: fixed costs may flatten the fit"
  ab_log "growth: $1 vs $2: net exponent $e (expected $3, raw $eraw, two largest $top); $timings"
  [[ $e == nan || $used -lt 3 ]] || holds=$(le "$e" "$(plus_tolerance "$3")")
  row "growth: $1 vs $2 ($(growth_sizes))" \
    "fitted exponent $e (expected $3; raw $eraw; between the two largest sizes $top); per row raw/net: $timings" \
    "$holds" "$4; net = query − scan of the same rows; holds if ≤ $3 + $GROWTH_TOLERANCE$note"
}

growth_sizes() { local s out="" f=${1:-echo}; for s in "${G_SIZES[@]}"; do out+="${out:+, }$("$f" "$s")"; done; echo "$out"; }

bench_growth() {
  local n k d act scan
  # shellcheck disable=SC2206 # the sizes, one word each
  G_SIZES=($GROWTH_ROWS)

  G_Q=() G_SCAN=()
  for n in "${G_SIZES[@]}"; do G_Q+=("SELECT bandit_fit(i % 8, x, reward) IS NOT NULL FROM (SELECT * FROM growth_fit LIMIT $n) s"); done
  growth_row_total "bandit_fit" 1 "serial, d = 8, 8 arms"
  G_Q=()
  act="SELECT sum((a).probability) FROM (SELECT bandit_act(m.model, s.x, m.candidates, 'linucb(alpha=1.0)', s.i) AS a FROM (SELECT * FROM %s LIMIT %d) s, growth_model m WHERE m.k = %d AND m.d = %d) t"
  scan="SELECT sum(array_length(s.x, 1) + array_length(m.candidates, 1) + s.i) FROM (SELECT * FROM %s LIMIT %d) s, growth_model m WHERE m.k = %d AND m.d = %d"
  # shellcheck disable=SC2059
  for n in "${G_SIZES[@]}"; do G_Q+=("$(printf "$act" growth_score "$n" 8 16)"); done
  growth_row_total "bandit_act LinUCB" 1 "serial, one model (cached), K = 8 candidates, d = 16"
  G_Q=()
  for n in "${G_SIZES[@]}"; do G_Q+=("SELECT ope_accumulate(r, mu, pi, q, v) IS NOT NULL FROM (SELECT * FROM growth_ope LIMIT $n) s"); done
  growth_row_total "ope_accumulate" 1 "serial, 5 inputs"

  G_SIZES=("${GROWTH_ARMS[@]}") G_ROWS=() G_Q=() G_SCAN=()
  n=$(growth_arms_fit_rows)
  for k in "${G_SIZES[@]}"; do
    G_ROWS+=("$n")
    G_Q+=("SELECT bandit_fit(i % $k, x, reward) IS NOT NULL FROM (SELECT * FROM growth_fit LIMIT $n) s")
    G_SCAN+=("SELECT sum(i % $k + array_length(x, 1) + reward) FROM (SELECT * FROM growth_fit LIMIT $n) s")
  done
  growth_row_per_row "bandit_fit per row" K 0 \
    "serial, d = 8, $(human "$n") rows, arm = i % K; a row updates one arm, found by binary search (log K probes)"
  G_ROWS=() G_Q=() G_SCAN=()
  for k in "${G_SIZES[@]}"; do
    n=$(growth_arms_score_rows "$k")
    G_ROWS+=("$n")
    # shellcheck disable=SC2059
    G_Q+=("$(printf "$act" growth_score "$n" "$k" 16)") G_SCAN+=("$(printf "$scan" growth_score "$n" "$k" 16)")
  done
  growth_row_per_row "bandit_act LinUCB per row, all K arms candidates" K 1 \
    "serial, d = 16, one model (cached); K·d(d+1)/2 multiply-adds per row, plus K binary searches for the candidates (K log K)"

  G_SIZES=("${GROWTH_DIMS[@]}") G_ROWS=() G_Q=() G_SCAN=()
  for d in "${G_SIZES[@]}"; do
    n=$(growth_dim_fit_rows "$d")
    G_ROWS+=("$n")
    G_Q+=("SELECT bandit_fit(i % 8, x, reward) IS NOT NULL FROM (SELECT * FROM growth_d$d LIMIT $n) s")
    G_SCAN+=("SELECT sum(i % 8 + array_length(x, 1) + reward) FROM (SELECT * FROM growth_d$d LIMIT $n) s")
  done
  growth_row_per_row "bandit_fit per row" d 2 \
    "serial, 8 arms; rank-1 update of d(d+1)/2 packed entries; rows fewer at large d"
  G_ROWS=() G_Q=() G_SCAN=()
  for d in "${G_SIZES[@]}"; do
    n=$(growth_dim_score_rows "$d")
    G_ROWS+=("$n")
    # shellcheck disable=SC2059
    G_Q+=("$(printf "$act" "growth_d$d" "$n" 8 "$d")") G_SCAN+=("$(printf "$scan" "growth_d$d" "$n" 8 "$d")")
  done
  growth_row_per_row "bandit_act LinUCB per row" d 2 \
    "serial, K = 8, one model (cached); d(d+1)/2 multiply-adds per arm for the variance; rows fewer at large d"

  [[ -n "${BENCH_REUSE:-}" ]] || growth_drop
}

# --- answers must agree before timings mean anything ------------------------------

check_answers() {
  sq -v hand="$(cat test/bench/hand_written_ope.sql)" \
    -v hand_conventional="$(cat test/bench/hand_written_ope_conventional.sql)" \
    -f test/bench/bench_checks.sql >/dev/null ||
    ab_die "benchmark sanity checks failed (bench_checks.sql)"
}

# --- the report ---------------------------------------------------------------------

machine() {
  local cpu mem
  cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "- CPU: ${cpu:-unknown}, $(nproc) cores; memory $mem; $(uname -sr)"
  echo "- $(sq -c 'SELECT version()')"
  echo "- settings: $(sq -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather', 'max_parallel_workers')")"
  if [[ "$(sq -c "SELECT to_regclass('bench_log') IS NOT NULL AND to_regclass('bench_fit') IS NOT NULL")" == t ]]; then
    echo "- log: $ROWS rows (bench_log $(sq -c "SELECT pg_size_pretty(pg_total_relation_size('bench_log'))"), bench_fit $(sq -c "SELECT pg_size_pretty(pg_total_relation_size('bench_fit'))")); medians of $REPS runs, each alternated with the query it is compared with"
  else
    echo "- no log loaded (BENCH_ONLY=$BENCH_ONLY); medians of $REPS runs, each alternated with the query it is compared with"
  fi
}

report() {
  local md
  md=$(
    echo "# artbandit benchmarks"
    echo
    echo "Written by \`make bench\` (test/bench/run_bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Every target is a ratio of two timings taken side by side in the same run."
    echo
    machine
    echo
    echo "| target | measured | holds | notes |"
    echo "|---|---|---|---|"
    printf '%s\n' "${ROWS_OUT[@]}"
    if [[ -f test/bench/NOTES.md ]]; then
      echo
      cat test/bench/NOTES.md
    fi
  )
  echo
  echo "$md"
  if [[ "$OUT" != "-" ]]; then
    echo "$md" >"$OUT"
    ab_log "Report written to $OUT"
  fi
}

main() {
  AB_DEPS+=(python3-psycopg2 python3-numpy)
  ensure_deps
  local pg_named=${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}
  if [[ -n "${BENCH_NO_INSTALL:-}" ]]; then
    # the throwaway cluster runs the system's server, which this would not have installed into
    [[ -n "$pg_named" ]] || ab_die "BENCH_NO_INSTALL needs PG* variables naming a server with artbandit installed"
    ab_pg_config
    ab_log "BENCH_NO_INSTALL: not building or installing; using the server the PG* variables name"
  else
    ab_build
    ab_install
  fi
  [[ -n "$pg_named" ]] || cluster_start
  local part parts=${BENCH_ONLY:-ope parallel fitstate estimates12 validate python scoring memory textout thompson serving growth}
  local log=0
  for part in $parts; do [[ $part == textout || $part == thompson || $part == serving || $part == growth ]] || log=1; done
  if [[ -z "${BENCH_REUSE:-}" ]]; then
    if [[ $log == 1 ]]; then
      ab_log "Loading the benchmark log: $ROWS rows (and $SCORE_ROWS contexts to score)"
      sq -v rows="$ROWS" -v score_rows="$SCORE_ROWS" -f test/bench/bench_data.sql >/dev/null
    fi
    if [[ " $parts " == *" textout "* ]]; then
      ab_log "Loading the d = 1024 model for the text output row"
      sq -f test/bench/bench_data_text.sql >/dev/null
    fi
    if [[ " $parts " == *" serving "* ]]; then
      ab_log "Loading the serving tables (per-show models and requests)"
      sq -f test/bench/bench_data_serving.sql >/dev/null
    fi
  fi
  # growth's tables are dropped after the part unless BENCH_REUSE keeps them
  if [[ " $parts " == *" growth "* && ( -z "${BENCH_REUSE:-}" ||
        "$(sq -c "SELECT to_regclass('growth_model') IS NULL")" == t ) ]]; then
    growth_load
  fi
  [[ $log == 0 ]] || check_answers
  for part in $parts; do
    "bench_$part"
  done
  report
  [[ $MISSED -eq 0 ]] || ab_warn "some targets were missed (see the table)"
  return "$MISSED"
}

main "$@"
