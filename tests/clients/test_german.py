"""The client page, the work page, the upload drop zone and the clients/works lists in German
(issue 17), plural forms included; a refusal on a form is said in German too."""
from __future__ import annotations

import json
import re

from tests.clients.factories import make_client, make_work

DE = {"Accept-Language": "de"}


def test_the_client_page_in_german(db_session, client_as):
    holder = make_client(db_session, "Lichtbild GmbH", mandate=False)
    for _ in range(2):
        make_work(db_session, holder, verified=False)
    db_session.commit()
    page = client_as("handler").get(f"/clients/{holder.id}", headers=DE).get_data(as_text=True)
    assert "Bevor die Fälle dieses Mandanten hinausgehen können" in page
    assert "2 Werke ungeprüft: ihre Urheberschaft ist noch nicht geprüft." in page         # plural
    assert "Kein unterschriebenes Mandat hinterlegt" in page and "Bankverbindung für Auszahlungen" in page
    assert "Werke hinzufügen" in page and "Websites der Freigabeliste" in page and "ungeprüft (2)" in page
    for english in ("Who the client is", "Bank account for payouts", "Add works", "works unverified", "Open cases"):
        assert english not in page, english
    words = json.loads(re.search(r'class="ca-upload-words">(.*?)</script>', page, re.S).group(1))
    assert words["duplicate_of"] == "Duplikat von Werk %(id)s (%(title)s), nicht hinzugefügt"


def test_one_unverified_work_is_said_in_the_singular(db_session, client_as):
    holder = make_client(db_session)
    make_work(db_session, holder, verified=False)
    db_session.commit()
    page = client_as("handler").get(f"/clients/{holder.id}", headers=DE).get_data(as_text=True)
    assert "1 Werk ungeprüft: seine Urheberschaft ist noch nicht geprüft." in page


def test_a_refused_mandate_is_said_in_german(db_session, client_as):
    holder = make_client(db_session, mandate=False)
    db_session.commit()
    browser = client_as("accountant")
    page = browser.post(f"/clients/{holder.id}/mandate", data={"signed_on": "2026-01-02", "version": holder.version},
                        headers=DE, follow_redirects=True).get_data(as_text=True)
    assert "Mandat: wählen Sie die Datei des unterschriebenen Mandats" in page


def test_the_work_page_in_german(db_session, client_as):
    holder = make_client(db_session)
    work = make_work(db_session, holder, verified=False)
    db_session.commit()
    page = client_as("handler").get(f"/works/{work.id}", headers=DE).get_data(as_text=True)
    assert '<h2 id="h-image">Das Bild</h2>' in page and "Prüfungen" in page and "Beweise" in page and "Lizenzverkäufe" in page
    assert "Ungeprüft" in page and "Keine Verkäufe belegt" in page
    for english in (">The image<", "Licence sales", "Record a sale", "Decide its status"):
        assert english not in page, english


def test_the_clients_and_works_lists_in_german(db_session, client_as):
    holder = make_client(db_session, "Listen AG")
    make_work(db_session, holder)
    db_session.commit()
    browser = client_as("accountant")
    clients = browser.get("/clients/list/", headers=DE).get_data(as_text=True)
    assert "Mandanten" in clients and "Sprache" in clients and "Language" not in clients
    works = browser.get("/works/list/", headers=DE).get_data(as_text=True)
    assert "Werke" in works and "Urheberschaft" in works and "Bestätigt" in works and "Ownership" not in works


def test_the_upload_page_in_german(db_session, client_as):
    holder = make_client(db_session, "Upload KG")
    db_session.commit()
    page = client_as("handler").get(f"/clients/{holder.id}/works/upload", headers=DE).get_data(as_text=True)
    assert "Upload KG: Werke hinzufügen" in page and "Dateien wählen…" in page and "Choose files" not in page
