#!/usr/bin/python3
"""Draw the artbandit demo's chart (PNG and SVG) with matplotlib.

usage: plot_chart.py CHART_DATA.csv OUT_PREFIX [--print-plotted]

CHART_DATA.csv is what demo/demo.sql writes, one row per estimate:
panel, ord, policy, estimator, estimate, ci_lower, ci_upper, truth.
Panel 1 is the uniform-exploration log (every policy, every estimator),
panel 2 the log of a non-uniform (softmax) policy, where plain replay is
biased.  The numbers are drawn as they are: nothing is recomputed here.
Writes OUT_PREFIX.png and OUT_PREFIX.svg.  --print-plotted prints, as CSV,
the values read back from the drawn artists (the demo's TAP test compares
them with what the demo printed).
"""
import csv
import math
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display; the Tk backend is not installed
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, MaxNLocator  # noqa: E402

# colour, marker and legend text per estimator (colour-blind safe: each
# estimator also has its own marker)
STYLE = {
    "replay": ("#7f7f7f", "o", "replay (matched rows, no propensities)"),
    "ips": ("#d62728", "s", "IPS (weighted by 1 / propensity)"),
    "snips": ("#ff7f0e", "D", "SNIPS (self-normalised IPS)"),
    "dm": ("#9467bd", "v", "DM (reward model only)"),
    "dr": ("#1f77b4", "^", "DR (model + weighted residuals)"),
    "sndr": ("#2ca02c", "P", "SNDR (self-normalised DR)"),
}
TRUTH_LABEL = "true take fraction (the simulator knows it)"
Y_TITLE = "take fraction (plays / impressions)"
GROUP_WIDTH = 0.8  # of each policy's group of estimates, 1 between groups
TRUTH_LINE = dict(color="black", linestyle=(0, (5, 3)), linewidth=1.5)


def num(text):
    return float(text) if text != "" else math.nan


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot_chart.py: {path} has no rows")
    for r in rows:
        r["panel"] = int(r["panel"])
        r["ord"] = int(r["ord"])
        for k in ("estimate", "ci_lower", "ci_upper", "truth"):
            r[k] = num(r[k])
    return rows


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def wrap(policy):
    """Two lines for long policy names, so the tick labels never collide."""
    words = policy.split()
    if len(policy) <= 12 or len(words) < 2:
        return policy
    half = len(words) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


def x_of(group, i, n):
    """Where estimator i of n sits in policy group number group."""
    return group - GROUP_WIDTH / 2 + GROUP_WIDTH / n * (i + 0.5)


def draw_panel(ax, rows, panel, plotted):
    """One group of estimates per policy, a dashed truth line across it."""
    rows = [r for r in rows if r["panel"] == panel]
    policies = sorted({(r["ord"], r["policy"]) for r in rows})
    estimators = list(dict.fromkeys(r["estimator"] for r in rows))
    for g, (_, policy) in enumerate(policies):
        group = [r for r in rows if r["policy"] == policy]
        truth = group[0]["truth"]
        if not math.isnan(truth):
            line = ax.hlines(truth, g - GROUP_WIDTH / 2, g + GROUP_WIDTH / 2, colors=TRUTH_LINE["color"],
                             linestyles=TRUTH_LINE["linestyle"], linewidth=TRUTH_LINE["linewidth"], zorder=1)
            line.set_gid(f"p{panel}-{slug(policy)}-truth")
            plotted.append((panel, policy, "truth", line))
        for r in group:
            if math.isnan(r["estimate"]):
                continue
            x = x_of(g, estimators.index(r["estimator"]), len(estimators))
            colour, marker, _ = STYLE.get(r["estimator"], ("#000000", "o", r["estimator"]))
            err = [[max(0.0, r["estimate"] - r["ci_lower"])], [max(0.0, r["ci_upper"] - r["estimate"])]]
            has_ci = not (math.isnan(r["ci_lower"]) or math.isnan(r["ci_upper"]))
            c = ax.errorbar([x], [r["estimate"]], yerr=err if has_ci else None, fmt=marker,
                            color=colour, markersize=3.5, elinewidth=1.4, capsize=4.5, zorder=3)
            base = f"p{panel}-{slug(policy)}-{slug(r['estimator'])}"
            c.lines[0].set_gid(base + "-estimate")
            if has_ci:
                c.lines[2][0].set_gid(base + "-interval")
            plotted.append((panel, policy, r["estimator"], c))
    ax.set_xticks(range(len(policies)), [wrap(p) for _, p in policies])
    ax.set_xlim(-0.5, len(policies) - 0.5)
    # even ticks (0.14, 0.16, ...) with the same number of decimals
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.2f"))
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    ax.set_axisbelow(True)
    ax.set_ylabel(Y_TITLE)
    return rows, policies, estimators


def legend_handles(estimators):
    handles = [Line2D([], [], color=STYLE[e][0], marker=STYLE[e][1], linewidth=1.6, label=STYLE[e][2])
               for e in estimators if e in STYLE]
    handles.append(Line2D([], [], label=TRUTH_LABEL, **TRUTH_LINE))
    return handles


def annotate_bias(ax, rows, policies, estimators):
    """Write plain replay's distance from the truth beside its point."""
    for g, (_, policy) in enumerate(policies):
        r = next((r for r in rows if r["policy"] == policy and r["estimator"] == "replay"), None)
        if r is None or math.isnan(r["truth"]):
            continue
        x = x_of(g, estimators.index("replay"), len(estimators))
        off = r["estimate"] - r["truth"]
        ax.annotate(f"plain replay\n{abs(off):.3f} {'above' if off > 0 else 'below'}\nthe truth",
                    xy=(x, r["estimate"]),
                    xytext=(9, 0), textcoords="offset points", fontsize=9, va="center", ha="left")


def plot(rows, prefix):
    matplotlib.rcParams.update({
        "font.size": 10,
        "svg.fonttype": "none",  # text stays text in the SVG (searchable, selectable)
        "svg.hashsalt": "artbandit-demo",  # the same SVG for the same numbers
    })
    fig = Figure(figsize=(14, 6.6), dpi=150)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=[2.4, 1.1], left=0.06, right=0.985,
                                                   top=0.85, bottom=0.22, wspace=0.17))
    plotted = []
    _, _, est1 = draw_panel(ax1, rows, 1, plotted)
    ax1.set_title("Logged uniformly at random: six policies, six estimators", fontsize=11)
    ax1.set_xlabel("target policy (fitted on days 1-20, evaluated on days 21-30)")

    rows2, pol2, est2 = draw_panel(ax2, rows, 2, plotted)
    ax2.set_title("Logged by a softmax policy (non-uniform):\n"
                  "plain replay is biased, weighting is not", fontsize=11)
    ax2.set_xlabel("target policy")
    annotate_bias(ax2, rows2, pol2, est2)
    lo, hi = ax2.get_ylim()
    ax2.set_ylim(lo, hi + 0.06 * (hi - lo))  # room above the annotations

    # one legend for both panels (the same estimator, the same colour)
    fig.legend(handles=legend_handles(est1 + [e for e in est2 if e not in est1]), loc="lower center",
               bbox_to_anchor=(0.5, 0.0), ncol=4, frameon=False, fontsize=9.5)
    fig.suptitle("artbandit demo: off-policy estimates with 95% intervals against the true take fraction",
                 fontsize=13)
    fig.savefig(prefix + ".png", metadata={"Software": None})
    fig.savefig(prefix + ".svg", metadata={"Date": None})
    return plotted


def print_plotted(plotted):
    """The values as drawn: read back from the artists, not from the CSV."""
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["panel", "policy", "estimator", "estimate", "ci_lower", "ci_upper"])
    for panel, policy, estimator, artist in plotted:
        if estimator == "truth":
            y = artist.get_segments()[0][:, 1]
            out.writerow([panel, policy, "truth", repr(float(y[0])), "", ""])
            continue
        estimate = float(artist.lines[0].get_ydata()[0])
        lo = hi = ""
        if artist.lines[2]:
            ys = artist.lines[2][0].get_segments()[0][:, 1]
            lo, hi = repr(float(min(ys))), repr(float(max(ys)))
        out.writerow([panel, policy, estimator, repr(estimate), lo, hi])


def main(argv):
    args = [a for a in argv[1:] if a != "--print-plotted"]
    if len(args) != 2:
        sys.exit(__doc__)
    plotted = plot(read_rows(args[0]), args[1])
    if "--print-plotted" in argv:
        print_plotted(plotted)


if __name__ == "__main__":
    main(sys.argv)
