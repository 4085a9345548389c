"""Every word the interface marks has its German, the compiled catalogues are current, and a
German page is German (issue 17). lint/translations.py update fixes the first two."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from lint import translations  # noqa: E402


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
