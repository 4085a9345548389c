"""The mutation score per rule module, from the results `mutmut run` leaves in mutants/
(`make mutation` runs both; docs/testing.md says how to read it).

A mutant is a small deliberate bug (a `<` made `<=`, a constant changed, a call dropped). Killed:
a test failed, as it should. Survived: every test still passed — a gap in the tests, or an
equivalent mutant (the program behaves the same), marked with its reason in
tests/mutation_equivalents/<module>.toml and left out of the score. No tests: no test reaches the code.

    score = killed / (killed + survived + no tests + timeouts), equivalents left out

    .venv/bin/python lint/mutation_report.py [--survivors] [--check 90]
"""
from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents"   # one file per module: caseapp.core.money.toml
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", 37: "killed", 34: "skipped", None: "not checked"}


def equivalents() -> dict[str, str]:
    """Mutant name -> why it is equivalent (the program cannot behave differently)."""
    marked: dict[str, str] = {}
    for path in sorted(EQUIVALENTS.glob("*.toml")):
        for name, entry in tomllib.loads(path.read_text()).items():
            if not entry.get("reason", "").strip():
                raise SystemExit(f"{path}: {name} is marked equivalent without a reason")
            marked[name] = entry["reason"]
    return marked


def results() -> dict[str, dict[str, str]]:
    """Module -> {mutant name: status}."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[:-len(".meta")]
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        out[module] = {name: STATUS.get(code, "suspicious") for name, code in codes.items()}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--survivors", action="store_true", help="list every surviving mutant")
    parser.add_argument("--check", type=float, help="exit 1 when a module scores below this (percent)")
    args = parser.parse_args()
    found = results()
    if not found:
        print("No results in mutants/: run `make mutation` (or `.venv/bin/mutmut run`) first.")
        return 1
    marked = equivalents()
    below = []
    print(f"{'module':45} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'timeout':>8} "
          f"{'equiv.':>7} {'not run':>8} {'score':>7}")
    for module, statuses in found.items():
        not_run = {name for name, s in statuses.items() if s in ("skipped", "not checked")}
        counted = {name: s for name, s in statuses.items() if name not in marked and name not in not_run}
        equivalent = sum(1 for name in statuses if name in marked and name not in not_run)
        tally = Counter(counted.values())
        denominator = sum(tally.values())
        score = 100.0 * tally["killed"] / denominator if denominator else 100.0
        if args.check is not None and (score < args.check or not_run):
            below.append(module)   # a module not measured in full has no score to pass with
        print(f"{module:45} {len(statuses):8} {tally['killed']:7} {tally['survived']:9} {tally['no tests']:9} "
              f"{tally['timeout']:8} {equivalent:7} {len(not_run):8} {score:6.1f}%")
        if args.survivors:
            for name, status in counted.items():
                if status != "killed":
                    print(f"    {status:9} {name}   (mutmut show {name})")
    if below:
        print(f"Below {args.check:g}% or not measured in full: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
