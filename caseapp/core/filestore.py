"""A content-addressed file store: a file is named by the SHA-256 of its bytes
and never changes. The database keeps the hash."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")


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
        return sha

    def exists(self, sha256: str) -> bool:
        try:
            return self.path_for(sha256).exists()
        except ValueError:
            return False

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
