#!/usr/bin/env python3
"""Tests of tools/plot_trend.py's series: empty periods are in the x axis and are gaps (NaN) in every line, so a
line is broken at a week with no data instead of drawn across it. Standard library only.

    python3 tools/test_plot_trend.py
"""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_trend as pt  # noqa: E402


def ratio(n, d):
    return {"numerator": n, "denominator": d}


class PeriodRangeTests(unittest.TestCase):
    def test_weeks_across_a_year_with_53_iso_weeks(self):
        self.assertEqual(pt.period_range("2026-W52", "2027-W02", "week"), ["2026-W52", "2026-W53", "2027-W01", "2027-W02"])

    def test_months_and_quarters_across_a_year(self):
        self.assertEqual(pt.period_range("2026-11", "2027-02", "month"), ["2026-11", "2026-12", "2027-01", "2027-02"])
        self.assertEqual(pt.period_range("2026-Q3", "2027-Q1", "quarter"), ["2026-Q3", "2026-Q4", "2027-Q1"])

    def test_one_period(self):
        self.assertEqual(pt.period_range("2026-W14", "2026-W14", "week"), ["2026-W14"])


class SeriesTests(unittest.TestCase):
    def test_an_empty_week_is_a_gap_in_every_line(self):
        card = {"periods": [
            {"period": "2026-W14", "handoffsWithContext": ratio(1, 2), "launchesReviewed": ratio(1, 1)},
            {"period": "2026-W17", "handoffsWithContext": ratio(3, 4), "launchesReviewed": ratio(0, 0)},
        ]}
        labels, ys = pt.series(card, "week", ["handoffsWithContext", "launchesReviewed"])
        self.assertEqual(labels, ["2026-W14", "2026-W15", "2026-W16", "2026-W17"])
        h = ys["handoffsWithContext"]
        self.assertEqual(h[0], 50.0)
        self.assertTrue(math.isnan(h[1]) and math.isnan(h[2]), "the empty weeks break the line")
        self.assertEqual(h[3], 75.0)
        # A period with data but nothing this indicator counts is a gap too.
        self.assertTrue(math.isnan(ys["launchesReviewed"][3]))

    def test_no_periods(self):
        labels, ys = pt.series({"periods": []}, "month", ["handoffsWithContext"])
        self.assertEqual(labels, [])
        self.assertEqual(ys, {"handoffsWithContext": []})


if __name__ == "__main__":
    unittest.main()
