"""The per-country rules and fee tables as data: `jurisdictions/<CC>.toml`, one file a
country, and `jurisdictions/fees/<table>.toml`, validated against
`jurisdictions/schema.json` when loaded (at start-up and in the tests)."""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path

from caseapp.core.money import Money
from caseapp.core import resources

FOLDER = resources.folder("jurisdictions")


class RulesError(ValueError):
    """A country file or fee table that is not valid: says which file and what is wrong."""


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    kind: str
    currency: str
    max_claim: Money | None
    court_fee: Money
    lawyer_cost: Money
    registration: str | None   # "domestic_works" (17 U.S.C. § 411(a)) or "application" (§ 1505(a)), else None
    cap_per_work_timely: Money | None
    cap_per_work_not_timely: Money | None
    cap_total_timely: Money | None
    cap_total_not_timely: Money | None
    note: str
    source: str
    estimate: bool
    cross_border_only: bool = False     # the European Small Claims Procedure (Reg. 861/2007 art. 3)
    opens_for: str = "any_claim"        # or "agreed_debt": a payment order for a fixed, acknowledged debt
    filed_by: str = ""                  # who must file it for the firm, when not the firm's own staff


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    local_name: str
    languages: tuple[str, ...]
    letter_language: str
    currency: str
    eu: bool
    data: dict          # the whole file, for the figures and their sources

    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    @property
    def level(self) -> str:
        return self.data["enforcement"]["level"]

    @cached_property
    def routes(self) -> list[Route]:
        out = []
        for r in self.data["routes"]:
            cur = r["currency"]
            opt = (lambda key: Money.parse(r[key], cur) if key in r else None)  # noqa: E731
            out.append(Route(r["id"], r["name"], r["kind"], cur, opt("max_claim"), Money.parse(r["court_fee"], cur),
                             Money.parse(r["lawyer_cost"], cur), r.get("registration"),
                             opt("cap_per_work_timely"), opt("cap_per_work_not_timely"), opt("cap_total_timely"),
                             opt("cap_total_not_timely"), r.get("note", ""),
                             r["source"], r["estimate"], r.get("cross_border_only", False),
                             r.get("opens_for", "any_claim"), r.get("filed_by", "")))
        return out

    def regions(self) -> dict[str, dict]:
        """Parts of the country with rules of their own (Scotland, Northern Ireland), by the
        holiday calendar's subdivision code."""
        return self.data.get("regions", {})

    def for_region(self, subdivision: str | None) -> "Jurisdiction":
        """The rules that apply in `subdivision`: the country's, with the region's own sections
        (limitation, routes, a note) in their place; the country's rules where it has none."""
        region = self.regions().get((subdivision or "").upper())
        if region is None:
            return self
        data = {**self.data, **{key: value for key, value in region.items() if key != "name"}}
        return Jurisdiction(self.code, f"{self.name} ({region['name']})", self.local_name, self.languages,
                            self.letter_language, self.currency, self.eu, data)

    def money(self, section: str, key: str = "amount") -> Money:
        part = self.data[section]
        return Money.parse(part[key], part.get("currency", self.currency))

    def per_eur(self) -> Fraction:
        return Fraction(Decimal(self.data["fees"]["per_eur"]))

    def ratio(self, section: str, key: str) -> Fraction:
        return Fraction(Decimal(self.data[section][key]))


@dataclass(frozen=True)
class FeeTable:
    id: str
    data: dict

    @property
    def currency(self) -> str:
        return self.data["currency"]

    def usages(self) -> dict[str, str]:
        return {key: u["label"] for key, u in self.data["usages"].items()}

    def sizes(self) -> dict[str, str]:
        return {key: s["label"] for key, s in self.data["sizes"].items()}


def _schema() -> dict:
    return json.loads((resources.folder("jurisdictions") / "schema.json").read_text())


def validate(data: dict, name: str) -> None:
    """Raise RulesError saying what is wrong with a country file, or return."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise RulesError(f"{name}: {where}: {first.message}" +
                         (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""))
    if data["code"] != Path(name).stem:
        raise RulesError(f"{name}: the file of country {data['code']} must be named {data['code']}.toml")
    for route in data["routes"]:
        if route["currency"] != data["currency"] and route["currency"] not in ("EUR", "USD"):
            raise RulesError(f"{name}: route {route['id']}: currency {route['currency']} is neither the "
                             f"country's ({data['currency']}) nor EUR")


def _validate_fee_table(data: dict, name: str) -> None:
    bands = data.get("bands") or []
    if not bands or not data.get("usages") or not data.get("sizes"):
        raise RulesError(f"{name}: a fee table needs bands, sizes and usages")
    for key, usage in data["usages"].items():
        if len(usage.get("fees", [])) != len(bands):
            raise RulesError(f"{name}: usage {key} has {len(usage.get('fees', []))} fees for {len(bands)} bands")
        for fee in usage["fees"]:
            Money.parse(fee, data["currency"])


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{path.name}: not valid TOML: {error}") from None


@lru_cache(maxsize=4)
def load(folder: Path | None = None) -> tuple[dict[str, Jurisdiction], dict[str, FeeTable]]:
    """Every country file and fee table in `folder` (default: jurisdictions/), validated;
    RulesError on the first bad one."""
    folder = folder or FOLDER
    countries: dict[str, Jurisdiction] = {}
    for path in sorted(folder.glob("*.toml")):
        data = _read(path)
        validate(data, path.name)
        countries[data["code"]] = Jurisdiction(data["code"], data["name"], data["local_name"],
                                               tuple(data["languages"]), data["letter_language"], data["currency"],
                                               data["eu"], data)
    tables: dict[str, FeeTable] = {}
    for path in sorted((folder / "fees").glob("*.toml")):
        data = _read(path)
        _validate_fee_table(data, f"fees/{path.name}")
        tables[path.stem] = FeeTable(path.stem, data)
    for country in countries.values():
        if country.data["fees"]["table"] not in tables:
            raise RulesError(f"{country.code}.toml: fee table {country.data['fees']['table']} "
                             "not found in jurisdictions/fees/")
    return countries, tables


def jurisdiction(code: str) -> Jurisdiction | None:
    return load()[0].get(code.upper())


def fee_table(table_id: str) -> FeeTable:
    return load()[1][table_id]
