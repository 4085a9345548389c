"""Reference data edited on FAB's pages is audited and protected from stale edits."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.core.audit import AuditEvent
from caseapp.parties.models import Party
from tests.parties.factories import make_party


def test_party_edit_is_audited_with_its_changes(client_as, db_session):
    party = make_party(db_session, name="Sonnenhof GmbH")
    db_session.commit()
    form = {"name": "Sonnenhof Reisen GmbH", "kind": "company", "country": "DE", "language": "de",
            "city": "Köln", "street": "Ring 1", "postal_code": "50667", "version_seen": str(party.version)}
    response = client_as("handler").post(f"/parties/edit/{party.id}", data=form)
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Party, party.id).name == "Sonnenhof Reisen GmbH"
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "party.edited", AuditEvent.subject_id == party.id)).one()
    assert event.actor_name == "handler" and event.subject_type == "party"
    assert event.details["name"] == ["Sonnenhof GmbH", "Sonnenhof Reisen GmbH"]
    assert event.details["city"] == ["Berlin", "Köln"]


def test_stale_party_edit_is_refused(client_as, db_session):
    party = make_party(db_session, name="Vento SRL", country="IT")
    db_session.commit()
    seen = str(party.version)
    base = {"kind": "company", "country": "IT", "language": "it", "version_seen": seen}
    client_as("handler").post(f"/parties/edit/{party.id}", data={**base, "name": "Vento S.r.l."})
    html = client_as("lawyer").post(f"/parties/edit/{party.id}", data={**base, "name": "Vento Bad"},
                                    follow_redirects=True).get_data(as_text=True)
    assert "changed by someone else" in html
    db_session.expire_all()
    assert db_session.get(Party, party.id).name == "Vento S.r.l."


def test_client_added_on_the_page_is_audited(client_as, db_session):
    client_as("accountant").post("/clients/add", data={
        "name": "Studio Nord", "kind": "photographer", "country": "DK", "language": "da"})
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "client.added")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details == {"name": "Studio Nord"} and event.actor_name == "accountant"
