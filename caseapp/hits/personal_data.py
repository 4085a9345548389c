"""What the hits domain holds on a party: the pages of their sites where the crawler saw our
clients' works (sightings) and the hits made of them, with the triage decisions (core.personal_data).

A sighting goes when it was last seen longer ago than the `sighting` retention (the limitation
period of a claim for it), unless its site belongs to a party with an open case, or one of its
hits is in a case whose file is kept. Its hits and their triage history go with it (the database
cascades); the image files go from the store unless a work or another row names them."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from caseapp.core.personal_data import DELETE, SIGHTING, Expired, Retention, field, record, today_of
from caseapp.hits.models import Hit, Sighting

PURGE_ORDER = 10
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("sighting", "hit", "hit_decision_item")


def _party_sites(session: Session, party_id: int) -> list[str]:
    from caseapp.parties import personal_data as parties

    return parties.sites_of(session, [party_id])


def last_seen_on(session: Session, sites: list[str]) -> dict:
    """{site: when a sighting on it was last seen}: a party made from a site stays while its site
    is still being seen (the parties' purge asks)."""
    found = {}
    last_seen = func.max(func.coalesce(Sighting.last_seen_at, Sighting.found_at))
    for start in range(0, len(sites), 500):
        found.update(session.execute(select(Sighting.site, last_seen).where(Sighting.site.in_(sites[start:start + 500]))
                                     .group_by(Sighting.site)).all())
    return found


def _party_sightings(session: Session, party_id: int):
    """The sightings on the party's sites or in its cases (a query), or None."""
    from caseapp.cases import personal_data as cases

    sites = _party_sites(session, party_id)
    case_ids = cases.party_case_ids(session, party_id)
    conditions = []
    if sites:
        conditions.append(Sighting.site.in_(sites))
    if case_ids:
        conditions.append(Sighting.id.in_(select(Hit.sighting_id).where(Hit.case_id.in_(case_ids))))
    return select(Sighting).where(or_(*conditions)) if conditions else None


def party_hit_ids(session: Session, party_id: int) -> list[int]:
    """The hits on the party's sightings (the evidence domain's export asks which captures are theirs)."""
    sightings = _party_sightings(session, party_id)
    if sightings is None:
        return []
    return list(session.scalars(select(Hit.id).where(Hit.sighting_id.in_(sightings.with_only_columns(Sighting.id)))
                                .order_by(Hit.id)))


def export(session: Session, party_id: int) -> dict:
    query = _party_sightings(session, party_id)
    if query is None:
        return {}
    sightings = session.scalars(query.order_by(Sighting.id)).all()
    seen = "the crawler (or a handler's page fetch) on the party's site"
    found = {"sighting": [record(s.id, {
        "page_url": field(s.page_url, seen), "image_url": field(s.image_url, seen), "site": field(s.site, seen),
        "found_at": field(s.found_at, seen), "last_seen_at": field(s.last_seen_at, seen),
        "image": field(s.image_sha256, "the image as the party's site served it (stored by SHA-256)"),
    }) for s in sightings]}
    ids = [s.id for s in sightings]
    hits = session.scalars(select(Hit).where(Hit.sighting_id.in_(ids)).order_by(Hit.id)).all() if ids else []
    found["hit"] = [record(h.id, {
        "work": field(h.work_id, "the matching engine: this sighting copies our client's work"),
        "score": field(h.score, "the matching engine"),
        "status": field(h.status, f"triaged by {h.decided_by}" if h.decided_by else "not triaged yet"),
        "decided_at": field(h.decided_at, h.decided_by and f"triaged by {h.decided_by}"),
    }, sighting_id=h.sighting_id, case_id=h.case_id) for h in hits]
    return found


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    from caseapp.cases import personal_data as cases
    from caseapp.parties import personal_data as parties

    latest = retention.latest_event(SIGHTING, today_of(now))
    files = cases.closed_files(session, now, retention)
    protected_sites = set(parties.sites_of(session, sorted(cases.open_parties(session))))
    last_seen = func.coalesce(Sighting.last_seen_at, Sighting.found_at)
    rows = session.execute(select(Sighting.id, Sighting.site, Sighting.image_sha256, Sighting.thumbnail_sha256)
                           .where(last_seen < datetime(latest.year + 1, 1, 1, tzinfo=timezone.utc)))
    candidates = {sid: (site, image, thumb) for sid, site, image, thumb in rows if site not in protected_sites}
    if not candidates:
        return []
    # A sighting whose hit is in a case whose file is kept stays with that file.
    ids = sorted(candidates)
    for start in range(0, len(ids), 500):
        for sid, case_id in session.execute(select(Hit.sighting_id, Hit.case_id).where(
                Hit.sighting_id.in_(ids[start:start + 500]), Hit.case_id.is_not(None))):
            if case_id not in files:
                candidates.pop(sid, None)
    owners = parties.site_owners(session, sorted({site for site, _i, _t in candidates.values()}))
    return [Expired("sighting", sid, DELETE, SIGHTING, owners.get(site), (image, thumb))
            for sid, (site, image, thumb) in sorted(candidates.items())]


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    ids = [e.id for e in items if e.kind == "sighting"]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        # Hits first (their triage items cascade), then the sightings.
        session.execute(delete(Hit).where(Hit.sighting_id.in_(chunk)), execution_options={"synchronize_session": False})
        session.execute(delete(Sighting).where(Sighting.id.in_(chunk)), execution_options={"synchronize_session": False})
    return [sha for e in items if e.kind == "sighting" for sha in e.files]
