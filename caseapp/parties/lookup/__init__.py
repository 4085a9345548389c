"""Who runs a site and where: a chain of providers (legal-notice pages, schema.org data, RDAP,
a handler's entry), each giving address candidates with their source and a confidence; the
numbers found on the site (VAT IDs, register numbers, phones) and the commercial verdict.
No database and no Flask here: `caseapp.parties.services` stores what this finds."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# How far each source is trusted (0-100): the page the law requires > the site's own data >
# the domain's registration (often redacted or a reseller's) ; a handler's entry over all.
LEGAL_NOTICE, STRUCTURED_DATA, RDAP, MANUAL = "legal_notice", "structured_data", "rdap", "manual"
CONFIDENCE = {LEGAL_NOTICE: 90, STRUCTURED_DATA: 70, RDAP: 40, MANUAL: 100}
SOURCES = tuple(CONFIDENCE)
FIELDS = ("name", "street", "postal_code", "city", "country", "email", "phone", "vat_id", "register_number")


@dataclass
class Candidate:
    source: str
    source_url: str | None
    confidence: int
    fields: dict = field(default_factory=dict)

    @property
    def has_address(self) -> bool:
        return bool(self.fields.get("city") and (self.fields.get("street") or self.fields.get("postal_code")))

    def address_key(self) -> tuple:
        """What makes two candidates the same address (case and spaces aside)."""
        def norm(value):
            return " ".join(str(value or "").casefold().replace(".", " ").split())
        return tuple(norm(self.fields.get(name)) for name in ("street", "postal_code", "city", "country"))

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(out.pop("fields"))
        return {key: value for key, value in out.items() if value not in (None, "")}


def candidate(source: str, source_url: str | None, **fields) -> Candidate:
    return Candidate(source, source_url, CONFIDENCE[source],
                     {name: value for name, value in fields.items() if name in FIELDS and value})
