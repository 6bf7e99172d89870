#!/usr/bin/python3
"""psycopg2 (Debian's python3-psycopg2) against the dashboard queries.

Builds the tables of ../fixture.sql, runs the README "Clients" snippet (the
lines between the README markers below are that snippet, word for word:
run_clients.sh compares them), then checks the Python type of every value
and the values against the log's rows, recomputed here, and the hand
values in fixture.sql.  Output is TAP; exit status 1 on any failure.
"""
import datetime
import decimal
import math
import os
import sys

import psycopg2
import psycopg2.extras

HERE = os.path.dirname(os.path.abspath(__file__))
Z95 = 1.959963984540054
results = []


def check(ok, what):
    results.append(bool(ok))
    print(("ok" if ok else "not ok") + " %d - %s" % (len(results), what))


def close(a, b):
    return a is not None and abs(a - b) <= 1e-12 * max(1.0, abs(b))


def expected_from_log(rows):
    """Per policy, the estimates from the log rows (reward model q = v = 0.5)."""
    out = {}
    for policy in ("greedy", "logging"):
        w, wr = [], []
        for _id, _day, image_id, mu, played in rows:
            pi = (1.0 if image_id == 1 else 0.0) if policy == "greedy" else mu
            w.append(pi / mu)
            wr.append(pi / mu * (1.0 if played else 0.0))
        n = len(w)
        ips = sum(wr) / n
        sd = math.sqrt(sum((t - ips) ** 2 for t in wr) / (n - 1))
        out[policy] = {
            "n": n, "n_matched": sum(1 for x in w if x > 0),
            "snips": sum(wr) / sum(w), "ips": ips, "ips_se": sd / math.sqrt(n),
            "dr": sum(0.5 + x * ((t / x if x > 0 else 0.0) - 0.5) for x, t in zip(w, wr)) / n,
            "ess": sum(w) ** 2 / sum(x * x for x in w), "sum_w": sum(w)}
    return out


def build_fixture():
    """Runs ../fixture.sql; returns the rows of its log."""
    setup = psycopg2.connect("")
    setup.autocommit = True
    with setup.cursor() as c, open(os.path.join(HERE, "..", "fixture.sql")) as f:
        c.execute(f.read())
        c.execute("SELECT impression_id, day, image_id, propensity, played "
                  "FROM impressions_log ORDER BY impression_id")
        log = c.fetchall()
    setup.close()
    return log


def main():
    exp = expected_from_log(build_fixture())
    # the hand values of fixture.sql: the recomputation is not vacuous
    check(close(exp["greedy"]["snips"], 6 / 7) and close(exp["greedy"]["ips"], 1.5)
          and close(exp["greedy"]["dr"], 1.125) and close(exp["logging"]["snips"], 0.625),
          "the log's recomputed estimates are the hand values")

    # README: begin python
    import keyword

    import psycopg2
    import psycopg2.extras

    class KeywordSafeComposite(psycopg2.extras.CompositeCaster):
        """register_composite's namedtuple, with a field named after a Python
        keyword (ope_result.lambda) renamed lambda_: namedtuple refuses it."""

        def _create_type(self, name, attnames):
            super()._create_type(name, [a + "_" if keyword.iskeyword(a) else a for a in attnames])

    conn = psycopg2.connect("")  # host, port, database, user from PGHOST, PGPORT, ...
    psycopg2.extras.register_composite("ope_result", conn, factory=KeywordSafeComposite)
    cur = conn.cursor()

    # plain columns: float8 -> float, bigint -> int, text[] -> list, boolean -> bool
    cur.execute("""SELECT policy, estimator, estimate, std_error, ci_lower, ci_upper, n,
                          match_rate, warnings, provisional
                   FROM ope_rollup_report('ope_daily_results', current_date - 7, current_date - 1)
                   WHERE estimator = 'ips' ORDER BY policy""")
    dashboard = cur.fetchall()

    # the README's view rounded to numeric: decimal.Decimal
    cur.execute("""SELECT policy, estimator, round(estimate::numeric, 4) AS estimate, n, days
                   FROM ope_last_7_days WHERE estimator IN ('snips', 'dr')
                   ORDER BY policy, estimator""")
    rounded = cur.fetchall()

    # a composite column: an ope_result namedtuple (a str without register_composite)
    cur.execute("""SELECT ope_report(ope_merge(state)) FROM ope_daily_results
                   WHERE policy = 'greedy'""")
    report = [row[0] for row in cur.fetchall()]

    # a state: its JSON text (a str); as jsonb: a dict
    cur.execute("""SELECT ope_merge(state), ope_merge(state)::jsonb FROM ope_daily_results
                   WHERE policy = 'greedy'""")
    state_text, state = cur.fetchone()
    # README: end python

    # plain columns
    check(len(dashboard) == 2, "ope_rollup_report: one ips row per policy")
    for policy, estimator, estimate, se, lo, hi, n, match_rate, warnings, provisional in dashboard:
        e = exp[policy]
        check(all(type(x) is float for x in (estimate, se, lo, hi, match_rate)),
              "%s: estimate, std_error, ci_lower, ci_upper, match_rate are float" % policy)
        check(type(n) is int and n == e["n"], "%s: n (bigint) is int %d" % (policy, e["n"]))
        check(close(estimate, e["ips"]) and close(se, e["ips_se"]),
              "%s: ips %.6g and its standard error as recomputed" % (policy, e["ips"]))
        check(close(lo, e["ips"] - Z95 * e["ips_se"]) and close(hi, e["ips"] + Z95 * e["ips_se"]),
              "%s: the 95%% normal interval" % policy)
        check(close(match_rate, e["n_matched"] / e["n"]), "%s: match_rate" % policy)
        check(type(warnings) is list and all(type(x) is str for x in warnings),
              "%s: warnings (text[]) is a list of str" % policy)
        check(type(provisional) is bool and provisional is False, "%s: provisional is bool" % policy)

    # rounded numeric
    check([(p, k) for p, k, *_ in rounded] ==
          [("greedy", "dr"), ("greedy", "snips"), ("logging", "dr"), ("logging", "snips")],
          "the README's dashboard query: rows in order")
    for policy, estimator, estimate, n, days in rounded:
        check(type(estimate) is decimal.Decimal and estimate.as_tuple().exponent == -4
              and abs(float(estimate) - exp[policy][estimator]) <= 0.00005 + 1e-12,
              "%s %s: round(estimate::numeric, 4) is Decimal %s" % (policy, estimator, estimate))
        check(type(n) is int and n == 8 and type(days) is int and days == 2,
              "%s %s: n (bigint) and days (integer) are int" % (policy, estimator))

    # composite
    check([r.estimator for r in report] == ["replay", "ips", "snips", "dm", "dr", "sndr"],
          "ope_report: ope_result namedtuples, one per estimator, in order")
    byname = {r.estimator: r for r in report}
    check(type(report[0]).__name__ == "ope_result" and report[0]._fields ==
          ("estimator", "estimate", "std_error", "ci_lower", "ci_upper", "lambda_"),
          "ope_result fields by name (lambda as lambda_)")
    check(all(type(r.estimate) is float for r in report), "ope_result.estimate is float")
    # dm of a constant reward model: 0.5 with no spread, so no interval (NULL)
    check(byname["dm"].estimate == 0.5 and byname["dm"].std_error == 0.0
          and byname["dm"].ci_lower is None, "a NULL field is None (dm's interval)")
    check(byname["snips"].lambda_ is None, "ope_result.lambda_ is None for a base estimator")
    check(close(byname["snips"].estimate, exp["greedy"]["snips"])
          and close(byname["dr"].estimate, exp["greedy"]["dr"])
          and close(byname["ips"].std_error, exp["greedy"]["ips_se"]),
          "ope_result values as recomputed")
    conn2 = psycopg2.connect("")
    try:
        psycopg2.extras.register_composite("ope_result", conn2)
        refused = None
    except ValueError as e:
        refused = str(e)
    check(refused is not None and "lambda" in refused,
          "plain register_composite('ope_result') raises ValueError: %s" % refused)
    with conn2.cursor() as c:
        c.execute("SELECT ope_report(ope_merge(state)) FROM ope_daily_results WHERE policy = 'greedy'")
        raw = c.fetchone()[0]
        check(type(raw) is str and raw.startswith("(replay,"),
              "without register_composite an ope_result is the str %s" % raw[:16])
        c.execute("SELECT * FROM ope_report((SELECT ope_merge(state) FROM ope_daily_results "
                  "WHERE policy = 'greedy'))")
        check([d.name for d in c.description] ==
              ["estimator", "estimate", "std_error", "ci_lower", "ci_upper", "lambda"]
              and type(c.fetchone()[1]) is float,
              "SELECT * FROM ope_report(...) gives plain columns")
    conn2.close()

    # states
    check(type(state_text) is str and state_text.startswith('{"version":'),
          "ope_state arrives as its JSON text (str)")
    check(type(state) is dict and state["kind"] == "dr", "ope_state::jsonb arrives as a dict")
    check(type(state["n"]) is int and state["n"] == 8 and state["n_matched"] == 5,
          "jsonb counts are int")
    check(type(state["sums"]["w"]) in (int, float) and close(state["sums"]["w"], exp["greedy"]["sum_w"]),
          "jsonb sums are numbers (sum w = %g)" % exp["greedy"]["sum_w"])

    # the rest of the dashboard: replay, diagnostics, a time series, bigints
    cur.execute("SELECT replay_take_fraction(image_id, target_image, played) FROM impressions")
    take = cur.fetchone()[0]
    check(type(take) is float and take == 0.5, "replay_take_fraction is float 0.5")
    cur.execute("""SELECT n, n_matched, match_rate, ess, warnings
                   FROM ope_diagnostics((SELECT ope_merge(state) FROM ope_daily_results
                                         WHERE policy = 'greedy'))""")
    n, matched, match_rate, ess, warnings = cur.fetchone()
    check(type(n) is int and n == 8 and type(matched) is int and matched == 5,
          "ope_diagnostics: n, n_matched are int")
    check(type(ess) is float and close(ess, exp["greedy"]["ess"]) and close(ess, 196 / 44),
          "ope_diagnostics: ess is float 196/44")
    check(type(warnings) is list and len(warnings) >= 1, "ope_diagnostics: warnings is a list")
    cur.execute("""SELECT day, policy, estimate
                   FROM ope_rollup_report('ope_daily_results', current_date - 3, current_date - 1,
                                          by_day => true)
                   WHERE estimator = 'snips' ORDER BY day, policy""")
    series = cur.fetchall()
    check(len(series) == 4 and all(type(d) is datetime.date for d, _, _ in series)
          and series[0][0] == datetime.date.today() - datetime.timedelta(days=2),
          "by_day: day (date) is datetime.date")
    cur.execute("SELECT impression_id FROM impressions_log ORDER BY impression_id DESC LIMIT 1")
    big = cur.fetchone()[0]
    check(type(big) is int and big == 2 ** 53 + 15, "bigint above 2^53 is an exact int")
    cur.execute("""SELECT m::jsonb, m FROM (SELECT bandit_fit(a, ARRAY[1.0], 1.0) AS m
                   FROM (VALUES (9007199254740993::int8)) v(a)) f""")
    model, model_text = cur.fetchone()
    check(type(model) is dict and model["arms"][0]["action"] == 2 ** 53 + 1,
          "banditmodel::jsonb is a dict; an action above 2^53 stays exact")
    check(type(model_text) is str, "banditmodel arrives as its JSON text (str)")
    conn.close()

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
