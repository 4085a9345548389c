"""Issue 17: the queue and the case page in German for a person whose browser asks for German;
without Accept-Language they stay English (the other tests)."""
from __future__ import annotations

from caseapp.cases import lifecycle
from tests.cases.factories import make_case
from tests.cases.test_gate import _case

DE = {"Accept-Language": "de"}


def german(client, url: str) -> str:
    response = client.get(url, headers=DE)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_queue_in_german(client_as, db_session, users):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    case.assignee_id = users["handler"].id
    db_session.commit()
    html = german(client_as("handler"), "/queue/?scope=mine")
    for words in ("Meine Fälle", "Nicht zugewiesen", "Meine überfälligen", "Nächsten nehmen", "Stufe", "Forderung",
                  "Nächster Schritt", "Fällig", "Angebot versandt", "Zahlungserinnerung fällig", "Tastenkürzel",
                  "nächste Seite", "Filtern"):
        assert words in html, words
    for words in ("My cases", "Take next", "Next step", "Offer sent", "Reminder due", "Keyboard shortcuts"):
        assert words not in html, words
    # the key help's words for keys.js, in German (the script falls back to English without them)
    assert '"take_next": "nächsten nicht zugewiesenen Fall nehmen"' in html


def test_an_empty_queue_says_so_in_german(client_as, db_session):
    html = german(client_as("handler"), "/queue/?scope=overdue&country=ZZ")
    assert "Keiner Ihrer Fälle mit diesen Filtern ist überfällig." in html and "None of your cases" not in html


def test_take_next_flashes_in_german(client_as, db_session):
    make_case(db_session, lifecycle.NEW)
    db_session.commit()
    html = client_as("handler2").post("/queue/take-next", data={}, headers=DE,
                                      follow_redirects=True).get_data(as_text=True)
    assert "gehört jetzt Ihnen: " in html and "is yours now" not in html


def test_the_case_page_in_german(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, expected="300.00")
    db_session.commit()
    html = german(client_as("handler"), f"/cases/{case.ref}")
    for words in ("Beteiligte", "Mandant", "Finanzen", "Forderung oder Fälligkeit bearbeiten",
                  f"Durchsetzbarkeit in {case.country}", "Erwartungswert", "Positionen (1)",
                  "Vom Empfänger vorgelegte Lizenz", "Nächste Schritte", "Zahlungserinnerung als versandt erfassen",
                  "Fall schließen…", "Warum wird der Fall geschlossen?", "Doppelter Fall", "Abbrechen",
                  "Notizen", "Notiz hinzufügen", "Verlauf", "Fall eröffnet", "Schreiben (0)", "Schreiben verfassen",
                  "Nachlizenzierungsangebot", "zugewiesen: <b>niemandem</b>", "Als Nächstes: <b>Prüfung beginnen</b>"):
        assert words in html, words
    assert '<h2 id="h-money">Finanzen</h2>' in html
    for words in ("Parties", "Expected value", "Next steps", "Record reminder sent", "Why does the case close?",
                  "Add note", "Timeline", "Case opened", "Write a letter", "Offer (post-licensing)", "assigned to"):
        assert words not in html, words


def test_the_gate_counts_its_blockers_in_german(client_as, db_session):
    case, _ = _case(db_session, mandate=False, statuses=("unverified",))
    db_session.commit()
    html = german(client_as("handler"), f"/cases/{case.ref}")
    assert "Vor dem ersten Schreiben: 2 Punkte zu beheben" in html and "things to fix" not in html
    case, _ = _case(db_session, mandate=True, statuses=("unverified",))
    db_session.commit()
    html = german(client_as("handler"), f"/cases/{case.ref}")
    assert "Vor dem ersten Schreiben: 1 Punkt zu beheben" in html


def test_stage_change_and_note_flash_in_german(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    client = client_as("handler")
    html = client.post(f"/cases/{case.ref}/stage", data={"target": "reminder_sent", "version": case.version},
                       headers=DE, follow_redirects=True).get_data(as_text=True)
    assert f"{case.ref} ist jetzt in der Stufe Zahlungserinnerung versandt." in html and "is now" not in html
    timeline = html.split('id="h-timeline"')[1]
    assert "Angebot versandt → <b>Zahlungserinnerung versandt</b>" in timeline and "Stufe geändert" not in timeline
    html = client.post(f"/cases/{case.ref}/notes", data={"text": "  "}, headers=DE,
                       follow_redirects=True).get_data(as_text=True)
    assert "Die Notiz ist leer" in html and "The note is empty" not in html
    html = client.post(f"/cases/{case.ref}/notes", data={"text": "Angerufen"}, headers=DE,
                       follow_redirects=True).get_data(as_text=True)
    assert "Notiz hinzugefügt." in html and "Note added." not in html


def test_close_and_reopen_in_german(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    client = client_as("handler")
    html = client.post(f"/cases/{case.ref}/stage", data={"target": "closed", "reason": "duplicate",
                                                          "version": case.version},
                       headers=DE, follow_redirects=True).get_data(as_text=True)
    assert f"{case.ref} ist geschlossen: Doppelter Fall." in html
    assert "Geschlossen am" in html and "Fall wiedereröffnen…" in html and "Reopen case" not in html
    assert "höchstens 2.000 Zeichen" in html   # a count as German writes it
    db_session.refresh(case)
    html = client.post(f"/cases/{case.ref}/reopen", data={"reason": "", "version": case.version},
                       headers=DE, follow_redirects=True).get_data(as_text=True)
    assert "Zum Wiedereröffnen von" in html and "needs a reason" not in html


def test_without_german_the_pages_stay_english(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "Parties" in html and "Beteiligte" not in html
    assert '"take_next": "take the next unassigned case"' in html


def test_words_are_english_underneath_and_german_where_shown(app):
    import json

    from flask_babel import force_locale
    from markupsafe import escape

    from caseapp.core.i18n import Words

    words = lifecycle.STAGE_LABELS[lifecycle.OFFER_SENT]
    assert isinstance(words, Words) and json.dumps(words) == '"Offer sent"' and words == "Offer sent"
    with app.test_request_context("/", headers=DE), force_locale("de"):
        assert str(words) == f"{words}" == "Angebot versandt" and str(escape(words)) == "Angebot versandt"
        assert json.dumps({"before": words}) == '{"before": "Offer sent"}'   # the command line's JSON stays English
        assert words == "Angebot versandt"                                     # a filter on the shown words matches
