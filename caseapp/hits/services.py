"""The hits domain's use cases, one module a section (this module names them all, so that
pages, commands and other domains have one place to ask):

- `ingest`: crawler sightings in, described, searched, written with their hits
- `triage`: decisions on one hit or thousands, and undo
- `rules`: whitelisted and cleared sites, re-applied to the backlog
- `queries`: the triage page's selections, pages, counts and first estimates
- `drafts`: draft cases from illegal hits
- `sites`: a page's site, a typed site, a country guessed from its top-level domain
The works' matching index is the clients' (caseapp.clients.works_index)."""
from caseapp.hits.drafts import draft_cases  # noqa: F401
from caseapp.hits.ingest import (Described, Sighted, described_and_searched, describe_image,  # noqa: F401
                                 fetch_image, image_describers, ingest, parse_sighting, sighting_key, summarise)
from caseapp.hits.queries import (AGES, BANDS, HitFilter, TriagePage, WorkSighting, fold_tally, hit_counts, hit_names,  # noqa: F401
                                  outlooks, select_hits, selection_names, sightings_of_work, triage_counts,
                                  triage_page)
from caseapp.hits.rules import (BY_CLEARANCE, BY_CLOSED_CASE, BY_WHITELIST, CLEARANCES, WHITELISTS, RuledOut, apply_rules, clear_site, list_rules, remove_rule, rule_for,  # noqa: F401
                                rule_made_by, rule_preview, ruled_out, whitelist_site)
from caseapp.hits.sites import country_guess, site_of, normal_site  # noqa: F401
from caseapp.hits.triage import (DECIDED, LEFT_IN_CASES, NOTHING, WHITELISTED_SITE, DecisionOutcome,  # noqa: F401
                                 decide, decision_outcome, last_decision, undo)


def hits_of_works(session, work_ids) -> dict[int, int]:
    """How many hits each of these works has (works without any are left out)."""
    from sqlalchemy import func, select

    from caseapp.hits.models import Hit

    ids = sorted(set(work_ids))
    if not ids:
        return {}
    return dict(session.execute(select(Hit.work_id, func.count()).where(Hit.work_id.in_(ids))
                                .group_by(Hit.work_id)).all())


def sighting_thumbnails(session, page_urls) -> dict[tuple[str, str], str]:
    """The thumbnail (SHA-256) of each sighting on these pages, by (page URL, image URL): a
    letter shows the copy as it was seen beside the client's work."""
    from sqlalchemy import select

    from caseapp.hits.models import Sighting

    urls = sorted(set(page_urls))
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(urls), 500):
        rows = session.execute(select(Sighting.page_url, Sighting.image_url, Sighting.thumbnail_sha256)
                               .where(Sighting.page_url.in_(urls[start:start + 500])).order_by(Sighting.id))
        for page_url, image_url, sha in rows:
            found.setdefault((page_url, image_url), sha)
    return found


def hit_in_use(session, hit_id: int) -> dict | None:
    """Where a hit's copy is used (page and image URLs), its case and work, for a capture; None if no such hit."""
    from caseapp.hits.models import Hit

    hit = session.get(Hit, hit_id)
    if hit is None:
        return None
    return {"hit_id": hit.id, "page_url": hit.sighting.page_url, "image_url": hit.sighting.image_url,
            "case_id": hit.case_id, "work_id": hit.work_id, "work_title": hit.work.title,
            "work_thumbnail_sha256": hit.work.thumbnail_sha256, "copy_thumbnail_sha256": hit.sighting.thumbnail_sha256,
            "status": hit.status}


def sites_of_hits(session, hit_ids) -> list[str]:
    """The sites (as the crawler names them) the hits' copies are on, each once, sorted."""
    from sqlalchemy import select

    from caseapp.hits.models import Hit, Sighting

    ids = sorted(set(hit_ids))
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(Sighting.site).join(Hit, Hit.sighting_id == Sighting.id)
                                     .where(Hit.id.in_(ids[start:start + 500]))))
    return sorted(found)
