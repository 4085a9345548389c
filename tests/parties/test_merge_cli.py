"""`caseapp parties merge`, `caseapp parties lookup-due` and `lookup --store` through click (in the
test's rolled-back database), and the page's "look up" against a local site."""
from __future__ import annotations

import json

import pytest

from caseapp.cli import main
from caseapp.parties import services
from tests.parties.factories import make_party


@pytest.fixture()
def invoke(app, db_session):
    def run(*args):
        return app.test_cli_runner().invoke(main, list(args))
    return run


def test_merge_on_the_command_line(db_session, invoke):
    keep, other = make_party(db_session, street="Weg 1", city="Bonn"), make_party(db_session)
    keep.vat_id = other.vat_id = "DE136695976"
    db_session.flush()
    result = invoke("parties", "merge", str(keep.id), str(other.id), "--user", "handler")
    assert result.exit_code == 0, result.output
    assert f"Party #{other.id} merged into #{keep.id}" in result.output
    db_session.refresh(other)
    assert other.merged_into_id == keep.id
    again = invoke("parties", "merge", str(keep.id), str(other.id), "--user", "handler")
    assert again.exit_code == 2 and "already merged" in again.output
    accountant = invoke("parties", "merge", str(keep.id), str(other.id), "--user", "accountant")
    assert accountant.exit_code == 2 and "may not do this" in accountant.output


def test_lookup_due_and_store(app, db_session, invoke, web):
    party = make_party(db_session, site=f"127.0.0.1:{web}", street=None, postal_code=None, city=None)
    db_session.flush()
    app.config["CASEAPP_FETCH_PRIVATE"] = True
    try:
        dry = invoke("parties", "lookup-due", "--dry-run", "--json", "--limit", "10000")
        assert {"party_id": party.id, "site": f"127.0.0.1:{web}"} in [json.loads(l) for l in dry.output.splitlines()]
        stored = invoke("parties", "lookup", f"http://127.0.0.1:{web}/", "--json", "--store")
        assert stored.exit_code == 0, stored.output
        row = json.loads(stored.output)
        assert row["party_id"]
        kept = services.get_party(db_session, row["party_id"])
        assert (kept.street, kept.address_source, kept.commercial) == ("Hauptstr. 1", "legal_notice", "commercial")
    finally:
        app.config["CASEAPP_FETCH_PRIVATE"] = False


def test_the_look_up_button(app, db_session, client_as, web):
    party = make_party(db_session, street=None, postal_code=None, city=None)
    db_session.flush()
    browser = client_as("handler")
    refused = browser.post(f"/parties/{party.id}/lookup", data={"url": f"http://127.0.0.1:{web}/"},
                           follow_redirects=True).get_data(as_text=True)
    assert "could not be looked up" in refused and "private or local address" in refused
    app.config["CASEAPP_FETCH_PRIVATE"] = True
    try:
        browser.post(f"/parties/{party.id}/lookup", data={"url": f"http://127.0.0.1:{web}/"})
    finally:
        app.config["CASEAPP_FETCH_PRIVATE"] = False
    db_session.refresh(party)
    assert (party.street, party.city, party.address_source, party.vat_id) == \
        ("Hauptstr. 1", "Berlin", "legal_notice", "DE136695976")
    assert party.commercial == "commercial"


def test_rdap_bootstrap_is_written_whole_and_loads(app, invoke, rdap_server, tmp_path, no_rdap):
    """IANA's five files, from a local copy, into one file whoisit loads; a missing one changes nothing."""
    import http.server
    import threading
    from functools import partial

    import whoisit

    folder = tmp_path / "iana"
    folder.mkdir()
    base = "https://rdap.example.net/"
    services_of = {"dns": [[["de"], ["https://rdap.denic.de/"]]], "asn": [[["64496-64511"], [base]]],
                   "ipv4": [[["192.0.2.0/24"], [base]]], "ipv6": [[["2001:db8::/32"], [base]]],
                   "object-tags": [[["x@example"], ["EX"], [base]]]}
    for name, listed in services_of.items():
        (folder / f"{name}.json").write_text(json.dumps({"version": "1.0", "services": listed}))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = tmp_path / "instance" / "rdap-bootstrap.json"
    app.config["CASEAPP_FETCH_PRIVATE"] = True
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        nowhere = invoke("parties", "rdap-bootstrap", "--source", base, "--out", str(out))
        assert nowhere.exit_code == 2 and "does not exist" in nowhere.output   # no folder is made up
        assert not out.parent.exists()
        out.parent.mkdir()
        result = invoke("parties", "rdap-bootstrap", "--source", base, "--out", str(out))
        assert result.exit_code == 0, result.output
        from caseapp.parties.lookup import rdap

        assert rdap.load_bootstrap(out) and whoisit.is_bootstrapped()
        (folder / "ipv6.json").unlink()
        before = out.read_bytes()
        missing = invoke("parties", "rdap-bootstrap", "--source", base, "--out", str(out))
        assert missing.exit_code == 2 and "was not changed" in missing.output and out.read_bytes() == before
    finally:
        app.config["CASEAPP_FETCH_PRIVATE"] = False
        server.shutdown()


def test_lookup_due_looks_up_each_party_and_goes_on_after_a_failure(app, db_session, invoke, monkeypatch):
    from caseapp.core.errors import InvalidInput
    from caseapp.parties.lookup import chain
    from tests.parties.test_services import found

    ok = make_party(db_session, site="foto-mueller.de", street=None, postal_code=None, city=None)
    down = make_party(db_session, site="down.example", street=None, postal_code=None, city=None)
    db_session.flush()
    asked = []

    def fake_lookup(url, fetcher=None):
        asked.append(url)
        if "down.example" in url:
            raise InvalidInput(f"could not fetch {url}: [Errno 111] Connection refused")
        return found("foto-mueller.de")

    monkeypatch.setattr(chain, "lookup", fake_lookup)
    result = invoke("parties", "lookup-due", "--json", "--limit", "10000")
    assert result.exit_code == 0, result.output
    rows = {row["party_id"]: row for row in map(json.loads, result.output.splitlines())}
    assert "https://foto-mueller.de/" in asked and "https://down.example/" in asked
    assert rows[ok.id]["address_source"] == "legal_notice" and rows[ok.id]["commercial"] == "commercial"
    assert "Connection refused" in rows[down.id]["error"]
    db_session.refresh(ok)
    db_session.refresh(down)
    assert ok.street == "Hauptstr. 1" and ok.address_checked_at is not None
    assert down.address_checked_at is None           # tried again next time
