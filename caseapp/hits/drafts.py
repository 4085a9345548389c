"""Draft cases from illegal hits: one per client and site, or new items of the client's open
case against that site; the party behind the site found or made, the claim priced."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caseapp.cases import escalation, services as cases
from caseapp.clients import services as clients
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.feasibility import services as feasibility
from caseapp.hits.models import Hit
from caseapp.hits.sites import country_guess
from caseapp.parties import services as parties


def draft_cases(session: Session, actor: Actor, hit_ids: list[int], today: date) -> list[str]:
    """Illegal hits -> one draft case per client and site; a site with an open case for
    that client gets the hits as new items of that case instead."""
    hits = [hit for start in range(0, len(hit_ids), 5000)
            for hit in session.scalars(select(Hit).where(Hit.id.in_(hit_ids[start:start + 5000]),
                                                         Hit.case_id.is_(None))).all()]
    groups: dict[tuple[int, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.client_id, hit.site), []).append(hit)
    refs = []
    opened = []
    terms_of = clients.client_terms(session, {client_id for client_id, _ in groups})
    for (client_id, site), group in sorted(groups.items()):
        items = [cases.ItemSpec(work_id=h.work_id, page_url=h.sighting.page_url, image_url=h.sighting.image_url,
                                found_at=h.sighting.found_at, last_seen_at=h.sighting.last_seen_at) for h in group]
        case = cases.open_case_on_site(session, client_id, site)
        if case is None:
            party = parties.party_for_site(session, actor, site, country_guess(site))
            terms = terms_of.get(client_id)
            works = clients.work_terms(session, [h.work_id for h in group],
                                       fallback_country=terms.country if terms else None)
            amount, outlook = feasibility.first_estimate(
                party.country, found_on=min(h.sighting.found_at for h in group).date(), today=today,
                last_seen_on=max((h.sighting.last_seen_at or h.sighting.found_at) for h in group).date(),
                images=len({h.work_id for h in group}), address=party.has_postal_address or None,
                client_country=terms.country if terms else None,
                pursue_private=terms.pursues_private_users if terms else False, subdivision=party.subdivision,
                work_country=works.work_country, us_registered_on=works.us_registered_on,
                us_applied_on=works.us_applied_on, evidence=terms.licensing_evidence if terms else "none")
            claimed = amount.total if amount else Money(0, "EUR")
            case = cases.open_case(session, actor, client_id=client_id, party_id=party.id, items=items,
                                   claimed=claimed, today=today,
                                   expected_value=outlook.expected_value if amount else None,
                                   claim_lines=amount.lines_as_data() if amount else None)
            if terms and terms.offers_without_handler:
                opened.append(case)
        else:
            cases.add_items(session, actor, case, items)
        group_ids = [h.id for h in group]
        for start in range(0, len(group_ids), 5000):
            session.execute(update(Hit).where(Hit.id.in_(group_ids[start:start + 5000]))
                            .values(case_id=case.id, version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
        refs.append(case.ref)
    session.flush()
    # A client who allows it: the offer goes out now when the checks pass (else a handler's).
    for case in opened:
        escalation.send_offer_without_handler(session, actor, case, today=today)
    return refs
