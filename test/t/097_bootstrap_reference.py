#!/usr/bin/python3
"""Resampling bootstrap of replay, IPS and SNIPS, written independently of
artbandit's one-pass Poisson bootstrap (097_bootstrap_reference.pl).

Input: a CSV file of (user_id, r, mu, pi) and the number of replicates.
For unit in (user, row): draw B bootstrap samples of the units with
replacement (the classical nonparametric, clustered when the unit is the
user), compute each estimator on every sample, and print as JSON the
replicates' standard deviation and their 2.5 % and 97.5 % percentiles
(numpy's default linear interpolation, type 7).
"""
import json
import sys

import numpy as np


def main():
    path, replicates = sys.argv[1], int(sys.argv[2])
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    user, r, mu, pi = data[:, 0].astype(np.int64), data[:, 1], data[:, 2], data[:, 3]
    w = pi / mu
    rng = np.random.default_rng(20261207)
    out = {}
    for unit in ("user", "row"):
        ids = user if unit == "user" else np.arange(len(r))
        units, index = np.unique(ids, return_inverse=True)
        # per unit sums, so that a resampled unit brings all its rows
        sums = {
            "n": np.bincount(index, minlength=len(units)).astype(float),
            "pi": np.bincount(index, pi, len(units)),
            "pi_r": np.bincount(index, pi * r, len(units)),
            "w": np.bincount(index, w, len(units)),
            "w_r": np.bincount(index, w * r, len(units)),
        }
        est = {"replay": [], "ips": [], "snips": []}
        for _ in range(replicates):
            counts = np.bincount(rng.integers(0, len(units), len(units)), minlength=len(units))
            s = {k: float(counts @ v) for k, v in sums.items()}
            est["replay"].append(s["pi_r"] / s["pi"])
            est["ips"].append(s["w_r"] / s["n"])
            est["snips"].append(s["w_r"] / s["w"])
        out[unit] = {
            k: {
                "std_error": float(np.std(v, ddof=1)),
                "ci_lower": float(np.percentile(v, 2.5)),
                "ci_upper": float(np.percentile(v, 97.5)),
            }
            for k, v in est.items()
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
