"""A batch's life: four eyes on the service, the command and the page; the SEPA file validates
and holds the right sums; statements read back; the ledger; the three-way reconciliation."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.ledger import services as ledger
from caseapp.ledger.models import BANK, BANK_FEES
from caseapp.payouts import reconcile, sepa, services
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.payouts.factories import DAY, collect, eur, give_account


def _setup(db_session):
    paid = make_client(db_session, "Anna Fotografin")
    give_account(db_session, paid)
    no_account = make_client(db_session, "Bert Bildner")
    case_a = make_case(db_session, lifecycle.COLLECTION, holder=paid)
    collect(db_session, case_a, "100.01")
    collect(db_session, make_case(db_session, lifecycle.COURT, holder=paid), "200.00")
    collect(db_session, make_case(db_session, lifecycle.COLLECTION, holder=no_account), "50.00")
    return paid, no_account, case_a


def test_four_eyes_states_export_and_statements(db_session, users, app, tmp_path):
    import xmlschema
    from pypdf import PdfReader

    from caseapp.core.filestore import FileStore

    paid, no_account, case_a = _setup(db_session)
    anton, lena = Actor.of(users["accountant"]), Actor.of(users["accountant2"])
    batch = services.draft(db_session, anton, DAY)
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    with pytest.raises(InvalidInput, match="not approved"):
        services.export(db_session, anton, batch.id, store, settings=app.config)
    with pytest.raises(InvalidInput, match="You drafted payout batch .* a second accountant"):
        services.approve(db_session, anton, batch.id)
    services.approve(db_session, lena, batch.id)
    result = services.export(db_session, anton, batch.id, store, settings=app.config)
    xml = next(content for name, content in result.files.items() if name.endswith(".xml"))
    xmlschema.XMLSchema(str(sepa.schema_path())).validate(xml.decode())
    text = xml.decode()
    # Anna: 70.01 + 100.00 = 170.01, less 19% VAT on 130.00 commission (24.70) = 145.31; Bert has no account.
    line = next(l for l in batch.lines if l.client_id == paid.id)
    assert line.client_share_minor - line.vat_minor == 14531
    assert "pain.001.001.09" in text and "<InstdAmt Ccy=\"EUR\">145.31</InstdAmt>" in text and "Bert" not in text
    assert [l.method for l in batch.lines if l.client_id == no_account.id] == ["manual"]
    assert not any(name.endswith(".pdf") for name in result.files)      # the export froze the records only
    statements = services.render_statements(db_session, store, batch.id, settings=app.config)
    assert len(statements) == 2 and all(line.statement_sha256 for line in batch.lines)
    statement = next(c for n, c in statements.items() if str(paid.id) in n)
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(statement)).pages)
    assert case_a.ref in words and "145.31" in words and "14(2)" in words
    assert batch.state == "exported"
    services.confirm(db_session, anton, batch.id)
    assert batch.state == "confirmed"
    assert ledger.balance(db_session, "client_payable", client_id=paid.id) == eur("0.00")
    assert sum(t.minor for t in ledger.totals(ledger.trial_balance(db_session)).values()) == 0


def test_commands(app, db_session, users, tmp_path):
    from caseapp.cli import main

    _setup(db_session)
    db_session.commit()
    runner = app.test_cli_runner()
    run = runner.invoke(main, ["payouts", "run", "--until", DAY.isoformat(), "--user", "accountant", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert {"batch", "state", "clients", "collected", "to_clients", "to_firm"} <= set(data)
    assert data["collected"] == "350.01" and data["state"] == "draft"
    batch = str(data["batch"])
    own = runner.invoke(main, ["payouts", "approve", batch, "--user", "accountant"])
    assert own.exit_code != 0 and "second accountant" in own.output and len(own.output.strip().splitlines()) == 1
    early = runner.invoke(main, ["payouts", "export", batch, "--out", str(tmp_path), "--user", "accountant"])
    assert early.exit_code != 0 and "not approved" in early.output
    handler = runner.invoke(main, ["payouts", "approve", batch, "--user", "handler"])
    assert handler.exit_code != 0 and "may not" in handler.output
    assert runner.invoke(main, ["payouts", "approve", batch, "--user", "accountant2"]).exit_code == 0
    out = runner.invoke(main, ["payouts", "export", batch, "--out", str(tmp_path), "--user", "accountant", "--json"])
    assert out.exit_code == 0, out.output
    files = json.loads(out.output)["files"]
    assert any(f.endswith(".xml") for f in files) and all((tmp_path / f.split("/")[-1]).exists() for f in files)
    assert len([f for f in files if f.endswith(".pdf")]) == 2         # the statements, rendered right after
    db_session.expire_all()
    assert all(line.statement_sha256 for line in services.get_batch(db_session, int(batch)).lines)
    assert runner.invoke(main, ["payouts", "confirm", batch, "--user", "accountant"]).exit_code == 0


def test_pages_respect_four_eyes(client_as, db_session, users):
    _setup(db_session)
    db_session.commit()
    anton = client_as("accountant")
    assert anton.get("/").headers["Location"].endswith("/payouts/")     # the accountant's home
    response = anton.post("/payouts/run", data={"until": DAY.isoformat()})
    batch_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = anton.get(f"/payouts/{batch_id}").get_data(as_text=True)
    assert "You drafted this batch" in page and "Approve</button>" not in page
    anton.post(f"/payouts/{batch_id}/approve",
               data={"version_seen": str(services.get_batch(db_session, batch_id).version)})
    assert services.get_batch(db_session, batch_id).state == "draft"
    lena = client_as("accountant2")
    assert "Approve</button>" in lena.get(f"/payouts/{batch_id}").get_data(as_text=True)
    version = str(services.get_batch(db_session, batch_id).version)
    lena.post(f"/payouts/{batch_id}/approve", data={"version_seen": version})
    db_session.expire_all()
    assert services.get_batch(db_session, batch_id).state == "approved"
    assert client_as("handler").get("/payouts/").status_code == 403


def test_reconciliation_agrees_then_finds_planted_differences(db_session, users, app):
    from caseapp.cli import main

    paid, no_account, case_a = _setup(db_session)
    anton, lena = Actor.of(users["accountant"]), Actor.of(users["accountant2"])
    batch = services.draft(db_session, anton, DAY)
    services.approve(db_session, lena, batch.id)
    from caseapp.core.filestore import FileStore
    services.export(db_session, anton, batch.id, FileStore(app.config["CASEAPP_FILESTORE_PATH"]), settings=app.config)
    # Exported, not yet executed by the bank: the statement shows the 350.01 in and no transfer out,
    # the ledger has not booked the transfer either: nothing is in transit.
    statement = eur("350.01")
    assert services.in_transit(db_session, date(2026, 10, 31), {}) == eur("0.00")
    clean = reconcile.reconcile(db_session, "2026-10", statement)
    assert clean.agreed, clean.as_data()
    assert clean.bank_client_money == clean.ledger_client_money == clean.clients_sum
    row = reconcile.sign_off(db_session, anton, "2026-10", statement)
    assert row.agreed and row.signed_by == "accountant"

    # A bank fee the bank charged, not booked: the bank holds less than the ledger says.
    fee = reconcile.reconcile(db_session, "2026-10", statement - eur("4.90"))
    assert not fee.agreed and fee.differences[0].amount == eur("-4.90")
    # A payment booked to the wrong client.
    collect(db_session, case_a, "10.00", client_id=no_account.id, day=date(2026, 10, 22))
    wrong = reconcile.reconcile(db_session, "2026-10", statement + eur("10.00"))
    assert not wrong.agreed
    assert any("wrong client" in d.what and d.entries and d.entries[0].client_id == no_account.id
               for d in wrong.differences)
    with pytest.raises(InvalidInput, match="Note"):
        reconcile.sign_off(db_session, anton, "2026-10", statement + eur("10.00"))
    # Booking the fee makes the bank agree again.
    ledger.post(db_session, anton, kind="bank_fee", description="fee", booked_on=DAY,
                lines=[ledger.debit(BANK_FEES, eur("4.90")), ledger.credit(BANK, eur("4.90"))])
    assert not [d for d in reconcile.reconcile(db_session, "2026-10", statement + eur("5.10")).differences
                if "bank holds" in d.what]
    db_session.commit()
    result = app.test_cli_runner().invoke(main, ["ledger", "reconcile", "--month", "2026-10", "--bank-balance",
                                                 "1.00", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["agreed"] is False


def test_a_sepa_file_that_breaks_the_schema_is_refused():
    from types import SimpleNamespace

    line = SimpleNamespace(holder="Anna Fotografin", client_name="Anna Fotografin", iban="DE89370400440532013000",
                           bic="COBADEFFXXX", client_share_minor=14531, vat_minor=0, statement_number="GS-1-1",
                           client_id=1)
    settings = {"CASEAPP_FIRM_IBAN": "DE02120300000000202051", "CASEAPP_FIRM_NAME": "Bildrecht Demo GmbH"}
    xml = sepa.transfer_file(SimpleNamespace(id=1, currency="EUR"), [line], settings, execution_date=DAY)
    sepa.validate(xml)
    broken = xml.replace(b'<InstdAmt Ccy="EUR">145.31</InstdAmt>', b'<InstdAmt Ccy="EUR">145.3.1</InstdAmt>')
    assert broken != xml
    with pytest.raises(InvalidInput, match=r"does not validate against pain.001.001.09: Element 'InstdAmt': '145.3.1' is not a valid value .* "
                       r"at /Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt\.$"):
        sepa.validate(broken)
    with pytest.raises(InvalidInput, match="not well-formed"):
        sepa.validate(xml[:-20])
