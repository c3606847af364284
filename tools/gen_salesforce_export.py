#!/usr/bin/env python3
"""Writes a Salesforce data export folder of a given size, for the import benchmark (docs/BENCHMARKS.md).

Lead.csv with N leads and LeadHistory.csv with H history rows per lead (default 3: the lead's creation, then its
status changes: worked, then converted or closed, or an owner change), with the columns of Salesforce's export, in
the last quarter before --until. Seeded: the same arguments write the same files. Also writes mapping.json for the
ledger the benchmark makes (actors maria, sam, sue; definition mql).

Usage: tools/gen_salesforce_export.py OUT_DIR --leads 1000000 [--history-per-lead 3] [--seed 1]
"""
import argparse
import csv
import datetime
import json
import os
import random

STATUSES = ["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"]
INDUSTRIES = ["Technology", "Finance", "Healthcare", "Retail", "Manufacturing", "Education"]
SOURCES = ["Web", "Webinar", "Trade Show", "Partner Referral", "Advertisement"]


def sf_id(prefix, n):
    return f"{prefix}{n:015d}"


def sf_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--leads", type=int, default=1000)
    ap.add_argument("--history-per-lead", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--until", default="2026-11-30")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    end = datetime.datetime.fromisoformat(a.until).replace(tzinfo=datetime.timezone.utc)
    start = end - datetime.timedelta(days=90)
    owners = [sf_id("005", i) for i in (1, 2)]
    history_id = 0
    with open(os.path.join(a.out, "Lead.csv"), "w", newline="") as lf, \
         open(os.path.join(a.out, "LeadHistory.csv"), "w", newline="") as hf:
        lw, hw = csv.writer(lf), csv.writer(hf)
        lw.writerow(["Id", "CreatedDate", "Status", "OwnerId", "LeadSource", "Company", "Industry", "NumberOfEmployees",
                     "IsConverted", "ConvertedDate", "ConvertedOpportunityId", "IsDeleted", "LastModifiedDate"])
        hw.writerow(["Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "CreatedById"])
        for n in range(1, a.leads + 1):
            lead = sf_id("00Q", n)
            created = start + datetime.timedelta(seconds=rng.randrange(80 * 86400))
            owner = owners[n % 2]
            worked = created + datetime.timedelta(minutes=rng.randrange(30, 72 * 60))
            closed = worked + datetime.timedelta(hours=rng.randrange(1, 240))
            outcome = rng.random()
            final = STATUSES[2] if outcome < 0.2 else STATUSES[3] if outcome < 0.45 else STATUSES[1]
            converted = final == STATUSES[2]
            lw.writerow([lead, sf_time(created), final, owner, rng.choice(SOURCES), f"Company {n}, Inc.", rng.choice(INDUSTRIES),
                         rng.choice([12, 80, 150, 250, 600, 2000]), "true" if converted else "false",
                         closed.strftime("%Y-%m-%d") if converted else "", sf_id("006", n) if converted else "", "false",
                         sf_time(closed if final != STATUSES[1] else worked)])
            rows = [("created", "", "", created), ("Status", STATUSES[0], STATUSES[1], worked)]
            if final != STATUSES[1]:
                rows.append(("Status", STATUSES[1], final, closed))
            else:
                rows.append(("Owner", owner, owners[(n + 1) % 2], closed))
            while len(rows) < a.history_per_lead:
                rows.append(("Rating", "Warm", "Hot", closed))
            for field, old, new, t in rows[:a.history_per_lead]:
                history_id += 1
                hw.writerow([sf_id("017", history_id), lead, field, old, new, sf_time(t), owner])
    mapping = {
        "definition": {"id": "mql"},
        "handoffActor": "maria",
        "users": {owners[0]: "sam", owners[1]: "sue"},
    }
    with open(os.path.join(a.out, "mapping.json"), "w") as f:
        json.dump(mapping, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
