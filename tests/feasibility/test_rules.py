"""The country files and fee tables: every one valid, a broken one refused with a message
that says which file and what is wrong, the docs page in step with the data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caseapp.feasibility import rules
from caseapp.feasibility.docs import render_markdown

EU27 = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
OTHERS = "GB CH NO IS US CA AU NZ JP KR SG HK BR MX AR TR UA IL AE IN ZA CN RU".split()


def test_every_country_the_firm_needs_has_a_valid_file():
    countries, tables = rules.load()
    assert set(EU27 + OTHERS) <= set(countries) and len(countries) >= 50
    assert all(countries[c].eu for c in EU27) and not any(countries[c].eu for c in OTHERS)
    assert "mfm" in tables


def test_every_figure_says_where_it_comes_from():
    countries, _ = rules.load()
    for country in countries.values():
        for section in ("enforcement", "costs", "minimum_claim", "limitation", "deadlines", "surcharges", "split",
                        "fees"):
            part = country.section(section)
            assert part["source"].strip() and isinstance(part["estimate"], bool), (country.code, section)
        for route in country.routes:
            assert route.source and isinstance(route.estimate, bool), (country.code, route.id)


def test_holiday_calendars_exist_in_the_holidays_package():
    import holidays

    for country in rules.load()[0].values():
        calendar = country.section("holidays")
        subdivision = calendar.get("default_subdivision")
        days = holidays.country_holidays(calendar["country"], subdiv=subdivision, years=2026)
        assert days is not None, country.code


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "jurisdictions"
    shutil.copytree(rules.FOLDER, folder)
    return folder


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace('letter_language = "de"', 'letter_language = "German"'), "DE.toml: letter_language"),
    (lambda t: t.replace("[limitation]\nyears = 3", "[limitation]\nyears = \"three\""), "DE.toml: limitation/years"),
    (lambda t: t.replace('level = "full"', 'level = "sometimes"'), "DE.toml: enforcement/level"),
    (lambda t: t.replace("[surcharges]\nmissing_credit_percent = 100\n", "[surcharges]\n"),
     "'missing_credit_percent' is a required property"),
    (lambda t: t.replace('code = "DE"', 'code = "AT"'), "must be named AT.toml"),
    (lambda t: t.replace('table = "mfm"', 'table = "nowhere"'), "fee table nowhere not found"),
    (lambda t: t + "\n[broken", "not valid TOML"),
])
def test_a_broken_country_file_is_refused_with_what_is_wrong(tmp_path, change, message):
    folder = _copy(tmp_path)
    path = folder / "DE.toml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    rules.load.cache_clear()
    try:
        with pytest.raises(rules.RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
            rules.load(folder)
    finally:
        rules.load.cache_clear()


def test_a_source_is_required(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "FR.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[limitation]")
    source_line = next(line for line in text[start:].splitlines() if line.startswith("source ="))
    path.write_text(text[:start] + text[start:].replace(source_line + "\n", "", 1), encoding="utf-8")
    rules.load.cache_clear()
    try:
        with pytest.raises(rules.RulesError, match="FR.toml: limitation.*'source' is a required property"):
            rules.load(folder)
    finally:
        rules.load.cache_clear()


def test_the_app_refuses_to_start_with_a_broken_file(tmp_path, monkeypatch):
    from caseapp import create_app

    folder = _copy(tmp_path)
    (folder / "XX.toml").write_text('code = "XX"\n', encoding="utf-8")
    monkeypatch.setattr(rules, "FOLDER", folder)
    rules.load.cache_clear()
    try:
        with pytest.raises(rules.RulesError, match="XX.toml"):
            create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x",
                        "CASEAPP_INSTANCE_PATH": str(tmp_path)})
    finally:
        rules.load.cache_clear()


def test_docs_page_is_generated_from_the_data():
    page = Path(__file__).resolve().parents[2] / "docs" / "jurisdictions.md"
    assert page.read_text(encoding="utf-8") == render_markdown(), \
        "docs/jurisdictions.md is stale: run `caseapp feasibility docs > docs/jurisdictions.md`"
    assert "## Adding or changing a country" in page.read_text(encoding="utf-8")


def test_codes_languages_and_currencies_are_real():
    import pycountry

    for country in rules.load()[0].values():
        assert pycountry.countries.get(alpha_2=country.code) is not None, country.code
        assert pycountry.currencies.get(alpha_3=country.currency) is not None, country.code
        for language in (*country.languages, country.letter_language):
            assert pycountry.languages.get(alpha_2=language) is not None, (country.code, language)
        assert country.letter_language in country.languages or country.code in ("IE", "MT"), country.code
