"""What a filing needs to know about a case, gathered once (from the case, its client, party, works
and evidence, the ledger and the court) into plain values: the route checks (routes.py) and every
renderer read these, never the database, so that the rules are tested without one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from caseapp.core.money import Money


@dataclass(frozen=True)
class Person:
    """A claimant or respondent as a form names them."""

    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    subdivision: str | None = None
    legal_form: str | None = None          # "person" or "company"
    email: str | None = None
    vat_id: str | None = None
    register_number: str | None = None

    @property
    def address_lines(self) -> list[str]:
        """Street, then the town line as the country writes it: 'London SE1 9PH', 'Denver, CO 80202',
        '80802 München'."""
        country = (self.country or "").upper()
        if country in ("GB", "IE"):
            town = " ".join(p for p in (self.city, self.postal_code) if p)
        elif country in ("US", "CA", "AU"):
            town = ", ".join(p for p in (self.city, " ".join(q for q in (self.subdivision, self.postal_code) if q))
                             if p)
        else:
            town = " ".join(p for p in (self.postal_code, self.city) if p)
        return [x for x in (self.street, town) if x]


@dataclass(frozen=True)
class WorkFacts:
    title: str
    registration_number: str | None = None
    registered_on: date | None = None
    applied_on: date | None = None
    first_published_on: date | None = None
    publication_country: str | None = None


@dataclass(frozen=True)
class ItemFacts:
    title: str
    page_url: str
    found_on: date | None
    last_seen_on: date | None = None


@dataclass(frozen=True)
class CaptureFacts:
    id: int
    url: str
    captured_at: datetime
    manifest_sha256: str
    screenshot_sha256: str | None = None


@dataclass(frozen=True)
class ClaimLine:
    label: str
    amount: Money
    basis: str = ""
    cost: bool = False


@dataclass(frozen=True)
class Court:
    name: str
    address_lines: tuple[str, ...] = ()
    file_number: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Representative:
    name: str
    address_lines: tuple[str, ...]
    firm: str


@dataclass(frozen=True)
class Facts:
    case_id: int
    ref: str
    stage: str
    country: str                           # the case's jurisdiction: the party's country
    currency: str
    claimed: Money
    lines: tuple[ClaimLine, ...]
    client: Person
    party: Person
    works: tuple[WorkFacts, ...] = ()
    items: tuple[ItemFacts, ...] = ()
    captures: tuple[CaptureFacts, ...] = ()
    court: Court | None = None              # recorded by the court domain, if any
    costs_due: Money | None = None          # costs the firm advanced and has not recovered (ledger)
    interest_due: Money | None = None
    mandate_signed_on: date | None = None
    representative: Representative | None = None
    today: date = field(default_factory=date.today)

    @property
    def damages(self) -> Money:
        """The claim without costs and interest: what the value limits of the small-claims routes
        measure (Reg. 861/2007 art. 2(1); CPR 26.8(2); 17 U.S.C. § 1504(e))."""
        if not self.lines:
            return self.claimed
        return Money.sum((line.amount for line in self.lines if not line.cost), self.currency)

    @property
    def cost_lines(self) -> list[ClaimLine]:
        return [line for line in self.lines if line.cost]

    @property
    def damage_lines(self) -> list[ClaimLine]:
        return [line for line in self.lines if not line.cost] or \
            ([ClaimLine("Licence fee (damages)", self.claimed)] if self.claimed else [])

    @property
    def infringement_began(self) -> date | None:
        """When the use was first found: the earliest date the case knows the infringement by."""
        days = [item.found_on for item in self.items if item.found_on]
        return min(days) if days else None


def _is_cost(line: dict) -> bool:
    return bool(line.get("cost")) or "cost" in str(line.get("label", "")).lower()


def gather(session, case, *, today: date, settings=None) -> Facts:
    """The facts of `case` (a cases.Case, its client and party loaded), through the other domains'
    services."""
    from caseapp.evidence import services as evidence
    from caseapp.filings import sources
    from caseapp.payments import services as payments

    client, party = case.client, case.party
    lines = tuple(ClaimLine(str(line["label"]), Money.parse(line["amount"], case.currency),
                            str(line.get("basis") or ""), _is_cost(line))
                  for line in (case.claim_lines or []))
    works, seen = [], set()
    for item in case.items:
        work = item.work
        if work.id in seen:
            continue
        seen.add(work.id)
        works.append(WorkFacts(work.title, work.us_registration_number, work.us_registered_on, work.us_applied_on,
                               work.first_published_on, work.publication_country))
    items = tuple(ItemFacts(item.work.title, item.page_url, item.found_at.date() if item.found_at else None,
                            item.last_seen_at.date() if item.last_seen_at else None) for item in case.items)
    captures = tuple(CaptureFacts(row.id, row.final_url or row.url, row.captured_at, row.manifest_sha256,
                                  row.screenshot_sha256)
                     for row in evidence.evidence_for_case(session, case.id).captures if row.purged_at is None)
    recorded = sources.court_of(session, case)
    court = Court(recorded.court_name, tuple(x for x in (recorded.court_address or "").split("\n") if x.strip()),
                  recorded.file_number, "court case recorded on the case") if recorded else None
    settings = settings or _settings()
    lawyer = settings.get("CASEAPP_FIRM_LAWYER_NAME")
    representative = Representative(
        lawyer or settings["CASEAPP_FIRM_NAME"],
        tuple(x for x in (settings.get("CASEAPP_FIRM_LAWYER_ADDRESS") if lawyer else
                          settings["CASEAPP_FIRM_ADDRESS"]).split("|") if x),
        settings["CASEAPP_FIRM_NAME"])
    return Facts(
        case_id=case.id, ref=case.ref, stage=case.stage, country=case.country, currency=case.currency,
        claimed=case.claimed, lines=lines,
        client=Person(client.name, client.street, client.postcode, client.city, client.country, None,
                      client.legal_form, client.email, client.vat_id, None),
        party=Person(party.name, party.street, party.postal_code, party.city, party.country, party.subdivision,
                     "person" if party.kind == "person" else "company", party.email, party.vat_id,
                     party.register_number),
        works=tuple(works), items=items, captures=captures, court=court,
        costs_due=payments.costs_due(session, case), interest_due=payments.interest_due(session, case),
        mandate_signed_on=client.mandate_signed_on, representative=representative, today=today)


def _settings():
    from caseapp.letters.services import default_settings

    return default_settings()
