#!/usr/bin/python3
"""The data scientist's way: psycopg2 COPY + numpy (benchmark only).

Benchmark-only script, not part of the extension.  It is the Python side of
the "Performance" row "psycopg2 COPY + numpy is >= 5x slower than doing it
in the database" (test/bench/run_bench.sh): it pulls the benchmark tables of
test/bench/bench_data.sql out of the database and computes what

    SELECT ope_report((SELECT ope_accumulate(r, mu, pi, q, v) FROM bench_log));
    SELECT bandit_fit(action, context, reward) FROM bench_fit;

compute in the database, the way a competent data scientist would do it
today, as fast as we could make it (measured on the 5M-row tables):

  * fetch: COPY (SELECT ...) TO STDOUT (FORMAT binary) into an io.BytesIO,
    viewed in place through one numpy structured dtype per table (every row's
    layout is checked: field count, lengths, array header).  Binary wins
    overall: for bench_log the server's binary COPY takes ~4.0 s (~3.0 s as
    CSV), but CSV then needs np.loadtxt (~4.4 s) or np.fromstring (~7.7 s)
    where the binary view is free.  bench_fit's context comes as the whole
    float8[] (fixed width for one dimension) rather than as context[1], ...,
    context[8]: the server writes that ~1.9 s faster (4.1 s against 5.9 s).
    `--format csv` keeps the plain CSV + np.loadtxt path for comparison.
  * compute: replay, IPS, SNIPS, DM, DR and SNDR with their standard errors
    as src/core/ope_estimators.c defines them (two passes: the sums, then
    the squared deviations), and per arm the ridge fit
    theta_a = (I + A_a)^-1 b_a, A_a = sum x x^T, b_a = sum r x (per block,
    rows grouped by arm, one (d+1) x (d+1) matrix product per arm; one
    batched solve).  Both run over blocks of 16k rows converted into one
    reused native buffer: ~4x faster than whole-column numpy here (0.8 s
    against 3.3 s for both tables), where fresh memory (page faults, costly
    in a VM) and passes over 40 MB columns dominate.

Output: one line of JSON on stdout,
    {"fetch_s", "compute_s", "total_s", per-table splits, "rows_log",
     "rows_fit", "estimates": {"ips": [estimate, std_error], ...},
     "theta": {"<arm>": [d floats], ...}}
total_s is the wall time from connecting to the last result (the interpreter's
start and imports and the check, if any, are not timed).

  --check          compare every estimate, standard error and theta component
                   with the database's (ope_report, ope_estimate,
                   bandit_predict on unit vectors); exit 1 on a mismatch,
                   print "check: ok" on stderr otherwise
  --rows-limit N   only the first N rows of each table (quick tries)
  --format F       binary (default) or csv
  --parallel       the two tables at once on two connections (threads; the
                   per-table times then overlap), instead of one after the
                   other on one connection as a notebook does

Needs the Debian packages python3-psycopg2 and python3-numpy, run with the
system interpreter /usr/bin/python3 (the shebang; a pyenv python3 first on
PATH would not see them).  Connects with the libpq environment (PGHOST,
PGPORT, PGUSER, PGDATABASE, ...).  Rows with a NULL are not supported (the
database skips them; this script stops with an error).
"""
import argparse
import concurrent.futures
import io
import json
import math
import sys
import time

import numpy as np
import psycopg2

LOG_COLUMNS = ("r", "mu", "pi", "q", "v")
BLOCK = 1 << 14             # rows per block
RIDGE = 1.0
EST_RTOL = 1e-9
THETA_RTOL = 1e-8

# The same casts as the implicit ones of ope_accumulate(float8, ...): mu and
# pi may be numeric columns (bench_data.sql), and a no-op when already float8.
LOG_SELECT = "SELECT r::float8, mu::float8, pi::float8, q::float8, v::float8 FROM bench_log"
FIT_SELECT_ARRAY = "SELECT action::int8, reward::float8, context::float8[] FROM bench_fit"

PGCOPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


class BenchError(Exception):
    """Data this script cannot use: an empty table, or rows the binary fast
    path does not decode (a NULL, contexts of different lengths)."""


# --- fetching -----------------------------------------------------------------

def limited(select, rows_limit):
    return select if rows_limit is None else f"{select} LIMIT {int(rows_limit)}"


def copy_out(cur, select, fmt):
    """COPY (select) TO STDOUT into memory; returns the buffer."""
    buf = io.BytesIO()
    cur.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT {fmt})", buf)
    return buf


def binary_records(buf, dtype):
    """The rows of a binary COPY as a structured array (fixed-width rows)."""
    mv = buf.getbuffer()
    if bytes(mv[:11]) != PGCOPY_SIGNATURE:
        raise BenchError("not a binary COPY stream")
    ext = int.from_bytes(mv[15:19], "big")
    start = 19 + ext
    body = len(mv) - start - 2
    if bytes(mv[-2:]) != b"\xff\xff" or body < 0 or body % dtype.itemsize:
        raise BenchError("binary COPY rows are not of the expected fixed width "
                         "(a NULL, or arrays of different lengths?)")
    return np.frombuffer(mv, dtype=dtype, offset=start, count=body // dtype.itemsize)


def require(ok, what):
    if not ok:
        raise BenchError(f"unexpected binary COPY layout: {what} (a NULL?)")


def be32(value):
    """A big-endian int32 as read by a native "=i4" field.

    The length words are compared in that form: checking every row then
    needs no byte-swapped copy of the field.
    """
    return int.from_bytes(value.to_bytes(4, "big", signed=True), sys.byteorder, signed=True)


def field(name, fmt):
    """A binary COPY field: int32 length word, then the value."""
    return [(name + "_len", "=i4"), (name, fmt)]


def require_lengths(rec, names, length=8):
    for name in names:
        require((rec[name + "_len"] == be32(length)).all(), f"length of {name}")


def decode_log_binary(buf):
    """bench_log's rows: a structured view into the COPY buffer, fields
    r, mu, pi, q, v (big-endian float8)."""
    dt = np.dtype([("nfields", ">i2")] + sum((field(c, ">f8") for c in LOG_COLUMNS), []))
    rec = binary_records(buf, dt)
    require((rec["nfields"] == len(LOG_COLUMNS)).all(), "field count")
    require_lengths(rec, LOG_COLUMNS)
    return rec


def context_dim(buf):
    """d of the first row's float8[d] context (the other rows are checked)."""
    mv = buf.getbuffer()
    at = 19 + int.from_bytes(mv[15:19], "big") + 2 + 12 + 12
    if len(mv) < at + 4:
        raise BenchError("bench_fit is empty")
    d, rest = divmod(int.from_bytes(mv[at:at + 4], "big", signed=True) - 20, 12)
    if d < 1 or rest:
        raise BenchError("the first context is not a float8[] without NULLs")
    return d


def decode_fit_binary(buf, d):
    """bench_fit's rows: a structured view into the COPY buffer, fields
    action (int8), reward and x0, ..., x{d-1} (the context, float8[d]: one
    d for all rows, no NULLs)."""
    array_header = [("ndim", "=i4"), ("hasnull", "=i4"), ("elemtype", "=i4"),
                    ("dim", "=i4"), ("lbound", "=i4")]
    xs = [f"x{j}" for j in range(d)]
    dt = np.dtype([("nfields", ">i2")] + field("action", ">i8") + field("reward", ">f8")
                  + [("context_len", "=i4")] + array_header + sum((field(x, ">f8") for x in xs), []))
    rec = binary_records(buf, dt)
    require((rec["nfields"] == 3).all(), "field count")
    require_lengths(rec, ("action", "reward"))
    require_lengths(rec, ("context",), 20 + 12 * d)
    float8oid = 701
    for name, want in (("ndim", 1), ("hasnull", 0), ("elemtype", float8oid), ("dim", d)):
        require((rec[name] == be32(want)).all(), f"context array {name}")
    require_lengths(rec, xs)
    return rec


def decode_csv(buf, names):
    """CSV rows as a structured view of np.loadtxt's array (fields names)."""
    if not buf.getbuffer().nbytes:
        raise BenchError("no rows")
    buf.seek(0)
    a = np.loadtxt(buf, delimiter=",", dtype=np.float64, ndmin=2)
    return a.view([(name, np.float64) for name in names])[:, 0]


def fetch_log(cur, fmt, rows_limit):
    buf = copy_out(cur, limited(LOG_SELECT, rows_limit), fmt)
    log = decode_log_binary(buf) if fmt == "binary" else decode_csv(buf, LOG_COLUMNS)
    if not len(log):
        raise BenchError("bench_log is empty")
    return log


def fetch_fit(cur, fmt, rows_limit):
    if fmt == "binary":
        buf = copy_out(cur, limited(FIT_SELECT_ARRAY, rows_limit), fmt)
        return decode_fit_binary(buf, context_dim(buf))
    cur.execute("SELECT cardinality(context) FROM bench_fit LIMIT 1")
    d = cur.fetchone()[0]
    elems = ", ".join(f"context[{j}]" for j in range(1, d + 1))
    select = f"SELECT action, reward, {elems} FROM bench_fit"
    names = ["action", "reward"] + [f"x{j}" for j in range(d)]
    return decode_csv(copy_out(cur, limited(select, rows_limit), fmt), names)


# --- computing in blocks ------------------------------------------------------------

def blocks(rec, names, size=BLOCK):
    """(start, z) per block of rows: z[j] the native float64 values of field
    names[j] (one buffer, reused).  Block by block the work stays in cache
    and allocates no large temporaries; per-block partial sums are also more
    accurate than one dot product over 5M rows."""
    buf = np.empty((len(names), size))
    for start in range(0, len(rec), size):
        part = rec[start:start + size]
        z = buf[:, :len(part)]
        for j, name in enumerate(names):
            z[j] = part[name]
        yield start, z


# --- the estimators (src/core/ope_estimators.c) ---------------------------------

def std_error(sumsq, n):
    """sqrt(sum psi^2 / (n (n - 1))) for influence terms psi of mean zero."""
    if n < 2 or not math.isfinite(sumsq):
        return None
    return math.sqrt(max(sumsq, 0.0) / (n * (n - 1.0)))


def estimates(log):
    """{estimator: (estimate, std_error)} as ope_report computes them
    (None for an undefined value, as the database's NULL).

    Two passes over the rows: the sums the estimates need, then the sums of
    the squared influence terms psi_i (mean zero), with w = pi/mu, e = r - q:
      replay, snips  R = sum(a r)/sum(a), psi = a (r - R) / abar (a = pi, w)
      ips, dm, dr    the per-row terms minus their mean
      sndr           psi = (v - V) + w (e - T) / wbar, T = sum(w e)/sum(w)
    """
    n = len(log)
    sums = np.zeros(6)
    for _, (r, mu, pi, q, v) in blocks(log, LOG_COLUMNS):
        w = pi / mu
        we = w * (r - q)
        sums += (pi.sum(), pi @ r, w.sum(), w @ r, v.sum(), we.sum())
    with np.errstate(divide="ignore", invalid="ignore"):   # no rows, sum(w) = 0
        s_pi, s_pir, s_w, s_wr, s_v, s_we = sums           # numpy scalars: x/0 is inf/nan
        pibar, wbar, t = s_pi / n, s_w / n, s_we / s_w
        est = {"replay": s_pir / s_pi, "ips": s_wr / n, "snips": s_wr / s_w,
               "dm": s_v / n, "dr": (s_v + s_we) / n, "sndr": s_v / n + t}
        sumsq = dict.fromkeys(est, 0.0)
        for _, (r, mu, pi, q, v) in blocks(log, LOG_COLUMNS):
            w = pi / mu
            we = w * (r - q)
            for name, psi in (("replay", pi * (r - est["replay"]) / pibar),
                              ("ips", w * r - est["ips"]),
                              ("snips", w * (r - est["snips"]) / wbar),
                              ("dm", v - est["dm"]),
                              ("dr", v + we - est["dr"]),
                              ("sndr", (v - est["dm"]) + (we - t * w) / wbar)):
                sumsq[name] += psi @ psi
    return {name: (float(e), std_error(float(sumsq[name]), n)) if np.isfinite(e) else (None, None)
            for name, e in est.items()}


# --- the per-arm ridge fits -------------------------------------------------------

def ridge_fits(rows, ridge=RIDGE):
    """{arm: (n, theta)} with theta = (ridge I + A)^-1 b per arm.

    rows: a structured array with fields action, reward, x0, ..., x{d-1}.
    Per block, the rows are grouped by arm (stable argsort of the block) into
    Z = [x | r]^T, and each arm's slice Z_a adds Z_a Z_a^T to that arm's
    (d+1) x (d+1) sums: A = sum x x^T (top-left block), b = sum r x (last
    column).  Then one batched solve.
    """
    names = [f for f in rows.dtype.names if f[0] == "x" and f[1:].isdigit()] + ["reward"]
    d = len(names) - 1
    grouped = np.empty((d + 1, BLOCK))
    gram, count = {}, {}
    for start, z in blocks(rows, names):
        m = z.shape[1]
        action = rows["action"][start:start + m].astype(np.int64)
        order = np.argsort(action, kind="stable")
        action = action[order]
        zs = np.take(z, order, axis=1, out=grouped[:, :m])
        cuts = np.flatnonzero(action[1:] != action[:-1]) + 1
        for arm, za in zip(action[np.r_[0, cuts]].tolist(), np.split(zs, cuts, axis=1)):
            if arm in gram:
                gram[arm] += za @ za.T
                count[arm] += za.shape[1]
            else:
                gram[arm] = za @ za.T
                count[arm] = za.shape[1]
    if not gram:
        return {}
    arms = sorted(gram)
    g = np.stack([gram[arm] for arm in arms])
    theta = np.linalg.solve(g[:, :d, :d] + ridge * np.eye(d), g[:, :d, d:])[:, :, 0]
    return {arm: (count[arm], th) for arm, th in zip(arms, theta)}


# --- the check against the database ---------------------------------------------

def close(a, b, rtol):
    """Equal to a relative tolerance (None, a NULL, only equals None)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rtol * max(abs(a), abs(b))


def check_estimates(cur, est, rows_limit):
    acc = f"SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM ({limited('SELECT r, mu, pi, q, v FROM bench_log', rows_limit)}) t"
    cur.execute(f"WITH st AS MATERIALIZED ({acc}) "
                "SELECT o.estimator, o.estimate, o.std_error, ope_estimate(st.s, o.estimator) "
                "FROM st, ope_report(st.s) o")
    problems, seen = [], set()
    for name, db_est, db_se, db_one in cur.fetchall():
        seen.add(name)
        py_est, py_se = est.get(name, (None, None))
        for what, db, py in (("estimate", db_est, py_est), ("ope_estimate", db_one, py_est),
                             ("std_error", db_se, py_se)):
            if not close(py, db, EST_RTOL):
                problems.append(f"{name} {what}: numpy {py!r} vs database {db!r}")
    if seen != set(est):
        problems.append(f"estimators: numpy {sorted(est)} vs database {sorted(seen)}")
    return problems


def check_theta(cur, fits, rows_limit):
    d = max((len(theta) for _, theta in fits.values()), default=0)
    fit = f"SELECT bandit_fit(action, context, reward) AS m FROM ({limited('SELECT action, context, reward FROM bench_fit', rows_limit)}) t"
    cur.execute(f"WITH fit AS MATERIALIZED ({fit}) "
                "SELECT a.action, a.n, j, bandit_predict(fit.m, "
                "  ARRAY(SELECT (k = j)::int::float8 FROM generate_series(1, %s) k), a.action, %s) "
                "FROM fit, bandit_arms(fit.m) a, generate_series(1, %s) j ORDER BY 1, 3",
                (d, RIDGE, d))
    problems, seen = [], set()
    for arm, n, j, db in cur.fetchall():
        seen.add(arm)
        if arm not in fits:
            continue
        py_n, theta = fits[arm]
        if j == 1 and n != py_n:
            problems.append(f"arm {arm}: {py_n} rows in numpy vs {n} in the database")
        py = float(theta[j - 1])
        if not close(py, db, THETA_RTOL):
            problems.append(f"arm {arm} theta[{j}]: numpy {py!r} vs database {db!r}")
    if seen != set(fits):
        problems.append(f"arms: numpy {sorted(fits)} vs database {sorted(seen)}")
    return problems


def deterministic_limit(cur, rows_limit):
    """LIMIT without ORDER BY takes the first rows of a plain serial scan."""
    if rows_limit is not None:
        cur.execute("SET synchronize_seqscans = off; SET max_parallel_workers_per_gather = 0")


# --- main -------------------------------------------------------------------------

def connect(rows_limit):
    conn = psycopg2.connect("")
    deterministic_limit(conn.cursor(), rows_limit)
    return conn


def timed_part(fetch, compute):
    """A part of the work: fetch(cursor, fmt, rows_limit), then compute() on
    what came; called as part(conn, fmt, rows_limit), it returns
    (result, rows, fetch_s, compute_s)."""
    def part(conn, fmt, rows_limit):
        t0 = time.perf_counter()
        data = fetch(conn.cursor(), fmt, rows_limit)
        t1 = time.perf_counter()
        result = compute(data)
        return result, len(data), t1 - t0, time.perf_counter() - t1
    return part


log_part = timed_part(fetch_log, estimates)     # bench_log -> the estimates
fit_part = timed_part(fetch_fit, ridge_fits)    # bench_fit -> the ridge fits


def run(fmt, rows_limit, parallel):
    """Both parts, one after the other on one connection (what a notebook
    does), or with parallel=True at the same time on two connections."""
    t0 = time.perf_counter()
    if parallel:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            conns = list(pool.map(connect, [rows_limit] * 2))
            jobs = [pool.submit(part, conn, fmt, rows_limit)
                    for part, conn in zip((log_part, fit_part), conns)]
            (est, rows_log, *t_log), (fits, rows_fit, *t_fit) = [j.result() for j in jobs]
    else:
        conns = [connect(rows_limit)]
        est, rows_log, *t_log = log_part(conns[0], fmt, rows_limit)
        fits, rows_fit, *t_fit = fit_part(conns[0], fmt, rows_limit)
    total = time.perf_counter() - t0
    for conn in conns:
        conn.close()
    return {
        "fetch_s": t_log[0] + t_fit[0],
        "compute_s": t_log[1] + t_fit[1],
        "total_s": total,
        "fetch_log_s": t_log[0],
        "compute_log_s": t_log[1],
        "fetch_fit_s": t_fit[0],
        "compute_fit_s": t_fit[1],
        "format": fmt,
        "parallel": parallel,
        "rows_log": rows_log,
        "rows_fit": rows_fit,
        "estimates": {name: list(v) for name, v in est.items()},
        "theta": {str(arm): theta.tolist() for arm, (_, theta) in fits.items()},
    }, est, fits


def check(est, fits, rows_limit):
    """The problems found comparing with the database (empty: all agree)."""
    conn = connect(rows_limit)
    cur = conn.cursor()
    problems = check_estimates(cur, est, rows_limit) + check_theta(cur, fits, rows_limit)
    conn.close()
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="compare with the database's numbers")
    p.add_argument("--rows-limit", type=int, metavar="N", help="first N rows of each table")
    p.add_argument("--format", choices=("binary", "csv"), default="binary",
                   help="COPY format (default binary: fastest)")
    p.add_argument("--parallel", action="store_true",
                   help="fetch and compute the two tables at once, on two connections")
    args = p.parse_args()
    try:
        result, est, fits = run(args.format, args.rows_limit, args.parallel)
        print(json.dumps(result), flush=True)
        if args.check:
            problems = check(est, fits, args.rows_limit)
            if problems:
                print("check: MISMATCH between numpy and the database:", file=sys.stderr)
                for line in problems:
                    print("  " + line, file=sys.stderr)
                return 1
            print("check: ok", file=sys.stderr)
    except (BenchError, psycopg2.Error) as exc:
        print(f"python_way.py: {exc}".rstrip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
