"""Payout batches at their edges: VAT rounded half up at the tie, the split at 0% and 100%, a
client exactly at its minimum payout and a cent under, a client's share exactly eaten by the VAT
and a cent more, a collection booked on the batch's day and the day after, a case whose ledger
holds a cent less than its collections, who may approve (four eyes by user, else by name), what
each state refuses and with which words, what the batch, its lines, items, ledger postings and
audit events hold, where a client is paid to (or why by hand), and the transfers in transit."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.clients import contracts
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound, StaleEdit
from caseapp.core.filestore import FileStore
from caseapp.ledger import services as ledger
from caseapp.ledger.models import LedgerTransaction
from caseapp.payouts import services
from caseapp.payouts.models import MANUAL, SEPA
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY
from tests.payouts.factories import DAY, collect, eur, give_account

ANTON, LENA = Actor(None, "anton"), Actor(None, "lena")
NEXT = DAY + timedelta(days=1)


def _abroad(session, name: str | None = None, **contract):
    """A client outside the EU (no VAT: the split alone), on its own contract if given."""
    holder = make_client(session, name)
    holder.country, holder.tax_status = "US", "standard"
    if contract:
        contracts.change_contract(session, ANTON, holder.id, **contract)
    return holder


def _case(session, holder, stage=lifecycle.COLLECTION):
    case = make_case(session, stage, holder=holder)
    case.contract_id = contracts.current_contract(session, holder.id).id
    return case


def _line(batch, holder):
    return next(line for line in batch.lines if line.client_id == holder.id)


def _events(session, action: str, batch_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                         AuditEvent.subject_type == "payout_batch",
                                                         AuditEvent.subject_id == batch_id)))


def _store(app):
    return FileStore(app.config["CASEAPP_FILESTORE_PATH"])


# --- the arithmetic ------------------------------------------------------------------------

def test_vat_is_rounded_half_up_at_the_tie_and_down_below_it():
    assert services.vat_on(5000, 1) == 1          # 0.5 cent: up
    assert services.vat_on(4999, 1) == 0          # 0.4999 cent: down
    assert services.vat_on(15000, 1) == 2         # 1.5 cents: up
    assert services.vat_on(50, 1900) == 10        # 9.5 cents: up
    assert services.vat_on(47, 1900) == 9         # 8.93 cents
    assert services.vat_on(0, 1900) == 0 and services.vat_on(12345, 0) == 0
    assert services.vat_on(10000, 10000) == 10000


def test_the_split_at_100_and_0_percent_and_a_tie_goes_to_the_client():
    assert services.split_collection(eur("123.45"), 10000) == (eur("123.45"), eur("0.00"))
    assert services.split_collection(eur("123.45"), 0) == (eur("0.00"), eur("123.45"))
    assert services.split_collection(eur("0.03"), 5000) == (eur("0.02"), eur("0.01"))
    assert services.split_collection(eur("0.25"), 1000) == (eur("0.03"), eur("0.22"))   # 2.5 / 22.5: a tie


def _part(commissions, vat_bp, preset_vat=0):
    part = services.ClientPart(1, "x", vat_bp=vat_bp)
    for n, commission in enumerate(commissions):
        part.items.append(services.Split(n, n, "C", 1, DAY, False, 7000, commission * 2, commission, commission,
                                         preset_vat))
    return part


def test_the_vat_is_one_figure_for_the_client_spread_over_its_collections_by_commission():
    part = _part([1000, 2000], 1900)
    services.apply_vat(part)
    assert [i.vat for i in part.items] == [190, 380]
    thirds = _part([1, 1, 1], 1900)             # 0.57 cents of VAT on 3 cents: 1 cent, to the first
    services.apply_vat(thirds)
    assert [i.vat for i in thirds.items] == [1, 0, 0]
    uneven = _part([1, 2, 0, 4], 5000)          # 3.5 cents: 4, spread 1 / 1 / 0 / 2 (largest remainder)
    services.apply_vat(uneven)
    assert [i.vat for i in uneven.items] == [1, 1, 0, 2] and uneven.vat == 4


def test_no_vat_clears_what_an_item_held():
    part = _part([1000, 2000], 0, preset_vat=55)
    services.apply_vat(part)
    assert [i.vat for i in part.items] == [0, 0]


def test_a_client_part_sums_its_collections():
    part = services.ClientPart(1, "x")
    part.items = [services.Split(1, 1, "C-1", 1, DAY, False, 7000, 10001, 7001, 3000, 570),
                  services.Split(2, 2, "C-2", 1, DAY, True, 5000, 200, 100, 100, 19)]
    assert (part.collected, part.client_share, part.commission, part.vat, part.net) == (
        10201, 7101, 3100, 589, 7101 - 589)


# --- what is open --------------------------------------------------------------------------

def test_a_collection_booked_on_the_batch_s_day_is_taken_and_one_the_day_after_is_not(db_session):
    holder = _abroad(db_session)
    case = _case(db_session, holder)
    collect(db_session, case, "10.00", day=DAY)
    collect(db_session, case, "20.00", day=NEXT)
    rows, warnings = services.open_collections(db_session, DAY)
    assert [(r.case_id, r.amount_minor, r.booked_on) for r in rows if r.case_id == case.id] == [(case.id, -1000, DAY)]
    assert warnings == []
    batch = services.draft(db_session, ANTON, DAY)
    assert [i.collected_minor for i in _line(batch, holder).items] == [1000]
    assert [i.collected_minor for i in _line(services.draft(db_session, ANTON, NEXT), holder).items] == [2000]


def test_a_case_whose_ledger_holds_a_cent_less_than_its_collections_waits_and_is_named(db_session):
    holder = _abroad(db_session)
    short, whole = _case(db_session, holder), _case(db_session, holder)
    collect(db_session, short, "60.00")
    collect(db_session, short, "40.00")
    collect(db_session, whole, "5.00")
    # a return booked as a debit (not a reversal), on the day after
    ledger.post(db_session, ANTON, kind="payment_returned", description="x", booked_on=NEXT,
                lines=[ledger.debit("collected", eur("0.01"), case_id=short.id, client_id=holder.id),
                       ledger.credit("bank", eur("0.01"))])
    rows, warnings = services.open_collections(db_session, DAY)       # the return is after the day: all open
    assert sorted(r.amount_minor for r in rows if r.case_id in (short.id, whole.id)) == [-6000, -4000, -500]
    assert warnings == []
    rows, warnings = services.open_collections(db_session, NEXT)
    assert [r.amount_minor for r in rows if r.case_id in (short.id, whole.id)] == [-500]
    assert warnings == [f"case {short.id}: 100.00 EUR collected but only 99.99 EUR held (a return or a "
                        "correction?); its collections wait until the ledger is checked"]
    paid, waiting, said = services.compute(db_session, NEXT)
    assert said == warnings and [i.case_id for p in paid for i in p.items if p.client_id == holder.id] == [whole.id]


def test_nothing_open_gives_no_warnings(db_session):
    assert services.open_collections(db_session, date(2020, 1, 1)) == ([], [])


# --- the split of a batch ------------------------------------------------------------------

def test_a_settlement_agreed_in_court_is_split_at_the_in_court_share(db_session):
    from caseapp.settlements import services as settlements

    holder = _abroad(db_session)
    in_court = _case(db_session, holder, lifecycle.COURT)
    settlements.record_settlement(db_session, ANTON, in_court, amount=eur("450.00"), covers="work 1",
                                  agreed_on=TODAY, today=TODAY)
    assert in_court.stage == lifecycle.SETTLED          # no longer in court by its stage: the settlement says
    out_of_court = _case(db_session, holder, lifecycle.COLLECTION)
    settlements.record_settlement(db_session, ANTON, out_of_court, amount=eur("450.00"), covers="work 1",
                                  agreed_on=TODAY, today=TODAY)
    collect(db_session, in_court, "100.00")
    collect(db_session, out_of_court, "100.00")
    line = _line(services.draft(db_session, ANTON, DAY), holder)
    assert sorted((i.case_id, i.in_court, i.share_bp, i.client_share_minor) for i in line.items) == sorted([
        (in_court.id, True, 5000, 5000), (out_of_court.id, False, 7000, 7000)])


def test_the_contract_s_in_court_share_is_used_in_court(db_session):
    holder = _abroad(db_session, share_out_of_court_bp=8000, share_in_court_bp=6000)
    collect(db_session, _case(db_session, holder, lifecycle.ENFORCEMENT), "100.00")
    collect(db_session, _case(db_session, holder, lifecycle.COLLECTION), "100.00")
    line = _line(services.draft(db_session, ANTON, DAY), holder)
    assert sorted((i.in_court, i.share_bp, i.client_share_minor, i.commission_minor) for i in line.items) == [
        (False, 8000, 8000, 2000), (True, 6000, 6000, 4000)]


def test_a_client_exactly_at_its_minimum_is_paid_and_a_cent_under_waits(db_session):
    at = _abroad(db_session, "At Minimum", share_out_of_court_bp=7000, share_in_court_bp=5000,
                 minimum_payout=eur("50.00"))
    under = _abroad(db_session, "Under Minimum", share_out_of_court_bp=7000, share_in_court_bp=5000,
                    minimum_payout=eur("50.00"))
    collect(db_session, _case(db_session, at), "71.43")         # 50.001: 50.00 to the client
    collect(db_session, _case(db_session, under), "71.42")      # 49.994: 49.99
    paid, waiting, _ = services.compute(db_session, DAY)
    assert [(p.client_id, p.net, p.minimum) for p in paid] == [(at.id, 5000, 5000)]
    assert [(p.client_id, p.net, p.minimum) for p in waiting] == [(under.id, 4999, 5000)]
    batch = services.draft(db_session, ANTON, DAY)
    assert [line.client_id for line in batch.lines] == [at.id]
    assert _events(db_session, "payout.drafted", batch.id)[0].details["waiting_under_minimum"] == [under.id]


def test_a_client_s_share_exactly_eaten_by_the_vat_is_paid_nothing_and_a_cent_more_is_refused(db_session):
    """German VAT of 19% on the commission comes out of the client's share: at 16% of 0.25 the
    client's 0.04 pays the 0.04 VAT on 0.21 (net 0); at 10% the client's 0.03 cannot pay 0.04."""
    even = make_client(db_session, "Even Steven")
    contracts.change_contract(db_session, ANTON, even.id, share_out_of_court_bp=1600, share_in_court_bp=1600)
    collect(db_session, _case(db_session, even), "0.25")
    paid, _, _ = services.compute(db_session, DAY)
    [part] = [p for p in paid if p.client_id == even.id]
    assert (part.client_share, part.commission, part.vat, part.net) == (4, 21, 4, 0)

    short = make_client(db_session, "Short Sally")
    contracts.change_contract(db_session, ANTON, short.id, share_out_of_court_bp=1000, share_in_court_bp=1000)
    collect(db_session, _case(db_session, short), "0.25")
    with pytest.raises(InvalidInput) as refused:
        services.compute(db_session, DAY)
    assert str(refused.value) == ("Client Short Sally: the VAT on the commission (0.04 EUR) is more than the client's "
                                  "share (0.03 EUR); check the contract's shares.")


def test_clients_are_listed_by_name_whatever_the_case_then_by_client(db_session):
    bert = _abroad(db_session, "bert Bildner")
    caesar = _abroad(db_session, "Caesar Cam")
    anna = _abroad(db_session, "Anna Aperture")
    dora_first, dora_second = _abroad(db_session, "Dora Doppel"), _abroad(db_session, "Dora Doppel")
    for holder in (dora_second, caesar, bert, dora_first, anna):         # booked in another order
        collect(db_session, _case(db_session, holder), "10.00")
    waiting_contract = dict(share_out_of_court_bp=7000, share_in_court_bp=5000, minimum_payout=eur("100.00"))
    zed, emil = _abroad(db_session, "zed Z", **waiting_contract), _abroad(db_session, "Emil E", **waiting_contract)
    for holder in (zed, emil):
        collect(db_session, _case(db_session, holder), "10.00")
    paid, waiting, _ = services.compute(db_session, DAY)
    assert [p.client_id for p in paid] == [anna.id, bert.id, caesar.id, dora_first.id, dora_second.id]
    assert [p.client_id for p in waiting] == [emil.id, zed.id]
    batch = services.draft(db_session, ANTON, DAY)
    assert [line.client_id for line in batch.lines] == [anna.id, bert.id, caesar.id, dora_first.id, dora_second.id]


# --- drafting ------------------------------------------------------------------------------

def test_a_batch_up_to_today_is_drafted_and_one_up_to_tomorrow_is_refused(db_session):
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        services.draft(db_session, ANTON, tomorrow)
    assert str(refused.value) == (f"--until: {tomorrow.isoformat()} is in the future; collections are paid out up "
                                  "to today.")
    collect(db_session, _case(db_session, _abroad(db_session)), "10.00", day=date.today())
    assert services.draft(db_session, ANTON, date.today()).until == date.today()


def test_nothing_to_pay_says_how_many_clients_wait_under_their_minimum(db_session):
    with pytest.raises(InvalidInput) as nothing:
        services.draft(db_session, ANTON, DAY)
    assert str(nothing.value) == "Nothing to pay out up to 2026-10-20: every collection is in a batch already."
    for _ in range(2):
        holder = _abroad(db_session, share_out_of_court_bp=7000, share_in_court_bp=5000, minimum_payout=eur("50.00"))
        collect(db_session, _case(db_session, holder), "1.00")
    with pytest.raises(InvalidInput) as waiting:
        services.draft(db_session, ANTON, DAY)
    assert str(waiting.value) == ("Nothing to pay out up to 2026-10-20: every collection is in a batch already; "
                                  "2 client(s) are under their minimum payout and wait.")


def test_a_draft_writes_the_batch_its_lines_items_split_and_audit(db_session, users):
    anton = Actor.of(users["accountant"])
    german = make_client(db_session, "Gerda Germann")
    german.language = "de"
    give_account(db_session, german, "DE89 3704 0044 0532 0130 00")
    abroad = _abroad(db_session, "Abe Abroad")
    first, second = _case(db_session, german), _case(db_session, german, lifecycle.COURT)
    third = _case(db_session, abroad)
    e1 = collect(db_session, first, "100.01").entries[1]
    e2 = collect(db_session, second, "200.00").entries[1]
    e3 = collect(db_session, third, "10.00").entries[1]
    batch = services.draft(db_session, anton, DAY)
    db_session.expire_all()
    batch = services.load_batch(db_session, batch.id)
    # German: 70.01 + 100.00 = 170.01 to the client; commission 30.00 + 100.00 = 130.00, VAT 24.70
    assert (batch.state, batch.until, batch.currency, batch.drafted_by_id, batch.drafted_by) == (
        "draft", DAY, "EUR", users["accountant"].id, "accountant")
    assert batch.drafted_at is not None and batch.approved_by is None
    assert (batch.collected_minor, batch.to_clients_minor, batch.commission_minor, batch.vat_minor) == (
        31001, 14531 + 700, 13000 + 300, 2470)
    de, us = _line(batch, german), _line(batch, abroad)
    assert (de.client_name, de.collected_minor, de.client_share_minor, de.commission_minor, de.vat_minor,
            de.method, de.manual_reason, de.holder, de.iban, de.bic, de.language) == (
        "Gerda Germann", 30001, 17001, 13000, 2470, SEPA, None, "Gerda Germann", "DE89370400440532013000",
        "COBADEFFXXX", "de")
    assert de.vat_code == "private" and "12(1)" in de.vat_basis
    assert (us.method, us.manual_reason, us.holder, us.iban, us.bic, us.language, us.vat_code, us.vat_minor) == (
        MANUAL, "no confirmed bank account", None, None, None, "en", "non_eu", 0)
    assert [(i.ledger_entry_id, i.case_id, i.case_ref, i.booked_on, i.in_court, i.share_bp, i.collected_minor,
             i.client_share_minor, i.commission_minor, i.vat_minor, i.batch_id) for i in de.items] == [
        (e1.id, first.id, first.ref, DAY, False, 7000, 10001, 7001, 3000, 570, batch.id),
        (e2.id, second.id, second.ref, DAY, True, 5000, 20000, 10000, 10000, 1900, batch.id)]
    assert [(i.ledger_entry_id, i.client_share_minor) for i in us.items] == [(e3.id, 700)]
    split = db_session.get(LedgerTransaction, batch.split_transaction_id)
    assert (split.kind, split.booked_on, split.source, split.posted_by) == (
        "payout_split", DAY, f"batch {batch.id}", "accountant")
    assert split.description == (f"Payout batch {batch.id}: the split of 2 client(s)' collections up to 2026-10-20")
    assert [(e.account, e.case_id, e.client_id, e.amount_minor) for e in split.entries] == [
        ("collected", third.id, abroad.id, 1000),           # Abe before Gerda: the clients by name
        ("collected", first.id, german.id, 10001), ("collected", second.id, german.id, 20000),
        ("client_payable", None, abroad.id, -700), ("client_payable", None, german.id, -14531),
        ("revenue", None, None, -13300), ("vat_payable", None, None, -2470)]
    assert ledger.balance(db_session, "collected", client_id=german.id) == eur("0.00")
    [event] = _events(db_session, "payout.drafted", batch.id)
    assert (event.actor_name, event.to_state) == ("accountant", "draft")
    assert event.details == {"until": "2026-10-20", "clients": 2, "collections": 3, "collected": "310.01",
                             "to_clients": "152.31", "to_firm": "157.70", "waiting_under_minimum": [],
                             "warnings": []}


def test_a_collection_another_batch_took_a_moment_ago_refuses_the_draft(db_session, monkeypatch):
    """As two accountants drafting at once: the second read the collections before the first
    wrote its items; the UNIQUE ledger entry refuses the second draft."""
    holder = _abroad(db_session)
    collect(db_session, _case(db_session, holder), "10.00")
    seen_by_lena = services.compute(db_session, DAY)
    services.draft(db_session, ANTON, DAY)
    monkeypatch.setattr(services, "compute", lambda session, until: seen_by_lena)
    with pytest.raises(InvalidInput) as refused:
        services.draft(db_session, LENA, DAY)
    assert str(refused.value) == ("Another batch took some of these collections a moment ago (a collection is paid "
                                  "out once): nothing was drafted; look at the open batch, or run again.")


# --- where a client is paid to -------------------------------------------------------------

def _bank(iban, bic=None, holder="Anna Fotografin"):
    return SimpleNamespace(iban=iban, bic=bic, holder=holder)


def test_a_client_is_paid_by_sepa_to_a_valid_account_in_the_sepa_zone():
    assert services._account(_bank("de89 3704 0044 0532 0130 00")) == (
        SEPA, None, "Anna Fotografin", "DE89370400440532013000", "COBADEFFXXX")      # the BIC from the IBAN
    assert services._account(_bank("DE89370400440532013000", "deutdeff500")) == (
        SEPA, None, "Anna Fotografin", "DE89370400440532013000", "DEUTDEFF500")     # the BIC given
    assert services._account(_bank("CH9300762011623852957")) [0] == SEPA             # Switzerland: SEPA


def test_a_client_without_a_valid_account_in_the_sepa_zone_is_paid_by_hand_saying_why():
    assert services._account(None) == (MANUAL, "no confirmed bank account", None, None, None)
    assert services._account(_bank("BR1800360305000010009795493C1", "X")) == (
        MANUAL, "the account is in BR, outside the SEPA zone", "Anna Fotografin", "BR1800360305000010009795493C1", "X")
    method, reason, holder, iban, bic = services._account(_bank("DE00370400440532013000"))
    assert (method, holder, iban, bic) == (MANUAL, "Anna Fotografin", "DE00370400440532013000", None)
    assert reason.startswith("the account is not valid (") and reason.endswith(")")
    method, reason, *_ = services._account(_bank("DE89370400440532013000", "NOT A BIC"))
    assert method == MANUAL and reason.startswith("the account is not valid (")


# --- four eyes and the states --------------------------------------------------------------

def _drafted(db_session, actor=ANTON):
    holder = _abroad(db_session, "Anna Fotografin")
    give_account(db_session, holder)
    collect(db_session, _case(db_session, holder), "100.00")
    return services.draft(db_session, actor, DAY), holder


def test_four_eyes_by_user_when_both_are_known(db_session, users):
    drafter = users["accountant"]
    batch, _ = _drafted(db_session, Actor.of(drafter))
    with pytest.raises(InvalidInput) as refused:
        services.approve(db_session, Actor(drafter.id, "renamed"), batch.id)       # the same user, another name
    assert str(refused.value) == (f"You drafted payout batch {batch.id} yourself: a second accountant must approve it "
                                  "(four eyes on every payout).")
    other = users["accountant2"]
    services.approve(db_session, Actor(other.id, "accountant"), batch.id)           # another user, the same name
    assert (batch.state, batch.approved_by) == ("approved", "accountant")


def test_four_eyes_by_name_when_a_user_is_unknown(db_session, users):
    batch, _ = _drafted(db_session, ANTON)                                            # the command, no user
    with pytest.raises(InvalidInput, match="You drafted payout batch"):
        services.approve(db_session, Actor(users["accountant"].id, "anton"), batch.id)
    services.approve(db_session, LENA, batch.id)
    assert batch.state == "approved"
    mine, _ = _drafted(db_session, Actor.of(users["accountant"]))
    with pytest.raises(InvalidInput, match="You drafted payout batch"):
        services.approve(db_session, Actor(None, "accountant"), mine.id)


def test_approval_moves_a_draft_only_on_the_version_seen_and_is_audited(db_session):
    batch, _ = _drafted(db_session)
    with pytest.raises(StaleEdit, match=rf"^Payout batch {batch.id} was changed by someone else"):
        services.approve(db_session, LENA, batch.id, seen_version=batch.version + 1)
    assert batch.state == "draft"
    services.approve(db_session, LENA, batch.id, seen_version=batch.version)
    assert batch.approved_by == "lena" and batch.approved_at is not None
    [event] = _events(db_session, "payout.approved", batch.id)
    assert (event.actor_name, event.from_state, event.to_state, event.details) == ("lena", "draft", "approved", None)
    with pytest.raises(InvalidInput) as again:
        services.approve(db_session, LENA, batch.id)
    assert str(again.value) == f"Payout batch {batch.id} is approved: only a draft is approved."
    with pytest.raises(NotFound, match=r"^There is no payout batch 987654321; `caseapp payouts run` drafts one\.$"):
        services.approve(db_session, LENA, 987654321)


def test_export_writes_the_sepa_file_of_the_sepa_lines_numbers_the_statements_and_is_audited(db_session, app):
    batch, holder = _drafted(db_session)
    by_hand = _abroad(db_session, "Bert Bildner")
    collect(db_session, _case(db_session, by_hand), "10.00", day=NEXT)
    with pytest.raises(InvalidInput) as early:
        services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    assert str(early.value) == (f"Payout batch {batch.id} is draft, not approved: a second accountant approves it "
                                "before it is exported.")
    services.approve(db_session, LENA, batch.id)
    with pytest.raises(StaleEdit, match=rf"^Payout batch {batch.id} was changed by someone else"):
        services.export(db_session, ANTON, batch.id, _store(app), settings=app.config, seen_version=batch.version - 1)
    result = services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    name = f"payout-batch-{batch.id}-pain.001.001.09.xml"
    assert list(result.files) == [name] and result.batch is batch
    assert (batch.state, batch.exported_by, batch.sepa_filename) == ("exported", "anton", name)
    assert _store(app).read(batch.sepa_sha256) == result.files[name]
    xml = result.files[name].decode()
    assert f"<ReqdExctnDt><Dt>{date.today().isoformat()}</Dt></ReqdExctnDt>" in xml and ">70.00<" in xml
    line = _line(batch, holder)
    assert line.statement_number == f"GS-{batch.id}-{holder.id}"
    [event] = _events(db_session, "payout.exported", batch.id)
    assert event.details == {"files": [name], "manual": [],
                             "statements": [f"payout-batch-{batch.id}-statement-{holder.id}-Anna-Fotografin.pdf"]}
    with pytest.raises(InvalidInput, match=f"Payout batch {batch.id} is exported, not approved"):
        services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)


def test_a_batch_paid_only_by_hand_or_nothing_by_sepa_has_no_sepa_file(db_session, app):
    holder = _abroad(db_session, "Nil Netto", share_out_of_court_bp=4000, share_in_court_bp=4000)
    give_account(db_session, holder)
    collect(db_session, _case(db_session, holder), "0.01")            # 0.4 cent to the client: nothing
    by_hand = _abroad(db_session, "Hand Paid")
    collect(db_session, _case(db_session, by_hand), "10.00")
    batch = services.draft(db_session, ANTON, DAY)
    assert _line(batch, holder).method == SEPA and _line(batch, holder).client_share_minor == 0
    services.approve(db_session, LENA, batch.id)
    result = services.export(db_session, ANTON, batch.id, _store(app), settings=app.config,
                             execution_date=date(2026, 11, 25))
    assert result.files == {} and batch.sepa_filename is None and batch.sepa_sha256 is None
    [event] = _events(db_session, "payout.exported", batch.id)
    assert event.details["files"] == [] and event.details["manual"] == [by_hand.id]


def test_a_client_whose_vat_takes_its_whole_share_is_left_out_of_the_sepa_file_and_the_transfers(db_session, app):
    """16% of 0.25: the client's 0.04 pays the 0.04 VAT on the 0.21 commission; nothing to transfer."""
    even = make_client(db_session, "Even Steven")
    contracts.change_contract(db_session, ANTON, even.id, share_out_of_court_bp=1600, share_in_court_bp=1600)
    give_account(db_session, even)
    collect(db_session, _case(db_session, even), "0.25")
    paid = _abroad(db_session, "Paid Paula")
    give_account(db_session, paid)
    collect(db_session, _case(db_session, paid), "10.00")
    batch = services.draft(db_session, ANTON, DAY)
    line = _line(batch, even)
    assert (line.method, line.client_share_minor, line.vat_minor) == (SEPA, 4, 4)
    services.approve(db_session, LENA, batch.id)
    result = services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    xml = next(iter(result.files.values())).decode()
    assert "Paid Paula" in xml and "Even Steven" not in xml and "<NbOfTxs>1</NbOfTxs>" in xml
    assert [t.client_id for t in services.transfers(db_session, NEXT, {}) if t.batch_id == batch.id] == [paid.id]
    services.confirm(db_session, LENA, batch.id, booked_on=NEXT)
    transfer = db_session.get(LedgerTransaction, batch.transfer_transaction_id)
    assert [(e.account, e.client_id, e.amount_minor) for e in transfer.entries] == [
        ("client_payable", paid.id, 700), ("bank", None, -700)]
    assert ledger.balance(db_session, "client_payable", client_id=even.id) == eur("0.00")


def test_the_batch_list_shows_the_twenty_newest(db_session):
    from caseapp.payouts.models import PayoutBatch

    made = []
    for n in range(21):
        batch = PayoutBatch(state="confirmed", until=DAY, drafted_by="anton")
        db_session.add(batch)
        db_session.flush()
        made.append(batch.id)
    assert [b.id for b in services.batches(db_session)] == made[::-1][:20]


def test_statement_file_names_are_safe():
    batch = SimpleNamespace(id=7)
    assert services.statement_filename(batch, SimpleNamespace(client_id=3, client_name="  Anna & Bert's Fotos!  ")) \
        == "payout-batch-7-statement-3-Anna-Bert-s-Fotos.pdf"
    assert services.statement_filename(batch, SimpleNamespace(client_id=3, client_name="Ö/Ü?!")) \
        == "payout-batch-7-statement-3-client.pdf"
    long = services.statement_filename(batch, SimpleNamespace(client_id=3, client_name="A" * 39 + " Bcd"))
    assert long == "payout-batch-7-statement-3-" + "A" * 39 + "-.pdf"          # cut after the dashes are trimmed
    assert services.statement_filename(batch, SimpleNamespace(client_id=3, client_name="x" * 50)) \
        == "payout-batch-7-statement-3-" + "x" * 40 + ".pdf"
    assert services.statement_filename(batch, SimpleNamespace(client_id=3, client_name="Xaver X")) \
        == "payout-batch-7-statement-3-Xaver-X.pdf"
    assert services.statement_number(batch, SimpleNamespace(client_id=3)) == "GS-7-3"


def test_statements_only_of_an_exported_batch_and_only_of_the_clients_asked_for(db_session, app):
    batch, holder = _drafted(db_session)
    other = _abroad(db_session, "Bert Bildner")
    collect(db_session, _case(db_session, other), "10.00")
    with pytest.raises(InvalidInput) as early:
        services.render_statements(db_session, _store(app), batch.id, settings=app.config)
    assert str(early.value) == (f"Payout batch {batch.id} is draft: its statements are written when it is "
                                "exported.")
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    ticks = []
    files = services.render_statements(db_session, _store(app), batch.id, settings=app.config,
                                       client_ids=[holder.id], progress=ticks.append)
    assert list(files) == [f"payout-batch-{batch.id}-statement-{holder.id}-Anna-Fotografin.pdf"] and ticks == [1]
    assert services.batch_line(db_session, batch, holder.id).statement_sha256
    again = services.render_statements(db_session, _store(app), batch.id, settings=app.config, progress=ticks.append)
    assert again == files and ticks == [1]                              # read back, not rendered again
    with pytest.raises(NotFound, match=rf"^Payout batch {batch.id} pays nothing to client {other.id}\.$"):
        services.batch_line(db_session, batch, other.id)
    collect(db_session, _case(db_session, holder), "5.00", day=NEXT)
    later = services.draft(db_session, ANTON, NEXT)                   # the client again, in another batch
    assert services.batch_line(db_session, later, holder.id).batch_id == later.id
    assert services.batch_line(db_session, batch, holder.id).batch_id == batch.id


# --- confirmation and transfers ------------------------------------------------------------

def test_confirm_books_the_transfers_on_the_day_given(db_session, app):
    batch, holder = _drafted(db_session)
    with pytest.raises(InvalidInput) as early:
        services.confirm(db_session, ANTON, batch.id)
    assert str(early.value) == f"Payout batch {batch.id} is draft: only an exported batch is confirmed."
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    with pytest.raises(StaleEdit, match=rf"^Payout batch {batch.id} was changed by someone else"):
        services.confirm(db_session, LENA, batch.id, seen_version=batch.version - 1, booked_on=NEXT)
    assert batch.state == "exported" and batch.transfer_transaction_id is None
    services.confirm(db_session, LENA, batch.id, seen_version=batch.version, booked_on=NEXT)
    assert (batch.state, batch.confirmed_by) == ("confirmed", "lena") and batch.confirmed_at is not None
    transfer = db_session.get(LedgerTransaction, batch.transfer_transaction_id)
    assert (transfer.kind, transfer.booked_on, transfer.source, transfer.description) == (
        "payout_transfer", NEXT, f"batch {batch.id}", f"Payout batch {batch.id}: the transfers to 1 client(s)")
    assert [(e.account, e.client_id, e.amount_minor) for e in transfer.entries] == [
        ("client_payable", holder.id, 7000), ("bank", None, -7000)]
    assert ledger.balance(db_session, "client_payable", client_id=holder.id) == eur("0.00")
    assert [e.to_state for e in _events(db_session, "payout.confirmed", batch.id)] == ["confirmed"]


def test_confirm_books_today_unless_told(db_session, app):
    batch, _ = _drafted(db_session)
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    services.confirm(db_session, LENA, batch.id)
    assert db_session.get(LedgerTransaction, batch.transfer_transaction_id).booked_on == date.today()


def test_a_batch_that_pays_the_clients_nothing_is_confirmed_without_a_transfer(db_session, app):
    holder = _abroad(db_session, share_out_of_court_bp=4000, share_in_court_bp=4000)
    collect(db_session, _case(db_session, holder), "0.01")
    batch = services.draft(db_session, ANTON, DAY)
    assert batch.to_clients_minor == 0 and batch.commission_minor == 1
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    services.confirm(db_session, LENA, batch.id)
    assert batch.state == "confirmed" and batch.transfer_transaction_id is None
    assert [t for t in services.transfers(db_session, NEXT, {}) if t.batch_id == batch.id] == []


def test_in_transit_is_what_one_side_booked_and_the_other_not_yet():
    def transfer(shown_on, booked):
        return services.Transfer(1, 2, "x", eur("12.34"), None, "GS-1-2", shown_on, booked)

    assert transfer(DAY, False).in_transit == eur("12.34")       # the bank paid, the ledger not yet
    assert transfer(None, True).in_transit == eur("-12.34")      # the ledger booked, the bank not yet
    assert transfer(DAY, True).in_transit == eur("0.00")
    assert transfer(None, False).in_transit == eur("0.00")


def test_a_transfer_is_booked_from_the_day_of_its_confirmation(db_session, app):
    batch, holder = _drafted(db_session)
    by_hand = _abroad(db_session, "Bert Bildner")
    collect(db_session, _case(db_session, by_hand), "10.00")
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)

    def mine(until, shown):
        return [(t.client_id, t.amount, t.end_to_end_id, t.credit_note, t.shown_on, t.booked)
                for t in services.transfers(db_session, until, shown) if t.batch_id == batch.id]

    e2e = services.end_to_end_id(batch.id, holder.id)
    assert e2e == f"PB{batch.id}C{holder.id}"
    note = f"GS-{batch.id}-{holder.id}"
    assert mine(NEXT, {}) == [(holder.id, eur("70.00"), e2e, note, None, False)]          # exported: nothing yet
    assert mine(NEXT, {e2e: NEXT}) == [(holder.id, eur("70.00"), e2e, note, NEXT, False)]
    assert services.in_transit(db_session, NEXT, {e2e: NEXT}) == eur("70.00")
    assert mine(NEXT, {note: DAY})[0][4] == DAY                       # found by its credit note's number
    services.confirm(db_session, LENA, batch.id, booked_on=NEXT)
    assert mine(NEXT, {}) == [(holder.id, eur("70.00"), e2e, note, None, True)]          # booked on the day
    assert mine(DAY, {}) == [(holder.id, eur("70.00"), e2e, note, None, False)]          # not the day before
    assert services.in_transit(db_session, NEXT, {}) == eur("-70.00")
    assert services.in_transit(db_session, NEXT, {e2e: NEXT}) == eur("0.00")


def test_a_transfer_of_a_line_exported_without_a_frozen_number_is_found_by_the_number_it_would_have(
        db_session, app):
    holder = _abroad(db_session, "Hand Paid")
    collect(db_session, _case(db_session, holder), "10.00")
    batch = services.draft(db_session, ANTON, DAY)
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    _line(batch, holder).statement_number = None                      # exported before numbers were frozen
    db_session.flush()
    [transfer] = [t for t in services.transfers(db_session, NEXT, {f"GS-{batch.id}-{holder.id}": NEXT})
                  if t.batch_id == batch.id]
    assert (transfer.credit_note, transfer.shown_on) == (f"GS-{batch.id}-{holder.id}", NEXT)


def test_a_manual_transfer_is_found_by_its_credit_note_number(db_session, app):
    holder = _abroad(db_session, "Hand Paid")
    collect(db_session, _case(db_session, holder), "10.00")
    batch = services.draft(db_session, ANTON, DAY)
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    [transfer] = [t for t in services.transfers(db_session, NEXT, {f"GS-{batch.id}-{holder.id}": NEXT,
                                                                  f"PB{batch.id}C{holder.id}": DAY})
                  if t.batch_id == batch.id]
    assert (transfer.end_to_end_id, transfer.shown_on, transfer.amount, transfer.client_name) == (
        None, NEXT, eur("7.00"), "Hand Paid")


# --- reads ---------------------------------------------------------------------------------

def test_batch_data_is_what_the_command_prints(db_session):
    batch, holder = _drafted(db_session)
    by_hand = make_client(db_session, "Bert Bildner")               # in Germany: 19% VAT on the commission
    collect(db_session, _case(db_session, by_hand), "10.00", day=NEXT)
    second = services.draft(db_session, ANTON, NEXT)
    assert services.batch_data(batch) == {
        "batch": batch.id, "state": "draft", "until": "2026-10-20", "currency": "EUR", "clients": 1,
        "collected": "100.00", "to_clients": "70.00", "to_firm": "30.00", "commission": "30.00", "vat": "0.00",
        "drafted_by": "anton", "approved_by": None, "manual": []}
    data = services.batch_data(second, files=["a.xml"])
    assert data["files"] == ["a.xml"] and data["manual"] == [
        {"client": by_hand.id, "name": "Bert Bildner", "reason": "no confirmed bank account", "amount": "6.43"}]


def test_the_newest_batches_first_and_the_open_one(db_session, app):
    first, _ = _drafted(db_session)
    collect(db_session, _case(db_session, _abroad(db_session)), "10.00", day=NEXT)
    second = services.draft(db_session, ANTON, NEXT)
    assert [b.id for b in services.batches(db_session)][:2] == [second.id, first.id]
    assert [b.id for b in services.batches(db_session, limit=1)] == [second.id]
    assert services.open_batch(db_session).id == second.id
    for batch in (second,):
        services.approve(db_session, LENA, batch.id)
        services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
        services.confirm(db_session, LENA, batch.id)
    assert services.open_batch(db_session).id == first.id


def test_a_batch_that_is_not_there(db_session):
    with pytest.raises(NotFound, match=r"^There is no payout batch 987654321\.$"):
        services.load_batch(db_session, 987654321)
    with pytest.raises(NotFound, match=r"^There is no payout batch 987654321; "):
        services.get_batch(db_session, 987654321)


def test_a_statement_pdf_is_rendered_once_then_read_back_also_once_confirmed(db_session, app, monkeypatch):
    from caseapp.payouts import statements

    batch, holder = _drafted(db_session)
    line = services.batch_line(db_session, batch, holder.id)
    services.approve(db_session, LENA, batch.id)
    with pytest.raises(InvalidInput, match=rf"^Payout batch {batch.id} is approved: its statements are written"):
        services.statement_pdf(db_session, _store(app), batch, line, app.config)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    services.confirm(db_session, LENA, batch.id)
    rendered, real = [], statements.render
    monkeypatch.setattr(statements, "render", lambda *args: rendered.append(1) or real(*args))
    first = services.statement_pdf(db_session, _store(app), batch, line, app.config)
    assert first == real(_store(app), batch, line, app.config) and first.startswith(b"%PDF") and rendered == [1]
    db_session.expire_all()
    stored = services.batch_line(db_session, batch, holder.id)
    assert _store(app).read(stored.statement_sha256) == first
    assert services.statement_pdf(db_session, _store(app), batch, stored, app.config) == first
    assert rendered == [1]                                               # read back, not rendered again
    stored.statement_sha256 = "0" * 64                                   # the stored file is gone: rendered again
    assert services.statement_pdf(db_session, _store(app), batch, stored, app.config) == first
    assert rendered == [1, 1] and stored.statement_sha256 != "0" * 64


def test_statements_laid_out_in_other_processes_are_the_ones_laid_out_here(db_session, app):
    """A pool given is used (a batch of a thousand clients is laid out on every core), and what
    it returns is what rendering here gives, each under its client's file name."""
    from caseapp.payouts import statements

    batch, holder = _drafted(db_session)
    services.approve(db_session, LENA, batch.id)
    services.export(db_session, ANTON, batch.id, _store(app), settings=app.config)
    here = statements.render(_store(app), batch, _line(batch, holder), app.config)

    class Watched:
        def __init__(self, pool):
            self.pool, self.used = pool, 0

        def map(self, *args, **kwargs):
            self.used += 1
            return self.pool.map(*args, **kwargs)

    with statements.pool(statements.POOL_FROM, workers=2) as pool:
        watched = Watched(pool)
        files = services.render_statements(db_session, _store(app), batch.id, settings=app.config, pool=watched)
    assert watched.used == 1
    assert files == {f"payout-batch-{batch.id}-statement-{holder.id}-Anna-Fotografin.pdf": here}


def test_clients_are_sorted_by_their_name_in_small_letters(db_session):
    """'_' sorts between the capitals and the small letters: in small letters '_atelier' comes
    before 'zora' (in capitals 'ZORA' would come before '_ATELIER')."""
    zora, atelier = _abroad(db_session, "Zora Z"), _abroad(db_session, "_Atelier")
    waiting_contract = dict(share_out_of_court_bp=7000, share_in_court_bp=5000, minimum_payout=eur("100.00"))
    zeno, underscore = _abroad(db_session, "Zeno", **waiting_contract), _abroad(db_session, "_Under", **waiting_contract)
    for holder in (zora, atelier, zeno, underscore):
        collect(db_session, _case(db_session, holder), "10.00")
    paid, waiting, _ = services.compute(db_session, DAY)
    assert [p.name for p in paid] == ["_Atelier", "Zora Z"] and [p.name for p in waiting] == ["_Under", "Zeno"]


def test_a_client_without_a_language_gets_its_statement_in_english(db_session):
    holder = _abroad(db_session)
    holder.language = ""
    collect(db_session, _case(db_session, holder), "10.00")
    paid, _, _ = services.compute(db_session, DAY)
    assert [p.language for p in paid if p.client_id == holder.id] == ["en"]
