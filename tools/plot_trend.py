#!/usr/bin/env python3
"""Draw the five alignment indicators (and qualified handoffs) per period as a PNG, from an `align export` (JSON Lines).

    align export --output events.jsonl
    python3 tools/plot_trend.py events.jsonl --period week --output trend.png

A period with no data for an indicator (no event at all, or none the indicator counts) is a gap in its line:
the line is broken there, never drawn across it.
"""
import argparse
import datetime
import math
import sys

LABELS = {
    "definitionsWithQuorum": "1 definitions with sales quorum",
    "qualifiedHandoffs": "1 handoffs meeting their definition",
    "handoffsWithContext": "2 handoffs with behavioural context",
    "campaignHandoffsWithBrief": "3 campaign leads with the brief",
    "contentFromPlan": "4 content served from the plan",
    "launchesReviewed": "5 launches reviewed by sales",
}


def period_range(first, last, period):
    """Every period label from `first` through `last`, as tools/indicators.py labels them (2026-W14, 2026-04, 2026-Q2)."""
    out = []
    if period == "week":
        day = datetime.date.fromisocalendar(int(first[:4]), int(first[6:]), 1)
        end = datetime.date.fromisocalendar(int(last[:4]), int(last[6:]), 1)
        while day <= end:
            y, w, _ = day.isocalendar()
            out.append(f"{y:04d}-W{w:02d}")
            day += datetime.timedelta(days=7)
        return out
    per_year = 12 if period == "month" else 4
    sep = "-" if period == "month" else "-Q"
    y, n = int(first[:4]), int(first[len(sep) + 4:])
    end = (int(last[:4]), int(last[len(sep) + 4:]))
    while (y, n) <= end:
        out.append(f"{y:04d}{sep}{n:02d}" if period == "month" else f"{y:04d}{sep}{n}")
        y, n = (y + 1, 1) if n == per_year else (y, n + 1)
    return out


def series(card, period, keys):
    """The periods from the first to the last with data, empty ones included, and for each key its percentage per
    period: NaN where the period has nothing the indicator counts (matplotlib breaks a line at NaN)."""
    rows = {r["period"]: r for r in card["periods"]}
    if not rows:
        return [], {k: [] for k in keys}
    labels = period_range(min(rows), max(rows), period)
    ys = {}
    for key in keys:
        ys[key] = []
        for label in labels:
            ratio = rows.get(label, {}).get(key, {})
            d = ratio.get("denominator", 0)
            ys[key].append(100.0 * ratio["numerator"] / d if d else math.nan)
    return labels, ys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export")
    ap.add_argument("--period", choices=["week", "month", "quarter"], default="week")
    ap.add_argument("--output", default="alignment-trend.png")
    args = ap.parse_args()
    # The analytics kit's dependencies (tools/requirements.txt), imported here so that the functions above need only
    # the standard library.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from indicators import INDICATORS, load, scorecard

    card = scorecard(load(args.export), args.period)
    keys = [key for key, _, _ in INDICATORS]
    periods, ys = series(card, args.period, keys)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for key in keys:
        ax.plot(periods, ys[key], marker="o", label=LABELS.get(key, key))
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
