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
add_party, get_party, edit_party, delete_party = _parties.add, _parties.get, _parties.edit, _parties.delete


# --- the party behind a site (for hits and cases) ------------------------------------------

def parties_for_sites(session: Session, sites: Iterable[str]) -> dict[str, Party]:
    """The party on file for each of these sites (the first one, where several are)."""
    found: dict[str, Party] = {}
    names = sorted(set(sites))
    if names:
        for party in session.scalars(select(Party).where(Party.site.in_(names)).order_by(Party.id)):
            found.setdefault(party.site, party)
    return found


def party_ids_on_site(session: Session, site: str) -> list[int]:
    """Every party on file for a site."""
    return list(session.scalars(select(Party.id).where(Party.site == site)))


def party_for_site(session: Session, actor: Actor, site: str, country: str) -> Party:
    """The party known for `site`, or a new one named after it (until address lookup finds
    who runs the site)."""
    party = parties_for_sites(session, [site]).get(site)
    return party or add_party(session, actor, name=site, site=site, country=country)
