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
