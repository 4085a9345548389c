"""docs/benchmarks.md: each benchmark owns one section (from its `## ` heading to the next) and
replaces it with its latest figures."""
from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nSpeed and memory targets live here, measured by the scripts in `benchmarks/`.\n\n"


def write_section(marker: str, section: str, doc: Path = DOC) -> None:
    """Replace the section that starts with `marker` (a `## ` heading) by `section`, or append it."""
    body = doc.read_text() if doc.exists() else HEADER
    if marker in body:
        before, _, rest = body.partition(marker)
        after = rest.split("\n## ", 1)
        body = before + section + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        body = body.rstrip("\n") + "\n\n" + section
    doc.write_text(body)
