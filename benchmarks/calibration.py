"""The calibration yardstick: caseapp's amount for the use in each published decision of
`benchmarks/calibration/decisions.toml`, beside what the court awarded.

    .venv/bin/python benchmarks/calibration.py            # prints, writes docs/calibration.md

For each decision: the amount `feasibility.claim_amount` gives for that use (country, usage,
days, size, images, credit, the evidence of the photographer's licensing, amateur, private
user, registration, flagrancy, fault), per image, in the court's currency; the award per image;
their ratio. Per country: the median ratio. A decision where the court refused protection
(award 0, not original) is listed apart: caseapp must warn (an originality note), not price it.

Targets (issue 15): the median ratio between 0.8 and 1.25 in every country with at least three
decisions; no private or hobby use priced above twice its award. It is a yardstick, not a fit:
the country files' figures come from what courts do in general (their sources say so), and a
rule is never bent to one decision. Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tomllib
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DECISIONS = ROOT / "benchmarks" / "calibration" / "decisions.toml"
LOW, HIGH, PRIVATE_MAX, MIN_DECISIONS = Fraction(8, 10), Fraction(125, 100), Fraction(2), 3


def load(path: Path = DECISIONS) -> list[dict]:
    return tomllib.loads(path.read_text())["decision"]


def caseapp_per_image(d: dict):
    """caseapp's amount per image for the decision's use, in the court's currency."""
    from caseapp.core.money import Money
    from caseapp.feasibility.amounts import claim_amount
    from caseapp.feasibility.services import convert

    fee = Money.parse(d["licence_fee"], d["currency"]) if d.get("licence_fee") else None
    evidence = d["evidence"] if d["evidence"] != "sales" or fee else "professional"
    result = claim_amount(
        d["country"], usage=d["usage"], days=max(1, int(d["days"])), size=d["size"], images=int(d["images"]),
        credit_missing=bool(d["credit_missing"]), evidence=evidence,
        documented_fee=convert(fee, "EUR") if fee else None,
        amateur=bool(d["amateur"]), private=bool(d["private"]), registered=d.get("registered") == "yes",
        flagrant=bool(d["flagrant"]), fault=bool(d["fault"]) if d["country"] == "AT" else None)
    per_image = convert(result.total, d["currency"]) * Fraction(1, int(d["images"]))
    return per_image, result, Money.parse(d["award_per_image"], d["currency"])


def evaluate(decisions: list[dict]) -> dict:
    rows, refused, free = [], [], []
    for d in decisions:
        amount, result, award = caseapp_per_image(d)
        if not d.get("original", True):
            refused.append({"d": d, "amount": amount, "warned": bool(result.notes)})
            continue
        if award.minor == 0:      # protected, but no damage: a photo offered free (a Creative Commons licence)
            free.append({"d": d, "amount": amount})
            continue
        rows.append({"d": d, "amount": amount, "award": award, "ratio": Fraction(amount.minor, award.minor),
                     "estimate": result.estimate})
    countries: dict[str, list[Fraction]] = {}
    for row in rows:
        countries.setdefault(row["d"]["country"], []).append(row["ratio"])
    medians = {c: statistics.median(r) for c, r in countries.items()}
    misses = [f"{c}: median ratio {float(m):.2f} (target 0.80–1.25, {len(countries[c])} decisions)"
              for c, m in sorted(medians.items()) if len(countries[c]) >= MIN_DECISIONS and not LOW <= m <= HIGH]
    private_over = [row for row in rows if (row["d"]["private"] or row["d"]["amateur"] and row["d"]["private"])
                    and row["ratio"] > PRIVATE_MAX]
    misses += [f"{row['d']['id']}: a private use priced at {float(row['ratio']):.2f}x its award (at most 2x)"
               for row in private_over]
    misses += [f"{r['d']['id']}: protection refused, caseapp gives no originality warning" for r in refused
               if not r["warned"]]
    return {"rows": rows, "refused": refused, "free": free, "medians": medians, "counts": {c: len(r) for c, r in countries.items()},
            "misses": misses}


def report(result: dict) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    out = ["# Calibration: caseapp's amounts beside court awards", "",
           f"Measured {stamp} with `.venv/bin/python benchmarks/calibration.py` over "
           f"`benchmarks/calibration/decisions.toml` ({len(result['rows']) + len(result['refused']) + len(result['free'])} published "
           "decisions; each with its source). caseapp's amount is `feasibility.claim_amount` for the use the court "
           "judged (country, usage, duration in days, size, images, missing credit, the evidence of the "
           "photographer's licensing, amateur photographer, private user, US registration, flagrancy, fault), per "
           "image, in the court's currency; the award is the damages per image (no costs, no interest). A "
           "decision whose claimant proved their own licence fee (`evidence` sales) is priced from that fee, as caseapp "
           "prices a work with documented sales (the surcharges are then what is tested); where the source does "
           "not give the fee, as proof of professional work.", "",
           "It is a yardstick, not a fit: the country files' figures come from what courts do in general (their "
           "sources say so), and no rule is bent to one decision. Targets: the median ratio between 0.80 and 1.25 "
           "in every country with at least three decisions; no private use priced above twice its award.", "",
           "## Median ratio per country", "", "| country | decisions | median ratio caseapp / award | target |",
           "|---|---|---|---|"]
    for c in sorted(result["medians"]):
        n, m = result["counts"][c], result["medians"][c]
        target = ("met" if LOW <= m <= HIGH else "**missed**") if n >= MIN_DECISIONS else "(fewer than 3)"
        out.append(f"| {c} | {n} | {float(m):.2f} | {target} |")
    out += ["", "Targets: " + ("all met." if not result["misses"] else "missed: " + "; ".join(result["misses"])), "",
            "## Each decision", "",
            "| country | decision | use | days | images | award per image | caseapp per image | ratio |",
            "|---|---|---|---|---|---|---|---|"]
    for row in sorted(result["rows"], key=lambda r: (r["d"]["country"], r["d"]["date"])):
        d = row["d"]
        use = d["usage"] + (", private user" if d["private"] else "") + (", amateur" if d["amateur"] else "") + \
            (", no credit" if d["credit_missing"] else "") + (f", evidence {d['evidence']}" if d["evidence"] != "none"
                                                               else "") + \
            (", flagrant" if d["flagrant"] else "") + (", registered" if d.get("registered") == "yes" else "")
        out.append(f"| {d['country']} | [{d['court']} {d['file']}]({d['source']}) ({d['date'][:4]}) | {use} | "
                   f"{d['days']}{'*' if d['days_estimate'] else ''} | {d['images']} | {row['award'].format()} | "
                   f"{row['amount'].format()} | {float(row['ratio']):.2f} |")
    if result["refused"]:
        out += ["", "## Protection refused (award 0)", "",
                "| country | decision | caseapp would claim | originality warning shown |", "|---|---|---|---|"]
        for r in result["refused"]:
            d = r["d"]
            out.append(f"| {d['country']} | [{d['court']} {d['file']}]({d['source']}) | {r['amount'].format()} | "
                       f"{'yes' if r['warned'] else '**no**'} |")
    if result["free"]:
        out += ["", "## No damage: a photo offered under a free licence (award 0)", "",
                "Protected, infringed, but worth nothing as a licence: the photographer offered it free (Creative "
                "Commons). Not in the ratios; caseapp cannot see a free licence yet (the work's ownership checks do "
                "not ask), so it would claim the amount shown: a known gap.", "",
                "| country | decision | caseapp would claim |", "|---|---|---|"]
        for r in result["free"]:
            d = r["d"]
            out.append(f"| {d['country']} | [{d['court']} {d['file']}]({d['source']}) | {r['amount'].format()} |")
    out += ["", "`*` the duration is a reading of the decision, not the court's finding (see the decision's note).", ""]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=Path, default=DECISIONS)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = evaluate(load(args.decisions))
    text = report(result)
    print(text)
    if not args.no_write:
        (ROOT / "docs" / "calibration.md").write_text(text)
    return 1 if result["misses"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
