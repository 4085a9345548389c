"""A content-addressed file store: a file is named by the SHA-256 of its bytes
and never changes. The database keeps the hash.

Writes follow the unit of work (core.uow): a file is written when it is put (so the
database never names a file that is missing), and every file a unit of work newly wrote is
recorded in its journal; what a rolled-back unit of work (or a rolled-back savepoint in
it) wrote is deleted again unless a committed row names it. So an import that fails leaves
no orphan files. (A file another transaction put at the same moment, finding it already
there, is kept if that transaction has committed by the time of the check.)"""
from __future__ import annotations

import contextvars
import hashlib
import os
import re
import tempfile
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")
# The journal of the unit of work running in this context: paths of the files it wrote.
_journal: contextvars.ContextVar[list[Path] | None] = contextvars.ContextVar("caseapp_files_written", default=None)


def start_journal() -> tuple[list[Path], contextvars.Token]:
    """Record the files written from here on (by any FileStore) in a new journal."""
    written: list[Path] = []
    return written, _journal.set(written)


def end_journal(token: contextvars.Token) -> None:
    _journal.reset(token)


class FileStore:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _HASH.match(sha256):
            raise ValueError(f"not a SHA-256 file name: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data`, return its SHA-256. Writing the same bytes twice is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)  # atomic: readers see all of it or nothing
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written = _journal.get()
        if written is not None:
            written.append(target)
        return sha

    def exists(self, sha256: str) -> bool:
        try:
            return self.path_for(sha256).exists()
        except ValueError:
            return False

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()


def discard_unreferenced(session, paths: list[Path]) -> list[Path]:
    """Delete those of `paths` (files of a store) that no committed row names: every column
    called *_sha256 of every table is looked at. Returns what was deleted."""
    from sqlalchemy import select

    from caseapp.core.models import metadata

    names = {path.name: path for path in paths if path.exists()}
    if not names:
        return []
    columns = [c for table in metadata.tables.values() for c in table.columns if c.name.endswith("_sha256")]
    wanted = sorted(names)
    for column in columns:
        for start in range(0, len(wanted), 500):
            for (found,) in session.execute(select(column).where(column.in_(wanted[start:start + 500]))):
                names.pop(found, None)
    for path in names.values():
        path.unlink(missing_ok=True)
    return list(names.values())
