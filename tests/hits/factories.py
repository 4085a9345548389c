"""Sightings and hits for tests of the hits' rules: one hit a call, with the score, the day it
was found, the page and the status a test needs (tests/hits/test_triage.py's `sighting_hits`
makes many alike)."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

from caseapp.hits import services
from caseapp.hits.models import NEW, Hit, Sighting

_pages = itertools.count(1)


def make_hit(session, work, site: str, *, score: float = 0.9, found_at: datetime | None = None,
             page_url: str | None = None, image_url: str | None = None, status: str = NEW) -> Hit:
    """A hit of `work` on `site` (a sighting of its own, on a page of that site)."""
    page_url = page_url or f"https://{site}/edges/{next(_pages)}"
    image_url = image_url or page_url + ".jpg"
    found_at = found_at or datetime(2025, 11, 2, tzinfo=timezone.utc)
    sighting = Sighting(key=services.sighting_key(image_url, page_url), image_url=image_url, page_url=page_url,
                        site=site, found_at=found_at, last_seen_at=found_at,
                        image_sha256=work.file_sha256, thumbnail_sha256=work.thumbnail_sha256)
    session.add(sighting)
    session.flush()
    hit = Hit(sighting_id=sighting.id, work_id=work.id, client_id=work.client_id, site=site, score=score,
              status=status)
    session.add(hit)
    session.flush()
    return hit


def statuses(session, hits) -> list[str]:
    """The hits' statuses as the database holds them now."""
    session.expire_all()
    return [session.get(Hit, h.id).status for h in hits]
