"""`caseapp evidence capture` and `caseapp evidence verify` as an operator runs them, against the
local sites (CASEAPP_FETCH_PRIVATE=1: they are on 127.0.0.1)."""
from __future__ import annotations

import json

import pytest

from tests.evidence.conftest import needs_chromium
from tests.test_cli import fresh_env, run  # noqa: F401  (fixture)


@pytest.fixture()
def env(fresh_env):  # noqa: F811
    needs_chromium()
    fresh_env["CASEAPP_FETCH_PRIVATE"] = "1"   # the test's sites are on 127.0.0.1
    return fresh_env


def test_three_captures_make_a_chain_that_verifies_and_an_edit_shows(env, sites, tmp_path):
    log = tmp_path / "log"
    manifests = []
    for path in ("/old", "/shop/", "/blog-fr/"):
        out = run(env, "evidence", "capture", sites + path, "--out", str(log), "--json").stdout
        manifests.append(json.loads(out))
    first, second, third = manifests
    assert first["final_url"] == f"{sites}/" and first["status"] == 200 and first["previous_manifest"] is None
    assert {"page.warc.gz", "screenshot.png", "page.html", "exchanges.json"} <= {f["name"] for f in second["files"]}
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in second["files"])
    assert second["captured_at"].endswith("Z")
    assert second["previous_manifest"] and third["previous_manifest"] and second["previous_manifest"] != \
        third["previous_manifest"]

    ok = run(env, "evidence", "verify", str(log))
    assert ok.returncode == 0 and "3 capture(s) verified" in ok.stdout

    folders = sorted(p for p in log.iterdir())
    (folders[1] / "page.html").write_text("<p>nothing to see</p>")
    bad = run(env, "evidence", "verify", str(log), check=False)
    assert bad.returncode == 2 and bad.stderr.strip().endswith("1 problem(s) found; what is there does not verify.")
    assert bad.stdout.splitlines() == [f"{folders[1].name}/page.html: changed"
                                       + bad.stdout.split("page.html: changed", 1)[1].splitlines()[0]]


@pytest.mark.parametrize("where, says", [
    ("/evil", "could not fetch http://127.0.0.2:"),   # private addresses allowed here: nothing listens there
    ("down", "Connection refused"),
])
def test_a_refused_or_unreachable_page_is_one_line_and_nothing_is_kept(env, sites, down, tmp_path, where, says):
    log = tmp_path / "log"
    url = down if where == "down" else sites + where
    result = run(env, "evidence", "capture", url, "--out", str(log), "--json", check=False)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and lines[0].endswith("Nothing was captured.")
    assert not log.exists() or list(log.iterdir()) == []


def test_a_private_address_is_refused_without_the_setting(fresh_env, sites, tmp_path):  # noqa: F811
    result = run(fresh_env, "evidence", "capture", f"{sites}/shop/", "--out", str(tmp_path / "log"), check=False)
    assert result.returncode == 2 and "private or local address" in result.stderr
