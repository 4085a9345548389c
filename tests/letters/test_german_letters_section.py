"""Issue 17: the case page's letters section in German; the letter itself keeps the recipient's
language (its own templates), whatever the interface language."""
from __future__ import annotations

from caseapp.letters import services
from tests.conftest import TODAY
from tests.letters.test_letters import ACTOR, case, store  # noqa: F401 (fixtures)

DE = {"Accept-Language": "de"}


def test_the_letters_section_and_its_flash_in_german(db_session, store, case, client_as):  # noqa: F811
    letter = services.issue_letter(db_session, ACTOR, case, "offer", today=TODAY, store=store, channel="post")
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}", headers=DE).get_data(as_text=True)
    for words in ("Schreiben (1)", "Erstellt", "Frist", "Versandt", "per Post am", "Nachlizenzierungsangebot",
                  "Schreiben versandt per post", "Als Entwurf erstellen", "Nur für Vergleichsschreiben"):
        assert words in html, words
    for words in ("Letters (1)", "Issued", "Write a letter", "Issue as draft", "Letter sent by post"):
        assert words not in html, words
    html = client_as("handler").post(f"/cases/{case.ref}/letters", data={"kind": "reminder", "channel": ""},
                                     headers=DE, follow_redirects=True).get_data(as_text=True)
    assert "Zahlungserinnerung auf de als Entwurf erstellt" in html and "issued as a draft" not in html
    assert letter.language == "de"


def test_a_refused_letter_says_why_in_german(db_session, store, case, client_as):  # noqa: F811
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/letters",
                                     data={"kind": "instalment_agreement", "channel": "", "amount": "300.00",
                                           "instalments": "99"},
                                     headers=DE, follow_redirects=True).get_data(as_text=True)
    assert "Raten: Geben Sie eine ganze Zahl von 1 bis 60 an." in html and "give a whole number" not in html
