"""A use that goes on: the crawler sees a known image on its page again, and the hit, its case
and the claim count the days up to the latest sighting."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from sqlalchemy import select

from caseapp.cases.models import Case
from caseapp.feasibility import services as feasibility
from caseapp.hits import services
from caseapp.hits.models import ILLEGAL, Hit
from tests.hits.test_api import api, jpeg, post  # noqa: F401  (fixture)
from tests.hits.test_ingest_cli import web  # noqa: F401  (fixture)
from tests.matching import transforms
from tests.matching.conftest import photo

from caseapp.core.audit import Actor

HANDLER = Actor.system("handler")


def _seen(client, token, base, when: str):
    line = json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://cafe.example.at/menu", "found_at": when})
    response = post(client, token, line)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["results"][0]["status"]


def test_a_sighting_seen_again_moves_its_last_day_and_its_cases(api, web, db_session):  # noqa: F811
    client, work, crawler, _ = api
    www, base = web
    (www / "copy.jpg").write_bytes(jpeg(transforms.crop(photo("coffee.png"), 0.7)))
    assert _seen(client, crawler, base, "2023-02-01T08:00:00Z") == "matched"
    hit = db_session.scalars(select(Hit).where(Hit.work_id == work.id)).one()
    assert hit.sighting.last_seen_at == datetime(2023, 2, 1, 8, tzinfo=timezone.utc)

    assert _seen(client, crawler, base, "2024-06-01T08:00:00Z") == "duplicate"
    db_session.expire_all()
    assert hit.sighting.last_seen_at == datetime(2024, 6, 1, 8, tzinfo=timezone.utc)
    assert _seen(client, crawler, base, "2023-09-01T08:00:00Z") == "duplicate"   # an older report: no step back
    db_session.expire_all()
    assert hit.sighting.last_seen_at == datetime(2024, 6, 1, 8, tzinfo=timezone.utc)

    services.decide(db_session, HANDLER, [hit.id], ILLEGAL, selection="hit", today=date(2026, 11, 23))
    db_session.expire_all()
    case = db_session.get(Case, hit.case_id)
    assert case.items[0].last_seen_at == datetime(2024, 6, 1, 8, tzinfo=timezone.utc)

    assert _seen(client, crawler, base, "2026-11-20T08:00:00Z") == "duplicate"
    db_session.expire_all()
    case = db_session.get(Case, hit.case_id)
    assert case.items[0].last_seen_at == datetime(2026, 11, 20, 8, tzinfo=timezone.utc)
    outlook = feasibility.assess_case(case, date(2026, 11, 23))
    assert outlook.period.first == date(2023, 2, 1) and outlook.period.last == date(2026, 11, 20)


def test_the_case_page_shows_when_a_use_was_last_seen(app, client_as, db_session):
    from datetime import timedelta

    from tests.cases.factories import make_case

    case = make_case(db_session, country="GB", currency="GBP", claimed="900.00")
    item = case.items[0]
    item.found_at = datetime(2019, 5, 1, 9, tzinfo=timezone.utc)
    item.last_seen_at = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    db_session.commit()
    case_id, ref = case.id, case.ref
    from caseapp.core.clock import today

    with app.app_context():   # the firm's day, as the page has it (read first: a request may cross midnight)
        day = today()
    page = client_as("handler").get(f"/cases/{ref}").get_data(as_text=True)
    case = db_session.get(Case, case_id)
    # England and Wales: six years back from the day the page is seen (Limitation Act 1980,
    # s. 2), a few days further when the end of a day's six years fell on a weekend or a bank
    # holiday and moved to the next working day (so on a Sunday or a Monday the first day
    # still claimable is a day or two earlier)
    six_years = date(day.year - 6, day.month, min(day.day, 28) if (day.month, day.day) == (2, 29) else day.day)
    barred_before = feasibility.assess_case(case, day).period.claimable_from
    assert six_years - timedelta(days=4) <= barred_before <= six_years
    assert "last seen" in page and f"a continuing use: the days before {barred_before.isoformat()} are time-barred" in page
