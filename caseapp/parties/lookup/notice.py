"""Legal-notice pages (Impressum, mentions légales, aviso legal, note legali, colofon, contact,
about …): found from a page's links in every language of caseapp/parties/legal_notice.toml,
fetched on the site's own domain only, and read for the provider's name, postal address,
e-mail, phone and numbers. The statutes that require such a page are cited in the same file."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlparse

from caseapp.parties.lookup import LEGAL_NOTICE, Candidate, candidate, numbers
from caseapp.parties.lookup.pages import same_site

DATA = Path(__file__).resolve().parent.parent / "legal_notice.toml"
MAX_PAGES = 3
FOOTER_CONFIDENCE = 80   # the provider's lines on the home page itself, when no legal-notice page has them


@lru_cache(maxsize=1)
def data() -> dict:
    with DATA.open("rb") as file:
        return tomllib.load(file)


def _fold(text: str) -> str:
    return " ".join((text or "").casefold().split())


@lru_cache(maxsize=1)
def _words() -> tuple[list[str], list[str]]:
    notice, contact = [], []
    for language in data()["languages"].values():
        notice += [_fold(w) for w in language.get("notice", [])]
        contact += [_fold(w) for w in language.get("contact", [])]
    by_length = lambda words: sorted(set(words), key=len, reverse=True)   # noqa: E731
    return by_length(notice), by_length(contact)


def _rank(text: str, path: str) -> int | None:
    """0 for a legal-notice link, 1 for a contact or about link, None for anything else."""
    text, path = _fold(text), _fold(path)
    notice, contact = _words()
    for rank, words in ((0, notice), (1, contact)):
        for word in words:
            slug = word.replace(" ", "-")
            if text == word or text.startswith(word) or slug in path.rsplit("/", 2)[-1] or \
                    (len(word) > 6 and word in text):
                return rank
    return None


def links(html: str, base_url: str) -> list[str]:
    """The page's links to a legal notice (first) or a contact / about page, on the same site,
    best first, at most MAX_PAGES."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html or "<html/>")
    except Exception:   # noqa: BLE001 - an empty or broken page has no links
        return []
    ranked = []
    for order, anchor in enumerate(tree.iterfind(".//a[@href]")):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        if not same_site(url, base_url) or url.rstrip("/") == base_url.rstrip("/"):
            continue
        rank = _rank(anchor.text_content(), urlparse(url).path)
        if rank is not None:
            ranked.append((rank, order, url))
    seen, out = set(), []
    for _, _, url in sorted(ranked):
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out[:MAX_PAGES]


def usual_paths(base_url: str, languages: list[str]) -> list[str]:
    """Where a legal notice usually is, for sites that do not link it from the home page."""
    paths = []
    for language in [*languages, "en"]:
        for path in data()["languages"].get(language, {}).get("paths", []):
            if path not in paths:
                paths.append(path)
    return [urljoin(base_url, path) for path in paths]


def page_language(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2})", html or "", re.I)
    return match.group(1).lower() if match else None


def text_of(html: str) -> str:
    """A page's text with blocks and <br> as lines (html_text keeps the layout the parser needs)."""
    import html_text

    try:
        return html_text.extract_text(html or "", guess_layout=True)
    except Exception:   # noqa: BLE001 - unparseable markup: no text
        return ""


# --- reading the page -------------------------------------------------------------------------

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_LABEL = re.compile(r"^(?P<label>[^:\d]{2,40}?)\s*:\s*(?P<value>.+)$")
_NAME_LABELS = ("firma", "firmenname", "anbieter", "name", "raison sociale", "dénomination", "denomination",
                "société", "societe", "éditeur", "editeur", "éditeur du site", "editeur du site", "razón social", "razon social", "denominación social",
                "titular", "company", "company name", "ragione sociale", "bedrijfsnaam", "nazwa firmy")
_ADDRESS_LABELS = ("adresse", "anschrift", "address", "siège social", "siege social", "domicilio",
                   "domicilio social", "dirección", "direccion", "indirizzo", "sede legale", "adres", "sitz")
_SKIP = re.compile(r"(§|\bart\.|impressum|mentions l|aviso legal|note legali|colofon|angaben gem|legal notice|"
                   r"imprint|informations? l[ée]gales|contact|kontakt|tel[ée]?(fon|phone)?\b|fax|e-?mail|"
                   r"ust|vat|tva|iva|cif|nif|hrb|rcs|siren|registe?r)", re.I)
LEGAL_FORMS = re.compile(
    r"(?<![\w.])(GmbH\s*&\s*Co\.?\s*KG|gGmbH|GmbH|AG|UG \(haftungsbeschränkt\)|UG|KG|OHG|e\.\s?K\.|e\.\s?V\.|"
    r"Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corp\.?|PLC|LLP|SARL|S\.A\.R\.L\.|SAS|SASU|EURL|SA|S\.A\.|"
    r"S\.L\.U?\.?|SL|S\.p\.A\.|SpA|S\.r\.l\.|Srl|B\.V\.|BV|N\.V\.|NV|sp\. z o\.o\.|S\.A\.S\.|Oy|AB|A/S|ApS|AS|"
    r"s\.r\.o\.|Kft\.|Lda\.?)(?![\w])")
_COUNTRY_WORDS = {"deutschland": "DE", "germany": "DE", "österreich": "AT", "austria": "AT", "schweiz": "CH",
                  "suisse": "CH", "switzerland": "CH", "france": "FR", "españa": "ES", "espana": "ES",
                  "spain": "ES", "italia": "IT", "italy": "IT", "nederland": "NL", "netherlands": "NL",
                  "belgique": "BE", "belgië": "BE", "belgium": "BE", "polska": "PL", "poland": "PL",
                  "portugal": "PT", "united kingdom": "GB", "uk": "GB", "usa": "US", "united states": "US",
                  "luxembourg": "LU", "danmark": "DK", "sverige": "SE"}
_LANGUAGE_COUNTRY = {"de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pt": "PT", "pl": "PL",
                     "da": "DK", "sv": "SE", "cs": "CZ", "sk": "SK"}


def country_hints(url: str, html: str, vat_ids: list[str]) -> list[str]:
    """Countries to read the postal code as, most likely first: a VAT ID's prefix, the site's
    country-code domain, the page's language."""
    hints = []
    for vat in vat_ids:
        hints.append({"EL": "GR", "XI": "GB", "CH": "CH"}.get(vat[:2], vat[:2]))
    host = urlparse(url).hostname or ""
    tld = host.rsplit(".", 1)[-1].upper()
    if len(tld) == 2 and tld.isalpha():
        hints.append({"UK": "GB"}.get(tld, tld))
    language = page_language(html)
    if language in _LANGUAGE_COUNTRY:
        hints.append(_LANGUAGE_COUNTRY[language])
    return list(dict.fromkeys(hints))


def _segments(text: str) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        for part in re.split(r"\s*[·•|]\s*", line):
            part = part.strip(" \t,;")
            if part:
                out.append(part)
    return out


def _value(segment: str, labels: tuple[str, ...]) -> str | None:
    match = _LABEL.match(segment)
    if match and _fold(match["label"]) in labels:
        return match["value"].strip()
    return None


def read(text: str, hints: list[str]) -> dict:
    """Name, street, postal code, city, country and e-mail from a legal notice's text."""
    segments = _segments(text)
    fields: dict = {}
    email = _EMAIL.search(text or "")
    if email:
        fields["email"] = email.group(0)
    for segment in segments:
        name = _value(segment, _NAME_LABELS)
        if name:
            fields["name"] = name.split(",")[0].strip()
            break
    patterns = data()["postal_codes"]
    order = [c for c in hints if c in patterns] + [c for c in patterns if c not in hints]
    for country in order:
        found = _address(segments, re.compile(patterns[country]), country)
        if found:
            if "name" in fields:
                found.pop("name", None)
            fields.update(found)
            break
    if "name" not in fields:
        for segment in segments[:40]:
            if LEGAL_FORMS.search(segment) and len(segment) < 80 and not _SKIP.search(segment):
                fields["name"] = segment
                break
    return fields


_SPACED_CODES = ("GB", "NL", "SE")   # postal codes written with a space (SW1A 2AA, 1015 AA, 123 45)


# Blocks about someone else than the provider: the host (LCEN art. 6-III names it), a data
# protection officer, the web designer. Their addresses are not the party's.
_OTHERS = re.compile(r"^\s*(h[ée]bergeur|h[ée]bergement|host(ing)?( provider)?|hosted by|webhosting|hosting-anbieter|"
                     r"alojamiento|proveedor de alojamiento|hosting provider|provider di hosting|"
                     r"datenschutzbeauftragter?|data protection officer|délégué à la protection|"
                     r"webdesign|design( and development)?|réalisation|conception)\b", re.I)
_OTHERS_SPAN = 4   # segments after such a heading that belong to it


def _address(segments: list[str], pattern: re.Pattern, country: str) -> dict | None:
    others_until = -1
    for index, segment in enumerate(segments):
        if _OTHERS.match(segment):
            # a heading alone: its next lines are the other's; "Hébergeur : OVH, …": this line only
            others_until = index if ":" in segment.rstrip(": ") else index + _OTHERS_SPAN
            continue
        if index <= others_until and (_fold(segment) in _NAME_LABELS or _value(segment, _NAME_LABELS) is not None
                                      or _value(segment, _ADDRESS_LABELS) is not None or _SKIP.search(segment)):
            others_until = -1          # the provider's own block begins
        if index <= others_until:
            continue
        labelled = _value(segment, _ADDRESS_LABELS)
        parts = [p.strip() for p in (labelled or segment).split(",")]
        for at in range(len(parts)):
            # the postal-code line, on its own or after a street in the same line
            line = ", ".join(parts[at:]) if country == "US" else parts[at]
            match = pattern.match(line)
            if not match:
                continue
            city = match["city"].strip()
            if _SKIP.search(city) or len(city.split()) > 5:
                continue
            before = parts[:at] if at else ([] if labelled else _previous(segments, index))
            if labelled and not at:
                before = _previous(segments, index)
            street = before[-1] if before else None
            if country == "US" and at >= 2:
                street = parts[at - 1]
            if street and not re.search(r"\d", street) and not re.search(r"(stra(ss|ß)e|str\.|weg|platz|rue|calle|"
                                                                          r"avenue|via|plaza|street|road|lane)", street, re.I):
                street = None
            code = " ".join(match["code"].split()) if country in _SPACED_CODES else match["code"].replace(" ", "")
            found = {"street": street, "postal_code": code,
                     "city": city, "country": _country_after(segments, index) or country}
            name_lines = before[:-1] if street else before
            if name_lines and not _SKIP.search(name_lines[-1]):
                found["name"] = name_lines[-1]
            return {k: v for k, v in found.items() if v}
    return None


def _previous(segments: list[str], index: int) -> list[str]:
    """Up to two segments before `index`, stopping at a heading or a labelled line."""
    out = []
    for segment in reversed(segments[max(0, index - 2):index]):
        if _SKIP.search(segment) and not LEGAL_FORMS.search(segment):
            break
        value = _value(segment, _ADDRESS_LABELS) or _value(segment, _NAME_LABELS)
        out.insert(0, value or segment)
        if value is not None:
            break
    return out


def _country_after(segments: list[str], index: int) -> str | None:
    if index + 1 < len(segments):
        return _COUNTRY_WORDS.get(_fold(segments[index + 1]))
    return None


def candidate_from(url: str, html: str) -> tuple[Candidate | None, str]:
    """A legal-notice page -> its address candidate (None without a postal address) and its text."""
    text = text_of(html)
    vats = numbers.vat_ids(text)
    fields = read(text, country_hints(url, html, vats))
    if not fields.get("city"):
        return None, text
    registers = numbers.register_numbers(text)
    phones = numbers.phones(text, fields.get("country"))
    return candidate(LEGAL_NOTICE, url, vat_id=vats[0] if vats else None,
                     register_number=registers[0] if registers else None,
                     phone=phones[0] if phones else None, **fields), text
