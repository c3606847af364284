#!/usr/bin/env python3
"""Compute the alignment scorecard from an `align export` (JSON Lines), independently of the Swift code.

    align export --output events.jsonl
    python3 tools/indicators.py events.jsonl --period month                # prints the scorecard as JSON
    python3 tools/indicators.py events.jsonl --by owner --as-of 2026-07-01T00:00:00Z
    python3 tools/indicators.py events.jsonl --compare scorecard.json      # exit 1 if `align scorecard --json` differs

With --compare, the period, --since, --until, the breakdown and the time open leads were aged at are read from the
Swift scorecard itself (give `align scorecard` the same --period and --by), so both count the same things.

Semantics (the same as the Swift projection, documented in docs/ANALYTICS.md): business time (occurredAt, UTC)
decides the day and the period; events are taken in log order (position); a lead's events count under its owner,
its campaign and the definition version of its latest handoff; lead decisions count on the day of the decision,
with the delay in whole minutes from the lead's latest handoff; percentiles are nearest-rank; an open lead counts
in the period of its handoff and is aged in whole minutes (minute marks since 1970) against the SLA in force; with
--until, only events before the end of its day are folded (--until counts whole days).
"""
import argparse
import collections
import functools
import json
import math
import sys
from datetime import datetime, timezone

import duckdb
import pandas as pd

# The indicators, one per failure mode (and qualification beside the first): (row key, numerator, denominator).
INDICATORS = [
    ("definitionsWithQuorum", "activation_quorum", "activation"),
    ("qualifiedHandoffs", "met", "handoff"),
    ("handoffsWithContext", "handoff_signals", "handoff"),
    ("campaignHandoffsWithBrief", "campaign_brief", "campaign_handoff"),
    ("contentFromPlan", "triage_plan", "served"),
    ("launchesReviewed", "launch_reviewed", "launch"),
]
# The counters the fold keeps per record (one record per event and dimension).
COUNTERS = [
    "activation", "activation_quorum", "handoff", "handoff_signals", "signals", "campaign_handoff", "campaign_brief",
    "evaluated", "met", "flagged", "allowed", "forced", "under_override", "triage", "triage_plan", "triage_adhoc",
    "triage_declined", "launch", "launch_reviewed", "decided", "accepted", "within_sla", "rejected", "decided_met",
    "accepted_met", "decided_notmet", "accepted_notmet", "converted", "cents", "overrides", "imported", "import_flagged",
]
REASONS = ["not-icp", "bad-timing", "no-budget", "duplicate", "insufficient-context", "no-response", "other"]


def load(path):
    """The exported events in log order: (position, type, actor, business time, payload)."""
    con = duckdb.connect()
    rel = con.execute(
        "SELECT position, type, actor, occurredAt, payload FROM read_json(?, format='newline_delimited', "
        "columns={'position':'BIGINT','type':'VARCHAR','actor':'VARCHAR','occurredAt':'VARCHAR','payload':'JSON'}) ORDER BY position",
        [path],
    )
    df = rel.df()
    df["at"] = pd.to_datetime(df["occurredAt"], utc=True, format="ISO8601")
    return df


def parse_time(s):
    return pd.Timestamp(s).tz_convert("UTC") if pd.Timestamp(s).tzinfo else pd.Timestamp(s, tz="UTC")


def seconds(ts):
    return ts.value / 1e9


def day_of(ts):
    return math.floor(seconds(ts) / 86400)


def minute_of(ts):
    return math.floor(seconds(ts) / 60)


def cents(amount):
    """An amount in cents, rounded half away from zero; 0 when none or out of range (as ScorecardFold.cents)."""
    if amount is None:
        return 0
    c = float(amount) * 100.0
    if not math.isfinite(c):
        return 0
    f = math.floor(abs(c))
    r = f + 1 if abs(c) - f >= 0.5 else f
    return int(math.copysign(r, c)) if r < 9e15 else 0


class Fold:
    """The scorecard fold over exported events: one record per (event, dimension), and the open leads by
    (dimension, handoff day, minute of the day)."""

    def __init__(self):
        self.sla_hours = 24
        self.leads = {}
        self.spans = collections.defaultdict(list)  # definition -> [version, from, until, by override]
        self.records = []
        self.open = collections.Counter()

    def record(self, at, dims, **counts):
        d = day_of(at)
        for dim in ["all"] + dims:
            self.records.append(dict(day=d, dim=dim, **counts))

    @staticmethod
    def lead_dims(owner, campaign, definition, version):
        dims = []
        if owner is not None:
            dims.append("owner:" + owner)
        if campaign is not None:
            dims.append("campaign:" + campaign)
        if definition is not None and version is not None:
            dims.append(f"definition:{definition}@{version}")
        return dims

    def close(self, lead):
        """An open lead leaves the buckets of its latest handoff."""
        if lead is None or lead["status"] != "handed-off" or lead["at"] is None:
            return
        dims = (["actor:" + lead["by"]] if lead["by"] is not None else []) + self.lead_dims(
            lead["owner"], lead["campaign"], lead["definition"], lead["version"])
        d = day_of(lead["at"])
        m = minute_of(lead["at"]) - d * 1440
        for dim in ["all"] + dims:
            self.open[(dim, d, m)] -= 1

    def by_override(self, definition, version, at):
        found = None
        for v, start, until, override in self.spans[definition]:
            if v == version and start <= at and (until is None or at < until):
                found = override
        return bool(found)

    def apply(self, t, actor, at, p):
        actor_dim = ["actor:" + actor]
        if t == "PolicyChanged":
            self.sla_hours = p["policy"]["slaHours"]
        elif t == "LeadDefinitionActivated":
            override = p.get("override") is not None
            self.record(at, actor_dim + [f"definition:{p['definition']}@{p['version']}"], activation=1,
                        activation_quorum=int(not override and p["signOffs"] >= p["quorum"]), overrides=int(override))
            spans = self.spans[p["definition"]]
            if spans and spans[-1][2] is None:
                spans[-1][2] = at
            spans.append([p["version"], at, None, override])
        elif t == "LeadDefinitionRetired":
            spans = self.spans[p["definition"]]
            if spans and spans[-1][2] is None:
                spans[-1][2] = at
        elif t == "LeadHandedOff":
            owner, campaign, definition, version = p.get("owner"), p.get("campaign"), p["definition"], p["definitionVersion"]
            dims = actor_dim + self.lead_dims(owner, campaign, definition, version)
            ev = p.get("evaluation")
            # A CRM import's flag (`source` and an override) is not an override: nobody forced it.
            imported = p.get("source") is not None
            flag = imported and p.get("override") is not None
            override = p.get("override") is not None and not imported
            met = ev is not None and bool(ev["met"])
            off = ev.get("offDefinition") if ev is not None else None
            n = len(p.get("signals", []))
            self.record(at, dims, handoff=1, handoff_signals=int(n > 0), signals=n, campaign_handoff=int(campaign is not None),
                        campaign_brief=int(campaign is not None and p.get("brief") is not None), evaluated=int(ev is not None),
                        met=int(met), flagged=int(ev is not None and not met and off == "flag"),
                        allowed=int(ev is not None and not met and off == "allow"),
                        forced=int(ev is not None and not met and off not in ("flag", "allow") and override),
                        under_override=int(self.by_override(definition, version, at)), overrides=int(override),
                        imported=int(imported), import_flagged=int(flag))
            d = day_of(at)
            m = minute_of(at) - d * 1440
            for dim in ["all"] + dims:
                self.open[(dim, d, m)] += 1
            self.leads[p["lead"]] = dict(status="handed-off", at=at, by=actor, owner=owner, campaign=campaign,
                                         definition=definition, version=version, met=None if ev is None else met)
        elif t == "ContentRequestTriaged":
            o, override = p["outcome"], p.get("override") is not None
            self.record(at, actor_dim, triage=1, triage_plan=int(o in ("mapped", "added-to-plan") and not override),
                        triage_adhoc=int(o == "ad-hoc"), triage_declined=int(o == "declined"), overrides=int(override))
        elif t == "CampaignLaunched":
            override = p.get("override") is not None
            self.record(at, actor_dim + ["campaign:" + p["campaign"]], launch=1,
                        launch_reviewed=int(bool(p["reviewed"]) and not override), overrides=int(override))
        elif t in ("LeadAccepted", "LeadRejected", "LeadConverted", "LeadRecycled"):
            lead = self.leads.get(p["lead"])
            get = (lambda k: lead[k]) if lead is not None else (lambda k: None)
            dims = actor_dim + self.lead_dims(get("owner"), get("campaign"), get("definition"), get("version"))
            met = get("met")
            if t == "LeadAccepted":
                start = get("at") if get("at") is not None else at
                minutes = int(max(0.0, seconds(at) - seconds(start)) // 60)
                self.record(at, dims, decided=1, accepted=1, within_sla=int(minutes <= self.sla_hours * 60), delay=minutes,
                            decided_met=int(met is True), accepted_met=int(met is True),
                            decided_notmet=int(met is False), accepted_notmet=int(met is False))
            elif t == "LeadRejected":
                self.record(at, dims, decided=1, rejected=1, reason=p["reason"], decided_met=int(met is True),
                            decided_notmet=int(met is False))
            elif t == "LeadConverted":
                self.record(at, dims, converted=1, cents=cents(p.get("amount")))
            self.close(lead)
            status = {"LeadAccepted": "accepted", "LeadRejected": "rejected", "LeadConverted": "converted",
                      "LeadRecycled": "recycled"}[t]
            if lead is None:
                self.leads[p["lead"]] = dict(status=status, at=None, by=None, owner=None, campaign=None, definition=None,
                                             version=None, met=None)
            else:
                lead["status"] = status


@functools.lru_cache(maxsize=None)
def label(day, period):
    ts = pd.Timestamp(day * 86400, unit="s", tz="UTC")
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


def ratio(n, d):
    return {"numerator": int(n), "denominator": int(d)}


def aged_open(entries, as_of_minute, sla_hours):
    """Open leads of (day, minute, count) entries by age: within the SLA, past it (at most twice), past twice."""
    out = {"total": 0, "withinSLA": 0, "pastSLA": 0, "pastTwiceSLA": 0}
    sla = max(0, sla_hours) * 60
    for day, minute, count in entries:
        out["total"] += count
        age = as_of_minute - (day * 1440 + minute)
        key = "withinSLA" if age <= sla else ("pastSLA" if age <= 2 * sla else "pastTwiceSLA")
        out[key] += count
    return out


def summarize(g, name, open_entries, as_of_minute, sla_hours):
    """One scorecard row from the records `g` of one period or breakdown key, and its open leads."""
    def col(c):
        return int(g[c].fillna(0).sum()) if c in g else 0
    s = {c: col(c) for c in COUNTERS}
    opened = aged_open(open_entries, as_of_minute, sla_hours)
    misses = opened["pastSLA"] + opened["pastTwiceSLA"]
    delays = [int(d) for d in g["delay"].dropna()] if "delay" in g else []
    reasons = g["reason"].dropna().value_counts().to_dict() if "reason" in g else {}
    served = s["triage"] - s["triage_declined"]
    return {
        "period": name,
        "definitionsWithQuorum": ratio(s["activation_quorum"], s["activation"]),
        "qualifiedHandoffs": ratio(s["met"], s["handoff"]),
        "handoffsNotEvaluated": s["handoff"] - s["evaluated"],
        "offDefinitionFlagged": s["flagged"],
        "offDefinitionAllowed": s["allowed"],
        "offDefinitionForced": s["forced"],
        "handoffsUnderOverrideVersion": ratio(s["under_override"], s["handoff"]),
        "handoffsWithContext": ratio(s["handoff_signals"], s["handoff"]),
        "meanSignalsPerHandoff": None if s["handoff"] == 0 else s["signals"] / s["handoff"],
        "campaignHandoffsWithBrief": ratio(s["campaign_brief"], s["campaign_handoff"]),
        "campaignHandoffsNoBrief": s["campaign_handoff"] - s["campaign_brief"],
        "contentFromPlan": ratio(s["triage_plan"], served),
        "contentAdHoc": ratio(s["triage_adhoc"], served),
        "contentDeclined": ratio(s["triage_declined"], s["triage"]),
        "launchesReviewed": ratio(s["launch_reviewed"], s["launch"]),
        "acceptanceMedianMinutes": nearest_rank(delays, 50),
        "acceptanceP90Minutes": nearest_rank(delays, 90),
        "acceptedWithinSLA": ratio(s["within_sla"], s["accepted"] + misses),
        "openLeads": opened,
        "rejectionRate": ratio(s["rejected"], s["decided"]),
        "rejectionsByReason": {k: int(v) for k, v in reasons.items() if v > 0},
        "acceptanceMet": ratio(s["accepted_met"], s["decided_met"]),
        "rejectionMet": ratio(s["decided_met"] - s["accepted_met"], s["decided_met"]),
        "acceptanceNotMet": ratio(s["accepted_notmet"], s["decided_notmet"]),
        "rejectionNotMet": ratio(s["decided_notmet"] - s["accepted_notmet"], s["decided_notmet"]),
        "decisionsNotEvaluated": s["decided"] - s["decided_met"] - s["decided_notmet"],
        "conversions": s["converted"],
        "amount": s["cents"] / 100,
        "overrides": s["overrides"],
        "importedHandoffs": s["imported"],
        "importFlagged": s["import_flagged"],
    }


def scorecard(events, period="month", since=None, until=None, by=None, as_of=None):
    """The scorecard as `align scorecard --json` gives it (the figures; ratios as numerator and denominator)."""
    from_day = day_of(since) if since is not None else -math.inf
    to_day = day_of(until - pd.Timedelta(microseconds=1)) if until is not None else math.inf
    end = pd.Timestamp((to_day + 1) * 86400, unit="s", tz="UTC") if until is not None else None
    fold = Fold()
    for e in events.itertuples(index=False):
        if end is not None and e.at >= end:
            continue
        fold.apply(e.type, e.actor, e.at, json.loads(e.payload))
    df = pd.DataFrame(fold.records)
    if df.empty:
        df = pd.DataFrame({"day": pd.Series(dtype="int64"), "dim": pd.Series(dtype="object")})
    df = df[(df["day"] >= from_day) & (df["day"] <= to_day)]
    open_by_dim = collections.defaultdict(list)
    for (dim, d, m), n in fold.open.items():
        if n != 0 and from_day <= d <= to_day:
            open_by_dim[dim].append((d, m, n))
    if as_of is None:
        as_of = pd.Timestamp.now(tz="UTC")
        if end is not None:
            as_of = min(as_of, end)
    as_of_minute = minute_of(as_of)

    everyone = df[df["dim"] == "all"].copy()
    everyone["period"] = [label(d, period) for d in everyone["day"]]
    periods = []
    for name, g in sorted(everyone.groupby("period"), key=lambda x: x[0]):
        entries = [x for x in open_by_dim["all"] if label(x[0], period) == name]
        periods.append(summarize(g, name, entries, as_of_minute, fold.sla_hours))
    out = {"periods": periods, "overall": summarize(everyone, "overall", open_by_dim["all"], as_of_minute, fold.sla_hours)}
    if out["overall"]["openLeads"]["total"] > 0:
        out["asOf"] = datetime.fromtimestamp(as_of_minute * 60, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        out["slaHours"] = fold.sla_hours

    def rows(prefix):
        sub = df[df["dim"].str.startswith(prefix)]
        return {k[len(prefix):]: summarize(g, "overall", open_by_dim[k], as_of_minute, fold.sla_hours)
                for k, g in sub.groupby("dim")}

    if by is not None:
        out["by" + by.capitalize()] = rows(by + ":")
    versions = []
    for key, row in sorted(rows("definition:").items(), key=lambda kv: (kv[0].rsplit("@", 1)[0], int(kv[0].rsplit("@", 1)[1]))):
        definition, version = key.rsplit("@", 1)
        versions.append({
            "definition": definition, "version": int(version), "handoffs": row["qualifiedHandoffs"]["denominator"],
            "qualifiedHandoffs": row["qualifiedHandoffs"], "decided": row["rejectionRate"]["denominator"],
            "rejected": row["rejectionRate"]["numerator"],
            "acceptanceRate": ratio(row["rejectionRate"]["denominator"] - row["rejectionRate"]["numerator"], row["rejectionRate"]["denominator"]),
            "rejectionRate": row["rejectionRate"], "byReason": row["rejectionsByReason"], "conversions": row["conversions"],
            "amount": row["amount"],
        })
    out["byDefinitionVersion"] = versions
    return out


def same(mine, theirs):
    """Equal figures: a ratio by its counts, numbers by value, objects key by key."""
    if isinstance(mine, dict) and {"numerator", "denominator"} <= set(mine):
        return isinstance(theirs, dict) and mine["numerator"] == theirs.get("numerator") and mine["denominator"] == theirs.get("denominator")
    if isinstance(mine, dict):
        return isinstance(theirs, dict) and set(mine) == set(theirs) and all(same(v, theirs[k]) for k, v in mine.items())
    return mine == theirs


def compare_rows(where, mine, theirs, diffs):
    for key, val in mine.items():
        if key == "period":
            continue
        # The Swift JSON leaves out what has no value (a median of no acceptances).
        if key not in theirs and val is not None:
            diffs.append(f"{where}.{key}: missing from the Swift scorecard")
        elif not same(val, theirs.get(key)):
            diffs.append(f"{where}.{key}: python {val} != swift {theirs.get(key)}")


def compare(mine, swift):
    """Differences between our numbers and `align scorecard --json`, as readable lines."""
    diffs = []
    for key in ("asOf", "slaHours"):
        if mine.get(key) != swift.get(key):
            diffs.append(f"{key}: python {mine.get(key)} != swift {swift.get(key)}")
    swift_rows = {r["period"]: r for r in swift["periods"]}
    for row in mine["periods"]:
        other = swift_rows.get(row["period"])
        if other is None:
            diffs.append(f"{row['period']}: missing from the Swift scorecard")
        else:
            compare_rows(row["period"], row, other, diffs)
    compare_rows("overall", mine["overall"], swift["overall"], diffs)
    diffs += [f"{p}: only in the Swift scorecard" for p in sorted(set(swift_rows) - {r["period"] for r in mine["periods"]})]
    for key in ("byActor", "byOwner", "byCampaign", "byDefinition"):
        if (key in mine) != (key in swift):
            diffs.append(f"{key}: python {'has' if key in mine else 'lacks'} it, swift {'has' if key in swift else 'lacks'} it")
            continue
        if key not in mine:
            continue
        for k in sorted(set(mine[key]) | set(swift[key])):
            if k not in mine[key] or k not in swift[key]:
                diffs.append(f"{key}[{k}]: only in {'python' if k in mine[key] else 'swift'}")
            else:
                compare_rows(f"{key}[{k}]", mine[key][k], swift[key][k], diffs)
    theirs = {(d["definition"], d["version"]): d for d in swift.get("byDefinitionVersion", [])}
    ours = {(d["definition"], d["version"]): d for d in mine["byDefinitionVersion"]}
    for k in sorted(set(ours) | set(theirs)):
        if k not in ours or k not in theirs:
            diffs.append(f"byDefinitionVersion {k}: only in {'python' if k in ours else 'swift'}")
        else:
            compare_rows(f"byDefinitionVersion {k[0]} v{k[1]}", ours[k], theirs[k], diffs)
    return diffs


def breakdown_of(swift):
    for by in ("actor", "owner", "campaign", "definition"):
        if "by" + by.capitalize() in swift:
            return by
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export", help="JSON Lines from `align export`")
    ap.add_argument("--period", choices=["week", "month", "quarter"], default="month")
    ap.add_argument("--since", help="from this business time (ISO 8601)")
    ap.add_argument("--until", help="before this business time (ISO 8601; counts whole days)")
    ap.add_argument("--by", choices=["actor", "owner", "campaign", "definition"])
    ap.add_argument("--as-of", help="age open leads at this time (default: now, or the end of the last day counted)")
    ap.add_argument("--compare", metavar="SCORECARD_JSON", help="output of `align scorecard --json`: recompute it and compare")
    args = ap.parse_args()
    events = load(args.export)
    if events.empty:
        print("no events in the export", file=sys.stderr)
        return 1
    if args.compare:
        with open(args.compare) as f:
            swift = json.load(f)
        since = parse_time(swift["since"]) if swift.get("since") else None
        until = parse_time(swift["until"]) if swift.get("until") else None
        as_of = parse_time(swift["asOf"]) if swift.get("asOf") else parse_time("1970-01-01T00:00:00Z")
        mine = scorecard(events, swift["period"], since, until, breakdown_of(swift), as_of)
        diffs = compare(mine, swift)
        if diffs:
            print("MISMATCH between tools/indicators.py and align scorecard:", file=sys.stderr)
            for d in diffs[:50]:
                print("  " + d, file=sys.stderr)
            if len(diffs) > 50:
                print(f"  ... and {len(diffs) - 50} more", file=sys.stderr)
            return 1
        by = breakdown_of(swift)
        rows = len(mine.get("by" + by.capitalize(), {})) if by else 0
        print(f"cross-check passed: {len(mine['periods'])} {swift['period']} periods and overall"
              + (f", {rows} rows by {by}" if by else "") + f", {len(mine['byDefinitionVersion'])} definition versions;"
              + f" every figure agrees ({mine['overall']['openLeads']['total']} open leads"
              + (f" as of {mine['asOf']})" if "asOf" in mine else ")"))
        return 0
    mine = scorecard(events, args.period, parse_time(args.since) if args.since else None,
                     parse_time(args.until) if args.until else None, args.by, parse_time(args.as_of) if args.as_of else None)
    json.dump(mine, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
