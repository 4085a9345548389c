"""Files named by an operator (command arguments, a folder's entries): read, or refused with
one line saying why, never a traceback. A path that does not exist, a folder where a file is
expected, a file that cannot be read, a symbolic link that loops or leads nowhere."""
from __future__ import annotations

import errno
from pathlib import Path

from caseapp.core.errors import InvalidInput


def why_unreadable(error: OSError) -> str:
    """What an OSError of opening a file means, in words."""
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(error, FileNotFoundError):
        return "does not exist (or is a symbolic link to nothing)"
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied)"
    if error.errno == errno.ELOOP:
        return "is a symbolic link that loops"
    return f"cannot be read ({error.strerror or error})"


def read_bytes(path: Path) -> bytes:
    """The bytes of the file at `path`, or InvalidInput saying why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InvalidInput(f"{path.name} {why_unreadable(error)}") from None


def read_lines(path: Path) -> list[tuple[int, str]]:
    """The numbered lines of a text file (UTF-8; broken bytes replaced), or InvalidInput."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return list(enumerate(handle, start=1))
    except OSError as error:
        raise InvalidInput(f"{path.name} {why_unreadable(error)}") from None


def upload_name(name, default: str = "") -> str:
    """A file's name as sent (a browser, a command) -> as kept and shown: its last part only (a
    browser may send a path), control and other unprintable characters (NUL, an escape, a line
    break, a right-to-left override) gone, at most 255 characters; `default` when nothing is left."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:255] or default
