"""Whether private, non-commercial recipients are pursued is the client's policy (default: not)."""
from __future__ import annotations

from caseapp.clients import services as clients
from caseapp.core.audit import Actor
from tests.clients.factories import make_client

ADMIN = Actor.system("test")


def test_the_policy_is_off_by_default_and_set_per_client(db_session):
    careful = make_client(db_session)
    bold = make_client(db_session)
    clients.edit_client(db_session, ADMIN, bold.id, seen_version=bold.version, pursues_private_users="y")
    db_session.flush()
    terms = clients.client_terms(db_session, [careful.id, bold.id])
    assert terms[careful.id].pursues_private_users is False
    assert terms[bold.id].pursues_private_users is True and terms[bold.id].country == bold.country
    clients.edit_client(db_session, ADMIN, bold.id, seen_version=bold.version, pursues_private_users=False)
    db_session.flush()
    assert clients.client_terms(db_session, [bold.id])[bold.id].pursues_private_users is False
    assert clients.client_terms(db_session, []) == {}


def test_the_policy_is_a_tick_box_on_the_client_page(client_as, db_session):
    client = make_client(db_session)
    db_session.commit()
    base = {"name": client.name, "kind": client.kind, "country": client.country, "language": client.language,
            "version_seen": str(client.version)}
    page = client_as("accountant").get(f"/clients/edit/{client.id}").get_data(as_text=True)
    assert "Pursue private, non-commercial users" in page and "§ 97a(3) UrhG" in page
    client_as("accountant").post(f"/clients/edit/{client.id}", data={**base, "pursues_private_users": "y"})
    db_session.expire_all()
    assert clients.client_terms(db_session, [client.id])[client.id].pursues_private_users is True
