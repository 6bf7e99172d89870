#!/usr/bin/python3
"""Independent numpy reference for test/t/060_policies_vs_numpy.pl.

Usage: 060_policies_vs_numpy.py LOG.csv > expected.json

LOG.csv is `COPY log TO ... (FORMAT csv)` of (id, action, context float8[],
reward, weight); an empty reward is a NULL row, which bandit_fit skips.  The
policies of API.md section 2 are written out again here from their
definitions, with numpy's dense solver (not a Cholesky factorisation),
Monte Carlo sampling and a trapezoid rule; nothing is shared with the C code.
Every float travels as shortest round-trip text (repr), every context as a
SQL array literal of 6-decimal numbers, so both sides read the same doubles.
"""
import csv
import json
import math
import sys

import numpy as np

try:
    from scipy.special import ndtr as _ndtr
except ImportError:  # Phi from math.erfc, element by element
    _erfc = np.frompyfunc(math.erfc, 1, 1)

    def _ndtr(z):
        return 0.5 * _erfc(-np.asarray(z, dtype=float) / math.sqrt(2.0)).astype(float)

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # renamed in numpy 2.0

DIM = 4
ARMS = [1, 2, 3, 4, 5, 6]
RIDGES = [1.0, 2.5]
ALPHA, TEMPERATURE, EPSILON = 0.7, 0.3, 0.2
UNSEEN = (100, 101)


def load(path):
    stats = {}
    with open(path, newline="") as f:
        for _id, action, context, reward, weight in csv.reader(f):
            if reward == "":
                continue  # NULL reward: skipped by bandit_fit
            a = int(action)
            x = np.array([float(v) for v in context.strip("{}").split(",")])
            r, w = float(reward), float(weight)
            s = stats.setdefault(a, {"n": 0, "w": 0.0, "wr": 0.0,
                                     "A": np.zeros((DIM, DIM)), "b": np.zeros(DIM)})
            s["n"] += 1
            s["w"] += w
            s["wr"] += w * r
            s["A"] += w * np.outer(x, x)
            s["b"] += w * r * x
    return stats


STATS = load(sys.argv[1])
assert sorted(STATS) == ARMS, sorted(STATS)


class Posterior:
    """theta = (lambda I + A)^-1 b and (lambda I + A)^-1 of one arm."""

    def __init__(self, action, ridge, copies=1):
        s = STATS.get(action)
        A = copies * s["A"] if s else np.zeros((DIM, DIM))
        b = copies * s["b"] if s else np.zeros(DIM)  # unseen: theta = 0, covariance I/lambda
        M = ridge * np.eye(DIM) + A
        self.theta = np.linalg.solve(M, b)
        self.cov = np.linalg.inv(M)

    def mean(self, x):
        return float(self.theta @ x)

    def magnitude(self, x):  # the size of the terms summed in theta^T x
        return float(np.abs(self.theta) @ np.abs(x))

    def variance(self, x):
        return float(x @ self.cov @ x)


POST = {(a, r): Posterior(a, r) for a in ARMS + list(UNSEEN) for r in RIDGES}


def parse_context(text):
    return np.array([float(v) for v in text.strip("{}").split(",")])


def context_text(values):
    return "{" + ",".join(["1"] + ["%.6f" % v for v in values]) + "}"


def array_text(ids):
    return None if ids is None else "{" + ",".join(str(i) for i in ids) + "}"


def argmax_split(scores):
    best = max(scores)
    ties = sum(1 for s in scores if s == best)
    return [1.0 / ties if s == best else 0.0 for s in scores]


def ridge_suffix(ridge, first):
    if ridge == 1.0:
        return ""
    return ("" if first else ", ") + "ridge=%r" % ridge


def policy_text(name, ridge):
    params = {"greedy": "", "epsilon_greedy": "epsilon=%r" % EPSILON,
              "softmax": "temperature=%r" % TEMPERATURE, "linucb": "alpha=%r" % ALPHA,
              "uniform": ""}[name]
    params += ridge_suffix(ridge, params == "")
    return name + ("(%s)" % params if params else "")


def evaluate(name, ridge, x, cands):
    """(scores, probabilities, magnitudes of the scores) of a policy."""
    post = [POST[(a, ridge)] for a in cands]
    means = [p.mean(x) for p in post]
    mags = [p.magnitude(x) for p in post]
    k = len(cands)
    if name == "linucb":
        spread = [ALPHA * math.sqrt(p.variance(x)) for p in post]
        scores = [m + s for m, s in zip(means, spread)]
        mags = [g + s for g, s in zip(mags, spread)]
    else:
        scores = means
    if name in ("greedy", "linucb"):
        probs = argmax_split(scores)
    elif name == "epsilon_greedy":
        probs = [(1 - EPSILON) * p + EPSILON / k for p in argmax_split(scores)]
    elif name == "softmax":
        z = np.array(scores) / TEMPERATURE
        e = np.exp(z - z.max())
        probs = list(e / e.sum())
    else:
        probs = [1.0 / k] * k
    return scores, [float(p) for p in probs], mags


def clear_winner(x, cands, ridge):
    """True when greedy and linucb have no near ties other than exact ones
    (arms with the same prior), so rounding cannot change the argmax."""
    for name in ("greedy", "linucb"):
        scores, _, mags = evaluate(name, ridge, x, cands)
        order = sorted(set(scores), reverse=True)
        if len(order) > 1 and order[0] - order[1] <= 1e-6 * max(mags):
            return False
    return True


# ---- 1. policies on ~50 contexts -------------------------------------------

rng = np.random.default_rng(60601)
CAND_SETS = [None, [4, 2, 6, 1, 5, 3], [3, 1, 5], [2, 6, 100, 4], [100, 4, 101, 1]]
POLICY_NAMES = ["greedy", "epsilon_greedy", "softmax", "linucb", "uniform"]


def cand_list(cs):
    return ARMS if cs is None else cs


# A context where every seen arm predicts a negative reward: the two unseen
# arms of the last candidate set (both exactly 0) tie for greedy on purpose.
tie_context = "{1,0,0,0}"
for ridge in RIDGES:
    x = parse_context(tie_context)
    assert all(POST[(a, ridge)].mean(x) < -0.05 for a in ARMS)
    assert evaluate("greedy", ridge, x, CAND_SETS[4])[1] == [0.5, 0.0, 0.5, 0.0]
    assert evaluate("linucb", ridge, x, CAND_SETS[4])[1] == [0.5, 0.0, 0.5, 0.0]

contexts = [tie_context]
rejected = 0
while len(contexts) < 51:
    text = context_text(rng.uniform(-2.0, 2.0, DIM - 1))
    x = parse_context(text)
    if all(clear_winner(x, cand_list(cs), r) for cs in CAND_SETS for r in RIDGES):
        contexts.append(text)
    else:
        rejected += 1

cases = []
for ci, text in enumerate(contexts):
    x = parse_context(text)
    for si, cs in enumerate(CAND_SETS):
        for name in POLICY_NAMES:
            for ridge in RIDGES:
                scores, probs, mags = evaluate(name, ridge, x, cand_list(cs))
                cases.append({"context": ci, "cands": si, "policy": policy_text(name, ridge),
                              "scores": scores, "probs": probs, "mags": mags})

predictions = []
for ci, text in enumerate(contexts):
    x = parse_context(text)
    for a in ARMS + [UNSEEN[0]]:
        for ridge in RIDGES:
            p = POST[(a, ridge)]
            predictions.append({"context": ci, "action": a, "ridge": ridge,
                                "mean": p.mean(x), "mag": p.magnitude(x)})

# The log repeated COPIES times (the parallel fit of section 4): A and b
# times COPIES; means and LinUCB scores of every arm at every context.
COPIES = 40
big = []
for r in RIDGES:
    for a in ARMS + [UNSEEN[0]]:
        p = Posterior(a, r, COPIES)
        for ci, text in enumerate(contexts):
            x = parse_context(text)
            spread = ALPHA * math.sqrt(p.variance(x))
            big.append({"context": ci, "action": a, "ridge": r, "mean": p.mean(x),
                        "mag": p.magnitude(x), "ucb": p.mean(x) + spread,
                        "ucb_mag": p.magnitude(x) + spread})

arms = [{"action": a, "n": STATS[a]["n"], "weight": STATS[a]["w"],
         "mean_reward": STATS[a]["wr"] / STATS[a]["w"]} for a in ARMS]

# ---- 2. Thompson sampling ---------------------------------------------------


def thompson_params(x, cands, scale, ridge):
    post = [POST[(a, ridge)] for a in cands]
    m = np.array([p.mean(x) for p in post])
    s = np.array([scale * math.sqrt(p.variance(x)) for p in post])
    return m, s


def thompson_integral(m, s):
    """P(a) = integral of phi_a(t) prod_{b != a} Phi_b(t) dt, trapezoid rule
    on a uniform grid 1/40 of the smallest sd wide, over +-10 sd of every arm."""
    lo, hi = float((m - 10 * s).min()), float((m + 10 * s).max())
    n = int(math.ceil((hi - lo) / (s.min() / 40.0))) + 1
    t = np.linspace(lo, hi, n)
    z = (t[None, :] - m[:, None]) / s[:, None]
    cdf = _ndtr(z)
    pdf = np.exp(-0.5 * z * z) / (s[:, None] * math.sqrt(2 * math.pi))
    probs = []
    for a in range(len(m)):
        f = pdf[a].copy()
        for b in range(len(m)):
            if b != a:
                f *= cdf[b]
        probs.append(float(_trapezoid(f, t)))
    assert abs(sum(probs) - 1.0) < 1e-9, probs
    return probs


def thompson_monte_carlo(m, s, draws, seed):
    g = np.random.default_rng(seed)
    counts = np.zeros(len(m), dtype=np.int64)
    chunk = 250000
    done = 0
    while done < draws:
        c = min(chunk, draws - done)
        y = m[None, :] + s[None, :] * g.standard_normal((c, len(m)))
        counts += np.bincount(np.argmax(y, axis=1), minlength=len(m))
        done += c
    return [int(v) for v in counts]


DRAWS = 2000000
thompson_sets = [
    ([1, 2, 100], 0.5, 1.0),
    ([3, 100, 5, 6], 1.0, 1.0),
    ([6, 1, 2, 3, 100], 2.0, 2.5),
    ([1, 2, 3, 4, 5, 100], 3.0, 1.0),
    ([100, 2, 3, 4, 5, 6, 1], 5.0, 1.0),
    ([1, 2, 3, 4, 5, 6, 100, 101], 8.0, 2.5),
    ([4, 100, 6], 1.5, 2.5),
    ([5, 1, 101, 4, 2], 4.0, 1.0),
    ([2, 3, 4, 5, 6, 100], 10.0, 1.0),
    ([1, 100, 3, 6, 5, 4, 2], 6.0, 2.5),
]
thompson = []
for i, (cands, scale, ridge) in enumerate(thompson_sets):
    text = context_text(rng.uniform(-1.5, 1.5, DIM - 1))
    m, s = thompson_params(parse_context(text), cands, scale, ridge)
    policy = "thompson(scale=%r%s)" % (scale, ridge_suffix(ridge, False))
    thompson.append({"context": text, "cands": array_text(cands), "policy": policy,
                     "integral": thompson_integral(m, s), "draws": DRAWS,
                     "counts": thompson_monte_carlo(m, s, DRAWS, 7000 + i)})

# ---- 3. the context for seeded choices -------------------------------------
# Six arms, the context (of 200 tried) whose smallest probability under
# softmax and under Thompson is largest, so every frequency is informative.
CHOICE_CANDS = [1, 2, 3, 4, 5, 6]
CHOICE_POLICIES = ["softmax(temperature=0.3)", "thompson(scale=4.0)"]
best = None
for _ in range(200):
    text = context_text(rng.uniform(-1.5, 1.5, DIM - 1))
    x = parse_context(text)
    soft = evaluate("softmax", 1.0, x, CHOICE_CANDS)[1]
    m, s = thompson_params(x, CHOICE_CANDS, 4.0, 1.0)
    ts = thompson_integral(m, s)
    worst = min(min(soft), min(ts))
    if best is None or worst > best[0]:
        best = (worst, text, soft, ts)

json.dump({
    "arms": arms,
    "contexts": contexts,
    "rejected_contexts": rejected,
    "cand_sets": [array_text(cs) for cs in CAND_SETS],
    "cases": cases,
    "predictions": predictions,
    "copies": COPIES,
    "big": big,
    "thompson": thompson,
    "choice": {"context": best[1], "cands": array_text(CHOICE_CANDS),
               "policies": CHOICE_POLICIES, "probabilities": [best[2], best[3]]},
}, sys.stdout, indent=None)
sys.stdout.write("\n")
