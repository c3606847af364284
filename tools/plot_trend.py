#!/usr/bin/env python3
"""Draw the five alignment indicators (and qualified handoffs) per period as a PNG, from an `align export` (JSON Lines).

    align export --output events.jsonl
    python3 tools/plot_trend.py events.jsonl --period week --output trend.png
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from indicators import INDICATORS, load, scorecard  # noqa: E402

LABELS = {
    "definitionsWithQuorum": "1 definitions with sales quorum",
    "qualifiedHandoffs": "1 handoffs meeting their definition",
    "handoffsWithContext": "2 handoffs with behavioural context",
    "campaignHandoffsWithBrief": "3 campaign leads with the brief",
    "contentFromPlan": "4 content served from the plan",
    "launchesReviewed": "5 launches reviewed by sales",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export")
    ap.add_argument("--period", choices=["week", "month", "quarter"], default="week")
    ap.add_argument("--output", default="alignment-trend.png")
    args = ap.parse_args()
    card = scorecard(load(args.export), args.period)
    periods = [r["period"] for r in card["periods"]]
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for key, _, _ in INDICATORS:
        ys = []
        for r in card["periods"]:
            d = r[key]["denominator"]
            ys.append(100.0 * r[key]["numerator"] / d if d else float("nan"))
        ax.plot(periods, ys, marker="o", label=LABELS[key])
    ax.set_ylim(-5, 105)
    ax.set_ylabel("% of items meeting the rule")
    ax.set_title(f"Marketing-sales alignment per {args.period}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    plt.xticks(rotation=45, ha="right")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output} ({len(periods)} periods)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
