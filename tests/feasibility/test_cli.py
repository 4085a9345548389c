"""The command-line contract of `caseapp feasibility`."""
from __future__ import annotations

import json
import os

import pytest

from tests.test_cli import run


def env(tmp_path):
    values = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    values["CASEAPP_INSTANCE_PATH"] = str(tmp_path / "instance")
    return values


def test_assess_prints_the_contract(tmp_path):
    out = run(env(tmp_path), "feasibility", "assess", "--country", "DE", "--subdivision", "NW", "--amount", "450.00",
              "--currency", "EUR", "--commercial", "yes", "--address", "yes", "--infringed-on", "2026-02-01",
              "--known-on", "2026-03-05", "--today", "2026-11-22", "--json").stdout
    result = json.loads(out)
    assert {k: result[k] for k in ("feasible", "reasons", "route", "expected_value", "currency", "limitation_ends")} \
        == {"feasible": True, "reasons": [], "route": "mahnverfahren", "expected_value": "232.40", "currency": "EUR",
            "limitation_ends": "2029-12-31"}
    us = json.loads(run(env(tmp_path), "feasibility", "assess", "--country", "US", "--amount", "20000", "--currency",
                        "USD", "--commercial", "yes", "--address", "no", "--infringed-on", "2026-02-01",
                        "--today", "2026-11-22", "--json").stdout)
    assert not us["feasible"] and len(us["reasons"]) == 2 and us["route"] == "out-of-court"


def test_amount_prints_the_itemised_calculation(tmp_path):
    result = json.loads(run(env(tmp_path), "feasibility", "amount", "--country", "DE", "--usage", "web-commercial",
                            "--months", "14", "--credit-missing", "--json").stdout)
    assert result["total"] == "315.63" and len(result["lines"]) == 2 and result["evidence"] == "none"
    professional = json.loads(run(env(tmp_path), "feasibility", "amount", "--country", "DE", "--usage",
                                  "web-commercial", "--days", "365", "--evidence", "professional", "--json").stdout)
    assert professional["total"] == "1300.00" and professional["days"] == 365
    sales = json.loads(run(env(tmp_path), "feasibility", "amount", "--country", "GB", "--usage", "web-commercial",
                           "--days", "365", "--evidence", "sales", "--fee", "353.00", "--flagrant", "--json").stdout)
    assert sales["total"] == "1500.25" and sales["currency"] == "GBP"          # €353 = £300.05, +400%
    text = run(env(tmp_path), "feasibility", "amount", "--country", "FR", "--usage", "web-commercial",
               "--days", "7", "--private").stdout
    assert "private person" in text and "total" in text and "note: Originality" in text
    us = run(env(tmp_path), "feasibility", "amount", "--country", "US", "--usage", "web-commercial", "--days", "30",
             "--registered", "yes").stdout
    assert "Statutory damages" in us and "$750.00" in us


def test_bad_input_is_refused_with_a_message(tmp_path):
    bad_date = run(env(tmp_path), "feasibility", "assess", "--country", "DE", "--amount", "450", "--currency", "EUR",
                   "--infringed-on", "yesterday", check=False)
    assert bad_date.returncode != 0 and "'yesterday' is not a date" in bad_date.stderr
    bad_usage = run(env(tmp_path), "feasibility", "amount", "--country", "DE", "--usage", "mural", "--months", "3",
                    check=False)
    assert bad_usage.returncode != 0 and "Unknown usage 'mural'" in bad_usage.stderr
    no_fee = run(env(tmp_path), "feasibility", "amount", "--country", "DE", "--usage", "print", "--days", "3",
                 "--evidence", "sales", check=False)
    assert no_fee.returncode != 0 and "documented fee" in no_fee.stderr
    both = run(env(tmp_path), "feasibility", "amount", "--country", "DE", "--usage", "print", "--days", "3",
               "--months", "1", check=False)
    assert both.returncode != 0 and "--months or --days" in both.stderr
    assert "50 countries" in run(env(tmp_path), "feasibility", "check").stdout


def test_a_continuing_use_on_the_command_line(tmp_path):
    common = ("feasibility", "assess", "--country", "GB", "--amount", "900.00", "--currency", "GBP", "--commercial",
              "yes", "--address", "yes", "--infringed-on", "2019-05-01", "--today", "2026-11-23", "--json")
    one_off = json.loads(run(env(tmp_path), *common).stdout)
    assert not one_off["feasible"] and one_off["reason_codes"] == ["time_barred"]
    going_on = json.loads(run(env(tmp_path), *common, "--last-seen", "2026-11-01").stdout)
    assert going_on["feasible"] and going_on["use"]["claimable_from"] == "2020-11-21"   # Sat 2026-11-21 moved to Monday
    assert going_on["recoverable"] == "712.91"


def test_the_clients_country_opens_the_european_small_claims_procedure(tmp_path):
    common = ("feasibility", "assess", "--country", "FR", "--amount", "800.00", "--currency", "EUR", "--commercial",
              "yes", "--address", "yes", "--infringed-on", "2026-05-01", "--today", "2026-11-23", "--json")
    assert json.loads(run(env(tmp_path), *common, "--client-country", "de").stdout)["route"] == "european-small-claims"
    assert json.loads(run(env(tmp_path), *common).stdout)["route"] == "court"
    bad = run(env(tmp_path), *common, "--client-country", "Germany", check=False)
    assert bad.returncode == 2 and "Invalid value for '--client-country': 'Germany'" in bad.stderr


def test_dates_out_of_range_or_in_the_future_are_one_line(tmp_path):
    for flag, value, message in [("--infringed-on", "9999-06-01", "--infringed-on '9999-06-01' is out of range"),
                                 ("--last-seen", "2027-01-01", "the last day the use was seen 2027-01-01 is after today"),
                                 ("--known-on", "1850-01-01", "--known-on '1850-01-01' is out of range"),
                                 ("--known-on", "2026-12-01", "the day the client learned of the use 2026-12-01 is after")]:
        args = ["feasibility", "assess", "--country", "DE", "--amount", "450.00", "--currency", "EUR",
                "--infringed-on", "2026-05-01", "--today", "2026-11-23"]
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
        result = run(env(tmp_path), *args, check=False)
        assert result.returncode == 2, (flag, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


ASSESS = ["feasibility", "assess", "--country", "DE", "--infringed-on", "2026-02-01", "--today", "2026-11-22",
          "--json"]


def assess_with(app, *args):
    from caseapp.cli import main

    return app.test_cli_runner().invoke(main, [*ASSESS, *args])


@pytest.mark.parametrize("amount, currency, claimed", [
    ("450", "EUR", "450.00"), ("450.5", "EUR", "450.50"), ("450.00", "eur", "450.00"), ("0.01", "EUR", "0.01"),
    ("4500", "JPY", "4500"),
])
def test_assess_takes_plain_amounts(app, amount, currency, claimed):
    result = assess_with(app, "--amount", amount, "--currency", currency)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recoverable"] == claimed


@pytest.mark.parametrize("amount, currency, rule", [
    ("450,00", "EUR", "at most 2 decimals, e.g. 450.00"),      # was read as 45,000
    ("-450", "EUR", "at most 2 decimals, e.g. 450.00"),        # was accepted
    ("1,234.50", "EUR", "at most 2 decimals, e.g. 450.00"),
    ("450.005", "EUR", "at most 2 decimals, e.g. 450.00"),
    ("4500.5", "JPY", "digits only (no decimals), e.g. 450"),
    ("١٢٣", "EUR", "at most 2 decimals"), ("", "EUR", "at most 2 decimals"), ("1e3", "EUR", "at most 2 decimals"),
    ("nan", "EUR", "at most 2 decimals"),
])
def test_assess_refuses_other_amounts_in_one_line(app, amount, currency, rule):
    result = assess_with(app, "--amount", amount, "--currency", currency)
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: --amount '{amount}' is not an amount in {currency}: write ") and rule in line


def test_assess_refuses_a_claim_of_nothing_and_an_unknown_currency(app):
    """0 is refused: a claim of nothing is a typing error, and would be assessed as a case to send."""
    zero = assess_with(app, "--amount", "0.00", "--currency", "EUR")
    assert zero.exit_code == 2 and zero.stderr == "Error: --amount is 0: a claim must be more than 0 EUR.\n"
    unknown = assess_with(app, "--amount", "450", "--currency", "XYZ")
    assert unknown.exit_code == 2 and unknown.stderr.splitlines() == [
        "Error: --currency 'XYZ' is not a currency: use an ISO 4217 code, e.g. EUR, USD, CHF, JPY."]
    # The currency is read first wherever it stands, so the amount's decimals are the currency's.
    from caseapp.cli import main

    first = app.test_cli_runner().invoke(main, [
        "feasibility", "assess", "--amount", "4500", "--currency", "JPY", "--country", "JP",
        "--infringed-on", "2026-02-01", "--today", "2026-11-22", "--json"])
    assert first.exit_code == 0 and json.loads(first.stdout)["currency"] == "JPY"


@pytest.mark.parametrize("option, value, message", [
    ("--infringed-on", "9999-06-01", "is out of range: use a date between 1900 and 2200."),
    ("--infringed-on", "1899-12-31", "is out of range: use a date between 1900 and 2200."),
    ("--known-on", "2026-02-30", "is not a date: write it as YYYY-MM-DD, e.g. 2026-02-01."),
    ("--known-on", "20260201", "is not a date: write it as YYYY-MM-DD, e.g. 2026-02-01."),
    ("--us-registered-on", "٢٠٢٦-٠٢-٠١", "is not a date"),
    ("--today", "", "is not a date"),
])
def test_assess_dates_are_one_line_naming_the_option(app, option, value, message):
    args = ["--amount", "450", "--currency", "EUR", option, value]
    result = assess_with(app, *args)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {option} '{value}' ") and message in line


def test_assess_dates_at_the_edges_of_the_range(app):
    for day in ("1900-01-01", "2026-02-01"):
        result = assess_with(app, "--amount", "450", "--currency", "EUR", "--us-registered-on", day)
        assert result.exit_code == 0, result.output
