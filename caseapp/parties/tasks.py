"""Background jobs of the parties domain: ids in, a service call in its own unit of work, nothing
else. With no broker (CASEAPP_BROKER_URL unset): `lookup_sites_soon` runs in a thread of this process
after a triage decision committed, so the party behind an illegal use has its address, numbers
and commercial verdict by the time a handler opens the case — not a guess from the top-level
domain — and the triage page does not wait for the sites."""
from __future__ import annotations

import logging
import threading

from caseapp.core.jobs import background

log = logging.getLogger(__name__)


@background("parties.lookup_party")
def lookup_party(party_id: int, actor_name: str = "address lookup") -> str | None:
    """Look up one party's site: read in one unit of work, fetched outside any transaction, stored
    in another (services.lookup_site; a corrected address is never overwritten). A party already
    checked, merged or without a site is left alone. Returns its address source, or None."""
    from flask import current_app

    from caseapp.core.audit import Actor
    from caseapp.core.errors import Refusal
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session
    from caseapp.parties import services
    from caseapp.parties.lookup.chain import lookup
    from caseapp.parties.lookup.pages import configured_fetcher

    with unit_of_work(get_session()) as session:
        due = {p.id: p.site for p in services.parties_due_lookup(session, limit=100_000)}
    if party_id not in due:
        return None
    try:
        found = lookup(f"https://{due[party_id]}/", fetcher=configured_fetcher(current_app.config))
        with unit_of_work(get_session()) as session:
            party, _ = services.lookup_site(session, Actor.system(actor_name), found.url, party_id=party_id,
                                            found=found)
            return party.address_source
    except Refusal as refusal:   # the site is down or refused: the party stays due (lookup-due, the button)
        log.info("lookup of party %s (%s): %s", party_id, due[party_id], refusal)
        return None


@background("parties.lookup_site")
def lookup_site(site: str) -> None:
    """Look up every party on file for a site (a merged one: the party it went into)."""
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session
    from caseapp.parties import services

    with unit_of_work(get_session()) as session:
        ids = services.party_ids_on_site(session, site)
    for party_id in ids:
        lookup_party(party_id)


@background("parties.lookup_due")
def lookup_due(limit: int = 100) -> int:
    """The daily lookup of parties whose address was never checked (celery beat; by hand `caseapp
    parties lookup-due`): one task per party. Returns how many were queued."""
    from flask import current_app

    from caseapp.core.jobs import enqueue
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session
    from caseapp.parties import services

    with unit_of_work(get_session()) as session:
        due = [p.id for p in services.parties_due_lookup(session, limit)]
    for party_id in due:
        enqueue(current_app, "parties.lookup_party", party_id)
    return len(due)


def lookup_sites_soon(app, sites) -> threading.Thread | None:
    """Look up the parties behind these sites, one after another, in a thread of this process (after
    the commit that decided their hits illegal). Off when CASEAPP_LOOKUP_ON_DECIDE is off (the tests)."""
    from caseapp.core.jobs import one_by_one_soon

    return one_by_one_soon(app, "address-lookup", sites, lookup_site, setting="CASEAPP_LOOKUP_ON_DECIDE")
