"""The numbers and names a triage page takes after each decision (issue 17): the tabs count the
selection's client's hits only, the total is the selection's, and a selection of one picture
names it by its site (mutants of triage_counts, selection_names and HitFilter.describe that lived)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from caseapp.hits import services
from caseapp.hits.models import NEW
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit


def test_the_tabs_count_the_selected_clients_hits_and_the_total_is_the_selections(db_session):
    mine, theirs = make_client(db_session), make_client(db_session)
    for _ in range(2):
        make_hit(db_session, make_work(db_session, mine), "counted.example.com")
    for _ in range(3):
        make_hit(db_session, make_work(db_session, theirs), "counted.example.com")
    counts = services.triage_counts(db_session, services.HitFilter(client_id=mine.id), TODAY)
    assert counts["by_status"][NEW] == 2 and counts["total"] == 2          # not the other client's three
    nothing = services.HitFilter(client_id=mine.id, site="nowhere.example.com")
    assert services.triage_counts(db_session, nothing, TODAY)["total"] == 0


def test_the_total_counts_age_from_the_day_given(db_session):
    holder = make_client(db_session)
    found = datetime.combine(TODAY - timedelta(days=10), datetime.min.time(), tzinfo=timezone.utc)
    make_hit(db_session, make_work(db_session, holder), "aged.example.com", found_at=found)
    older_than_a_week = services.HitFilter(client_id=holder.id, older_than_days=7)
    assert services.triage_counts(db_session, older_than_a_week, TODAY)["total"] == 1
    assert services.triage_counts(db_session, older_than_a_week, TODAY - timedelta(days=5))["total"] == 0


def test_a_selection_of_one_picture_is_named_by_its_site(db_session):
    hit = make_hit(db_session, make_work(db_session, make_client(db_session)), "pictures.example.org")
    selection = services.HitFilter(status=None, sighting_id=hit.sighting_id)
    names = services.selection_names(db_session, selection)
    assert names == {"sighting": "pictures.example.org"}
    assert selection.describe(names) == "any status, the picture found on pictures.example.org"
    gone = services.HitFilter(sighting_id=hit.sighting_id + 10**6)
    assert services.selection_names(db_session, gone) == {}
    assert gone.describe(services.selection_names(db_session, gone)) == f"to decide, sighting {gone.sighting_id}"


def test_a_selection_by_status_alone_takes_its_total_from_the_tabs_and_any_other_is_counted(db_session):
    """The triage page counts the hits by status once (the tabs) and takes a status-only selection's
    total from them; a selection narrowed any further is counted (issue 20: no second count over a
    million hits for the default page)."""
    holder = make_client(db_session)
    for site in ("one.example.com", "one.example.com", "two.example.com"):
        make_hit(db_session, make_work(db_session, holder), site)
    counts = services.hit_counts(db_session, holder.id)
    by_status = services.HitFilter(client_id=holder.id)
    assert services.triage_page(db_session, by_status, TODAY, counts=counts).total == counts[NEW] == 3
    anything = services.HitFilter(client_id=holder.id, status=None)
    assert services.triage_page(db_session, anything, TODAY, counts=counts).total == sum(counts.values())
    on_one = services.HitFilter(client_id=holder.id, site="one.example.com")
    assert services.triage_page(db_session, on_one, TODAY, counts=counts).total == 2
    # the figure given is what the page shows: a status-only selection asks no second count
    assert services.triage_page(db_session, by_status, TODAY, counts={NEW: 41}).total == 41
    assert services.triage_page(db_session, on_one, TODAY, counts={NEW: 41}).total == 2
