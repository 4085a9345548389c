"""Party use cases: the parties we claim against, their addresses, and the party behind a site.
Other domains ask here; none reads the party table itself."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.records import add_record, clean_values, delete_record, edit_record
from caseapp.infringers.models import Infringer

KINDS = ("company", "person", "public_body", "association")
FIELDS = ("name", "kind", "website", "email", "street", "postal_code", "city", "country", "subdivision",
          "language")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """A party's fields as typed -> as kept (codes upper or lower case, a site without www.)."""
    clean = clean_values(values, record="party", fields=FIELDS, kinds=KINDS)
    if clean.get("subdivision"):
        clean["subdivision"] = clean["subdivision"].upper()
    if clean.get("website"):
        clean["website"] = clean["website"].lower().removeprefix("https://").removeprefix("http://") \
            .removeprefix("www.").rstrip("/")
    return clean


def add_party(session: Session, actor: Actor, **values: Any) -> Infringer:
    clean = _clean(values)
    if "country" not in clean:
        raise InvalidInput("Country: say where the party is (two letters, such as DE; ZZ when not known yet).")
    return add_record(session, actor, Infringer(**clean), "party")


def get_party(session: Session, party_id: int) -> Infringer:
    party = session.get(Infringer, party_id)
    if party is None:
        raise NotFound(f"There is no party {party_id}: it was deleted, or the link is wrong.")
    return party


def edit_party(session: Session, actor: Actor, party_id: int, *, seen_version: int | None,
               **values: Any) -> Infringer:
    party = get_party(session, party_id)
    edit_record(session, actor, party, _clean(values), subject="party", what=f"Party {party.name}",
                seen_version=seen_version)
    return party


def delete_party(session: Session, actor: Actor, party_id: int) -> None:
    party = get_party(session, party_id)
    delete_record(session, actor, party, subject="party", what=f"Party {party.name}",
                  in_use="cases are open or closed against it; they keep their party.")


# --- the party behind a site (for hits and cases) ------------------------------------------

def parties_for_sites(session: Session, websites: Iterable[str]) -> dict[str, Infringer]:
    """The party on file for each of these sites (the first one, where several are)."""
    found: dict[str, Infringer] = {}
    names = sorted(set(websites))
    if names:
        for party in session.scalars(select(Infringer).where(Infringer.website.in_(names)).order_by(Infringer.id)):
            found.setdefault(party.website, party)
    return found


def party_ids_on_site(session: Session, website: str) -> list[int]:
    """Every party on file for a site."""
    return list(session.scalars(select(Infringer.id).where(Infringer.website == website)))


def party_for_site(session: Session, actor: Actor, website: str, country: str) -> Infringer:
    """The party known for `website`, or a new one named after it (until address lookup finds
    who runs the site)."""
    party = parties_for_sites(session, [website]).get(website)
    return party or add_party(session, actor, name=website, website=website, country=country)
