"""The manifest of a capture and the hash chain of the evidence log.

`manifest.json` names every file of a capture with its SHA-256 and size, the URL, the final URL,
the status, the time (UTC), the tool and browser, and `previous_manifest`: the SHA-256 of the
previous capture's manifest.json bytes (null for the first). So a changed file breaks its entry,
and a changed or removed capture breaks the next one's link. A removed *last* capture shows only
against a head kept elsewhere (the database row, the audit event, every evidence report):
`verify_folder(..., head=...)`.

A log folder holds one subfolder per capture. A capture is written to `.incoming-<name>/` and
renamed into place only when every file is written: all or nothing.

Source: docs/plans/issue-18-evidence-and-addresses.md §1.3 and §3."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
INCOMING = ".incoming-"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(manifest: dict) -> bytes:
    """The manifest's bytes: sorted keys, compact, UTF-8, one newline. Its SHA-256 is its name in the chain."""
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(captured, previous: str | None) -> dict:
    """The manifest of a capture (`capture.Captured`) chained to `previous` (a manifest's SHA-256)."""
    return {
        "url": captured.url,
        "final_url": captured.final_url,
        "status": captured.status,
        "headers": [[k, v] for k, v in captured.headers],
        "captured_at": _stamp(captured.captured_at),
        "image_url": captured.image_url,
        "image_status": captured.image_status,
        "image_present": captured.image_present,
        "tool": "caseapp-evidence/1",
        "browser": captured.browser,
        "files": [{"name": name, "sha256": sha256(data), "size": len(data)}
                  for name, data in sorted(captured.files.items())],
        "previous_manifest": previous,
    }


def folder_name(manifest: dict, seq: int | None = None) -> str:
    """A capture's folder: its place in the log folder's chain and its time, sortable, without ':'
    (000003_2026-12-03T07-15-02.123456Z). Without `seq`: the time alone (an exported capture)."""
    stamp = manifest["captured_at"].replace(":", "-")
    return f"{seq:06d}_{stamp}" if seq is not None else stamp


def captures_in(log: Path) -> list[Path]:
    """The capture folders of a log folder, in the chain's order (by name: place, then time)."""
    if not log.is_dir():
        return []
    return sorted(p for p in log.iterdir() if p.is_dir() and not p.name.startswith("."))


def head_of(log: Path) -> str | None:
    """The SHA-256 of the last capture's manifest in a log folder (None: an empty log)."""
    folders = captures_in(log)
    return sha256((folders[-1] / MANIFEST).read_bytes()) if folders else None


def write_capture(log: Path, captured) -> tuple[Path, dict]:
    """Add a capture to the log folder, chained to the last one there. Written to a hidden
    `.incoming-` folder and renamed into place when complete; on any failure nothing is left.
    A lock on the folder (`.lock`) makes two captures written at once take turns, so the chain
    never forks."""
    import fcntl

    log.mkdir(parents=True, exist_ok=True)
    with open(log / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folders = captures_in(log)
        manifest = build(captured, head_of(log))
        name = folder_name(manifest, len(folders) + 1)
        target = log / name
        incoming = log / f"{INCOMING}{name}"
        try:
            incoming.mkdir()
            for file_name, data in captured.files.items():
                (incoming / file_name).write_bytes(data)
            (incoming / MANIFEST).write_bytes(canonical(manifest))
            for path in incoming.iterdir():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            os.rename(incoming, target)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
    return target, manifest


def _entries(label: str, manifest) -> tuple[list[dict], list[str]]:
    """A manifest's file entries that are well formed, and a problem for each that is not: a name
    must be a plain file name (no folder, no `..`), so a manifest cannot point outside its capture."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        return [], [f"{label}: {MANIFEST} is not a manifest (no list of files)"]
    good, problems = [], []
    for entry in files:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not (isinstance(name, str) and name and name not in (".", "..") and "/" not in name and "\\" not in name
                and isinstance(entry.get("sha256"), str) and isinstance(entry.get("size"), int)):
            problems.append(f"{label}: {MANIFEST} names a file it may not ({str(name)[:60]!r}): not checked")
            continue
        good.append(entry)
    return good, problems


def check_files(label: str, manifest: dict, read) -> list[str]:
    """Problems with the files a manifest names; `read(name)` returns the bytes or None when missing."""
    entries, problems = _entries(label, manifest)
    for entry in entries:
        data = read(entry["name"])
        if data is None:
            problems.append(f"{label}/{entry['name']}: missing")
        elif len(data) != entry["size"] or sha256(data) != entry["sha256"]:
            problems.append(f"{label}/{entry['name']}: changed (SHA-256 {sha256(data)[:12]}, "
                            f"the manifest says {entry['sha256'][:12]})")
    return problems


def check_links(items: list[tuple[str, bytes | None]], head: str | None = None) -> list[str]:
    """Problems in a chain of (label, manifest bytes), oldest first: each manifest must name the
    SHA-256 of the one before it (the first names none), and the last must be `head` if given."""
    problems, before = [], None
    for label, raw in items:
        if raw is None:
            problems.append(f"{label}: {MANIFEST} missing")
            before = None
            continue
        try:
            named = json.loads(raw).get("previous_manifest")
        except (ValueError, AttributeError):
            problems.append(f"{label}: {MANIFEST} is not a manifest")
            before = sha256(raw)
            continue
        if named != before:
            problems.append(f"{label}: chain broken (names {(named or 'none')[:12]}, "
                            f"the capture before is {(before or 'none')[:12]})")
        before = sha256(raw)
    if head is not None and before != head:
        problems.append(f"the last capture is {(before or 'none')[:12]}, the recorded head is {head[:12]}: "
                        f"a capture was removed or added at the end")
    return problems


def verify_folder(log: Path, head: str | None = None) -> list[str]:
    """Every problem in a log folder (or one capture folder): changed or missing files, a broken
    chain, and a last capture that is not `head`. Empty: it verifies."""
    log = Path(log)
    if not log.is_dir():
        return [f"{log}: not a folder"]
    folders = [log] if (log / MANIFEST).exists() else captures_in(log)
    if not folders:
        return [f"{log}: no captures in it"]
    problems, chain = [], []
    for folder in folders:
        label = folder.name
        path = folder / MANIFEST
        raw = path.read_bytes() if path.is_file() else None
        chain.append((label, raw))
        if raw is None:
            continue
        try:
            manifest = json.loads(raw)
        except ValueError:
            continue
        problems += check_files(label, manifest,
                                lambda name, f=folder: (f / name).read_bytes() if (f / name).is_file() else None)
        named = {entry["name"] for entry in _entries(label, manifest)[0]} | {MANIFEST}
        problems += [f"{label}/{extra.name}: not in the manifest" for extra in sorted(folder.iterdir())
                     if extra.name not in named]
    if len(folders) > 1 or folders[0] != log:
        problems += check_links(chain, head)
    elif head is not None and (chain[0][1] is None or sha256(chain[0][1]) != head):
        # one capture checked against the hash recorded for it (e.g. the one printed in a letter)
        problems.append(f"{folders[0].name}: its {MANIFEST} is not {head[:12]}… (SHA-256 "
                        f"{sha256(chain[0][1])[:12] if chain[0][1] is not None else 'none'})")
    return problems
