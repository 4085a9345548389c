"""The providers in turn over one site: the home page's schema.org data, its legal-notice pages
(linked, else at the usual paths), the domain's RDAP registration. Each gives candidates with
source and confidence; the best one is chosen (highest confidence, then the most complete);
candidates at other addresses stay beside it for the handler. Also: the VAT IDs, register
numbers and phones found anywhere, and the commercial verdict with its reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from caseapp.core.errors import InvalidInput
from caseapp.parties.lookup import Candidate, commercial, notice, numbers, rdap, structured
from caseapp.parties.lookup.pages import Fetcher, same_site


@dataclass
class Lookup:
    url: str
    final_url: str
    site: str | None
    candidates: list[Candidate] = field(default_factory=list)
    chosen: Candidate | None = None
    vat_ids: list[str] = field(default_factory=list)
    register_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    commercial: commercial.Verdict | None = None
    notes: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    @property
    def conflicting(self) -> list[Candidate]:
        """Candidates at another address than the chosen one."""
        if self.chosen is None:
            return []
        return [c for c in self.candidates if c.address_key() != self.chosen.address_key()]

    def as_dict(self) -> dict:
        return {"url": self.url, "final_url": self.final_url, "site": self.site,
                "candidates": [c.as_dict() for c in self.candidates],
                "chosen": self.chosen.as_dict() if self.chosen else None,
                "vat_ids": self.vat_ids, "register_numbers": self.register_numbers, "phones": self.phones,
                "commercial": self.commercial.as_dict() if self.commercial else None,
                "pages": self.pages, "notes": self.notes}


def best(candidates: list[Candidate]) -> Candidate | None:
    return max(candidates, key=lambda c: (c.confidence, len(c.fields)), default=None)


def lookup(url: str, *, fetcher: Fetcher | None = None, rdap_lookup: bool = True) -> Lookup:
    """Look the site up. InvalidInput when its page cannot be fetched (unreachable, refused,
    too large, too slow): one line saying why. Other pages' failures are notes."""
    from caseapp.core.suffixes import registered_domain

    fetcher = fetcher or Fetcher()
    if "://" not in url:
        url = "https://" + url
    notes = []
    try:
        home = fetcher.get(url)
    except InvalidInput as error:
        # Small sites still serve only plain HTTP: when nothing answers over HTTPS, ask over HTTP
        # before giving up (a refused address is refused either way, and the first reason is kept).
        if not url.startswith("https://"):
            raise
        plain = "http://" + url.removeprefix("https://")
        try:
            home = fetcher.get(plain)
        except InvalidInput:
            raise error from None
        notes.append(f"{url}: no answer over HTTPS ({error}); read over HTTP instead")
        url = plain
    if home.status >= 400:
        raise InvalidInput(f"{url} answered {home.status}: no page to read")
    result = Lookup(url, home.final_url, registered_domain(home.final_url))
    result.notes.extend(notes)
    result.pages.append(home.final_url)
    home_text = notice.text_of(home.html)
    texts, htmls = [home_text], [home.html]
    found = structured.candidates(home.html, home.final_url)
    types = structured.declared_types(structured.items(home.html, home.final_url))

    targets = notice.links(home.html, home.final_url)
    guessed = not targets
    if guessed:
        language = notice.page_language(home.html)
        targets = notice.usual_paths(home.final_url, [language] if language else [])
    read = 0
    for target in targets:
        if read >= notice.MAX_PAGES:
            break
        try:
            page = fetcher.get(target)
        except InvalidInput as error:
            result.notes.append(str(error))
            if guessed:
                read += 1
            continue
        read += 1
        if not page.ok or not same_site(page.final_url, home.final_url):
            continue
        result.pages.append(page.final_url)
        htmls.append(page.html)
        one, text = notice.candidate_from(page.final_url, page.html)
        texts.append(text)
        found += structured.candidates(page.html, page.final_url)
        if one is not None:
            found.append(one)
            if one.fields.get("street"):
                break   # the legal notice with a full address: enough

    if not any(c.source == "legal_notice" for c in found):
        # no legal-notice page gave an address: the provider's lines in the home page's own footer
        # (often the only place an Italian site names its Partita IVA), trusted a little less
        own, _ = notice.candidate_from(home.final_url, home.html)
        if own is not None:
            own.confidence = notice.FOOTER_CONFIDENCE
            found.append(own)

    if rdap_lookup and result.site:
        try:
            found += rdap.candidates(result.site, private_ok=fetcher.private_ok, allow=fetcher.allow,
                                     resolve=fetcher.resolve)
        except InvalidInput as error:
            result.notes.append(str(error))

    for one in found:
        if one.fields.get("phone"):
            one.fields["phone"] = numbers.phone(one.fields["phone"], one.fields.get("country")) or one.fields["phone"]
    result.candidates = _unique(found)
    result.chosen = best(result.candidates)
    all_text = "\n".join(texts)
    result.vat_ids = _merged(numbers.vat_ids(all_text), [c.fields.get("vat_id") for c in result.candidates])
    result.register_numbers = _merged(numbers.register_numbers(all_text),
                                      [c.fields.get("register_number") for c in result.candidates
                                       if c.source != "rdap"])
    region = (result.chosen.fields.get("country") if result.chosen else None) or _tld_region(home.final_url)
    result.phones = _merged(numbers.phones(all_text, region),
                            [numbers.phone(c.fields.get("phone"), region) for c in result.candidates])
    result.commercial = commercial.assess(
        vat_ids=result.vat_ids, register_numbers=result.register_numbers,
        names=[c.fields.get("name") for c in result.candidates if c.source != "rdap"], html_pages=htmls,
        texts=texts, types=types)
    return result


def _unique(found: list[Candidate]) -> list[Candidate]:
    """One candidate per source and address (the richest), best first."""
    kept: dict[tuple, Candidate] = {}
    for one in found:
        key = (one.source, one.address_key())
        if key not in kept or len(one.fields) > len(kept[key].fields):
            kept[key] = one
    return sorted(kept.values(), key=lambda c: (-c.confidence, -len(c.fields)))


def _merged(first: list, more: list) -> list:
    out = list(first)
    for value in more:
        if value and value not in out:
            out.append(value)
    return out


def _tld_region(url: str) -> str | None:
    tld = (urlparse(url).hostname or "").rsplit(".", 1)[-1].upper()
    return {"UK": "GB"}.get(tld, tld) if len(tld) == 2 and tld.isalpha() else None
