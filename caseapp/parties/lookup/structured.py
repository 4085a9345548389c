"""schema.org data a site publishes about itself (JSON-LD and microdata, read with extruct):
`Organization`, `LocalBusiness` (and its kinds), `Corporation`, `Store`, `Person`, with their
`PostalAddress`. Also the types the page declares (Product, Offer, …) for the commercial check."""
from __future__ import annotations

from caseapp.parties.lookup import STRUCTURED_DATA, Candidate, candidate

WANTED = {"Organization", "LocalBusiness", "Corporation", "Store", "OnlineStore", "Person", "ProfessionalService",
          "Photographer", "Restaurant", "Hotel", "RealEstateAgent", "TravelAgency", "LegalService",
          "MedicalBusiness", "HomeAndConstructionBusiness", "AutomotiveBusiness", "FoodEstablishment"}
BUSINESS_LISTING = WANTED - {"Organization", "Person", "Corporation"}


def items(html: str, url: str) -> list[dict]:
    import extruct

    try:
        data = extruct.extract(html or "", base_url=url, syntaxes=["json-ld", "microdata"], uniform=True,
                               errors="ignore")
    except Exception:   # noqa: BLE001 - broken markup: nothing structured
        return []
    return [*data.get("json-ld", []), *data.get("microdata", [])]


def types_of(item) -> set[str]:
    kinds = item.get("@type") if isinstance(item, dict) else None
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if k}


def walk(item):
    """Every dict in the data, nested ones too (@graph, arrays, publisher, author, …)."""
    if isinstance(item, dict):
        yield item
        for value in item.values():
            yield from walk(value)
    elif isinstance(item, list):
        for value in item:
            yield from walk(value)


def declared_types(found: list[dict]) -> set[str]:
    out: set[str] = set()
    for item in walk(found):
        out |= types_of(item)
    return out


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return str(value).strip() if value not in (None, "") else None


def _country(value) -> str | None:
    import pycountry

    text = _text(value)
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def candidates(html: str, url: str) -> list[Candidate]:
    out = []
    for item in walk(items(html, url)):
        if not WANTED & types_of(item):
            continue
        address = item.get("address")
        if isinstance(address, list):
            address = address[0] if address else None
        fields = {}
        if isinstance(address, dict):
            fields = {"street": _text(address.get("streetAddress")), "postal_code": _text(address.get("postalCode")),
                      "city": _text(address.get("addressLocality")), "country": _country(address.get("addressCountry"))}
        elif isinstance(address, str) and address.strip():
            fields = {"street": address.strip()}
        found = candidate(STRUCTURED_DATA, url, name=_text(item.get("legalName")) or _text(item.get("name")),
                          email=(_text(item.get("email")) or "").removeprefix("mailto:") or None,
                          phone=_text(item.get("telephone")), vat_id=_text(item.get("vatID")), **fields)
        if found.has_address:
            out.append(found)
    return out
