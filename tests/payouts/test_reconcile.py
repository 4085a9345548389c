"""The three-way reconciliation on the demo data (TODAY 2026-11-23; the demo's payments are booked
on 2026-11-14 and 2026-11-21): the rest of the demo statement file imported, a batch drafted,
approved by a second accountant and exported, the month agrees; a statement shows the transfers,
the batch is confirmed, it still agrees; planted differences (a bank fee not booked, a payment
booked to the wrong client) are found to the cent with the line or entry behind them."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payments import services as payments
from caseapp.payments.demo import FIRM_IBAN
from caseapp.payments.statements import Line, write_camt053
from caseapp.payouts import reconcile, services
from tests.conftest import TODAY

MONTH = "2026-11"
TRANSFER_DAY = date(2026, 11, 25)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def demo_file(app) -> Path:
    return Path(app.config["CASEAPP_INSTANCE_PATH"]) / "demo" / "camt053-demo.xml"


def import_file(db_session, app, data: bytes, name: str):
    return payments.import_statement(db_session, FileStore(app.config["CASEAPP_FILESTORE_PATH"]),
                                     Actor.system("payments import"), data, filename=name, today=TODAY)


def statement_after(db_session, ref: str, day: date, lines: list[Line]) -> bytes:
    """The next statement of the firm's client-money account: it opens where the last one closed."""
    opening = payments.bank_statement_balance(db_session, day, FIRM_IBAN)
    return write_camt053([{"id": ref, "iban": FIRM_IBAN, "currency": "EUR", "opening": opening, "closing_on": day,
                           "lines": lines}], message_id=ref)


def month(db_session):
    return reconcile.reconcile(db_session, MONTH, account=FIRM_IBAN)


def assert_agrees(result):
    assert result.agreed, result.as_data()
    assert result.bank_client_money == result.ledger_client_money == result.clients_sum


@pytest.fixture()
def exported(app, db_session, users):
    """The demo after importing the whole demo file and a batch run, approved and exported."""
    result = import_file(db_session, app, demo_file(app).read_bytes(), "camt053-demo.xml")
    assert result.count("matched") and result.count("duplicate")     # its first statement was imported before
    anton, lena = Actor.of(users["accountant"]), Actor.of(users["accountant2"])
    batch = services.draft(db_session, anton, TODAY)
    services.approve(db_session, lena, batch.id)
    services.export(db_session, anton, batch.id, FileStore(app.config["CASEAPP_FILESTORE_PATH"]), settings=app.config,
                    execution_date=TRANSFER_DAY)
    return batch, anton


def transfers_on_statement(db_session, batch) -> list[Line]:
    """What the bank shows once it executed the SEPA file (and the accountant the manual transfers,
    with the credit note's number in the reference)."""
    out = []
    for line in batch.lines:
        amount = Money(line.client_share_minor - line.vat_minor, "EUR")
        if line.method == "sepa":
            e2e = services.end_to_end_id(batch.id, line.client_id)
            out.append(Line(amount, TRANSFER_DAY, line.holder, line.iban, f"Payout batch {batch.id}", f"OUT-{e2e}",
                            e2e, direction="debit"))
        else:
            out.append(Line(amount, TRANSFER_DAY, line.client_name, None, f"Gutschrift {line.statement_number}",
                            f"OUT-MANUAL-{line.client_id}", direction="debit"))
    return out


def test_agrees_after_the_demo_file_and_a_batch_at_every_state(app, db_session, exported):
    batch, anton = exported
    assert {line.method for line in batch.lines} == {"sepa", "manual"}     # both kinds of transfer
    # Exported: neither the statement nor the ledger shows the transfers; the firm's share is in the account.
    result = month(db_session)
    assert_agrees(result)
    assert result.bank_statement == payments.bank_statement_balance(db_session, date(2026, 11, 30), FIRM_IBAN)
    assert result.in_transit == eur("0.00") and not result.transit_items
    assert result.firm_money == Money(batch.commission_minor + batch.vat_minor, "EUR")
    assert result.firm_parts["revenue"] == Money(batch.commission_minor, "EUR")
    assert result.bank_client_money == result.bank_statement - result.firm_money

    # The bank executed the transfers; the batch is not confirmed yet: the ledger still holds them.
    shown = import_file(db_session, app, statement_after(db_session, "DEMO-TRANSFERS", TRANSFER_DAY,
                                                         transfers_on_statement(db_session, batch)), "out.xml")
    assert shown.count("other_debit") == len(batch.lines)
    result = month(db_session)
    assert_agrees(result)
    assert result.in_transit == Money(batch.to_clients_minor, "EUR")
    assert {(t.batch_id, t.client_id) for t in result.transit_items} == {(batch.id, l.client_id) for l in batch.lines}

    # Confirmed on the statement's day: nothing in transit; still agrees.
    services.confirm(db_session, anton, batch.id, booked_on=TRANSFER_DAY)
    result = month(db_session)
    assert_agrees(result)
    assert result.in_transit == eur("0.00")
    assert ledger.balance(db_session, "client_payable", until=date(2026, 11, 30)) == eur("0.00")


def test_confirmed_before_the_statement_shows_it_is_in_transit_the_other_way(app, db_session, exported):
    batch, anton = exported
    services.confirm(db_session, anton, batch.id, booked_on=TRANSFER_DAY)
    result = month(db_session)
    assert_agrees(result)
    assert result.in_transit == Money(-batch.to_clients_minor, "EUR")   # the bank still holds it


def test_a_bank_fee_nobody_booked_is_a_difference_with_its_statement_line(app, db_session, exported, users):
    batch, anton = exported
    fee = Line(eur("4.90"), date(2026, 11, 30), "Demo Bank", None, "Kontofuehrung November", "FEE-2026-11",
               direction="debit")
    import_file(db_session, app, statement_after(db_session, "DEMO-FEES", date(2026, 11, 30), [fee]), "fee.xml")
    result = month(db_session)
    assert not result.agreed
    assert [d.amount for d in result.differences] == [eur("-4.90")]
    (difference,) = result.differences
    assert [(l.amount, l.reference, l.booked) for l in difference.lines] == [(eur("4.90"), "FEE-2026-11", False)]
    assert result.bank_client_money - result.ledger_client_money == eur("-4.90")
    assert result.ledger_client_money == result.clients_sum                # the clients' money is not touched
    with pytest.raises(InvalidInput, match="Note"):
        reconcile.sign_off(db_session, anton, MONTH, account=FIRM_IBAN)

    # The accountant books it: the firm pays it from its own money in the account; the month agrees.
    booked = payments.book_debit(db_session, anton, difference.lines[0].payment_id, "fee")
    assert {(e.account, e.amount_minor) for e in booked.entries} == {("bank_fees", 490), ("bank", -490)}
    with pytest.raises(InvalidInput, match="booked already"):
        payments.book_debit(db_session, anton, difference.lines[0].payment_id, "fee")
    result = month(db_session)
    assert_agrees(result)
    assert result.firm_parts["bank_fees"] == eur("-4.90")
    assert result.firm_money == Money(batch.commission_minor + batch.vat_minor - 490, "EUR")
    row = reconcile.sign_off(db_session, anton, MONTH, account=FIRM_IBAN)
    assert row.agreed and row.figures["differences"] == []


def test_a_payment_booked_to_the_wrong_client_is_a_difference_with_its_entry(app, db_session, exported, users):
    from caseapp.cases import lifecycle, services as cases

    batch, anton = exported
    unmatched = next(p for p in payments.unmatched_payments(db_session) if p.amount_minor == 12000)   # 120.00
    case = list(cases.list_cases(db_session, stage=lifecycle.OFFER_SENT, limit=1))[0]
    other = next(c for c in cases.list_cases(db_session, limit=100) if c.client_id != case.client_id)
    # Taken out of suspense to the case, but to another client's name.
    ledger.post(db_session, anton, kind="payment_applied", booked_on=date(2026, 11, 22), case_id=case.id,
                description=f"{case.ref}: payment {unmatched.id} by hand", source=f"payment {unmatched.id}",
                lines=[ledger.debit("suspense", eur("120.00")),
                       ledger.credit("collected", eur("120.00"), case_id=case.id, client_id=other.client_id)])
    result = month(db_session)
    assert not result.agreed
    assert result.bank_client_money == result.ledger_client_money       # the bank side still agrees
    (difference,) = result.differences
    assert "wrong client" in difference.what and difference.amount == eur("120.00")
    assert [(e.account, e.case_id, e.client_id, e.amount) for e in difference.entries] == [
        ("collected", case.id, other.client_id, eur("-120.00"))]
    data = result.as_data()
    assert data["differences"][0]["entries"][0]["client"] == other.client_id


def test_the_command_agrees_on_the_demo_after_the_file_and_a_batch(app, db_session, tmp_path):
    from caseapp.cli import main

    db_session.commit()
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("payments", "import", str(demo_file(app)), "--user", "accountant")
    batch = json.loads(run("payouts", "run", "--until", TODAY.isoformat(), "--user", "accountant", "--json"))["batch"]
    run("payouts", "approve", str(batch), "--user", "accountant2")
    run("payouts", "export", str(batch), "--out", str(tmp_path / "out"), "--user", "accountant")
    data = json.loads(run("ledger", "reconcile", "--month", MONTH, "--json"))
    assert data["agreed"] is True, data
    assert data["bank_client_money"] == data["ledger_client_money"] == data["clients_sum"]
    assert data["in_transit"] == "0.00" and data["differences"] == []
    text = run("ledger", "reconcile", "--month", MONTH)
    assert "they agree." in text and "the firm's own: revenue" in text


def test_the_command_books_a_fee(app, db_session, users):
    from caseapp.cli import main

    fee = Line(eur("2.50"), date(2026, 11, 22), "Demo Bank", None, "Entgelt", "FEE-CLI", direction="debit")
    import_file(db_session, app, statement_after(db_session, "DEMO-FEE-CLI", date(2026, 11, 22), [fee]), "f.xml")
    (line,) = [d for d in payments.other_debits(db_session, TODAY, account=FIRM_IBAN) if d.reference == "FEE-CLI"]
    db_session.commit()
    runner = app.test_cli_runner()
    handler = runner.invoke(main, ["payments", "book-debit", str(line.payment_id), "--as", "fee", "--user", "handler"])
    assert handler.exit_code != 0 and "may not" in handler.output
    done = runner.invoke(main, ["payments", "book-debit", str(line.payment_id), "--as", "fee", "--user", "accountant", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["amount"] == "2.50"
    again = runner.invoke(main, ["payments", "book-debit", str(line.payment_id), "--as", "fee", "--user", "accountant"])
    assert again.exit_code != 0 and "booked already" in again.output


def test_the_page_shows_each_term_and_the_fee_line(app, db_session, exported, client_as):
    batch, _anton = exported
    fee = Line(eur("4.90"), date(2026, 11, 30), "Demo Bank", None, "Kontofuehrung November", "FEE-PAGE",
               direction="debit")
    import_file(db_session, app, statement_after(db_session, "DEMO-FEE-PAGE", date(2026, 11, 30), [fee]), "p.xml")
    db_session.commit()
    page = client_as("accountant").get(f"/payouts/reconciliation?month={MONTH}").get_data(as_text=True)
    assert "in transit" in page and "VAT on the commission" in page and "1 difference(s)." in page
    assert "Kontofuehrung November" in page and "book-debit" in page and "a bank fee</button>" in page
    # one click books it (a handler cannot), and the month agrees
    (line,) = [d for d in payments.other_debits(db_session, date(2026, 11, 30), account=FIRM_IBAN)
               if d.reference == "FEE-PAGE"]
    assert client_as("handler").post(f"/payments/{line.payment_id}/book", data={"as": "fee"}).status_code == 403
    done = client_as("accountant").post(f"/payments/{line.payment_id}/book", data={"as": "fee", "month": MONTH},
                                        follow_redirects=True).get_data(as_text=True)
    assert "booked as a bank fee" in done and "The three agree." in done


def test_a_refund_in_transit_and_the_firm_moving_its_money_to_the_office_account(app, db_session, exported):
    """Month-end moves, in the order of the statements: a refund recorded is in transit until the
    statement shows it paid; the commission and VAT leave for the office account (booked from its
    statement line)."""
    from caseapp.cases import lifecycle
    from tests.cases.factories import make_case

    batch, anton = exported
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    pay = Line(eur("112.00"), date(2026, 11, 26), "Over Payer", "DE02100500000054540402", case.ref, "OVER-1")
    import_file(db_session, app, statement_after(db_session, "DEMO-OVER", date(2026, 11, 26), [pay]), "p.xml")
    payments.refund(db_session, anton, case.ref, today=date(2026, 11, 27))
    result = month(db_session)
    assert_agrees(result)
    assert [(r.case_ref, r.in_transit) for r in result.refund_items] == [(case.ref, eur("-12.00"))]
    assert result.in_transit == eur("-12.00")
    back = Line(eur("12.00"), date(2026, 11, 28), "Over Payer", "DE02100500000054540402",
                f"Refund of overpayment {case.ref}", "REFUND-1", direction="debit")
    import_file(db_session, app, statement_after(db_session, "DEMO-REFUND", date(2026, 11, 28), [back]), "r.xml")
    result = month(db_session)
    assert_agrees(result)
    assert result.refund_items == [] and result.in_transit == eur("0.00")

    firm_money = result.firm_money
    assert firm_money.minor > 0
    out = Line(firm_money, date(2026, 11, 30), "caseapp GmbH Geschaeftskonto", "DE12500105170648489890",
               "Provision und USt November", "OFFICE-2026-11", direction="debit")
    import_file(db_session, app, statement_after(db_session, "DEMO-OFFICE", date(2026, 11, 30), [out]), "o.xml")
    assert [d.amount for d in month(db_session).differences] == [firm_money * -1]
    (line,) = [d for d in payments.other_debits(db_session, date(2026, 11, 30), account=FIRM_IBAN)
               if d.reference == "OFFICE-2026-11"]
    payments.book_debit(db_session, anton, line.payment_id, "office")
    result = month(db_session)
    assert_agrees(result)
    assert result.firm_money == eur("0.00") and result.firm_parts["office_transfers"] == firm_money * -1
