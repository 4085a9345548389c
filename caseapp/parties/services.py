"""Party use cases: the parties we claim against, their addresses, and the party behind a site.
Other domains ask here; none reads the party table itself."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core.audit import Actor
from caseapp.core.records import ReferenceRecords, clean_values
from caseapp.parties.models import Party

KINDS = ("company", "person", "public_body", "association")
FIELDS = ("name", "kind", "site", "email", "street", "postal_code", "city", "country", "subdivision",
          "language")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """A party's fields as typed -> as kept (codes upper or lower case, a site without www.)."""
    clean = clean_values(values, record="party", fields=FIELDS, kinds=KINDS)
    if clean.get("subdivision"):
        clean["subdivision"] = clean["subdivision"].upper()
    if clean.get("site"):
        clean["site"] = clean["site"].lower().removeprefix("https://").removeprefix("http://") \
            .removeprefix("www.").rstrip("/")
    return clean


_parties = ReferenceRecords(
    Party, subject="party", clean=_clean,
    missing="There is no party {id}: it was deleted, or the link is wrong.",
    in_use="cases are open or closed against it; they keep their party.",
    required=(("country", "Country: say where the party is (two letters, such as DE; ZZ when not known yet)."),))
get_party, delete_party = _parties.get, _parties.delete


def live_party(session: Session, party_id: int) -> Party:
    """A party that can still be changed: a duplicate merged into another is history (its cases
    and site are the other's), so its address and flags are changed on that one."""
    from caseapp.core.errors import InvalidInput

    party = get_party(session, party_id)
    if party.merged_into_id is not None:
        raise InvalidInput(f"Party #{party.id} was merged into party #{party.merged_into_id}: change that one.")
    return party


# Fields that say something about a person (a party may be one): where each came from is kept
# (party_field_source; GDPR Art. 14 and 15(1)(g)).
PERSONAL_FIELDS = ("name", "email", "street", "postal_code", "city", "country", "subdivision", "phone")


def add_party(session: Session, actor: Actor, *, source: str = "manual", source_url: str | None = None,
              **values: Any) -> Party:
    """Add a party (as typed on its page, or named after a site: `source`), each personal field's
    source recorded."""
    party = _parties.add(session, actor, **values)
    record_sources(session, actor, party, [f for f in PERSONAL_FIELDS if getattr(party, f, None)], source,
                   source_url)
    return party


def edit_party(session: Session, actor: Actor, record_id: int, *, seen_version: int | None, **values: Any) -> Party:
    """Edit a party on its form (version checked, audited); each personal field changed is
    recorded as entered by hand."""
    party = get_party(session, record_id)
    before = {f: getattr(party, f, None) for f in PERSONAL_FIELDS}
    _parties.edit(session, actor, record_id, seen_version=seen_version, **values)
    record_sources(session, actor, party, [f for f in PERSONAL_FIELDS if getattr(party, f, None) != before[f]],
                   "manual", None)
    return party


# --- the party behind a site (for hits and cases) ------------------------------------------

def parties_for_sites(session: Session, sites: Iterable[str]) -> dict[str, Party]:
    """The party on file for each of these sites (the first one, where several are)."""
    found: dict[str, Party] = {}
    names = sorted(set(sites))
    if names:
        for party in session.scalars(select(Party).where(Party.site.in_(names)).order_by(Party.id)):
            found.setdefault(party.site, _current(session, party))   # a merged party's site is its keeper's
    return found


def party_ids_on_site(session: Session, site: str) -> list[int]:
    """Every party on file for a site (and, for a merged one, the party it was merged into)."""
    ids: list[int] = []
    for party in session.scalars(select(Party).where(Party.site == site).order_by(Party.id)):
        for one in (party.id, _current(session, party).id):
            if one not in ids:
                ids.append(one)
    return ids


def party_for_site(session: Session, actor: Actor, site: str, country: str) -> Party:
    """The party known for `site`, or a new one named after it (until address lookup finds
    who runs the site)."""
    party = parties_for_sites(session, [site]).get(site)
    return party or add_party(session, actor, name=site, site=site, country=country, source="site_name",
                              source_url=site)


# --- address lookup, candidates, corrections (issue 18) --------------------------------------------

ADDRESS_FIELDS = ("street", "postal_code", "city", "country")
# Fields a candidate fills on its party, and which of them say something about a person (their
# source is recorded in party_field_source: GDPR Art. 14, 15(1)(g)).
CANDIDATE_FIELDS = ("name", "street", "postal_code", "city", "country", "email", "phone", "vat_id",
                    "register_number")


def _candidate_model():
    from caseapp.parties.models import PartyAddressCandidate

    return PartyAddressCandidate


def record_sources(session: Session, actor: Actor, party: Party, fields, source: str, source_url: str | None) -> None:
    """Note where each of `fields` of `party` came from, now (one row a field)."""
    from caseapp.core.models import utcnow
    from caseapp.parties.models import PartyFieldSource

    for field in fields:
        session.add(PartyFieldSource(party_id=party.id, field=field, source=source, source_url=source_url,
                                     recorded_at=utcnow(), actor=actor.name))


def field_sources(session: Session, party_id: int) -> dict[str, Any]:
    """The latest source of each field of a party: {field: PartyFieldSource}."""
    from caseapp.parties.models import PartyFieldSource

    rows = session.scalars(select(PartyFieldSource).where(PartyFieldSource.party_id == party_id)
                           .order_by(PartyFieldSource.recorded_at, PartyFieldSource.id))
    return {row.field: row for row in rows}


def candidates_of(session: Session, party_id: int) -> list:
    """A party's address candidates, the chosen one first, then by confidence."""
    model = _candidate_model()
    return list(session.scalars(select(model).where(model.party_id == party_id)
                                .order_by(model.chosen.desc(), model.confidence.desc(), model.found_at.desc(),
                                          model.id.desc())))


def _apply(session: Session, actor: Actor, party: Party, chosen, *, action: str, seen_version: int | None = None,
           reason: str | None = None) -> dict:
    """Make `chosen` (a candidate row) the party's postal address: its fields set where it has
    them (a name only over the placeholder a site gave, an e-mail, phone and numbers only where
    the party has none or the candidate is a handler's), each field's source recorded, the change
    audited with before and after."""
    from caseapp.core import audit
    from caseapp.core.models import utcnow
    from caseapp.core.records import check_version, plain

    check_version(f"Party {party}", party, seen_version)
    manual = chosen.source == "manual"
    changes: dict[str, list] = {}
    for field in CANDIDATE_FIELDS:
        value = getattr(chosen, field)
        current = getattr(party, field)
        if field == "name" and not manual and current and current != party.site:
            continue
        if field in ("email", "phone", "vat_id", "register_number") and not manual and current:
            continue
        if field in ADDRESS_FIELDS and not manual and not chosen.street:
            continue   # a candidate without a street keeps the whole address on file; one with a street
            #            brings its whole address (a postal code it lacks is not kept from another source)
        if field == "country" and not value:
            continue
        if value != current:
            changes[field] = [plain(current), plain(value)]
            setattr(party, field, value)
    for candidate in candidates_of(session, party.id):
        candidate.chosen = candidate.id == chosen.id
    party.address_source, party.address_source_url = chosen.source, chosen.source_url
    party.address_checked_at = utcnow()
    session.flush()
    record_sources(session, actor, party, sorted(changes), chosen.source, chosen.source_url)
    audit.record(session, actor, action, "party", party.id, reason=reason,
                 details={"source": chosen.source, "source_url": chosen.source_url,
                          "confidence": chosen.confidence, "changes": changes})
    return changes


def _store_candidate(session: Session, party: Party, found) -> Any:
    model = _candidate_model()
    row = model(party_id=party.id, source=found.source, source_url=(found.source_url or "")[:2000] or None,
                confidence=found.confidence,
                **{field: (str(found.fields[field])[:_LIMITS[field]] if found.fields.get(field) else None)
                   for field in CANDIDATE_FIELDS})
    session.add(row)
    session.flush()
    return row


_LIMITS = {"name": 200, "street": 200, "postal_code": 20, "city": 100, "country": 2, "email": 254, "phone": 20,
           "vat_id": 20, "register_number": 80}


def set_commercial(session: Session, actor: Actor, party: Party, verdict) -> None:
    """Keep the commercial verdict, its score and reasons on the party; audited when it changes."""
    from caseapp.core import audit

    before = party.commercial
    party.commercial, party.commercial_score, party.commercial_reasons = \
        verdict.verdict, verdict.score, verdict.reasons
    session.flush()
    if before != verdict.verdict:
        audit.record(session, actor, "party.commercial_checked", "party", party.id, from_state=before,
                     to_state=verdict.verdict, details={"score": verdict.score, "reasons": verdict.reasons})


def lookup_site(session: Session, actor: Actor, url: str, *, party_id: int | None = None, fetcher=None,
                found=None):
    """Look a site up and keep what was found on its party (the one given, else the one on file
    for the site, else a new one): every candidate beside the earlier ones; the best becomes the
    postal address and country — unless a handler corrected the address by hand, which a lookup
    never overrides (the candidates still show). The commercial verdict is kept with its reasons.
    Returns (party, the lookup). InvalidInput when the site cannot be fetched."""
    from caseapp.parties.lookup.chain import lookup

    found = found or lookup(url, fetcher=fetcher)
    site = found.site or (found.final_url.split("/")[2].split(":")[0] if "://" in found.final_url else None)
    if party_id is not None:
        party = get_party(session, party_id)
    else:
        party = parties_for_sites(session, [site]).get(site) if site else None
        if party is None:
            chosen = found.chosen.fields if found.chosen else {}
            party = add_party(session, actor, name=chosen.get("name") or site or url, site=site,
                              country=chosen.get("country") or _country_of(site),
                              source=found.chosen.source if found.chosen else "site_name",
                              source_url=found.chosen.source_url if found.chosen else found.final_url)
    party = _current(session, party)
    if not party.site and site:
        party.site = site      # the party given had no site on file: this one is its
    known = {(c.source, c.source_url, c.street, c.postal_code, c.city) for c in candidates_of(session, party.id)}
    rows = []
    for one in found.candidates:
        key = (one.source, one.source_url, one.fields.get("street"), one.fields.get("postal_code"),
               one.fields.get("city"))
        if key not in known:
            rows.append((one, _store_candidate(session, party, one)))
    if found.chosen is not None and party.address_source != "manual":
        best = next((row for one, row in rows if one is found.chosen), None)
        if best is None:   # found before: the stored row of the same address
            model = _candidate_model()
            best = session.scalar(select(model).where(model.party_id == party.id, model.source == found.chosen.source,
                                                      model.source_url == found.chosen.source_url)
                                  .order_by(model.id.desc()))
        if best is not None:
            _apply(session, actor, party, best, action="party.address_found")
    else:
        from caseapp.core.models import utcnow

        party.address_checked_at = utcnow()
    for field, values in (("vat_id", found.vat_ids), ("register_number", found.register_numbers),
                          ("phone", found.phones)):
        if values and not getattr(party, field):
            setattr(party, field, values[0][:_LIMITS[field]])
            record_sources(session, actor, party, [field], "legal_notice" if field != "phone" else "lookup",
                           found.final_url)
    if found.commercial is not None:
        set_commercial(session, actor, party, found.commercial)
    session.flush()
    return party, found


def _country_of(site: str | None) -> str:
    """The country a site's top-level domain suggests (ZZ: not known), until a lookup finds one."""
    tld = (site or "").rsplit(".", 1)[-1].upper()
    return {"UK": "GB"}.get(tld, tld) if len(tld) == 2 and tld.isalpha() else "ZZ"


def choose_candidate(session: Session, actor: Actor, party_id: int, candidate_id: int, *,
                     seen_version: int | None) -> Party:
    """The handler picks one of the candidates ("use this") as the party's address."""
    from caseapp.core.errors import NotFound

    party = live_party(session, party_id)
    chosen = session.get(_candidate_model(), candidate_id)
    if chosen is None or chosen.party_id != party.id:
        raise NotFound(f"Party {party} has no address candidate {candidate_id}: reload the page.")
    _apply(session, actor, party, chosen, action="party.address_chosen", seen_version=seen_version)
    return party


def correct_address(session: Session, actor: Actor, party_id: int, *, seen_version: int | None,
                    reason: str | None = None, **values: Any) -> Party:
    """A handler types the address (a manual candidate, confidence 100, chosen): version checked
    against stale edits, audited with before and after. A later lookup does not override it."""
    from caseapp.core.errors import InvalidInput
    from caseapp.core.i18n import country_code
    from caseapp.core.records import check_version, text_or_none
    from caseapp.parties.lookup import CONFIDENCE, MANUAL

    party = live_party(session, party_id)
    check_version(f"Party {party}", party, seen_version)
    unknown = set(values) - set(CANDIDATE_FIELDS)
    if unknown:
        raise InvalidInput(f"An address has no field {', '.join(sorted(unknown))}.")
    clean = {key: text_or_none(value) for key, value in values.items()}
    for field, words in (("street", "Street"), ("postal_code", "Postal code"), ("city", "City"),
                         ("country", "Country")):
        if not clean.get(field):
            raise InvalidInput(f"{words}: an address needs it; type it as the letter will print it.")
    clean["country"] = country_code(clean["country"])
    for field, limit in _LIMITS.items():
        if clean.get(field) and len(clean[field]) > limit:
            raise InvalidInput(f"{field.replace('_', ' ').capitalize()}: at most {limit} characters.")
    if clean.get("phone"):
        from caseapp.parties.lookup.numbers import phone

        normal = phone(clean["phone"], clean["country"])
        if normal is None:
            raise InvalidInput(f"Phone: {clean['phone']} is not a phone number of {clean['country']} "
                               "(type it with its country code, e.g. +49 30 1234567).")
        clean["phone"] = normal
    # What the form does not ask for, or leaves empty, stays as it is on file: the name, and the
    # numbers the lookup found (a correction of the address must not lose the VAT ID).
    for field in ("name", "vat_id", "register_number"):
        if not clean.get(field):
            clean[field] = getattr(party, field)
    row = _candidate_model()(party_id=party.id, source=MANUAL, source_url=None, confidence=CONFIDENCE[MANUAL],
                             **{field: clean.get(field) for field in CANDIDATE_FIELDS})
    session.add(row)
    session.flush()
    _apply(session, actor, party, row, action="party.address_corrected", reason=text_or_none(reason))
    return party


def commercial_flag(party: Party | None) -> bool | None:
    """For feasibility: True when the lookup found the party commercial, False when private,
    None when not checked or unknown."""
    verdict = getattr(party, "commercial", None)
    return {"commercial": True, "private": False}.get(verdict) if verdict else None


def parties_due_lookup(session: Session, limit: int = 100) -> list[Party]:
    """Parties with a site whose address was never checked (not merged ones), oldest first."""
    return list(session.scalars(select(Party).where(Party.site.is_not(None), Party.address_checked_at.is_(None),
                                                    Party.merged_into_id.is_(None))
                                .order_by(Party.id).limit(limit)))


# --- duplicates, merging, clearing ------------------------------------------------------------------

def _current(session: Session, party: Party) -> Party:
    """The party a merged one was merged into (followed to the end)."""
    seen = set()
    while party.merged_into_id is not None and party.id not in seen:
        seen.add(party.id)
        party = session.get(Party, party.merged_into_id)
    return party


def why_duplicates(one: Party, other: Party) -> list[str]:
    """What two parties share that makes them one: the VAT ID, the register number, the address."""
    def same(a, b):
        return bool(a) and bool(b) and " ".join(str(a).casefold().split()) == " ".join(str(b).casefold().split())
    reasons = []
    if same(one.vat_id, other.vat_id):
        reasons.append("vat_id")
    if same(one.register_number, other.register_number):
        reasons.append("register_number")
    if one.has_postal_address and all(same(getattr(one, f), getattr(other, f)) for f in ADDRESS_FIELDS):
        reasons.append("address")
    return reasons


def duplicates_of(session: Session, party_id: int) -> list[tuple[Party, list[str]]]:
    """Other (unmerged) parties with the same VAT ID, register number or address."""
    from sqlalchemy import and_, or_

    party = get_party(session, party_id)
    matches = []
    if party.vat_id:
        matches.append(Party.vat_id == party.vat_id)
    if party.register_number:
        matches.append(Party.register_number == party.register_number)
    if party.has_postal_address:
        matches.append(and_(Party.street == party.street, Party.city == party.city, Party.country == party.country))
    if not matches:
        return []
    found = session.scalars(select(Party).where(or_(*matches), Party.id != party.id, Party.merged_into_id.is_(None))
                            .order_by(Party.id))
    return [(other, why_duplicates(party, other)) for other in found if why_duplicates(party, other)]


def merge_parties(session: Session, actor: Actor, keep_id: int, other_id: int) -> Party:
    """Merge a duplicate into the party kept: the other's cases move (through the cases' service),
    its site answers for the kept party, its address candidates move too; fields the kept party
    lacks are filled from it. The other keeps its row and history, marked merged_into_id.
    Refused unless they share a VAT ID, a register number or an address. Audited on both, and on
    each moved case's timeline."""
    from caseapp.cases import services as cases
    from caseapp.core import audit
    from caseapp.core.errors import InvalidInput

    if keep_id == other_id:
        raise InvalidInput("A party cannot be merged into itself: name two different parties.")
    keep, other = get_party(session, keep_id), get_party(session, other_id)
    for party in (keep, other):
        if party.merged_into_id is not None:
            raise InvalidInput(f"Party {party} (#{party.id}) was already merged into party #{party.merged_into_id}; "
                               "merge into that one.")
    reasons = why_duplicates(keep, other)
    if not reasons:
        raise InvalidInput(f"Parties #{keep.id} and #{other.id} share no VAT ID, register number or address, so "
                           "they were not merged. Correct one's data first if they are the same.")
    moved = cases.move_cases_to_party(session, from_party_id=other.id, to_party_id=keep.id)
    filled = {}
    # One address is one unit: the duplicate's whole address only when the kept party has none
    # (a street from one and a postal code from the other would be an address nobody lives at).
    fields = ("email", "phone", "vat_id", "register_number") + \
        (() if keep.street or keep.postal_code or keep.city else ("street", "postal_code", "city"))
    for field in fields:
        if not getattr(keep, field) and getattr(other, field):
            filled[field] = getattr(other, field)
            setattr(keep, field, getattr(other, field))
    model = _candidate_model()
    for candidate in session.scalars(select(model).where(model.party_id == other.id)):
        candidate.party_id, candidate.chosen = keep.id, False
    other.merged_into_id = keep.id
    session.flush()
    if filled:
        record_sources(session, actor, keep, sorted(filled), "merge", f"party:{other.id}")
    details = {"kept": keep.id, "merged": other.id, "because": reasons, "cases": [ref for _, ref in moved],
               "site": other.site, "filled": filled}
    audit.record(session, actor, "party.merged", "party", keep.id, details=details)
    audit.record(session, actor, "party.merged_into", "party", other.id, details=details)
    for case_id, ref in moved:
        audit.record(session, actor, "party.case_moved", "party", keep.id, case_id=case_id,
                     details={"from": other.id, "to": keep.id, "case": ref})
    return keep


def clear_party(session: Session, actor: Actor, party_id: int, *, cleared: bool, note: str | None,
                seen_version: int | None) -> Party:
    """Mark a party cleared (it showed a licence; the note says which) or take the mark away."""
    from caseapp.core import audit
    from caseapp.core.errors import InvalidInput
    from caseapp.core.records import check_version, text_or_none

    party = live_party(session, party_id)
    check_version(f"Party {party}", party, seen_version)
    note = text_or_none(note)
    if cleared and not note:
        raise InvalidInput("Note: say what the party showed (the licence, from whom, for which works).")
    if party.cleared == cleared:
        return party
    party.cleared, party.cleared_note = cleared, note if cleared else party.cleared_note
    session.flush()
    audit.record(session, actor, "party.cleared" if cleared else "party.uncleared", "party", party.id, reason=note,
                 details={"note": note})
    return party
