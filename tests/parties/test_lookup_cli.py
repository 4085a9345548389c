"""`caseapp parties lookup URL --json` (and its old name `caseapp infringers lookup`) as an operator
runs it: a German shop on 127.0.0.1, and a site that is down (one line, exit status 2)."""
from __future__ import annotations

import json

from tests.parties import sites
from tests.test_cli import fresh_env, run  # noqa: F401  (fixture)


def test_lookup_prints_candidates_numbers_and_the_verdict(fresh_env, web):  # noqa: F811
    fresh_env["CASEAPP_FETCH_PRIVATE"] = "1"   # the test's web server is on 127.0.0.1
    result = run(fresh_env, "parties", "lookup", f"http://127.0.0.1:{web}/", "--json")
    found = json.loads(result.stdout)
    assert found["chosen"]["source"] == "legal_notice" and found["chosen"]["confidence"] == 90
    assert found["chosen"]["source_url"] == f"http://127.0.0.1:{web}/impressum"
    assert (found["chosen"]["street"], found["chosen"]["postal_code"], found["chosen"]["city"]) == \
        ("Hauptstr. 1", "10115", "Berlin")
    assert [(c["source"], c["confidence"]) for c in found["candidates"]] == [("legal_notice", 90)]
    assert found["vat_ids"] == ["DE136695976"]
    assert found["register_numbers"] == ["Berlin (Charlottenburg) HRB 44343"]
    assert found["phones"] == ["+49301234567"]
    assert found["commercial"]["verdict"] == "commercial"
    assert {"vat_id", "shop"} <= {r["signal"] for r in found["commercial"]["reasons"]}
    text = run(fresh_env, "infringers", "lookup", f"http://127.0.0.1:{web}/").stdout
    assert "address: Foto Müller GmbH, Hauptstr. 1, 10115, Berlin, DE (from legal notice, 90" in text
    assert "commercial: commercial (score 160)" in text


def test_a_site_that_is_down_is_one_line_and_exit_status_2(fresh_env):  # noqa: F811
    fresh_env["CASEAPP_FETCH_PRIVATE"] = "1"
    port = sites.closed_port()
    result = run(fresh_env, "parties", "lookup", f"http://127.0.0.1:{port}/", "--json", check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Error: could not fetch http://127.0.0.1:{port}/: [Errno 111] Connection refused. Nothing was looked up."]
    del fresh_env["CASEAPP_FETCH_PRIVATE"]      # as in production: a local address is refused
    refused = run(fresh_env, "parties", "lookup", f"http://127.0.0.1:{port}/", check=False)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "private or local address" in refused.stderr
