"""The triage and whitelist pages in German (issue 17): a browser asking for German gets the
page, the script's words, the decision and undo messages and the live counts' answers in
German, plural forms included; without Accept-Language the same pages stay English."""
from __future__ import annotations

import json
import re

from flask_babel import refresh

from caseapp.hits.models import ILLEGAL, NEW, NO_MATCH
from tests.clients.factories import make_work
from tests.hits.factories import make_hit

DE = {"Accept-Language": "de"}
DE_JSON = {"Accept-Language": "de", "Accept": "application/json"}


def _titled(db_session, holder, title):
    work = make_work(db_session, holder)
    work.title = title
    db_session.flush()
    return work


def test_the_triage_page_in_german(db_session, client_as, holder):
    work = _titled(db_session, holder, "Hafen")
    for _ in range(2):
        make_hit(db_session, work, "zwei.example.de")
    db_session.commit()
    page = client_as("handler").get("/hits/?status=new", headers=DE).get_data(as_text=True)
    assert "Zu entscheiden" in page and "Rechtswidrig" in page and "Legal (lizenziert)" in page
    assert "Website freigeben" in page and "Keine Übereinstimmung" in page and "Tastenkürzel" in page
    assert 'data-count="total">2</b> Treffer: zu entscheiden' in page           # the plural, in German order
    assert "Alle als rechtswidrig markieren" in page
    for english in ("Whitelist the site", "Keyboard shortcuts", "The client's work", "Mark all illegal",
                    "Your last decision", "To decide"):
        assert english not in page, english
    words = json.loads(re.search(r'id="triage-words">(.*?)</script>', page, re.S).group(1))
    assert words["illegal"] == "Rechtswidrig" and words["key_undo"] == "Ihre letzte Entscheidung rückgängig machen"
    assert "%(num)s" in words["cluster_sighting"]                               # the script fills it in


def test_decision_undo_and_counts_answer_in_german(db_session, client_as, holder):
    one = make_hit(db_session, _titled(db_session, holder, "Düne"), "eins.example.de")
    work = _titled(db_session, holder, "Wald")
    two = [make_hit(db_session, work, "mehr.example.de") for _ in range(2)]
    db_session.commit()
    client = client_as("handler")
    done = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": one.id, "expect": NEW}, headers=DE_JSON)
    assert done.json["message"] == ("Als keine Übereinstimmung markiert: „Düne“ auf eins.example.de (1 Treffer). "
                                    "U macht es rückgängig.")
    assert "Keine Übereinstimmung" in done.json["last"]["words"] and "1 Treffer" in done.json["last"]["words"]
    undone = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers=DE_JSON)
    assert undone.json["message"] == "Rückgängig gemacht: „Düne“ auf eins.example.de (1 Treffer wieder wie zuvor)."
    many = client.post("/hits/decide", data={"verdict": ILLEGAL, "hit": [h.id for h in two]}, headers=DE_JSON)
    assert many.json["message"].startswith("Als rechtswidrig markiert: die ausgewählten Treffer auf "
                                           "mehr.example.de (2 Treffer); Fallentwurf C-")
    refused = client.post("/hits/decide", data={"verdict": ILLEGAL}, headers=DE_JSON)
    assert refused.status_code == 409 and refused.json["error"].startswith("Wählen Sie zuerst mindestens einen Treffer")
    refresh()   # the tests' requests share one app context, where Flask-Babel keeps the locale it chose
    english = client.post("/hits/decide", data={"verdict": ILLEGAL}, headers={"Accept": "application/json"})
    assert english.json["error"].startswith("Select at least one hit first")


def test_the_whitelists_page_in_german(db_session, client_as, holder, work):
    for _ in range(3):
        make_hit(db_session, work, "drei.example.de")
    db_session.commit()
    client = client_as("handler")
    page = client.get(f"/hits/rules/?preview=1&new_site=drei.example.de&new_client={holder.id}",
                      headers=DE).get_data(as_text=True)
    assert "Freigabelisten und freigegebene Websites" in page and "Website auf die Freigabeliste setzen" in page
    assert "<b>3</b> unentschiedene Treffer auf drei.example.de würden freigegeben" in page     # plural
    assert "Whitelists and cleared sites" not in page and "How many hits would change?" not in page
    done = client.post("/hits/rules/whitelist", data={"site": "drei.example.de", "client": holder.id},
                       headers=DE, follow_redirects=True).get_data(as_text=True)
    assert "auf die Freigabeliste gesetzt: 3 Treffer freigegeben" in done
    assert "Auf der Sichtungsseite lässt es sich rückgängig machen" in done
    page = client.get("/hits/rules/", headers=DE).get_data(as_text=True)
    assert "Websites der Freigabeliste" in page and "entfernen" in page and "Made by" not in page


def test_without_a_language_the_triage_page_stays_english(db_session, client_as, holder, work):
    make_hit(db_session, work, "english.example.com")
    db_session.commit()
    page = client_as("handler").get("/hits/").get_data(as_text=True)
    assert "Whitelist the site" in page and "Keyboard shortcuts" in page and "1</b> hit to decide" in page
