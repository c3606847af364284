#!/usr/bin/env python3
"""Compute the alignment scorecard from an `align export` (JSON Lines), independently of the Swift code.

    align export --output events.jsonl
    python3 tools/indicators.py events.jsonl --period month            # prints the indicators as JSON
    python3 tools/indicators.py events.jsonl --compare scorecard.json  # exit 1 if `align scorecard --json` differs

Semantics (the same as the Swift projection, documented in docs/ANALYTICS.md): business time (occurredAt, UTC)
decides the period; events are taken in log order (position); lead decisions count on the day of the
decision, with the delay in whole minutes from the lead's latest handoff; percentiles are nearest-rank.
"""
import argparse
import json
import math
import sys

import duckdb
import pandas as pd

INDICATORS = [
    ("definitionsWithQuorum", "activation_quorum", "activation"),
    ("handoffsWithContext", "handoff_signals", "handoff"),
    ("campaignHandoffsWithBrief", "campaign_brief", "campaign_handoff"),
    ("contentFromPlan", "triage_plan", "triage"),
    ("launchesReviewed", "launch_reviewed", "launch"),
]


def load(path):
    """One row per event with the flags each indicator needs, computed in log order."""
    con = duckdb.connect()
    rel = con.execute(
        "SELECT position, type, actor, occurredAt, payload FROM read_json(?, format='newline_delimited', "
        "columns={'position':'BIGINT','type':'VARCHAR','actor':'VARCHAR','occurredAt':'VARCHAR','payload':'JSON'}) ORDER BY position",
        [path],
    )
    df = rel.df()
    df["at"] = pd.to_datetime(df["occurredAt"], utc=True, format="ISO8601")
    rows = []
    sla_hours = 24
    last_handoff = {}
    for r in df.itertuples(index=False):
        p = json.loads(r.payload)
        t = r.type
        row = {"at": r.at, "actor": r.actor}
        if t == "PolicyChanged":
            sla_hours = p["policy"]["slaHours"]
            continue
        if t == "LeadDefinitionActivated":
            row.update(activation=1, activation_quorum=int(p.get("override") is None and p["signOffs"] >= p["quorum"]))
        elif t == "LeadHandedOff":
            last_handoff[p["lead"]] = r.at
            campaign = p.get("campaign") is not None
            row.update(handoff=1, handoff_signals=int(len(p.get("signals", [])) > 0), signals=len(p.get("signals", [])),
                       campaign_handoff=int(campaign), campaign_brief=int(campaign and p.get("brief") is not None))
        elif t == "ContentRequestTriaged":
            row.update(triage=1, triage_plan=int(p["outcome"] in ("mapped", "added-to-plan")), triage_adhoc=int(p["outcome"] == "ad-hoc"))
        elif t == "CampaignLaunched":
            row.update(launch=1, launch_reviewed=int(bool(p["reviewed"]) and p.get("override") is None))
        elif t == "LeadAccepted":
            start = last_handoff.get(p["lead"], r.at)
            minutes = int(max(0.0, (r.at - start).total_seconds()) // 60)
            row.update(decided=1, accepted=1, delay=minutes, within_sla=int(minutes <= sla_hours * 60))
        elif t == "LeadRejected":
            row.update(decided=1, rejected=1, reason=p["reason"])
        else:
            continue
        rows.append(row)
    return pd.DataFrame(rows)


def label(ts, period):
    if period == "week":
        y, w, _ = ts.isocalendar()
        return f"{y:04d}-W{w:02d}"
    if period == "month":
        return f"{ts.year:04d}-{ts.month:02d}"
    return f"{ts.year:04d}-Q{(ts.month - 1) // 3 + 1}"


def nearest_rank(values, p):
    if not values:
        return None
    s = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(s)))
    return int(s[rank - 1])


def summarize(g, name):
    def col(c):
        return int(g[c].fillna(0).sum()) if c in g else 0
    out = {"period": name}
    for key, num, den in INDICATORS:
        out[key] = {"numerator": col(num), "denominator": col(den)}
    delays = [int(d) for d in g["delay"].dropna()] if "delay" in g else []
    out["acceptanceMedianMinutes"] = nearest_rank(delays, 50)
    out["acceptanceP90Minutes"] = nearest_rank(delays, 90)
    out["acceptedWithinSLA"] = {"numerator": col("within_sla"), "denominator": col("accepted")}
    out["rejectionRate"] = {"numerator": col("rejected"), "denominator": col("decided")}
    return out


def scorecard(df, period):
    df = df.copy()
    df["period"] = [label(t, period) for t in df["at"]]
    periods = [summarize(g, name) for name, g in sorted(df.groupby("period"), key=lambda x: x[0])]
    return {"periods": periods, "overall": summarize(df, "overall")}


def compare(mine, swift):
    """Differences between our numbers and `align scorecard --json`, as readable lines."""
    diffs = []
    swift_rows = {r["period"]: r for r in swift["periods"]}
    swift_rows["overall"] = swift["overall"]
    for row in mine["periods"] + [mine["overall"]]:
        other = swift_rows.get(row["period"])
        if other is None:
            diffs.append(f"{row['period']}: missing from the Swift scorecard")
            continue
        for key, val in row.items():
            if key == "period":
                continue
            theirs = other.get(key)
            if isinstance(val, dict):
                theirs = {"numerator": theirs["numerator"], "denominator": theirs["denominator"]} if theirs else None
            if val != theirs:
                diffs.append(f"{row['period']}.{key}: python {val} != swift {theirs}")
    extra = set(swift_rows) - {r["period"] for r in mine["periods"]} - {"overall"}
    diffs += [f"{p}: only in the Swift scorecard" for p in sorted(extra)]
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export", help="JSON Lines from `align export`")
    ap.add_argument("--period", choices=["week", "month", "quarter"], default="month")
    ap.add_argument("--compare", metavar="SCORECARD_JSON", help="output of `align scorecard --json` with the same --period")
    args = ap.parse_args()
    df = load(args.export)
    if df.empty:
        print("no scorecard events in the export", file=sys.stderr)
        return 1
    mine = scorecard(df, args.period)
    if args.compare:
        with open(args.compare) as f:
            swift = json.load(f)
        diffs = compare(mine, swift)
        if diffs:
            print("MISMATCH between tools/indicators.py and align scorecard:", file=sys.stderr)
            for d in diffs:
                print("  " + d, file=sys.stderr)
            return 1
        n = len(mine["periods"])
        print(f"cross-check passed: {n} {args.period} periods and overall, 5 indicators and the lead SLA agree")
        return 0
    json.dump(mine, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
