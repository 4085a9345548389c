"""What the triage page shows: selections of hits as handlers make them (client, status,
site, score band, age, clusters), one page of them grouped by site, counts, and each hit's
first estimate of feasibility."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select, tuple_, union_all
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.clients import services as clients
from caseapp.core import web
from caseapp.core.errors import InvalidInput
from caseapp.core.formatting import money
from caseapp.feasibility import services as feasibility
from caseapp.hits.models import NEW, NO_MATCH, STATUS_LABELS, STATUSES, Hit, HitTally, HitTallyChange, Sighting
from caseapp.hits.sites import country_guess
from caseapp.parties import services as parties


# Score bands a handler selects by: (lowest score, score it stays under, words).
BANDS = {"high": (0.9, None, lazy_gettext("score 0.90 or more")), "mid": (0.7, 0.9, lazy_gettext("score 0.70 to 0.89")),
         "low": (None, 0.7, lazy_gettext("score under 0.70"))}


AGES = (7, 30, 90, 365)
MAX_AGE_DAYS = 36_500   # "found over N days ago": a century at most (a date the calendar holds)


@dataclass(frozen=True)
class HitFilter:
    """A selection of hits as a handler makes it: by client, status, site, score band,
    age, or cluster (one sighting matching several works; one work on many pages of a site)."""

    client_id: int | None = None
    status: str | None = NEW
    site: str | None = None
    band: str | None = None
    older_than_days: int | None = None
    work_id: int | None = None
    sighting_id: int | None = None
    subdomains: bool = False   # the site's subdomains too (as a whitelist rule covers them)

    @classmethod
    def from_args(cls, args, *, strict: bool = False) -> "HitFilter":
        """From a query string: values that mean nothing are left out (the page's default). With
        `strict` (a form that decides every hit it selects), such a value is refused instead,
        so that a typo never widens a decision to more hits than the handler chose."""
        def number(key: str, field: str) -> int | None:
            return web.record_id(args.get(key), field, required=False) if strict else web.lenient_id(args.get(key))

        raw_status, raw_band = args.get("status") or NEW, args.get("band") or None
        if strict and raw_status != "all" and raw_status not in STATUSES:
            raise InvalidInput(f"Status: {web.shown(raw_status)} is not one of all, {', '.join(STATUSES)}.")
        if strict and raw_band is not None and raw_band not in BANDS:
            raise InvalidInput(f"Score: {web.shown(raw_band)} is not one of {', '.join(BANDS)}.")
        status = None if raw_status == "all" else raw_status if raw_status in STATUSES else NEW
        band = raw_band if raw_band in BANDS else None
        site = str(args.get("site") or "").strip().lower() or None
        older = (web.whole(args.get("older"), "Age (days)", low=1, high=MAX_AGE_DAYS, required=False) if strict
                 else web.lenient(args.get("older"), low=1, high=MAX_AGE_DAYS))
        return cls(number("client", "Client"), status, site, band, older, number("work", "Work"),
                   number("sighting", "Sighting"))

    def args(self, **changes) -> dict:
        """The filter as query-string arguments (for links that keep it)."""
        values = {"client": self.client_id, "status": self.status or "all", "site": self.site,
                  "band": self.band, "older": self.older_than_days, "work": self.work_id,
                  "sighting": self.sighting_id, **changes}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def describe(self, names: dict | None = None) -> str:
        """The selection in words; with `names` (selection_names) the client, work and
        sighting by what people call them instead of their numbers."""
        names = names or {}
        parts = [str(STATUS_LABELS[self.status]).lower() if self.status else gettext("any status")]
        if self.client_id:
            parts.append(gettext("for %(client)s", client=names["client"]) if names.get("client")
                         else gettext("client %(id)s", id=self.client_id))
        if self.site:
            parts.append(gettext("on %(site)s", site=self.site))
        if self.band:
            parts.append(str(BANDS[self.band][2]))
        if self.older_than_days:
            parts.append(gettext("found over %(num)d days ago", num=self.older_than_days))
        if self.work_id:
            parts.append(gettext("of \u201c%(title)s\u201d", title=names["work"]) if names.get("work")
                         else gettext("work %(id)s", id=self.work_id))
        if self.sighting_id:
            parts.append(gettext("the picture found on %(site)s", site=names["sighting"]) if names.get("sighting")
                         else gettext("sighting %(id)s", id=self.sighting_id))
        return ", ".join(parts)

    @property
    def is_cluster(self) -> bool:
        return bool(self.work_id or self.sighting_id)

    def apply(self, query, today: date):
        if self.client_id is not None:
            query = query.where(Hit.client_id == self.client_id)
        if self.status is not None:
            query = query.where(Hit.status == self.status)
        if self.site and self.subdomains:
            pattern = "%." + self.site.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where((Hit.site == self.site) | Hit.site.like(pattern, escape="\\"))
        elif self.site:
            query = query.where(Hit.site == self.site)
        if self.band:
            low, high, _ = BANDS[self.band]
            if low is not None:
                query = query.where(Hit.score >= low)
            if high is not None:
                query = query.where(Hit.score < high)
        if self.work_id is not None:
            query = query.where(Hit.work_id == self.work_id)
        if self.sighting_id is not None:
            query = query.where(Hit.sighting_id == self.sighting_id)
        if self.older_than_days:
            before = datetime.combine(today - timedelta(days=self.older_than_days), time.min, timezone.utc)
            query = query.where(Hit.sighting_id.in_(select(Sighting.id).where(Sighting.found_at < before)))
        return query


def select_hits(session: Session, selection: HitFilter, today: date) -> list[int]:
    """The ids of every hit in the selection."""
    return list(session.scalars(selection.apply(select(Hit.id), today).order_by(Hit.id)))


@dataclass
class TriagePage:
    hits: list[Hit]
    total: int
    next_after: int | None
    sighting_hits: dict[int, int]            # sighting id -> hits it has (a cluster when > 1)
    site_hits: dict[tuple[int, str], int]    # (work id, site) -> hits of the work on that site
    case_refs: dict[int, str]                # case id -> ref, for hits already in a case


def _total(session: Session, selection: HitFilter, today: date, counts: dict[str, int] | None) -> int:
    """How many hits the selection holds. A selection by status (and client) alone is what the tabs
    count (`hit_counts` for the same client): their figure is the answer, and the second count
    over up to a million hits is not made."""
    only_status = not (selection.site or selection.band or selection.older_than_days or selection.work_id
                       or selection.sighting_id)
    if counts is not None and only_status:
        return counts.get(selection.status, 0) if selection.status is not None else sum(counts.values())
    return session.scalar(selection.apply(select(func.count(Hit.id)), today)) or 0


def triage_page(session: Session, selection: HitFilter, today: date, *, after: int | None = None,
                limit: int = 30, counts: dict[str, int] | None = None) -> TriagePage:
    """One page of the selection, grouped by site (so that a site's hits come together),
    keyset-paged after hit `after`; with the cluster sizes the page links to."""
    query = selection.apply(select(Hit), today)
    if after is not None:
        last = session.get(Hit, after)
        if last is not None:
            query = query.where(tuple_(Hit.site, Hit.id) > tuple_(last.site, last.id))
    hits = list(session.scalars(query.order_by(Hit.site, Hit.id).limit(limit + 1)).unique())
    more = len(hits) > limit
    hits = hits[:limit]
    total = _total(session, selection, today, counts)
    sighting_ids = {h.sighting_id for h in hits}
    per_sighting = dict(session.execute(select(Hit.sighting_id, func.count()).where(Hit.sighting_id.in_(sighting_ids))
                                        .group_by(Hit.sighting_id)).all()) if hits else {}
    pairs = sorted({(h.site, h.work_id) for h in hits})
    per_site: dict[tuple[int, str], int] = {}
    if hits:
        rows = session.execute(select(Hit.work_id, Hit.site, func.count())
                               .where(tuple_(Hit.site, Hit.work_id).in_(pairs))
                               .group_by(Hit.work_id, Hit.site)).all()
        per_site = {(w, d): n for w, d, n in rows}
    refs = cases.refs_by_id(session, {h.case_id for h in hits if h.case_id})
    return TriagePage(hits, total or 0, hits[-1].id if more else None, per_sighting, per_site, refs)


def hit_counts(session: Session, client_id: int | None = None) -> dict[str, int]:
    """Hits by status, for one client or everyone: the tally the database keeps (HitTally and the
    changes noted since its last fold), a few rows instead of a count over every hit."""
    rows = union_all(select(HitTally.client_id, HitTally.status, HitTally.n),
                     select(HitTallyChange.client_id, HitTallyChange.status, HitTallyChange.n)).subquery()
    query = select(rows.c.status, func.sum(rows.c.n)).group_by(rows.c.status)
    if client_id is not None:
        query = query.where(rows.c.client_id == client_id)
    return {status: int(n) for status, n in session.execute(query) if n}


def fold_tally(session: Session) -> int:
    """Fold the changes noted since the last fold into the tally (one row a client and status) and
    delete them; returns how many changes it folded. The changes are deleted and read in one
    statement (DELETE … RETURNING), so one committed meanwhile is folded next time, never lost or
    counted twice, and two folds at once each take other rows; the tally's rows are written in key
    order. Run in a transaction of its own, after an ingest commits and daily (a fold inside a long
    transaction would hold the tally's rows until it ends)."""
    from sqlalchemy import delete

    changes = session.execute(delete(HitTallyChange).returning(
        HitTallyChange.client_id, HitTallyChange.status, HitTallyChange.n)).all()
    sums: dict[tuple[int, str], int] = {}
    for client_id, status, n in changes:
        sums[(client_id, status)] = sums.get((client_id, status), 0) + n
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for (client_id, status), n in sorted(sums.items()):
        if n:
            upsert = insert(HitTally).values(client_id=client_id, status=status, n=n)
            session.execute(upsert.on_conflict_do_update(index_elements=[HitTally.client_id, HitTally.status],
                                                         set_={"n": HitTally.n + upsert.excluded.n}))
    return len(changes)


def triage_counts(session: Session, selection: HitFilter, today: date) -> dict:
    """The numbers a triage page shows, as they are now: hits by status (the tabs, for the
    selection's client or everyone) and how many hits the selection holds. After a decision
    the page's script puts them in place of the ones it was rendered with."""
    counts = hit_counts(session, selection.client_id)
    return {"by_status": {status: counts.get(status, 0) for status in STATUSES},
            "total": _total(session, selection, today, counts)}


def hit_names(session: Session, hit_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """What people call each hit, by id: its work's title and its site (the page's host)."""
    ids = sorted(set(hit_ids))
    names: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(select(Hit.id, Hit.work_id, Hit.site).where(Hit.id.in_(ids[start:start + 1000]))).all()
        titles = clients.work_titles(session, {r.work_id for r in rows})
        names.update((r.id, (titles.get(r.work_id, ""), r.site)) for r in rows)
    return names


def selection_names(session: Session, selection: HitFilter) -> dict[str, str]:
    """The names a selection's words use instead of numbers: the client's name, the work's
    title, the site of the sighting (those the selection has and that exist)."""
    names = {}
    if selection.client_id is not None:
        client = clients.clients_by_id(session, [selection.client_id]).get(selection.client_id)
        if client is not None:
            names["client"] = client.name
    if selection.work_id is not None:
        title = clients.work_titles(session, [selection.work_id]).get(selection.work_id)
        if title:
            names["work"] = title
    if selection.sighting_id is not None:
        site = session.scalar(select(Sighting.site).where(Sighting.id == selection.sighting_id))
        if site:
            names["sighting"] = site
    return names


def outlooks(session: Session, hits: Iterable[Hit], today: date) -> dict[int, dict]:
    """Each hit's first estimate, for the triage page: the site's party on file (its country and
    whether its address is known) or a country guessed from the site; the claim if pursued
    (a commercial web use), feasible or not and why, the route and the expected value."""
    hits = list(hits)
    on_file = parties.parties_for_sites(session, {h.site for h in hits})
    terms_of = clients.client_terms(session, {h.client_id for h in hits})
    evidence_of = clients.work_terms_each(session, {h.work_id for h in hits})
    out = {}
    for hit in hits:
        party = on_file.get(hit.site)
        terms = terms_of.get(hit.client_id)
        work = evidence_of.get(hit.work_id)
        country = party.country if party else country_guess(hit.site)
        amount, outlook = feasibility.first_estimate(
            country, found_on=hit.sighting.found_at.date(), today=today,
            last_seen_on=(hit.sighting.last_seen_at or hit.sighting.found_at).date(),
            address=(party.has_postal_address or None) if party else None,
            client_country=terms.country if terms else None,
            pursue_private=terms.pursues_private_users if terms else False,
            subdivision=party.subdivision if party else None,
            work_country=work.work_country if work else None,
            us_registered_on=work.us_registered_on if work else None,
            us_applied_on=work.us_applied_on if work else None,
            evidence=terms.licensing_evidence if terms else "none",
            commercial=parties.commercial_flag(party))
        out[hit.id] = {"feasible": outlook.feasible, "route": outlook.route_name, "country": country,
                       "country_from": (gettext("party on file: %(name)s", name=party.name) if party
                                        else gettext("guessed from the site")),
                       "expected": money(outlook.expected_value) if amount else "",
                       "amount": money(amount.total) if amount else "",
                       "why": "; ".join(map(str, outlook.reasons or outlook.notes))}
    return out


@dataclass(frozen=True)
class WorkSighting:
    """Where a work was seen: when first, on which site, and the stored image (its SHA-256)."""
    found_at: datetime
    site: str
    image_sha256: str


def sightings_of_work(session: Session, work_id: int) -> list[WorkSighting]:
    """The sightings the engine matched to the work (those triaged as no match left out),
    earliest first: the ownership checks compare the client's file with them."""
    rows = session.execute(select(Sighting.found_at, Sighting.site, Sighting.image_sha256)
                           .join(Hit, Hit.sighting_id == Sighting.id)
                           .where(Hit.work_id == work_id, Hit.status != NO_MATCH)
                           .order_by(Sighting.found_at, Sighting.id)).all()
    return [WorkSighting(*row) for row in rows]
