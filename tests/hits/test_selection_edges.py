"""The triage page's selections at their edges: a score exactly at a band's edge and just
under it, a hit exactly as old as the age filter and a day younger, a site's subdomains taken
literally; the filter read from an address, written back, described; the page, the counts,
each hit's first estimate and a work's sightings."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.hits import queries, services
from caseapp.hits.models import ILLEGAL, LEGAL, NEW, NO_MATCH, WHITELISTED, Hit, Sighting
from caseapp.hits.queries import HitFilter
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit
from tests.parties.factories import make_party

UTC = timezone.utc


def selected(session, hits, **fields) -> list[int]:
    """Which of `hits` the filter selects, in their order."""
    chosen = set(services.select_hits(session, HitFilter(**fields), TODAY))
    return [h.id for h in hits if h.id in chosen]


# -- score bands

def test_a_score_exactly_at_a_bands_edge_is_in_that_band_and_just_under_it_is_not(db_session, holder, work):
    scores = [1.0, 0.9, 0.8999, 0.7, 0.6999, 0.0]
    hits = [make_hit(db_session, work, "bands.example.com", score=s) for s in scores]
    by_score = dict(zip(scores, (h.id for h in hits)))
    assert selected(db_session, hits, client_id=holder.id, band="high") == [by_score[1.0], by_score[0.9]]
    assert selected(db_session, hits, client_id=holder.id, band="mid") == [by_score[0.8999], by_score[0.7]]
    assert selected(db_session, hits, client_id=holder.id, band="low") == [by_score[0.6999], by_score[0.0]]
    assert selected(db_session, hits, client_id=holder.id) == [h.id for h in hits]


def test_the_bands_words_say_their_edges():
    assert {name: words for name, (_, _, words) in queries.BANDS.items()} == {
        "high": "score 0.90 or more", "mid": "score 0.70 to 0.89", "low": "score under 0.70"}


# -- age

@pytest.mark.parametrize("days", [7, 30])
def test_a_hit_exactly_as_old_as_the_age_filter_is_not_over_it_one_day_older_is(db_session, holder, work, days):
    edge = datetime.combine(TODAY - timedelta(days=days), datetime.min.time(), UTC)
    older = make_hit(db_session, work, "age.example.com", found_at=edge - timedelta(days=1))
    last_second = make_hit(db_session, work, "age.example.com", found_at=edge - timedelta(seconds=1))
    exactly = make_hit(db_session, work, "age.example.com", found_at=edge)
    later_that_day = make_hit(db_session, work, "age.example.com", found_at=edge + timedelta(hours=23))
    younger = make_hit(db_session, work, "age.example.com", found_at=edge + timedelta(days=1))
    today = make_hit(db_session, work, "age.example.com", found_at=datetime(2026, 11, 23, 9, tzinfo=UTC))
    hits = [older, last_second, exactly, later_that_day, younger, today]
    assert selected(db_session, hits, client_id=holder.id, older_than_days=days) == [older.id, last_second.id]
    assert selected(db_session, hits, client_id=holder.id, older_than_days=None) == [h.id for h in hits]


# -- client, status, site, clusters

def test_a_selection_by_client_status_site_work_and_sighting(db_session, holder, work):
    other_work = make_work(db_session, holder)
    rival = make_work(db_session, make_client(db_session))
    mine = make_hit(db_session, work, "sel.example.com")
    sub = make_hit(db_session, work, "shop.sel.example.com")
    decided = make_hit(db_session, work, "sel.example.com", status=LEGAL)
    second = make_hit(db_session, other_work, "sel.example.com")
    theirs = make_hit(db_session, rival, "sel.example.com")
    hits = [mine, sub, decided, second, theirs]
    assert selected(db_session, hits, client_id=holder.id, site="sel.example.com") == [mine.id, second.id]
    assert selected(db_session, hits, site="sel.example.com") == [mine.id, second.id, theirs.id]
    assert selected(db_session, hits, site="sel.example.com", subdomains=True) == \
        [mine.id, sub.id, second.id, theirs.id]
    assert selected(db_session, hits, site="sel.example.com", status=None) == \
        [mine.id, decided.id, second.id, theirs.id]
    assert selected(db_session, hits, site="sel.example.com", status=LEGAL) == [decided.id]
    assert selected(db_session, hits, site="sel.example.com", work_id=other_work.id) == [second.id]
    assert selected(db_session, hits, status=None, sighting_id=decided.sighting_id) == [decided.id]


def test_a_sites_subdomains_are_matched_literally(db_session, work):
    exact = make_hit(db_session, work, "a_b.example.com")
    sub = make_hit(db_session, work, "x.a_b.example.com")
    lookalike = make_hit(db_session, work, "x.aXb.example.com")
    other = make_hit(db_session, work, "xa_b.example.com")
    hits = [exact, sub, lookalike, other]
    assert selected(db_session, hits, site="a_b.example.com", subdomains=True) == [exact.id, sub.id]
    percent = make_hit(db_session, work, "x.a%b.example.com")
    assert selected(db_session, hits + [percent], site="a%b.example.com", subdomains=True) == [percent.id]
    slash = make_hit(db_session, work, "x.a\\b.example.com")
    assert selected(db_session, hits + [slash], site="a\\b.example.com", subdomains=True) == [slash.id]


# -- the filter from an address, back to one, in words

def test_the_filter_read_from_an_address(db_session):
    read = HitFilter.from_args({"client": "12", "status": "legal", "site": "  Shop.Example.COM ", "band": "mid",
                                "older": "30", "work": "5", "sighting": "9"})
    assert read == HitFilter(client_id=12, status=LEGAL, site="shop.example.com", band="mid", older_than_days=30,
                             work_id=5, sighting_id=9)
    assert HitFilter.from_args({"status": "all"}).status is None
    assert HitFilter.from_args({}) == HitFilter(status=NEW)
    assert HitFilter.from_args({"older": "36500"}).older_than_days == 36500
    assert HitFilter.from_args({"older": "36501"}).older_than_days is None
    assert HitFilter.from_args({"older": "1"}).older_than_days == 1
    assert HitFilter.from_args({"older": "0"}).older_than_days is None
    assert HitFilter.from_args({"client": "abc", "band": "huge", "status": "bogus"}) == HitFilter()


def test_a_strict_filter_refuses_what_means_nothing(db_session):
    strict = {"client": "3", "status": "whitelisted", "band": "low", "older": "7", "work": "4", "sighting": "5"}
    assert HitFilter.from_args(strict, strict=True) == HitFilter(3, WHITELISTED, None, "low", 7, 4, 5)
    assert HitFilter.from_args({"status": "all"}, strict=True).status is None
    assert HitFilter.from_args({}, strict=True) == HitFilter()
    with pytest.raises(InvalidInput, match="^Status: .*bogus.* is not one of all, new, legal, illegal, "
                                           "whitelisted, no_match.$"):
        HitFilter.from_args({"status": "bogus"}, strict=True)
    with pytest.raises(InvalidInput, match="^Score: .*huge.* is not one of high, mid, low.$"):
        HitFilter.from_args({"band": "huge"}, strict=True)
    with pytest.raises(InvalidInput, match=r"^Age \(days\): .*36501.* is not a whole number from 1 to 36500.$"):
        HitFilter.from_args({"older": "36501"}, strict=True)
    with pytest.raises(InvalidInput, match="Age"):
        HitFilter.from_args({"older": "0"}, strict=True)
    assert HitFilter.from_args({"older": "36500"}, strict=True).older_than_days == 36500
    with pytest.raises(InvalidInput, match=r"^Age \(days\): .*0.* is not a whole number from 1 to 36500.$"):
        HitFilter.from_args({"older": "0"}, strict=True)
    assert HitFilter.from_args({"older": "1"}, strict=True).older_than_days == 1
    for field, words in (("client", "Client"), ("work", "Work"), ("sighting", "Sighting")):
        with pytest.raises(InvalidInput, match=f"^{words}: .*abc.* is not a {words.lower()} number.$"):
            HitFilter.from_args({field: "abc"}, strict=True)


def test_the_filter_written_back_to_an_address_keeps_what_is_set(db_session):
    full = HitFilter(client_id=1, status=ILLEGAL, site="s.example.com", band="high", older_than_days=7,
                     work_id=2, sighting_id=3)
    assert full.args() == {"client": 1, "status": ILLEGAL, "site": "s.example.com", "band": "high", "older": 7,
                           "work": 2, "sighting": 3}
    assert HitFilter.from_args({k: str(v) for k, v in full.args().items()}) == full
    assert HitFilter(status=None).args() == {"status": "all"}
    assert HitFilter().args(band="low", site="") == {"status": NEW, "band": "low"}


def test_the_filter_in_words(db_session):
    assert HitFilter().describe() == "to decide"
    assert HitFilter(status=None).describe() == "any status"
    assert HitFilter(client_id=4, status=NO_MATCH, site="w.example.com", band="mid", older_than_days=30,
                     work_id=6, sighting_id=8).describe() == (
        "no match, client 4, on w.example.com, score 0.70 to 0.89, found over 30 days ago, work 6, sighting 8")


def test_a_cluster_is_a_selection_by_work_or_sighting():
    assert HitFilter(work_id=1).is_cluster and HitFilter(sighting_id=1).is_cluster
    assert not HitFilter(client_id=1, site="x.example.com").is_cluster


# -- the page

def test_the_page_after_a_hit_that_is_gone_starts_at_the_beginning(db_session, holder, work):
    hits = [make_hit(db_session, work, "page-gone.example.com") for _ in range(3)]
    page = services.triage_page(db_session, HitFilter(client_id=holder.id), TODAY, after=987654321, limit=2)
    assert [h.id for h in page.hits] == [hits[0].id, hits[1].id] and page.next_after == hits[1].id
    assert page.total == 3
    exact = services.triage_page(db_session, HitFilter(client_id=holder.id), TODAY, limit=3)
    assert [h.id for h in exact.hits] == [h.id for h in hits] and exact.next_after is None


def test_a_page_holds_30_hits_unless_told(db_session, holder, work):
    hits = [make_hit(db_session, work, "thirty.example.com") for _ in range(31)]
    page = services.triage_page(db_session, HitFilter(client_id=holder.id), TODAY)
    assert [h.id for h in page.hits] == [h.id for h in hits[:30]] and page.next_after == hits[29].id
    assert page.total == 31


def test_the_page_and_its_total_keep_the_age_filter(db_session, holder, work):
    old = make_hit(db_session, work, "page-age.example.com", found_at=datetime(2026, 1, 1, tzinfo=UTC))
    make_hit(db_session, work, "page-age.example.com", found_at=datetime(2026, 11, 20, tzinfo=UTC))
    page = services.triage_page(db_session, HitFilter(client_id=holder.id, older_than_days=30), TODAY)
    assert [h.id for h in page.hits] == [old.id] and page.total == 1


def test_a_sites_hits_come_in_the_order_they_were_made_whatever_their_work(db_session, holder, work):
    later_work = make_work(db_session, holder)
    first = make_hit(db_session, later_work, "order.example.com")
    second = make_hit(db_session, work, "order.example.com")
    third = make_hit(db_session, later_work, "order.example.com")
    assert services.select_hits(db_session, HitFilter(site="order.example.com", status=None), TODAY) == \
        [first.id, second.id, third.id]
    page = services.triage_page(db_session, HitFilter(site="order.example.com", status=None), TODAY)
    assert [h.id for h in page.hits] == [first.id, second.id, third.id]
    rest = services.triage_page(db_session, HitFilter(site="order.example.com", status=None), TODAY,
                                after=first.id)
    assert [h.id for h in rest.hits] == [second.id, third.id]


def test_the_page_counts_clusters_and_names_the_cases(db_session, holder, work):
    a = [make_hit(db_session, work, "pc-a.example.de") for _ in range(2)]
    b = make_hit(db_session, work, "pc-b.example.de")
    services.decide(db_session, Actor(None, "handler"), [b.id], ILLEGAL, selection="hit", today=TODAY)
    page = services.triage_page(db_session, HitFilter(client_id=holder.id, status=None), TODAY)
    assert [h.id for h in page.hits] == [a[0].id, a[1].id, b.id] and page.total == 3
    assert page.site_hits == {(work.id, "pc-a.example.de"): 2, (work.id, "pc-b.example.de"): 1}
    assert page.sighting_hits == {a[0].sighting_id: 1, a[1].sighting_id: 1, b.sighting_id: 1}
    case_id = db_session.get(Hit, b.id).case_id
    assert list(page.case_refs) == [case_id]
    empty = services.triage_page(db_session, HitFilter(client_id=holder.id, status=WHITELISTED), TODAY)
    assert (empty.hits, empty.total, empty.next_after, empty.sighting_hits, empty.site_hits, empty.case_refs) == \
        ([], 0, None, {}, {}, {})


def test_counts_by_status_for_everyone_or_one_client(db_session, holder, work):
    rival = make_work(db_session, make_client(db_session))
    make_hit(db_session, work, "counts.example.com")
    make_hit(db_session, work, "counts.example.com", status=LEGAL)
    make_hit(db_session, work, "counts.example.com", status=LEGAL)
    make_hit(db_session, rival, "counts.example.com")
    assert services.hit_counts(db_session, holder.id) == {NEW: 1, LEGAL: 2}
    everyone = services.hit_counts(db_session)
    assert everyone[NEW] >= 2 and everyone[LEGAL] >= 2 and sum(everyone.values()) >= 4


# -- a work's sightings

def test_a_works_sightings_found_at_the_same_moment_come_in_the_order_they_were_seen(db_session, holder, work):
    at = datetime(2026, 2, 2, tzinfo=UTC)
    sightings = []
    for site in ("same-a.example.com", "same-b.example.com"):
        sighting = Sighting(key=services.sighting_key(f"https://{site}/i.jpg", f"https://{site}/"),
                            image_url=f"https://{site}/i.jpg", page_url=f"https://{site}/", site=site, found_at=at,
                            image_sha256=work.file_sha256, thumbnail_sha256=work.thumbnail_sha256)
        db_session.add(sighting)
        db_session.flush()
        sightings.append(sighting)
    for sighting in reversed(sightings):   # the hits made the other way round
        db_session.add(Hit(sighting_id=sighting.id, work_id=work.id, client_id=holder.id, site=sighting.site,
                           score=0.9, status=NEW))
        db_session.flush()
    assert [s.site for s in services.sightings_of_work(db_session, work.id)] == \
        ["same-a.example.com", "same-b.example.com"]


def test_a_works_sightings_earliest_first_without_those_triaged_as_no_match(db_session, holder, work):
    make_hit(db_session, work, "late.example.com", found_at=datetime(2026, 3, 1, tzinfo=UTC))
    make_hit(db_session, work, "early.example.com", found_at=datetime(2025, 1, 1, tzinfo=UTC))
    make_hit(db_session, work, "nomatch.example.com", found_at=datetime(2024, 1, 1, tzinfo=UTC), status=NO_MATCH)
    make_hit(db_session, make_work(db_session, holder), "otherwork.example.com",
             found_at=datetime(2024, 1, 1, tzinfo=UTC))
    seen = services.sightings_of_work(db_session, work.id)
    assert [(s.site, s.found_at.date(), s.image_sha256) for s in seen] == [
        ("early.example.com", date(2025, 1, 1), work.file_sha256),
        ("late.example.com", date(2026, 3, 1), work.file_sha256)]


# -- each hit's first estimate

def test_the_first_estimate_asks_with_the_party_on_file_the_clients_terms_and_the_works_evidence(
        db_session, holder, work, monkeypatch):
    asked = {}

    def first_estimate(country, **kwargs):
        asked[country] = kwargs
        return real(country, **kwargs)

    real = queries.feasibility.first_estimate
    monkeypatch.setattr(queries.feasibility, "first_estimate", first_estimate)
    holder.pursues_private_users = True
    work.publication_country, work.us_registered_on, work.us_applied_on = "US", date(2024, 5, 1), date(2024, 4, 1)
    party = make_party(db_session, "AT", site="onfile.example.com", name="Hotel Alpen GmbH", subdivision="9")
    party.commercial = "private"     # the address lookup's verdict on the site (issue 18)
    known = make_hit(db_session, work, "onfile.example.com", found_at=datetime(2026, 1, 10, 8, tzinfo=UTC))
    guessed = make_hit(db_session, work, "guess.example.fr", found_at=datetime(2026, 2, 1, tzinfo=UTC))
    db_session.get(Hit, guessed.id).sighting.last_seen_at = datetime(2026, 6, 30, 23, tzinfo=UTC)
    db_session.flush()
    out = services.outlooks(db_session, [known, guessed], TODAY)
    assert asked["AT"] == dict(found_on=date(2026, 1, 10), today=TODAY, last_seen_on=date(2026, 1, 10),
                               address=True, client_country="DE", pursue_private=True, subdivision="9",
                               work_country="US", us_registered_on=date(2024, 5, 1),
                               us_applied_on=date(2024, 4, 1), evidence="professional", commercial=False)
    assert asked["FR"]["address"] is None and asked["FR"]["subdivision"] is None
    assert asked["FR"]["commercial"] is None      # no party on file: not checked
    assert asked["FR"]["last_seen_on"] == date(2026, 6, 30) and asked["FR"]["found_on"] == date(2026, 2, 1)
    assert (out[known.id]["country"], out[known.id]["country_from"]) == ("AT", f"party on file: {party.name}")
    assert (out[guessed.id]["country"], out[guessed.id]["country_from"]) == ("FR", "guessed from the site")


def test_a_party_without_a_postal_address_is_an_address_not_known(db_session, holder, work, monkeypatch):
    asked = {}
    real = queries.feasibility.first_estimate

    def first_estimate(country, **kwargs):
        asked.update(kwargs)
        return real(country, **kwargs)

    monkeypatch.setattr(queries.feasibility, "first_estimate", first_estimate)
    make_party(db_session, "DE", site="noaddress.example.de", street="", postal_code="", city="")
    hit = make_hit(db_session, work, "noaddress.example.de")
    services.outlooks(db_session, [hit], TODAY)
    assert asked["address"] is None and asked["pursue_private"] is False and asked["work_country"] is None


def test_the_first_estimate_in_the_words_and_figures_the_page_shows(db_session, holder, work):
    hit = make_hit(db_session, work, "estimate.example.de", found_at=datetime(2025, 11, 2, tzinfo=UTC))
    db_session.get(Hit, hit.id).sighting.last_seen_at = datetime(2026, 11, 1, tzinfo=UTC)
    unknown = make_hit(db_session, work, "estimate.example.zz")
    db_session.flush()
    out = services.outlooks(db_session, [hit, unknown], TODAY)
    assert out[hit.id] == {
        "feasible": True, "route": "Mahnverfahren (court dunning procedure, §§ 688 ff. ZPO)", "country": "DE",
        "country_from": "guessed from the site", "expected": "€784.90", "amount": "€1,300.00",
        "why": "the site owner's address is not looked up yet; commercial use not checked yet; Mahnverfahren "
               "(court dunning procedure, §§ 688 ff. ZPO): filed by a registered debt collector (§ 10(1) no. 1 "
               "RDG) or a lawyer; the cost is in the figures"}
    assert out[unknown.id]["amount"] == "" and out[unknown.id]["expected"] == ""
    assert out[unknown.id]["feasible"] is False and out[unknown.id]["why"]
