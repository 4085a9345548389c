"""Defects found while reshaping the house (issue 10): each test failed before its fix."""
from __future__ import annotations

import ast
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select, text

from caseapp.core.audit import Actor, AuditEvent
from tests.cases.factories import make_case
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]


def test_queue_filters_with_unicode_digits_are_ignored_not_a_500(client_as):
    client = client_as("handler")
    for query in ("client=²", "client=٣", "client=99999999999999999999", "scope=unassigned&client=%C2%B2"):
        response = client.get(f"/queue/?{query}")
        assert response.status_code == 200, query


def test_a_stale_version_with_unicode_digits_is_refused_not_a_500(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    response = client_as("handler").post(f"/cases/{case.ref}/stage", data={"target": "reminder_sent",
                                                                             "version": "²"})
    assert response.status_code == 302


def test_undoing_another_persons_decision_is_a_permission_in_the_matrix(app, db_session, client_as, users):
    """Not a role name inside a view: a role granted Hits.undo_others may undo anyone's decision."""
    from caseapp.domains import access_matrix
    from caseapp.hits import services
    from caseapp.hits.models import LEGAL
    from tests.hits.test_triage import sighting_hits

    assert access_matrix().permission_for("Hits", "undo_others") is not None
    holder = make_client(db_session)
    hits = sighting_hits(db_session, make_work(db_session, holder), "undo-others.example", 1)
    theirs = services.decide(db_session, Actor(users["handler2"].id, "handler2"), [hits[0].id], LEGAL,
                             selection="hit", today=TODAY)
    db_session.commit()
    refused = client_as("handler").post("/hits/undo", data={"decision": theirs.id})
    assert "handler2" in refused.get_data(as_text=True) or refused.status_code == 302
    sm = app.appbuilder.sm
    role = sm.find_role("CaseHandler")
    granted = sm.add_permission_view_menu("can_undo_others", "Hits")
    role.permissions.append(granted)
    db_session.commit()
    try:
        client_as("handler").post("/hits/undo", data={"decision": theirs.id})
        db_session.expire_all()
        from caseapp.hits.models import HitDecision

        assert db_session.get(HitDecision, theirs.id).undone_at is not None
    finally:
        role.permissions.remove(granted)
        db_session.commit()


def test_a_party_saved_with_a_lowercase_country_is_stored_as_the_queue_filters_it(client_as, db_session):
    from caseapp.parties.models import Party

    response = client_as("handler").post("/parties/add", data={
        "name": "Kleinschreibung GmbH", "kind": "company", "country": "de", "language": "de"})
    assert response.status_code == 302
    party = db_session.scalars(select(Party).where(Party.name == "Kleinschreibung GmbH")).one()
    assert party.country == "DE"


def test_a_client_saved_with_a_lowercase_country_is_stored_upper_case(client_as, db_session):
    from caseapp.clients.models import Client

    client_as("accountant").post("/clients/add", data={
        "name": "Studio Klein", "kind": "photographer", "country": "fr", "language": "fr"})
    client = db_session.scalars(select(Client).where(Client.name == "Studio Klein")).one()
    assert client.country == "FR"


def test_deleting_a_case_keeps_its_audit_trail(db_session):
    case = make_case(db_session, "new")
    db_session.flush()
    case_id = case.id
    before = db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))
    assert before >= 1
    db_session.execute(text('DELETE FROM case_item WHERE case_id = :id'), {"id": case_id})
    db_session.execute(text('DELETE FROM "case" WHERE id = :id'), {"id": case_id})
    db_session.expire_all()
    after = db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type == "case",
                                                                                 AuditEvent.subject_id == case_id))
    assert after == before


def test_no_migration_imports_application_code():
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not (name == "caseapp" or name.startswith("caseapp.") or name.startswith("matching")), \
                    f"{path.name} imports {name}: a migration must keep working when the application changes"


def test_settings_are_defined_and_used(monkeypatch, tmp_path):
    from caseapp.config import build_config

    monkeypatch.setenv("CASEAPP_TIMEZONE", "America/New_York")
    monkeypatch.setenv("CASEAPP_QUEUE_PAGE_SIZE", "7")
    monkeypatch.setenv("CASEAPP_LOCALE", "de")
    config = build_config({"CASEAPP_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert config["CASEAPP_TIMEZONE"] == "America/New_York"
    assert config["CASEAPP_QUEUE_PAGE_SIZE"] == 7
    assert config["CASEAPP_LOCALE"] == "de"


def test_the_queue_page_size_setting_is_obeyed(app, client_as, db_session, users):
    import re

    old = app.config["CASEAPP_QUEUE_PAGE_SIZE"]
    app.config["CASEAPP_QUEUE_PAGE_SIZE"] = 3
    try:
        html = client_as("handler").get("/queue/?scope=unassigned").get_data(as_text=True)
    finally:
        app.config["CASEAPP_QUEUE_PAGE_SIZE"] = old
    assert len(set(re.findall(r'href="/cases/(C-\d{4}-\d{6})"', html))) == 3


def test_the_locale_setting_formats_amounts_and_dates(app):
    from datetime import date

    from caseapp.core.formatting import day, money
    from caseapp.core.money import Money

    old = app.config.get("CASEAPP_LOCALE")
    app.config["CASEAPP_LOCALE"] = "de"
    try:
        with app.test_request_context():
            assert money(Money(123450, "EUR")) == "1.234,50\xa0€"
            assert day(date(2026, 6, 5)) == "Fr., 5. Juni 2026"
    finally:
        app.config["CASEAPP_LOCALE"] = old


def test_decoding_limits_are_set_once_not_on_every_call(db_session, tmp_path):
    import io

    from caseapp.core.filestore import FileStore
    from caseapp.clients import services

    holder = make_client(db_session)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    marker = 123_456_789
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = marker
    try:
        services.add_work(db_session, FileStore(tmp_path), Actor.system("test"), client_id=holder.id,
                          title="red", data=out.getvalue())
        assert Image.MAX_IMAGE_PIXELS == marker
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def test_a_decision_is_told_as_facts_and_each_page_words_it(db_session, client_as):
    """The service returns what happened; the rules page says how to undo in its own words
    (it used to rewrite the triage page's sentence by string replacement)."""
    from caseapp.hits import services
    from caseapp.hits.views import UNDO_BY_KEY, UNDO_ON_TRIAGE, decision_message
    from tests.hits.test_triage import sighting_hits

    holder = make_client(db_session)
    sighting_hits(db_session, make_work(db_session, holder), "facts.example.org", 2)
    decision = services.whitelist_site(db_session, Actor.system("test"), site="facts.example.org",
                                         client_id=holder.id, today=TODAY)
    outcome = services.decision_outcome(db_session, decision)
    assert (outcome.kind, outcome.count) == (services.WHITELISTED_SITE, 2)
    assert not any(isinstance(v, str) and "undo" in v.lower() for v in vars(outcome).values())
    assert decision_message(outcome).endswith(str(UNDO_BY_KEY))   # (lazy words: text in the reader's language)
    assert decision_message(outcome, UNDO_ON_TRIAGE).endswith(str(UNDO_ON_TRIAGE))
