"""Personal data (GDPR): the export holds every domain's records on a party, with sources, and
nothing of another party; a dry run changes nothing; a purge removes exactly what is past
retention (a party with an open case keeps everything; money records stay, anonymised), on both
sides of the retention's last day."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseapp.cases.models import Case, CaseItem, CaseNote, LicenceDefence
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import NotFound
from caseapp.core.personal_data import CASE_FILE, ERASED, PROSPECT, SIGHTING, Retention
from caseapp.domains import personal_data_modules
from caseapp.gdpr import services
from caseapp.hits.models import Hit, Sighting
from caseapp.ledger.models import LedgerTransaction
from caseapp.letters.models import Letter
from caseapp.parties.models import Party
from caseapp.payments.models import Payment, Refund
from caseapp.settlements.models import Settlement, SettlementOffer
from tests.gdpr.factories import party_file, sighting_seen, utc
from tests.parties.factories import make_party

ADMIN = Actor.system("gdpr-test")
DAYS = {"sighting": 1096, "party": 1096, "case_file": 2192, "accounting": 3653}
RETENTION = Retention(DAYS)


def export(session, party_id):
    return services.export_party(session, ADMIN, party_id, retention_days=DAYS)


def test_every_domain_that_holds_data_on_a_person_declares_it():
    assert {name for name, _m in personal_data_modules()} >= {
        "parties", "cases", "letters", "payments", "settlements", "ledger", "hits"}


def test_the_export_holds_every_domain_with_sources_and_nothing_of_another_party(db_session):
    mine = party_file(db_session, marker="Mineralwasser")
    other = party_file(db_session, marker="Otherworld")
    data = export(db_session, mine.party.id)
    kinds = {kind for held in data["data"].values() for kind in held}
    assert kinds >= {"party", "case", "case_item", "case_note", "licence_defence", "letter", "payment", "refund",
                     "settlement_offer", "settlement", "ledger_transaction", "sighting", "hit"}
    assert all(data["records"][kind] >= 1 for kind in kinds)
    for held in data["data"].values():
        for rows in held.values():
            for row in rows:
                assert row["fields"] and all(set(f) == {"value", "source"} for f in row["fields"].values())
    text = json.dumps(data, ensure_ascii=False)
    for seen in ("Mineralwasser GmbH", "mineralwasser@shop.example", "Mineralwasser Payer", "Mineralwasser offers 300",
                 "https://mineralwasser.example/gallery/Mineralwasser", "Mineralwasser called"):
        assert seen in text
    assert "Otherworld" not in text and "otherworld" not in text and other.case.ref not in text
    # Where the money came from: the bank statement, named.
    payment = data["data"]["payments"]["payment"][0]["fields"]["payer_name"]
    assert payment == {"value": "Mineralwasser Payer",
                       "source": payment["source"]} and "Mineralwasser.csv" in payment["source"]
    # The export is audited with counts, never the data.
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.exported")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.subject_id == mine.party.id and "Mineralwasser" not in json.dumps(event.details)


def test_exporting_a_party_that_is_not_there_is_refused(db_session):
    with pytest.raises(NotFound, match="no party 2147483647"):
        export(db_session, 2**31 - 1)


def _snapshot(session, file):
    session.expire_all()
    party = session.get(Party, file.party.id)
    return (party and (party.name, party.email, party.street),
            session.scalar(select(func.count()).select_from(CaseItem).where(CaseItem.case_id == file.case.id)),
            session.scalar(select(func.count()).select_from(Letter).where(Letter.case_id == file.case.id)),
            session.get(Payment, file.payment_id).payer_name, session.get(Sighting, file.sighting_id) is not None)


def test_a_dry_run_changes_nothing(db_session):
    old = party_file(db_session, closed_on=date(2015, 3, 1))
    before, events = _snapshot(db_session, old), db_session.scalar(select(func.count()).select_from(AuditEvent))
    plan = services.plan(db_session, date(2026, 11, 23), RETENTION)
    assert any(e.party_id == old.party.id for e in plan.all)
    assert _snapshot(db_session, old) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_purge_removes_the_old_file_keeps_the_money_anonymised_and_spares_an_open_case(db_session):
    old = party_file(db_session, closed_on=date(2015, 3, 1), marker="Altbestand")
    sighting_seen(db_session, old.sighting_id, date(2015, 1, 1))
    # A party with an open case keeps everything, even an old closed case and old sightings.
    busy = party_file(db_session, closed_on=date(2015, 3, 1), marker="Laufend")
    sighting_seen(db_session, busy.sighting_id, date(2015, 1, 1))
    busy_open = party_file(db_session, marker="LaufendOffen")
    db_session.execute(Case.__table__.update().where(Case.id == busy_open.case.id).values(party_id=busy.party.id))
    recent = party_file(db_session, closed_on=date(2025, 6, 1), marker="Frisch")

    done, files = services.purge(db_session, ADMIN, date(2026, 11, 23), RETENTION)
    db_session.expire_all()

    party = db_session.get(Party, old.party.id)
    assert (party.name, party.email, party.street, party.site) == (ERASED, None, None, None)
    assert party.country == "DE"
    for model in (CaseItem, CaseNote, LicenceDefence, Letter):
        assert not db_session.scalars(select(model).where(model.case_id == old.case.id)).all(), model
    assert db_session.get(Case, old.case.id) is not None      # the books point at it
    payment = db_session.get(Payment, old.payment_id)
    assert (payment.payer_name, payment.payer_iban, payment.remittance) == (ERASED, None, None)
    assert payment.amount_minor == 45000 and payment.booked_on is not None
    refund = db_session.scalars(select(Refund).where(Refund.case_id == old.case.id)).one()
    assert (refund.payee_name, refund.payee_iban, refund.amount_minor) == (ERASED, None, 100)
    offer = db_session.scalars(select(SettlementOffer).where(SettlementOffer.case_id == old.case.id)).one()
    assert offer.note is None and offer.amount_minor == 30000
    settlement = db_session.scalars(select(Settlement).where(Settlement.case_id == old.case.id)).one()
    assert settlement.covers == ERASED and settlement.amount_minor == 40000 and len(settlement.instalments) == 1
    assert db_session.get(Sighting, old.sighting_id) is None
    assert not db_session.scalars(select(Hit).where(Hit.sighting_id == old.sighting_id)).all()
    # The ledger is a book: within the accounting period its description stays.
    transaction = db_session.scalars(select(LedgerTransaction).where(LedgerTransaction.case_id == old.case.id)).one()
    assert transaction.description == "Received: Altbestand Payer"
    assert {"d" * 64, "e" * 64} <= set(files)

    for kept in (busy, recent):
        assert _snapshot(db_session, kept)[0][0].endswith("GmbH")
        assert db_session.scalars(select(CaseNote).where(CaseNote.case_id == kept.case.id)).all()
        assert db_session.get(Payment, kept.payment_id).payer_name.endswith("Payer")
    assert db_session.get(Sighting, busy.sighting_id) is not None

    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.purged")).one()
    assert event.actor_name == "gdpr-test" and event.details["counts"]["party"] == {"anonymise": 1}
    assert "Altbestand" not in json.dumps(event.details)
    # The audit trail keeps that the party was added, not its name.
    added = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "party",
                                                        AuditEvent.subject_id == old.party.id)).all()
    assert added and all(e.details is None for e in added)
    # A second purge finds nothing more of it.
    again = services.plan(db_session, date(2026, 11, 23), RETENTION)
    assert not [e for e in again.all if e.party_id == old.party.id]


def test_the_ledger_description_goes_once_the_accounting_period_is_over(db_session):
    old = party_file(db_session, closed_on=date(2015, 3, 1), marker="Uralt")
    last = RETENTION.last_day("accounting", old.case.created_at)   # booked in the test's year (TODAY)
    kinds = lambda day: {(e.kind, e.id) for e in services.plan(db_session, day, RETENTION).all}  # noqa: E731
    transaction = db_session.scalars(select(LedgerTransaction.id).where(LedgerTransaction.case_id == old.case.id)).one()
    assert ("ledger_transaction", transaction) not in kinds(last)
    assert ("ledger_transaction", transaction) in kinds(last + timedelta(days=1))


@pytest.mark.parametrize("days_after, purged", [(0, False), (1, True)])
def test_a_case_file_goes_the_day_after_its_last_day(db_session, days_after, purged):
    file = party_file(db_session, closed_on=date(2019, 6, 1))
    last = RETENTION.last_day(CASE_FILE, date(2019, 6, 1))
    assert last == date(2019, 12, 31) + timedelta(days=2192)
    plan = services.plan(db_session, last + timedelta(days=days_after), RETENTION)
    mine = {(e.kind, e.action) for e in plan.all if e.party_id == file.party.id}
    assert (("party", "anonymise") in mine) is purged
    assert (("letter", "delete") in mine) is purged and (("payment", "anonymise") in mine) is purged


@pytest.mark.parametrize("days_after, purged", [(0, False), (1, True)])
def test_a_sighting_and_a_prospect_party_go_the_day_after_their_last_day(db_session, days_after, purged):
    from tests.clients.factories import make_client, make_work
    from tests.hits.factories import make_hit

    seen = date(2021, 8, 9)
    prospect_id = make_party(db_session, site="prospect-edge.example").id
    db_session.execute(Party.__table__.update().where(Party.id == prospect_id).values(updated_at=utc(seen)))
    hit = make_hit(db_session, make_work(db_session, make_client(db_session)), "prospect-edge.example")
    sighting_id = hit.sighting_id
    sighting_seen(db_session, sighting_id, seen)
    assert RETENTION.last_day(SIGHTING, seen) == RETENTION.last_day(PROSPECT, seen)
    day = RETENTION.last_day(SIGHTING, seen) + timedelta(days=days_after)
    done, _files = services.purge(db_session, ADMIN, day, RETENTION)
    db_session.expire_all()
    assert (db_session.get(Sighting, sighting_id) is None) is purged
    assert (db_session.get(Party, prospect_id) is None) is purged


def test_a_prospect_party_stays_while_its_site_is_still_seen(db_session):
    from tests.clients.factories import make_client, make_work
    from tests.hits.factories import make_hit

    prospect_id = make_party(db_session, site="still-seen.example").id
    db_session.execute(Party.__table__.update().where(Party.id == prospect_id).values(updated_at=utc(date(2015, 1, 5))))
    hit = make_hit(db_session, make_work(db_session, make_client(db_session)), "still-seen.example")
    sighting_seen(db_session, hit.sighting_id, date(2026, 10, 1))
    plan = services.plan(db_session, date(2026, 11, 23), RETENTION)
    assert not [e for e in plan.all if e.kind == "party" and e.id == prospect_id]


def test_a_purge_that_fails_half_way_leaves_everything_as_it_was(db_session, monkeypatch):
    from caseapp.core.uow import unit_of_work
    from caseapp.parties import personal_data as parties

    old = party_file(db_session, closed_on=date(2015, 3, 1))
    db_session.commit()   # (a savepoint: the setup stays when the purge rolls back)
    before = _snapshot(db_session, old)

    def broken(session, actor, items):   # the last domain fails, after the others did their part
        raise RuntimeError("disk full")

    monkeypatch.setattr(parties, "purge", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        with unit_of_work(db_session) as session:
            services.purge(session, ADMIN, date(2026, 11, 23), RETENTION)
    assert _snapshot(db_session, old) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "personal_data.purged")) == 0


# Tables that point at a party's records but hold nothing on the party, each with why.
NOT_PERSONAL = {
    "payout_item": "what a client is paid per case: the case's reference and amounts, nothing on the party",
}
ABOUT_A_PARTY = {"party", "case", "sighting", "hit"}


def test_every_table_that_points_at_a_partys_records_is_answered_for():
    """A new table with a party's, a case's, a sighting's or a hit's id (an evidence capture, an address
    candidate) holds data on a person: its domain's personal_data module names it in TABLES (and
    exports and purges it), or it is listed above with the reason it holds none."""
    from caseapp.core.models import metadata
    from caseapp.domains import import_models

    import_models()
    claimed = {table for _name, module in personal_data_modules() for table in module.TABLES}
    pointing = {t.name for t in metadata.sorted_tables if {fk.column.table.name for fk in t.foreign_keys} & ABOUT_A_PARTY}
    assert not (pointing - claimed - set(NOT_PERSONAL)), \
        f"name these tables in their domain's personal_data.TABLES: {sorted(pointing - claimed - set(NOT_PERSONAL))}"
    assert not set(NOT_PERSONAL) & claimed


def test_every_personal_data_module_has_the_hook():
    for name, module in personal_data_modules():
        for part in ("export", "expired", "purge", "TABLES"):
            assert hasattr(module, part), f"caseapp.{name}.personal_data lacks {part}"


def test_the_lookups_findings_are_exported_with_their_page_and_go_with_the_party(db_session):
    from caseapp.parties.models import PartyAddressCandidate, PartyFieldSource

    old = party_file(db_session, closed_on=date(2015, 3, 1), marker="Gefunden")
    db_session.add(PartyAddressCandidate(party_id=old.party.id, source="legal_notice", confidence=90,
                                         source_url="https://gefunden.example/impressum", name="Gefunden GmbH",
                                         street="Gefundenstraße 5", postal_code="10115", city="Berlin", country="DE",
                                         vat_id="DE136695976"))
    db_session.add(PartyFieldSource(party_id=old.party.id, field="street", source="legal_notice",
                                    source_url="https://gefunden.example/impressum", actor="handler"))
    db_session.commit()

    held = export(db_session, old.party.id)["data"]["parties"]
    street = held["party"][0]["fields"]["street"]
    assert street["value"] == "Gefundenstraße 5" and "https://gefunden.example/impressum" in street["source"]
    [found] = held["party_address_candidate"]
    assert found["fields"]["vat_id"] == {"value": "DE136695976",
                                         "source": "the site's legal notice (https://gefunden.example/impressum), confidence 90"}

    services.purge(db_session, ADMIN, date(2026, 11, 23), RETENTION)
    db_session.expire_all()
    assert db_session.get(Party, old.party.id).name == ERASED
    for model in (PartyAddressCandidate, PartyFieldSource):
        assert not db_session.scalars(select(model).where(model.party_id == old.party.id)).all(), model


def test_an_old_case_files_captures_lose_their_files_and_the_chain_still_verifies(app, db_session):
    from caseapp.core.filestore import FileStore
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services as evidence
    from caseapp.evidence.models import EvidenceCapture
    from tests.evidence.test_rules import made

    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    old = party_file(db_session, closed_on=date(2015, 3, 1), marker="Erfasst")
    busy = party_file(db_session, marker="Offen")
    with unit_of_work(db_session):
        gone = evidence.record_capture(db_session, ADMIN, store, made(n=11), kind="on_demand", case_id=old.case.id)
    with unit_of_work(db_session):
        kept = evidence.record_capture(db_session, ADMIN, store, made(n=12), kind="on_demand", case_id=busy.case.id)
    held = export(db_session, old.party.id)["data"]["evidence"]["evidence_capture"]
    assert [c["id"] for c in held] == [gone.id]
    screenshot, manifest = gone.screenshot_sha256, gone.manifest_sha256

    with unit_of_work(db_session):
        _done, files = services.purge(db_session, ADMIN, date(2026, 11, 23), RETENTION)
    services.discard_files(db_session, store, files)
    db_session.expire_all()

    row = db_session.get(EvidenceCapture, gone.id)
    assert row.purged_at is not None and row.screenshot_sha256 is None and row.warc_sha256 is None
    assert not store.exists(screenshot) and store.exists(manifest)       # the manifest stays: the chain names it
    other = db_session.get(EvidenceCapture, kept.id)
    assert other.purged_at is None and store.exists(other.screenshot_sha256)
    assert evidence.verify_chain(db_session, store) == []                 # no gap where nothing was tampered with


def test_a_merged_duplicate_goes_with_the_party_it_was_merged_into_never_alone(db_session):
    from caseapp.parties import services as parties

    old = party_file(db_session, closed_on=date(2015, 3, 1), marker="Zusammen")
    duplicate = make_party(db_session, name="Zusammen GmbH", street="Zusammenstraße 5", site="zusammen-alt.example")
    old.party.vat_id = duplicate.vat_id = "DE136695976"
    old.party.commercial_reasons = [{"signal": "vat_id", "weight": 40, "detail": "DE136695976"}]
    db_session.flush()
    parties.merge_parties(db_session, ADMIN, old.party.id, duplicate.id)
    db_session.execute(Party.__table__.update().where(Party.id == duplicate.id)
                       .values(updated_at=utc(date(2015, 1, 1))))      # untouched for years: no prospect though
    db_session.commit()
    plan = services.plan(db_session, date(2026, 11, 23), RETENTION)
    actions = {(e.id, e.action) for e in plan.items.get("parties", [])}
    assert (duplicate.id, "delete") not in actions and (duplicate.id, "anonymise") in actions

    services.purge(db_session, ADMIN, date(2026, 11, 23), RETENTION)
    db_session.expire_all()
    kept, gone = db_session.get(Party, old.party.id), db_session.get(Party, duplicate.id)
    assert (kept.name, kept.vat_id, kept.commercial_reasons) == (ERASED, None, None)
    assert (gone.name, gone.street, gone.merged_into_id) == (ERASED, None, kept.id)
