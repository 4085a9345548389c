"""Demo bank statements: a camt.053.001.08 file with payments of demo cases (by reference, some
written with spaces or in lower case; one by amount and payer name), unmatched credits and a
return. Its first statement is imported (so the ledger has collections for a payout batch); the
whole file stays in the instance folder (instance/demo/camt053-demo.xml) for the accountant to
import: the first statement's entries are then reported as imported before, the rest is booked.

The demo's client-money account opens at 0.00: it is opened for the firm's client money, so
every cent on it came in through the statements the ledger books. (A balance brought over from
an older system would belong to clients and be booked to them; a lump nobody owns is what the
month's reconciliation must find, and does: "an opening balance not booked".)"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from caseapp.cases import lifecycle, services as cases
from caseapp.core.demo import Demo
from caseapp.core.money import Money
from caseapp.payments import services
from caseapp.payments.statements import Line, write_camt053

FIRM_IBAN = "DE89370400440532013000"
PAYER_IBANS = ("DE02120300000000202051", "DE02500105170137075030", "DE12500105170648489890",
               "DE02100500000054540402", "DE75512108001245126199", "DE02300209000106531065")


def _variant(ref: str, n: int) -> str:
    year, number = ref[2:6], ref[7:]
    return (ref, f"c {year} {number}", f"c{year}{number}", f"Rechnung {ref.lower()} danke")[n % 4]


def _folder() -> Path:
    from flask import current_app, has_app_context

    root = Path(current_app.config["CASEAPP_INSTANCE_PATH"]) if has_app_context() else Path("instance")
    return root / "demo"


def load(demo: Demo) -> None:
    session, today = demo.session, demo.today
    by_stage = {stage: list(cases.list_cases(session, stage=stage, limit=6))
                for stage in (lifecycle.SETTLED, lifecycle.PAID, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT)}
    day1, day2 = today - timedelta(days=9), today - timedelta(days=2)
    first, second = [], []
    n = 0
    for stage in (lifecycle.SETTLED, lifecycle.PAID):
        for case in by_stage[stage][:3]:
            first.append(Line(Money(case.claimed_minor, case.currency), day1, case.party.name, PAYER_IBANS[n % 6],
                              _variant(case.ref, n), f"DEMO-{case.ref}", f"E2E-{case.ref}"))
            n += 1
    for case in by_stage[lifecycle.OFFER_SENT][:2]:      # part-payments: the claim stays partly due
        second.append(Line(Money(case.claimed_minor // 2, case.currency), day2, case.party.name, PAYER_IBANS[n % 6],
                           _variant(case.ref, n), f"DEMO-{case.ref}-1"))
        n += 1
    if by_stage[lifecycle.REMINDER_SENT]:                # no reference: found by amount and payer name
        case = by_stage[lifecycle.REMINDER_SENT][0]
        owed = services.due_on(session, case)
        second.append(Line(owed.costs + owed.claim, day2, case.party.name.upper(), PAYER_IBANS[n % 6],
                           "Zahlung Bildlizenz", f"DEMO-NAME-{case.ref}"))
    second.append(Line(Money.parse("120.00", "EUR"), day2, "Unbekannt Media UG", "DE44500105175407324931",
                       "Lizenz Foto Juni", "DEMO-UNMATCHED-1"))
    second.append(Line(Money.parse("89.90", "EUR"), day2, "Max Mustermann", "DE27100777770209299700",
                       "Ihre Nachricht vom 3.", "DEMO-UNMATCHED-2"))
    if first:                                             # the bank takes one payment back
        back = first[0]
        second.append(Line(back.amount, day2, back.name, back.iban, "Ruecklastschrift", "DEMO-RETURN-1",
                           back.end_to_end_id, direction="debit", reversal=True, return_reason="MD06"))
    opening = Money.zero("EUR")          # a new client-money account (see above)
    statement1 = {"id": f"DEMO-{day1.isoformat()}", "iban": FIRM_IBAN, "currency": "EUR", "opening": opening,
                  "closing_on": day1, "lines": first}
    closing1 = opening.minor + sum(l.amount.minor for l in first)
    statement2 = {"id": f"DEMO-{day2.isoformat()}", "iban": FIRM_IBAN, "currency": "EUR",
                  "opening": Money(closing1, "EUR"), "closing_on": day2, "lines": second}
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "camt053-demo.xml").write_bytes(write_camt053([statement1, statement2], message_id="DEMO-ALL"))
    imported = write_camt053([statement1], message_id="DEMO-FIRST")
    result = services.import_statement(session, demo.store, demo.actor, imported, filename="camt053-demo-first.xml",
                                       today=today)
    demo.counts["payments"] = result.count("matched")
