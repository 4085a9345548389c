"""`caseapp filings routes` and `caseapp filings render`: the JSON's shape, the files written with
their SHA-256, and a closed route refused in one line with exit status 1."""
from __future__ import annotations

import hashlib
import json

from caseapp.cli import main


def run(app, *args):
    return app.test_cli_runner().invoke(main, ["filings", *args])


def test_routes_json(app, db_session, showcase):
    result = run(app, "routes", "--case", showcase["gb-scotland"].ref, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(set(row) >= {"route", "name", "open", "reasons", "missing", "limit"} for row in rows)
    ipec = next(row for row in rows if row["route"] == "ipec-small-claims")
    assert ipec["open"] is False and "Scotland" in ipec["reasons"][0] and ipec["limit"] == "10000.00 GBP"


def test_routes_text(app, db_session, showcase):
    result = run(app, "routes", "--case", showcase["de-foreign-client"].ref)
    assert result.exit_code == 0 and "mahnverfahren: open" in result.output


def test_render_writes_the_files_and_their_hashes(app, db_session, showcase, tmp_path):
    out = tmp_path / "filing"
    result = run(app, "render", "--case", showcase["us-ccb-pending"].ref, "--route", "ccb", "--out", str(out),
                 "--user", "lawyer")
    assert result.exit_code == 0, result.output
    written = sorted(out.iterdir())
    assert [p.name.split("-", 3)[-1] for p in written] == ["ccb-claim.pdf", "ccb-works.json"]
    for path in written:
        assert f"{path}  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in result.output


def test_a_closed_route_is_one_line_exit_1(app, db_session, showcase, tmp_path):
    result = run(app, "render", "--case", showcase["de-missing-postcode"].ref, "--route", "mahnverfahren",
                 "--out", str(tmp_path / "x"))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "The party has no postal code: add it on the party page." in lines[0]
    assert not (tmp_path / "x").exists()


def test_over_the_limit_names_the_limit(app, db_session, showcase, tmp_path):
    from caseapp.core.money import Money

    case = showcase["gb-ipec"]
    case.claim_lines = [{"label": "Licence fee", "amount": "10000.01", "basis": ""}]
    case.claimed_minor = Money.parse("10000.01", "GBP").minor
    db_session.commit()
    result = run(app, "render", "--case", case.ref, "--route", "ipec-small-claims", "--out", str(tmp_path / "x"))
    assert result.exit_code == 1 and "above the limit of £10,000.00" in result.stderr


def test_a_handler_may_not_generate(app, db_session, showcase, tmp_path):
    result = run(app, "render", "--case", showcase["gb-ipec"].ref, "--route", "ipec-small-claims",
                 "--out", str(tmp_path / "x"), "--user", "handler")
    assert result.exit_code == 2 and "may not do this" in result.stderr


def test_out_needs_an_existing_parent(app, db_session, showcase, tmp_path):
    result = run(app, "render", "--case", showcase["gb-ipec"].ref, "--route", "ipec-small-claims",
                 "--out", str(tmp_path / "no" / "such"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
