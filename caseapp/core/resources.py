"""The app's bundled data folders, found through importlib.resources: `folder("jurisdictions")`,
`folder("migrations")`, `folder("letters")`. They stay at the repository's root and are
mapped into the package `caseapp.data` at build time (setup.py), so the same call works
in an editable checkout and in a wheel installed anywhere."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUNDLED = ("jurisdictions", "migrations", "letters", "filings")


def folder(name: str) -> Path:
    """The folder of bundled data `name` on disk (the app is installed unzipped)."""
    if name not in BUNDLED:
        raise ValueError(f"No bundled data {name!r}: there are {', '.join(BUNDLED)}.")
    return Path(str(files(f"caseapp.data.{name}")))
