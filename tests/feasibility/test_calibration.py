"""The calibration yardstick holds as the rules change: the decisions file is complete and
cited, and caseapp's amounts stay within the targets of issue 15 (benchmarks/calibration.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"id", "country", "court", "date", "file", "source", "usage", "site", "days", "days_estimate", "size",
          "images", "credit_missing", "evidence", "amateur", "private", "flagrant", "fault", "registered", "original",
          "award_per_image", "licence_fee", "currency", "award", "note"}


def _benchmark():
    spec = importlib.util.spec_from_file_location("calibration", ROOT / "benchmarks" / "calibration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_set_is_complete_and_cited():
    decisions = _benchmark().load()
    assert len(decisions) >= 40 and len({d["country"] for d in decisions}) >= 6
    assert len({d["id"] for d in decisions}) == len(decisions)
    for d in decisions:
        assert FIELDS <= set(d), d["id"]
        assert d["source"].startswith("http") and d["evidence"] in ("none", "professional", "sales"), d["id"]


def test_the_amounts_stay_within_the_targets():
    result = _benchmark().evaluate(_benchmark().load())
    assert result["misses"] == []
    assert all(0.8 <= float(m) <= 1.25 for c, m in result["medians"].items() if result["counts"][c] >= 3)
    assert all(r["warned"] for r in result["refused"])     # protection refused: caseapp warns
