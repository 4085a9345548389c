"""Every `caseapp` command, every option and argument, with hostile values.

The commands are discovered from the click group (caseapp.cli.main) recursively, so a new
command is walked as soon as it exists: it needs a valid invocation in BASELINES (or a reason
in SKIPPED), else test_every_command_is_walked fails. For each parameter, each value of HOSTILE
replaces the baseline's value, and the command must either refuse it cleanly or succeed
harmlessly:

- no traceback, and no exception other than click's exit (SystemExit);
- refused: exit status not 0, at most three lines on stderr ('Usage', 'Try', 'Error: ...' as
  click prints a usage error, or one 'Error: ...' line), naming the option or argument;
- refused or accepted: the database is unchanged (every table, row by row), unless the value is
  a legitimate one for that parameter (ACCEPTED, with the reason).

Each invocation runs in a transaction that is rolled back afterwards (the commands' commits
become savepoints, as in the db_session fixture); the `db` commands, which open their own
connections, run on a database of their own."""
from __future__ import annotations

import hashlib
import http.server
import threading
from datetime import date
from functools import partial

import click
import pytest
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import MetaData, select

from caseapp.cli import main

# What a careless or hostile user types, by kind.
HOSTILE = {
    "empty": "",
    "huge": "1" + "0" * 30,
    "unicode_digits": "١٢٣",
    "negative": "-5",
    "wrong_type": "abc",
    "missing_path": "/nonexistent/caseapp/nothing-here.jsonl",
    "directory": "{tmp}",            # a directory where a file or a value is expected
    "not_a_number": "nan",           # float() reads it, and no comparison with it is ever true
}
FREE_TEXT = set(HOSTILE) - {"empty"}

# Commands not walked, each with its reason.
SKIPPED = {
    "serve": "runs a web server until it is stopped; --port, --workers, --threads and --timeout are WholeNumber "
             "ranges checked by click (tests/test_serve.py starts it, with and without --workers)",
    "demo": "loads hundreds of cases by design (minutes); its options are IntRanges checked by click",
    "worker": "runs a Celery worker until it is stopped; without a broker it refuses in one line (tests/core/test_jobs.py)",
    "beat": "runs the scheduler until it is stopped; without a broker it refuses in one line (tests/core/test_jobs.py)",
    "jobs probe": "queues a job that commits in a session of its own (a worker's or a thread's), outside the walk's "
                  "rolled-back transaction; its options are a path and an IntRange checked by click (tests/core/test_jobs.py)",
}

# Commands that open their own database connections: walked on a database of their own.
OWN_DATABASE = {"db upgrade", "db check"}

# A valid invocation of each command: parameter name -> value (a list for nargs=-1, True for a flag).
# '{tmp}', '{empty_dir}', '{empty_jsonl}', '{page}' are filled in by the fixture.
BASELINES = {
    "cases list": {},
    "jobs list": {"kind": "core.probe", "state": "done", "limit": "5", "as_json": True},
    "jobs show": {"job_id": "{job}"},
    "cases reopen": {"ref": "{case}", "reason": "The bank returned the payment", "login": "handler",
                     "today": "2026-11-23"},
    "audit list": {"case_ref": "{case}", "login": "handler", "kind": "case.stage_changed", "since": "2025-01-01",
                   "until": "2026-11-23", "limit": "5", "as_json": True},
    "audit kinds": {},
    "ledger balance": {"until": "2026-11-23", "as_json": True},
    "reports show": {"country": "DE", "client_id": "1", "as_json": True},
    "payments import": {"file": "{statement}", "login": "accountant", "as_json": True},
    "payments assign": {"payment_id": "{payment}", "case_ref": "{case}", "login": "accountant"},
    "payments refund": {"case_ref": "{case}", "login": "accountant"},
    "payments book-debit": {"payment_id": "{fee}", "kind": "fee", "login": "accountant", "as_json": True},
    "ledger reconcile": {"month": "2026-11", "bank_balance": "{bank}", "as_json": True},
    "payouts run": {"until": "2026-11-23", "login": "accountant", "as_json": True},
    "payouts approve": {"batch_id": "{batch}", "login": "accountant2", "as_json": True},
    "payouts export": {"batch_id": "{batch}", "out": "{tmp}/payouts", "login": "accountant", "as_json": True},
    "payouts confirm": {"batch_id": "{batch}", "login": "accountant", "as_json": True},
    "deadline": {"country": "DE", "subdivision": "NW", "start": "2026-05-21", "days": "14"},
    "escalate": {"today": "2026-11-23", "dry_run": True},
    "filings routes": {"ref": "{filing_case}", "as_json": True, "today": "2026-11-23"},
    "filings render": {"ref": "{filing_case}", "route_id": "mahnverfahren", "out": "{tmp}/filing", "login": "lawyer",
                       "today": "2026-11-23"},
    "letters render": {"ref": "{case}", "kind": "offer", "out": "{tmp}/letter.pdf", "today": "2026-11-23"},
    "letters issue": {"ref": "{case}", "kind": "offer", "today": "2026-11-23"},
    "letters send": {"letter_id": "{letter}", "channel": "post", "today": "2026-11-23"},
    "clients add": {"name": "Walk Foto", "country": "DE"},
    "clients show": {"client_id": "1", "as_json": True},
    "clients contract": {"client_id": "1", "out_of_court": "55", "in_court": "50"},
    "clients mandate": {"client_id": "1", "file": "{mandate}", "signed_on": "2026-01-05"},
    "clients bank request": {"client_id": "{client}", "iban": "DE89370400440532013000", "holder": "Walk Foto",
                             "login": "accountant"},
    "clients bank confirm": {"account_id": "{account}", "login": "admin"},
    "clients bank reject": {"account_id": "{account}", "login": "admin", "reason": "wrong IBAN"},
    "db check": {},
    "db upgrade": {"revision": "head"},
    "feasibility amount": {"country": "DE", "usage": "web-commercial", "months": "14"},
    "feasibility assess": {"country": "DE", "amount": "450.00", "currency": "EUR", "infringed_on": "2026-02-01",
                           "today": "2026-11-22"},
    "feasibility check": {},
    "feasibility docs": {},
    "evidence check-due": {"dry_run": True},
    "evidence export": {"capture_id": "{capture}", "out": "{tmp}/evidence-export"},
    "evidence verify-store": {},
    "evidence capture": {"url": "{page}", "out": "{tmp}/evidence-log", "as_json": True},
    "evidence verify": {"folder": "{evidence_log}"},
    "hits apply-rules": {"dry_run": True},
    "hits fetch": {"urls": ["{page}"], "workers": "0"},
    "hits ingest": {"path": "{empty_jsonl}", "workers": "0"},
    "parties lookup": {"url": "{page}", "as_json": True},
    "infringers lookup": {"url": "{page}", "as_json": True},
    "parties lookup-due": {"limit": "5", "dry_run": True, "as_json": True},
    "parties rdap-bootstrap": {"source": "{rdap}", "out": "{tmp}/rdap-bootstrap.json"},
    "parties merge": {"keep_id": "{keep}", "other_id": "{other}", "login": "handler"},
    "hits whitelist": {"site": "walk.example.com", "client_id": "1", "dry_run": True},
    "roles matrix": {},
    "roles sync": {},
    "tokens create": {"login": "crawler", "name": "walk"},
    "tokens revoke": {"token_id": "{token}"},
    "users create": {"login": "walker", "role": "CaseHandler", "password": "Walk-the-line-2026"},
    "works import": {"folder": "{empty_dir}", "client_id": "1"},
    "works delete": {"work_ids": ["{work}"], "yes": True},
    "works reindex": {"force": True, "as_json": True},
    "works warm": {"as_json": True},
    "works edit": {"work_ids": ["{work}"], "title_prefix": "Walk "},
    "works show": {"work_id": "1"},
    "works evidence": {"work_id": "1", "published_url": "https://walk.example/p/1", "published_on": "2020-05-01",
                       "country": "US", "us_registration": "VA 2-123-456", "us_registered_on": "2020-06-01",
                       "us_applied_on": "2020-05-20", "agencies": "Walk Agency", "login": "handler"},
    "works sale": {"work_id": "1", "sold_on": "2024-03-01", "licensee": "Walk GmbH", "usage": "web, 1 year",
                   "currency": "EUR", "price": "120.00", "login": "handler"},
    "works verify": {"work_id": "1", "evidence": "RAW file from the camera", "despite": "walked",
                     "login": "handler"},
    "works dispute": {"work_id": "1", "reason": "The recipient says it is a stock photo", "login": "handler"},
    "works resolve": {"conflict_id": "{conflict}", "owner_work_id": "{owner}", "reason": "RAW file shown",
                      "login": "handler"},
    "settlements offer": {"ref": "{case}", "amount": "400.00", "side": "recipient", "note": "walk",
                          "made_on": "2026-11-23", "login": "handler"},
    "settlements accept": {"ref": "{case}", "offer_id": "{offer}", "consent_by": "Anna", "consent_how": "e-mail",
                           "consent_on": "2026-11-20", "login": "handler"},
    "settlements reject": {"ref": "{case}", "offer_id": "{offer}", "note": "too low", "login": "handler"},
    "settlements record": {"ref": "{case}", "amount": "400.00", "covers": "work 1", "agreed_on": "2026-11-23",
                           "instalments": "3", "first_due": "2026-12-01", "consent_by": "Anna",
                           "consent_how": "phone", "consent_on": "2026-11-20", "today": "2026-11-23",
                           "login": "handler"},
    "gdpr export": {"party_id": "1", "out": "{tmp}/party-1.json", "login": "admin"},
    "gdpr purge": {"dry_run": True, "as_json": True, "today": "2026-11-23", "login": "admin"},
    "settlements show": {"ref": "{case}", "today": "2026-11-23", "as_json": True, "login": "handler"},
    "court record": {"ref": "{case}", "route_id": "court", "court_name": "Amtsgericht Köln",
                     "court_address": "Luxemburger Straße 101|50939 Köln", "procedure": "Klage",
                     "file_number": "123 C 45/26", "filed_on": "2026-11-20", "login": "lawyer"},
    "court cost": {"ref": "{case}", "kind": "court_fee", "amount": "38.00", "paid_on": "2026-11-20", "login": "lawyer"},
    "court hearing": {"ref": "{case}", "at": "2027-01-12T10:00+01:00", "place": "Saal 7", "note": "walk",
                      "login": "lawyer"},
    "court deadline": {"ref": "{case}", "due_on": "2027-01-05", "what": "Reply to the defence", "login": "lawyer"},
    "court decision": {"ref": "{case}", "decided_on": "2026-11-22", "outcome": "won", "awarded": "450.00",
                       "costs_awarded": "38.00", "login": "lawyer"},
    "court enforce": {"ref": "{case}", "kind": "bailiff", "taken_on": "2026-11-23", "note": "walk", "amount": "10.00",
                      "login": "lawyer"},
    "court list": {"as_json": True},
    "court calendar": {"out": "{tmp}/court.ics", "since": "2026-11-23"},
    "settlements cancel": {"ref": "{case}", "reason": "second instalment not paid", "to_stage": "collection",
                           "today": "2026-11-23", "login": "handler"},
}



def _an_evidence_log(session) -> dict:
    """A log folder with one capture in it (made without a browser), for `evidence verify`."""
    import tempfile
    from datetime import datetime, timezone
    from pathlib import Path

    from caseapp.evidence.capture import Captured
    from caseapp.evidence.manifest import write_capture

    folder = Path(tempfile.mkdtemp(prefix="evidence-log-"))
    write_capture(folder, Captured(url="https://walk.example/", final_url="https://walk.example/", status=200,
                                   headers=[], captured_at=datetime.now(timezone.utc),
                                   files={"page.html": b"<p>walk</p>"}, exchanges=[]))
    return {"evidence_log": str(folder)}


def _a_capture(session) -> dict:
    """A stored evidence capture (made without a browser), for `evidence export`."""
    from datetime import datetime, timezone

    from flask import current_app

    from caseapp.core.audit import Actor
    from caseapp.core.filestore import FileStore
    from caseapp.evidence.capture import Captured
    from caseapp.evidence.services import record_capture

    captured = Captured(url="https://walk.example/", final_url="https://walk.example/", status=200, headers=[],
                        captured_at=datetime.now(timezone.utc), exchanges=[],
                        files={"page.warc.gz": b"w", "screenshot.png": b"s", "page.html": b"h", "exchanges.json": b"[]"})
    row = record_capture(session, Actor.system("walk"), FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]),
                         captured, kind="on_demand")
    return {"capture": str(row.id)}


def _a_closed_case(session) -> dict:
    """A case closed from offer sent (to reopen)."""
    from caseapp.cases import lifecycle
    from caseapp.cases.models import Case
    from caseapp.cases.services import change_stage
    from caseapp.core.audit import Actor

    case = session.scalars(select(Case).where(Case.stage == "offer_sent").order_by(Case.id)).first()
    change_stage(session, Actor.system("walk"), case, lifecycle.CLOSED, today=date(2026, 11, 23), reason="duplicate")
    return {"case": case.ref}


def _a_job(session) -> dict:
    from caseapp.core import jobs

    job = jobs.create(session, "core.probe", started_by=None, total=3)
    session.flush()
    return {"job": str(job.id)}


def _a_token(session) -> dict:
    from caseapp.core import tokens
    from caseapp.core.audit import Actor
    from flask import current_app

    user = current_app.appbuilder.sm.find_user(username="crawler")
    row, _text = tokens.issue(session, Actor.system("walk"), name="walk", user_id=user.id)
    session.flush()
    return {"token": str(row.id)}


def _a_client(session) -> dict:
    from caseapp.clients.services import add_client
    from caseapp.core.audit import Actor

    return {"client": str(add_client(session, Actor.system("walk"), name="Walk", country="DE").id)}


def _duplicate_parties(session) -> dict:
    """Two parties with one VAT ID (to merge)."""
    from caseapp.core.audit import Actor
    from caseapp.parties.services import add_party

    keep, other = (add_party(session, Actor.system("walk"), name=f"Walk {n} GmbH", country="DE") for n in (1, 2))
    keep.vat_id = other.vat_id = "DE136695976"
    session.flush()
    return {"keep": str(keep.id), "other": str(other.id)}


def _a_pending_account(session) -> dict:
    from caseapp.clients.banking import request_account
    from caseapp.core.audit import Actor
    from flask import current_app

    client = _a_client(session)["client"]
    user = current_app.appbuilder.sm.find_user(username="accountant")
    account = request_account(session, Actor.of(user), int(client), "Walk", "DE89370400440532013000")
    return {"client": client, "account": str(account.id)}


def _a_work(session) -> dict:
    """A work no case names (a copy of the first work's row; its files are the first's)."""
    from caseapp.clients.models import Work

    template = session.scalars(select(Work).order_by(Work.id).limit(1)).first()
    work = Work(client_id=template.client_id, title="walk", file_sha256=template.file_sha256,
                thumbnail_sha256=template.thumbnail_sha256, width=template.width, height=template.height)
    session.add(work)
    session.flush()
    return {"work": str(work.id)}


def _a_conflict(session) -> dict:
    from caseapp.clients.models import Work, WorkConflict

    one, other = [w for w in session.scalars(select(Work).order_by(Work.id))][:2]
    assert one.client_id != other.client_id
    row = WorkConflict(work_id=one.id, other_work_id=other.id, score=0.97)
    session.add(row)
    session.flush()
    return {"conflict": str(row.id), "owner": str(one.id)}


def _a_case(session) -> dict:
    from caseapp.cases.models import Case

    return {"case": session.scalars(select(Case.ref).order_by(Case.id).limit(1)).one()}


def _a_letter(session) -> dict:
    """A case a letter can go out on (a postal address, a mandate, a claim) and a draft letter on it."""
    from flask import current_app

    from caseapp.cases.models import Case
    from caseapp.core.audit import Actor
    from caseapp.core.filestore import FileStore
    from caseapp.letters.services import issue_letter

    case = next(c for c in session.scalars(select(Case).order_by(Case.id))
                if c.party.has_postal_address and c.client.mandate_sha256 and c.claimed_minor and c.items)
    letter = issue_letter(session, Actor.system("walk"), case, "offer", today=date(2026, 11, 23),
                          store=FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]))
    return {"case": case.ref, "letter": str(letter.id)}


def _a_filing_case(session) -> dict:
    """The filings' showcase case with the Mahnverfahren open (caseapp.filings.demo)."""
    from caseapp.cases.models import Case
    from caseapp.parties.models import Party

    return {"filing_case": session.scalars(select(Case.ref).join(Party, Party.id == Case.party_id)
                                           .where(Party.name == "Bergblick Reisen GmbH").order_by(Case.id)).first()}


def _an_offer(session) -> dict:
    """A case in negotiation (offer sent, a claim) with an open offer on it."""
    from caseapp.cases.models import Case
    from caseapp.core.audit import Actor
    from caseapp.core.money import Money
    from caseapp.settlements import services

    case = next(c for c in session.scalars(select(Case).where(Case.stage == "offer_sent").order_by(Case.id))
                if c.claimed_minor)
    offer = services.make_offer(session, Actor.system("walk"), case, side="recipient",
                                amount=Money.parse("400.00", case.currency), made_on=date(2026, 11, 23))
    return {"case": case.ref, "offer": str(offer.id)}


def _a_settlement(session) -> dict:
    """A settled case with its settlement (to cancel)."""
    from caseapp.cases.models import Case
    from caseapp.core.audit import Actor
    from caseapp.core.money import Money
    from caseapp.settlements import services

    case = next(c for c in session.scalars(select(Case).where(Case.stage == "offer_sent").order_by(Case.id.desc()))
                if c.claimed_minor)
    services.record_settlement(session, Actor.system("walk"), case, amount=Money(case.claimed_minor, case.currency),
                               covers="walk", agreed_on=date(2026, 11, 23), today=date(2026, 11, 23))
    return {"case": case.ref}


def _a_payment(session) -> dict:
    """An unmatched payment and an open case (assign), and a case with something overpaid (refund)."""
    from caseapp.cases.models import Case
    from caseapp.payments.models import Payment

    case = session.scalars(select(Case).where(Case.stage == "offer_sent").order_by(Case.id)).first()
    payment = Payment(import_id=_an_import(session), bank_reference="WALK-UNMATCHED", booked_on=date(2026, 11, 20),
                      amount_minor=case.claimed_minor + 500, currency=case.currency, direction="credit",
                      payer_name="Walk", status="unmatched")
    session.add(payment)
    session.flush()
    return {"payment": str(payment.id), "case": case.ref}


def _a_fee(session) -> dict:
    """A debit of the statement that is not a return and that nobody booked (a bank fee)."""
    from caseapp.payments.models import Payment

    payment = Payment(import_id=_an_import(session), bank_reference="WALK-FEE", booked_on=date(2026, 11, 20),
                      amount_minor=490, currency="EUR", direction="debit", payer_name="Walk Bank",
                      remittance="Kontofuehrung", status="other_debit")
    session.add(payment)
    session.flush()
    return {"fee": str(payment.id)}


def _an_import(session) -> int:
    from caseapp.payments.models import StatementImport

    row = StatementImport(sha256="0" * 64, filename="walk.csv", format="csv", imported_by="walk")
    session.add(row)
    session.flush()
    return row.id


def _overpaid(session) -> dict:
    from caseapp.core.audit import Actor
    from caseapp.payments import services

    places = _a_payment(session)
    services.assign(session, Actor.system("walk"), int(places["payment"]), places["case"], today=date(2026, 11, 23))
    return places


def _a_collection(session) -> dict:
    """A collection on a demo case (as payments book one), and the bank balance that agrees."""
    from sqlalchemy import select

    from caseapp.cases.models import Case
    from caseapp.core.audit import Actor
    from caseapp.core.money import Money
    from caseapp.ledger import services as ledger

    case = session.scalars(select(Case).order_by(Case.id).limit(1)).one()
    money = Money(12345, "EUR")
    ledger.post(session, Actor.system("walk"), kind="payment_received", description="walk", case_id=case.id,
                booked_on=date(2026, 11, 20), lines=[ledger.debit("bank", money), ledger.credit(
                    "collected", money, case_id=case.id, client_id=case.client_id)])
    return {"bank": "123.45"}


def _a_batch(state: str):
    def prepare(session) -> dict:
        from flask import current_app

        from caseapp.core.audit import Actor
        from caseapp.core.filestore import FileStore
        from caseapp.payouts import services

        _a_collection(session)
        sm = current_app.appbuilder.sm
        anton, lena = (Actor.of(sm.find_user(username=login)) for login in ("accountant", "accountant2"))
        batch = services.draft(session, anton, date(2026, 11, 23))
        if state in ("approved", "exported"):
            services.approve(session, lena, batch.id)
        if state == "exported":
            services.export(session, anton, batch.id, FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]),
                            settings=current_app.config)
        return {"batch": str(batch.id)}
    return prepare


def _a_lawyers_case(session) -> dict:
    """A case with the lawyer (no court case yet), for `court record`."""
    from caseapp.cases import lifecycle
    from tests.cases.factories import make_case

    return {"case": make_case(session, lifecycle.LEGAL).ref}


def _a_court_case(decided: bool = False):
    def prepare(session) -> dict:
        """A case in court (filed on 20 Nov 2026), decided (won) on 22 Nov when `decided`."""
        from caseapp.cases import lifecycle
        from caseapp.core.audit import Actor
        from caseapp.core.money import Money
        from caseapp.court import services
        from tests.cases.factories import make_case

        case = make_case(session, lifecycle.LEGAL)
        walk, day = Actor.system("walk"), date(2026, 11, 23)
        services.record_court_case(session, walk, case, route_id="court", court_name="Amtsgericht Köln",
                                   court_address="Luxemburger Straße 101", filed_on=date(2026, 11, 20), today=day)
        if decided:
            services.record_decision(session, walk, case, decided_on=date(2026, 11, 22), outcome="won",
                                     awarded=Money.parse("450.00", case.currency),
                                     costs_awarded=Money.zero(case.currency), today=day)
        return {"case": case.ref}
    return prepare


# What a baseline needs in the database first (in the same rolled-back transaction): -> more places.
PREPARE = {"audit list": _a_case, "filings routes": _a_filing_case, "filings render": _a_filing_case, "evidence verify": _an_evidence_log, "evidence export": _a_capture, **{f"settlements {name}": _an_offer for name in ("offer", "accept", "reject", "record", "show")},
           "settlements cancel": _a_settlement,
           "cases reopen": _a_closed_case, "tokens revoke": _a_token, "jobs show": _a_job, "letters render": _a_letter, "letters issue": _a_letter,
           "letters send": _a_letter, "clients bank request": _a_client,
           "clients bank confirm": _a_pending_account, "clients bank reject": _a_pending_account,
           "payments assign": _a_payment, "payments refund": _overpaid, "payments book-debit": _a_fee,
           "ledger reconcile": _a_collection, "payouts run": _a_collection, "payouts approve": _a_batch("draft"),
           "payouts export": _a_batch("approved"), "payouts confirm": _a_batch("exported"),
           "works delete": _a_work, "works edit": _a_work, "works resolve": _a_conflict,
           "parties merge": _duplicate_parties, "court record": _a_lawyers_case,
           **{f"court {name}": _a_court_case() for name in ("cost", "hearing", "deadline", "decision")},
           "court enforce": _a_court_case(decided=True)}

# Hostile-looking values that are legitimate for a parameter: (command, parameter) -> (kinds, reason).
ACCEPTED = {
    **{("clients add", name): (FREE_TEXT, "names, addresses and phone numbers are free text")
       for name in ("name", "contact_name", "street", "city", "postcode", "phone")},
    ("clients contract", "note"): (FREE_TEXT, "a note is free text"),
    ("cases reopen", "reason"): (FREE_TEXT, "why a case goes on is free text"),
    ("payouts export", "out"): (FREE_TEXT, "any folder name the file system takes is a place to write the files"),
    ("filings render", "out"): (FREE_TEXT - {"missing_path"},
                                "any folder name the file system takes is a place to write the filing (stored, audited)"),
    ("gdpr export", "out"): (FREE_TEXT - {"missing_path", "directory"},
                             "any file name the file system takes is a place to write the export (audited)"),
    ("clients bank request", "holder"): (FREE_TEXT, "an account holder's name is free text"),
    ("clients bank reject", "reason"): (FREE_TEXT, "a reason is free text"),
    ("tokens create", "name"): (FREE_TEXT, "a token's name is free text: who uses it"),
    ("users create", "login"): ({"huge", "wrong_type", "not_a_number"},
                                "letters and digits make a login ('abc', '100...0')"),
    ("users create", "first_name"): (FREE_TEXT, "a name is free text"),
    ("users create", "last_name"): (FREE_TEXT, "a name is free text"),
    ("works evidence", "agencies"): (FREE_TEXT, "an agency's name is free text"),
    ("works sale", "licensee"): (FREE_TEXT, "a licensee's name is free text"),
    ("works sale", "usage"): (FREE_TEXT, "a usage is free text"),
    ("works verify", "evidence"): (FREE_TEXT - {"wrong_type", "negative", "unicode_digits", "not_a_number"},
                                   "evidence is free text (10 characters at least)"),
    ("works verify", "despite"): (FREE_TEXT, "why a problem does not stand is free text"),
    ("works dispute", "reason"): (FREE_TEXT, "a reason is free text"),
    **{("settlements " + command, name): (FREE_TEXT, "a note, what a settlement covers, who consented and how "
                                                      "are free text")
       for command, name in (("offer", "note"), ("reject", "note"), ("record", "covers"), ("accept", "consent_by"),
                             ("accept", "consent_how"), ("record", "consent_by"), ("record", "consent_how"),
                             ("cancel", "reason"))},
    ("works resolve", "reason"): (FREE_TEXT, "a reason is free text"),
    ("users create", "password"): ({"huge", "missing_path", "directory"}, "12 characters or more make a password"),
    ("works edit", "title_prefix"): (FREE_TEXT, "a title is free text"),
    ("works edit", "title"): (FREE_TEXT, "a title is free text"),
    ("works edit", "title_suffix"): (FREE_TEXT, "a title is free text"),
    **{("court " + command, name): (FREE_TEXT, "a court's name and address, a procedure, a file number, a court "
                                               "room, what is due and a note are free text")
       for command, name in (("record", "court_name"), ("record", "court_address"), ("record", "procedure"),
                             ("record", "file_number"), ("hearing", "place"), ("hearing", "note"),
                             ("deadline", "what"), ("enforce", "note"))},
}

# Parameter combinations another change fixes (works import / hits ingest per file and per line).
EXPECTED_TO_FAIL: dict[tuple[str, str, str], str] = {}


def walk(group: click.Group, ctx: click.Context, prefix: str = ""):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from walk(command, ctx, f"{path} ")
        else:
            yield path, command


def commands(app) -> dict[str, click.Command]:
    ctx = click.Context(main, obj=ScriptInfo(create_app=lambda: app))
    return dict(walk(main, ctx))


def walked_parameters(command: click.Command):
    """The parameters that take a value (flags and --help take none)."""
    for param in command.params:
        if isinstance(param, click.Option) and (param.is_flag or param.name == "help"):
            continue
        yield param


def arguments(command: click.Command, values: dict) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if param.name not in values:
            continue
        value = values[param.name]
        if isinstance(param, click.Argument):
            args.extend(value if isinstance(value, list) else [value])
        elif value is True:
            args.append(param.opts[0])
        else:
            for item in value if isinstance(value, list) else [value]:
                args.extend([param.opts[0], item])
    return args


def label(param: click.Parameter) -> list[str]:
    """How a message may name the parameter: '--client', 'FOLDER', 'folder'."""
    names = list(param.opts) + [param.human_readable_name, param.name or ""]
    return [n for n in names if n]


# --- the databases ------------------------------------------------------------------------------

_TABLES: dict[str, MetaData] = {}


# Caches the app may fill at any time from what it already holds (a work's matching signature,
# kept so the engine need not decode the images again): not a change a command makes.
CACHES = frozenset({"work_signature"})


def fingerprint(connection) -> dict[str, str]:
    """Every table's rows, hashed (caches aside): the database is unchanged when this is."""
    key = str(connection.engine.url)
    if key not in _TABLES:
        _TABLES[key] = MetaData()
        _TABLES[key].reflect(bind=connection)
    prints = {}
    for table in _TABLES[key].sorted_tables:
        if table.name in CACHES:
            continue
        rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
        prints[table.name] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()[:16]}"
    return prints


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """An app on a database of its own (SQLite, migrated), for the commands that connect themselves."""
    from caseapp import create_app

    folder = tmp_path_factory.mktemp("own")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'own.db'}", "TESTING": True,
                      "SECRET_KEY": "tests", "CASEAPP_INSTANCE_PATH": str(folder),
                      "CASEAPP_FILESTORE_PATH": str(folder / "files")})
    with app.app_context():
        result = app.test_cli_runner().invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
    yield app
    from caseapp.extensions import get_db

    with app.app_context():
        get_db().dispose()


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """The files and folders the baselines name, and a local web page for `hits fetch`."""
    root = tmp_path_factory.mktemp("walk")
    (root / "empty").mkdir()
    (root / "empty.jsonl").write_text("")
    (root / "mandate.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (root / "statement.csv").write_text("booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,"
                                        "bank_reference\n2026-11-20,,12.00,EUR,Walk,,walk,WALK-1\n")
    (root / "www").mkdir()
    (root / "www" / "page.html").write_text("<html><body><p>no images here</p></body></html>")
    (root / "www" / "rdap").mkdir()    # IANA's RDAP bootstrap files, for `parties rdap-bootstrap`
    for name in ("dns", "asn", "ipv4", "ipv6", "object-tags"):
        (root / "www" / "rdap" / f"{name}.json").write_text(
            '{"version": "1.0", "services": [[["walk"], ["https://rdap.walk.example/"]]]}')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root / "www")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"tmp": str(root), "empty_dir": str(root / "empty"), "empty_jsonl": str(root / "empty.jsonl"),
           "mandate": str(root / "mandate.pdf"), "statement": str(root / "statement.csv"),
           "page": f"http://127.0.0.1:{server.server_address[1]}/page.html",
           "rdap": f"http://127.0.0.1:{server.server_address[1]}/rdap/"}
    server.shutdown()


def filled(value, places):
    if isinstance(value, dict):
        return {k: filled(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, places) for v in value]
    return value.format(**places) if isinstance(value, str) else value


def invoke_rolled_back(app, path, command, values, places):
    """Run the command in a transaction rolled back afterwards; return (result, before, after)."""
    from caseapp.extensions import get_db

    with app.app_context():
        db = get_db()
        db.session.remove()
        connection = db.engine.connect()
        connection.name = db.engine.name     # FAB reads session.get_bind().name
        outer = connection.begin()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        fetch_private = app.config["CASEAPP_FETCH_PRIVATE"]
        app.config["CASEAPP_FETCH_PRIVATE"] = True    # the baseline's web page is on 127.0.0.1
        try:
            if path in PREPARE:
                places = {**places, **PREPARE[path](db.session())}
                db.session.commit()
                db.session.remove()
            before = fingerprint(connection)
            result = app.test_cli_runner().invoke(main, [*path.split(), *arguments(command, filled(values, places))])
            db.session.remove()
            after = fingerprint(connection)
        finally:
            app.config["CASEAPP_FETCH_PRIVATE"] = fetch_private
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    return result, before, after


def invoke_own(app, path, command, values, places):
    from caseapp.extensions import get_db

    with app.app_context():
        with get_db().engine.connect() as connection:
            before = fingerprint(connection)
        result = app.test_cli_runner().invoke(main, [*path.split(), *arguments(command, filled(values, places))])
        get_db().session.remove()
        with get_db().engine.connect() as connection:
            after = fingerprint(connection)
    return result, before, after


def run(path, app, own_app, command, values, places):
    invoke = invoke_own if path in OWN_DATABASE else invoke_rolled_back
    return invoke(own_app if path in OWN_DATABASE else app, path, command, values, places)


# --- the tests ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Commands that write where they are told (`letters render --out -5`) write into a scratch
    folder, never into the checkout the tests run from."""
    monkeypatch.chdir(tmp_path)


def test_every_command_is_walked(app):
    found = set(commands(app))
    assert found, "no commands found"
    missing = found - set(BASELINES) - set(SKIPPED)
    assert not missing, f"give these commands a valid invocation in BASELINES (or a reason in SKIPPED): {missing}"
    assert not (set(BASELINES) | set(SKIPPED)) - found, "BASELINES or SKIPPED name a command that is gone"


def _cases():
    """(command, parameter, kind) for every walked combination; the commands are read from the
    group at collection time, without an app (listing needs none)."""
    ctx = click.Context(main, obj=ScriptInfo(create_app=lambda: Flask("listing")))
    for path, command in walk(main, ctx):
        if path in SKIPPED or path not in BASELINES:   # test_every_command_is_walked names those
            continue
        for param in walked_parameters(command):
            for kind in HOSTILE:
                marks = []
                if (path, param.name, kind) in EXPECTED_TO_FAIL:
                    marks.append(pytest.mark.xfail(strict=False, reason=EXPECTED_TO_FAIL[path, param.name, kind]))
                yield pytest.param(path, param.name, kind, id=f"{path.replace(' ', '-')}-{param.name}-{kind}",
                                   marks=marks)


def test_baselines_succeed(app, own_app, places):
    """The baselines are valid, so that a refusal in the walk is the hostile value's doing."""
    found = commands(app)
    for path, values in BASELINES.items():
        result, _before, _after = run(path, app, own_app, found[path], values, places)
        assert result.exit_code == 0, f"caseapp {path}: {result.output}"


@pytest.mark.parametrize("path, name, kind", list(_cases()))
def test_hostile_value(app, own_app, places, path, name, kind):
    command = commands(app)[path]
    param = next(p for p in command.params if p.name == name)
    values = dict(BASELINES[path])
    hostile = HOSTILE[kind].format(**places)
    values[name] = [hostile] if param.nargs == -1 or param.multiple else hostile
    result, before, after = run(path, app, own_app, command, values, places)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")

    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 0:
        kinds, _reason = ACCEPTED.get((path, name), (set(), ""))
        assert kind in kinds or after == before, \
            f"caseapp {path} accepted {name}={hostile!r} and changed the database: " \
            f"{ {t: (before.get(t), after[t]) for t in after if before.get(t) != after[t]} }"
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error: ") and len(lines) <= 3, result.stderr
    # It names the option or argument, or shows the value it refuses ('No user abc', "No such
    # option '-5'" for an argument: click reads a leading dash as an option; write `-- -5`).
    error = lines[-1].lower()
    assert any(n.lower() in error for n in label(param)) or (hostile and hostile.lower()[:30] in error), \
        f"the message does not name {param.opts or param.name}: {lines[-1]}"
    assert after == before, f"refused, yet the database changed: {result.stderr}"


# --- both sides of the edges the walk relies on --------------------------------------------------

@pytest.mark.parametrize("score, ok", [("0", True), ("1", True), ("0.85", True), ("1.000001", False),
                                       ("1e30", False), ("nan", False), ("-0.1", False), ("٠.٥", False)])
def test_a_score_is_from_0_to_1(app, score, ok):
    """--min-score 1e30 was taken: every undecided hit would have become 'no match'."""
    result, before, after = invoke_rolled_back(app, "hits apply-rules", commands(app)["hits apply-rules"],
                                               {"dry_run": True, "min_score": score}, {})
    assert (result.exit_code == 0) is ok, result.output
    if not ok:
        assert "Invalid value for '--min-score'" in result.stderr and "from 0 to 1" in result.stderr


@pytest.mark.parametrize("token_id, message", [
    (str(2**31 - 1), "No API token 2147483647"),                    # the largest id: looked up, not found
    (str(2**31), "is not in the range 1<=x<=2147483647"),           # past the column: refused by the option
    ("0", "is not in the range 1<=x<=2147483647"), ("١", "is not a whole number: write digits only"),
])
def test_row_ids_fit_their_column(app, token_id, message):
    result, before, after = invoke_rolled_back(app, "tokens revoke", commands(app)["tokens revoke"],
                                               {"token_id": token_id}, {})
    assert result.exit_code == 2 and message in result.stderr and after == before


@pytest.mark.parametrize("password, ok", [("x" * 11, False), ("x" * 12, True)])
def test_passwords_have_12_characters_or_more(app, password, ok):
    result, before, after = invoke_rolled_back(app, "users create", commands(app)["users create"],
                                               {"login": "edge", "role": "CaseHandler", "password": password}, {})
    assert (result.exit_code == 0) is ok and (after != before) is ok
    if not ok:
        assert "shorter than 12 characters" in result.stderr


@pytest.mark.parametrize("revision, ok", [("head", True), ("-1", False), ("base", False), ("heads", False),
                                          ("zzz", False)])
def test_db_upgrade_goes_up_only_to_a_known_migration(own_app, revision, ok):
    result, before, after = invoke_own(own_app, "db upgrade", commands(own_app)["db upgrade"],
                                       {"revision": revision}, {})
    assert (result.exit_code == 0) is ok and after == before
    if not ok:
        assert result.stderr.splitlines() == [f"Error: --revision '{revision}' is not a migration to upgrade to: "
                                              "use head (the default) or the id of a migration in migrations/versions."]
