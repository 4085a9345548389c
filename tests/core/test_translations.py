"""Every word the interface marks has its German, the compiled catalogues are current, and a
German page is German (issue 17). lint/translations.py update fixes the first two."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from lint import translations  # noqa: E402


@pytest.mark.skipif(translations.ROOT.name == "mutants", reason="a mutation run's sources hold every mutant "
                    "side by side: the catalogue check runs in make test")
def test_every_marked_word_has_its_german_and_the_catalogues_are_compiled():
    listed = translations.problems()
    assert not listed, f"{len(listed)} problems (python lint/translations.py update, then translate):\n" + \
        "\n".join(listed[:60])


def test_the_check_notices_a_missing_word_a_lost_placeholder_and_a_stale_mo(tmp_path, monkeypatch):
    """The check itself: a catalogue with one untranslated word, one translation without its
    placeholder and a .mo compiled before the last change is listed three times."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    package = tmp_path / "caseapp"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "page.html").write_text(
        '{{ _("Open cases") }} {{ _("%(num)d days overdue", num=3) }} {{ _("Queue") }}', encoding="utf-8")
    (package / "core").mkdir()
    catalog = Catalog(locale="de")
    catalog.add("%(num)d days overdue", "Tage überfällig")
    catalog.add("Queue", "Warteschlange")
    po = package / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    monkeypatch.setattr(translations, "PACKAGE", package)
    listed = translations.problems()
    assert any("no de for 'Open cases'" in line for line in listed), listed
    assert any("lost a placeholder" in line and "days overdue" in line for line in listed), listed
    assert any("is not compiled" in line for line in listed), listed
    assert not any("'Queue'" in line for line in listed), listed


@pytest.mark.parametrize("language, words", [("de", "Warteschlange"), ("en", "Queue")])
def test_a_page_speaks_the_persons_language(client_as, language, words):
    """The menu, from the domains' catalogues merged over Flask-AppBuilder's."""
    page = client_as("handler").get("/queue/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert words in page


@pytest.mark.parametrize("language, needs, who", [
    ("en", "This needs the permission “Reopen a closed case", "Case handler"),
    ("de", "Dafür braucht es die Berechtigung „Einen geschlossenen Fall mit Begründung wiedereröffnen", "Sachbearbeiter"),
])
def test_a_refused_page_names_what_it_needs_and_who_holds_it(client_as, language, needs, who):
    """An auditor may read a case but not reopen it: the 403 page says which permission the page
    asks for and which roles hold it, in the person's language, on the app's own page."""
    response = client_as("auditor").post("/cases/C-2026-000001/reopen", data={"reason": "x"},
                                         headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert needs in page and who in page, page[:3000]
    assert "ca-page" in page and "Forbidden" not in page
    json_answer = client_as("auditor").post("/cases/C-2026-000001/reopen", data={"reason": "x"},
                                            headers={"Accept": "application/json", "Accept-Language": language})
    assert json_answer.status_code == 403 and needs in json_answer.get_json()["error"]


@pytest.mark.parametrize("language, days, words", [
    ("de", 3, "fällig in 3 Tagen"), ("de", 1, "morgen fällig"), ("de", 0, "heute fällig"),
    ("de", -1, "1 Tag überfällig"), ("de", -2, "2 Tage überfällig"),
    ("en", 3, "due in 3 days"), ("en", -1, "1 day overdue"), ("en", -2, "2 days overdue"),
])
def test_due_dates_read_in_the_persons_language_with_the_right_plural(app, language, days, words):
    from datetime import date, timedelta

    from caseapp.core.formatting import due_in_words

    today = date(2026, 11, 23)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert due_in_words(today + timedelta(days=days), today) == words


@pytest.mark.parametrize("language, field, typed, said", [
    ("de", "Betrag", "1,234.50", "Betrag: '1,234.50' ist kein Betrag in EUR. Schreiben Sie ihn wie 1.234,50 "
                                 "(höchstens 2 Nachkommastellen, ohne Vorzeichen)."),
    ("en", "Amount", "1.234,50", "Amount: '1.234,50' is not an amount in EUR: write it like 1,234.50 "
                                 "(at most 2 decimals, no sign)."),
])
def test_an_amount_typed_the_other_locales_way_is_refused_in_the_persons_language(app, language, field, typed, said):
    from caseapp.core.errors import InvalidInput
    from caseapp.core.formatting import amount_typed

    with app.test_request_context("/", headers={"Accept-Language": language}):
        with pytest.raises(InvalidInput) as refused:
            amount_typed(typed, "EUR", field)
    assert str(refused.value) == said


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_page_says_its_language(client_as, language):
    """<html lang> follows the page's language (screen readers read German as German, and the
    browser hyphenates long German words in narrow tables)."""
    page = client_as("handler").get("/queue/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize("language, score, share", [("de", "0,61", "70,5"), ("en", "0.61", "70.5")])
def test_numbers_read_the_persons_way(app, language, score, share):
    """A score and a share as the page's language writes them (a German page said '0.61')."""
    from caseapp.core.formatting import number

    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert (number(0.6125), number(70.5, "0.#"), number(70.0, "0.#")) == (score, share, "70")
