"""The manifest and the hash chain of a log folder: a chain of 3 verifies; an edited file, a removed
capture, a removed last capture (against the recorded head), an added file all show; a capture that
fails half-way leaves nothing."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from caseapp.evidence.capture import Captured
from caseapp.evidence.manifest import MANIFEST, canonical, captures_in, head_of, sha256, verify_folder, write_capture

T0 = datetime(2026, 12, 3, 7, 15, tzinfo=timezone.utc)


def made(n: int) -> Captured:
    return Captured(url="https://shop.example.de/p", final_url="https://shop.example.de/p", status=200,
                    headers=[("Content-Type", "text/html")], captured_at=T0 + timedelta(minutes=n),
                    files={"page.html": f"<p>{n}</p>".encode(), "screenshot.png": b"\x89PNG" + bytes([n]) * 50,
                           "page.warc.gz": b"warc" + bytes([n])}, exchanges=[])


@pytest.fixture()
def log(tmp_path):
    folder = tmp_path / "log"
    for n in range(3):
        write_capture(folder, made(n))
    return folder


def test_a_chain_of_three_verifies_and_each_names_the_one_before(log):
    folders = captures_in(log)
    assert [f.name for f in folders] == ["000001_2026-12-03T07-15-00.000000Z", "000002_2026-12-03T07-16-00.000000Z",
                                         "000003_2026-12-03T07-17-00.000000Z"]
    manifests = [(f / MANIFEST).read_bytes() for f in folders]
    assert json.loads(manifests[0])["previous_manifest"] is None
    assert json.loads(manifests[1])["previous_manifest"] == sha256(manifests[0])
    assert json.loads(manifests[2])["previous_manifest"] == sha256(manifests[1])
    assert canonical(json.loads(manifests[2])) == manifests[2]          # stored in its canonical form
    assert verify_folder(log) == [] and verify_folder(log, head=sha256(manifests[2])) == []
    assert verify_folder(folders[1]) == []                              # one capture on its own
    assert head_of(log) == sha256(manifests[2])


def test_an_edited_file_shows(log):
    shot = captures_in(log)[1] / "screenshot.png"
    shot.write_bytes(shot.read_bytes()[:-1] + b"X")
    problems = verify_folder(log)
    assert len(problems) == 1 and problems[0].startswith("000002_2026-12-03T07-16-00.000000Z/screenshot.png: changed")


def test_a_file_of_the_same_size_edited_shows(log):
    page = captures_in(log)[0] / "page.html"
    page.write_bytes(b"<p>9</p>")
    problems = verify_folder(log)
    assert len(problems) == 1 and problems[0].startswith("000001_2026-12-03T07-15-00.000000Z/page.html: changed")


def test_a_removed_capture_breaks_the_chain(log):
    first, middle, last = captures_in(log)
    shutil.rmtree(middle)
    problems = verify_folder(log)
    assert problems == [f"{last.name}: chain broken (names {json.loads((last / MANIFEST).read_bytes())['previous_manifest'][:12]}"
                        f", the capture before is {sha256((first / MANIFEST).read_bytes())[:12]})"]


def test_an_edited_manifest_breaks_the_next_link(log):
    first = captures_in(log)[0]
    manifest = json.loads((first / MANIFEST).read_bytes())
    manifest["final_url"] = "https://elsewhere.example/"
    (first / MANIFEST).write_bytes(canonical(manifest))
    assert [p.split(":")[0] for p in verify_folder(log)] == ["000002_2026-12-03T07-16-00.000000Z"]


def test_a_removed_last_capture_shows_only_against_the_recorded_head(log):
    head = head_of(log)
    shutil.rmtree(captures_in(log)[-1])
    assert verify_folder(log) == []
    assert verify_folder(log, head=head) == [
        f"the last capture is {head_of(log)[:12]}, the recorded head is {head[:12]}: "
        "a capture was removed or added at the end"]


def test_a_missing_or_added_file_shows(log):
    folder = captures_in(log)[2]
    (folder / "page.html").unlink()
    (folder / "notes.txt").write_text("added later")
    assert verify_folder(log) == [f"{folder.name}/page.html: missing", f"{folder.name}/notes.txt: not in the manifest"]


def test_a_capture_failing_half_way_leaves_nothing(tmp_path, monkeypatch):
    log = tmp_path / "log"
    write_capture(log, made(0))
    before = sorted(p.name for p in log.iterdir())

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("caseapp.evidence.manifest.os.rename", broken)
    with pytest.raises(OSError):
        write_capture(log, made(1))
    assert sorted(p.name for p in log.iterdir()) == before     # no .incoming- folder, no capture
    assert verify_folder(log) == []


def test_a_capture_taken_earlier_but_written_later_still_chains_in_order(tmp_path):
    """Two captures at once: the one that started first may finish last. The chain follows the
    order of writing (the folder's place number), not the capture times, and verifies."""
    log = tmp_path / "log"
    write_capture(log, made(5))
    write_capture(log, made(1))     # started earlier, written later
    names = [f.name for f in captures_in(log)]
    assert names == ["000001_2026-12-03T07-20-00.000000Z", "000002_2026-12-03T07-16-00.000000Z"]
    assert verify_folder(log) == []


def test_captures_written_at_once_take_turns(tmp_path):
    import threading

    log = tmp_path / "log"
    threads = [threading.Thread(target=write_capture, args=(log, made(n))) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(captures_in(log)) == 6 and verify_folder(log) == []


def test_an_empty_folder_is_a_problem(tmp_path):
    assert verify_folder(tmp_path) == [f"{tmp_path}: no captures in it"]


def test_one_capture_checked_against_its_recorded_hash(log):
    one = captures_in(log)[1]
    recorded = sha256((one / MANIFEST).read_bytes())
    assert verify_folder(one, head=recorded) == []
    [problem] = verify_folder(one, head="a" * 64)
    assert problem.startswith(f"{one.name}: its {MANIFEST} is not aaaaaaaaaaaa")


@pytest.mark.parametrize("name", ["../../../etc/hostname", "/etc/hostname", "..", "sub/file", "a\\b", "", 7])
def test_a_manifest_cannot_point_outside_its_capture(log, name):
    one = captures_in(log)[0]
    manifest = json.loads((one / MANIFEST).read_bytes())
    manifest["files"].append({"name": name, "sha256": "0" * 64, "size": 1})
    (one / MANIFEST).write_bytes(canonical(manifest))
    problems = verify_folder(one)
    assert problems == [f"{one.name}: {MANIFEST} names a file it may not ({str(name)[:60]!r}): not checked"]


@pytest.mark.parametrize("body", [b"[]", b"{}", b'{"files": "x"}', b"not json"])
def test_a_manifest_that_is_not_one_is_a_problem_not_a_crash(log, body):
    one = captures_in(log)[0]
    (one / MANIFEST).write_bytes(body)
    problems = verify_folder(log)
    assert problems and all(isinstance(p, str) for p in problems)
    assert any(one.name in p for p in problems)
