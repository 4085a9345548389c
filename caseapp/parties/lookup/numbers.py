"""VAT IDs, company register numbers and phone numbers found in a page's text: each candidate
validated with python-stdnum (checksums, register courts) and each phone normalised to E.164 with
phonenumbers. No network: stdnum's VIES and OffeneRegister checks are never called."""
from __future__ import annotations

import re

# VAT IDs: a country prefix, then 8 to 16 letters, digits, spaces or dots (then validated).
_VAT_PREFIXES = ("ATU", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
                 "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "GB", "CHE")
_VAT = re.compile(r"\b(" + "|".join(_VAT_PREFIXES) + r")[ .-]?([0-9A-Z][0-9A-Z .-]{6,16}[0-9A-Z])\b")

# Register numbers, by the words that name them.
_DE_COURT = re.compile(r"(?:Amtsgericht|Registergericht|AG)[:\s]+(?!Amtsgericht)(?P<court>[A-ZÄÖÜ][\wäöüß.-]+(?:[ -][A-ZÄÖÜ(][\wäöüß.()-]+)?)"
                       r"(?:[,;\s]+(?:Registernummer|Handelsregister(?:nummer)?|Reg\.-Nr\.)?[:\s]*)?"
                       r"(?P<kind>HR[AB]|GnR|PR|VR)[ ]*(?P<number>\d+(?:[ ]?[A-Z]\b)?)")
_DE_BARE = re.compile(r"\b(?P<kind>HR[AB]|GnR|PR|VR)[ ]*(?P<number>\d{1,6}(?:[ ]?[A-Z]\b)?)")
_DE_COURT_NEAR = re.compile(r"(?:Amtsgericht|Registergericht)[:\s]+(?!Amtsgericht)(?P<court>[A-ZÄÖÜ][\wäöüß.-]+(?:[ -][A-ZÄÖÜ(][\wäöüß.()-]+)?)")
_FR_RCS = re.compile(r"\bRCS\s+(?P<city>[A-ZÉÈ][\w'-]+(?:[ -][A-ZÉÈ][\w'-]+)?)\s+(?P<letter>[AB]\s+)?(?P<number>\d{3}\s?\d{3}\s?\d{3})\b")
_FR_SIREN = re.compile(r"\bSIRE[NT][:\s]+(?P<number>\d{3}\s?\d{3}\s?\d{3}(?:\s?\d{5})?)\b")
_ES_NIF = re.compile(r"\b(?:CIF|NIF|N\.I\.F\.|C\.I\.F\.)[:\s]+(?:ES[ -]?)?(?P<number>[A-Z0-9][-\s]?\d{7}[-\s]?[A-Z0-9])\b")
_AT_FN = re.compile(r"\bFN\s*(?P<number>\d{1,6}\s?[a-z])\b")
_CH_UID = re.compile(r"\bCHE[-\s]?(?P<number>\d{3}\.?\d{3}\.?\d{3})\b")
_IT_REA = re.compile(r"\bREA[:\s]+(?P<number>[A-Z]{2}[-\s]?\d{4,7})\b")
_NL_KVK = re.compile(r"\b(?:KvK|Kamer van Koophandel)(?:[- ]?(?:nummer|nr\.?))?[:\s]+(?P<number>\d{8})\b", re.I)
_GB_CRN = re.compile(r"\b(?:Company|Registered)\s+(?:No\.?|number|registration number)[:\s]+(?P<number>(?:[A-Z]{2})?\d{6,8})\b", re.I)


def vat_ids(text: str) -> list[str]:
    """Every valid VAT ID in `text`, compact (`DE136695976`), in the order found, once each."""
    from stdnum.ch import vat as ch_vat
    from stdnum.eu import vat
    from stdnum.gb import vat as gb_vat

    found: list[str] = []
    for match in _VAT.finditer(text or ""):
        raw = match.group(1) + match.group(2)
        for candidate in _shortenings(raw):
            number = _valid(vat.validate, candidate)
            if number is None and candidate.startswith("GB"):
                number = _valid(gb_vat.validate, candidate[2:])
                number = f"GB{number}" if number else None
            if number is None and candidate.startswith("CHE"):
                number = _valid(ch_vat.validate, candidate)
            if number:
                if number not in found:
                    found.append(number)
                break
    return found


def _shortenings(raw: str):
    """The matched text, then shorter by a trailing word at a time (the pattern may have taken
    the next word: 'DE136695976 HRB')."""
    words = raw.split(" ")
    for end in range(len(words), 0, -1):
        yield " ".join(words[:end]).strip(" .-")


def _valid(validate, number: str) -> str | None:
    from stdnum.exceptions import ValidationError

    try:
        return validate(number)
    except ValidationError:
        return None


def register_numbers(text: str) -> list[str]:
    """Company register numbers in `text`, each checked where python-stdnum can check it:
    German Handelsregister (court + HRA/HRB/…), French RCS and SIREN, Spanish CIF/NIF,
    Austrian Firmenbuch, Swiss UID, Italian REA, Dutch KvK, UK company numbers (the last three:
    format only)."""
    from stdnum.at import businessid
    from stdnum.ch import uid
    from stdnum.de import handelsregisternummer
    from stdnum.es import nif
    from stdnum.fr import rcs, siren

    text = text or ""
    found: list[str] = []

    def add(number):
        if number and number not in found:
            found.append(number)

    for match in _DE_COURT.finditer(text):
        add(_valid(handelsregisternummer.validate, f"{match['court']} {match['kind']} {match['number']}"))
    if not any(" HR" in n or " GnR" in n or " VR" in n or " PR" in n for n in found):
        court = _DE_COURT_NEAR.search(text)
        for match in _DE_BARE.finditer(text):
            if court:
                add(_valid(handelsregisternummer.validate, f"{court['court']} {match['kind']} {match['number']}"))
    for match in _FR_RCS.finditer(text):
        letter = (match["letter"] or "").strip()
        add(_valid(rcs.validate, f"RCS {match['city']} {letter + ' ' if letter else ''}{match['number']}"))
    if not any(n.startswith("RCS") for n in found):
        for match in _FR_SIREN.finditer(text):
            number = _valid(siren.validate, match["number"][:11])
            add(f"SIREN {number}" if number else None)
    for match in _ES_NIF.finditer(text):
        number = _valid(nif.validate, match["number"])
        add(f"NIF {number}" if number else None)
    for match in _AT_FN.finditer(text):
        number = _valid(businessid.validate, "FN " + match["number"])
        add(f"FN {number}" if number else None)
    for match in _CH_UID.finditer(text):
        number = _valid(uid.validate, "CHE" + match["number"])
        add(number)
    for pattern, label in ((_IT_REA, "REA"), (_NL_KVK, "KvK"), (_GB_CRN, "Company No.")):
        for match in pattern.finditer(text):
            add(label + " " + re.sub(r"[-\s]", "", match["number"]))
    return found


def phones(text: str, region: str | None) -> list[str]:
    """Valid phone numbers in `text`, in E.164 (`+49301234567`), read as numbers of `region`
    (a country code) where they have no +prefix. Fax numbers are left out."""
    import phonenumbers as pn

    region = (region or "").upper() or None
    if region and region not in pn.SUPPORTED_REGIONS:
        region = None
    found: list[str] = []
    for match in pn.PhoneNumberMatcher(text or "", region or "ZZ", leniency=pn.Leniency.VALID):
        before = (text[max(0, match.start - 12):match.start]).lower()
        if "fax" in before or "télécopie" in before:
            continue
        number = pn.format_number(match.number, pn.PhoneNumberFormat.E164)
        if number not in found:
            found.append(number)
    return found


def phone(raw: str, region: str | None) -> str | None:
    """One phone number as typed or found (`+49.301234567`, `030 1234567`) in E.164, or None."""
    import phonenumbers as pn

    text = (raw or "").strip().replace("+49.", "+49 ")
    text = re.sub(r"^\+(\d{1,3})\.", r"+\1 ", text)
    try:
        number = pn.parse(text, (region or "").upper() or None)
    except pn.NumberParseException:
        return None
    return pn.format_number(number, pn.PhoneNumberFormat.E164) if pn.is_valid_number(number) else None
