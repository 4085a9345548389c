"""What the evidence domain holds on a party: the captures of pages on its sites (the page as
rendered, its screenshot, the image as served, the WARC of every request), each captured by the
firm on a day it records (core.personal_data).

Captures are part of the case file: they go when the case file goes (closed, past the case-file
retention, the party with no open case); a capture in no case goes with the sightings (the
limitation period, § 195, § 199 BGB). Going means the files leave the store and the row's
file columns are emptied (`purged_at` says when). The row and its manifest — web addresses, times,
hashes — stay: every later capture's manifest names it, and removing it would make the firm's
chain of captures show a gap where nothing was tampered with."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from caseapp.core.models import utcnow
from caseapp.core.personal_data import (ANONYMISE, CASE_FILE, SIGHTING, Expired, Retention, bulk, field, record,
                                        today_of)
from caseapp.evidence.models import EvidenceCapture

PURGE_ORDER = 15
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("evidence_capture",)
FILES = ("warc_sha256", "screenshot_sha256", "html_sha256", "exchanges_sha256", "image_sha256", "report_sha256")


def export(session: Session, party_id: int) -> dict:
    from caseapp.cases import personal_data as cases
    from caseapp.hits import personal_data as hits

    case_ids, hit_ids = cases.party_case_ids(session, party_id), hits.party_hit_ids(session, party_id)
    conditions = ([EvidenceCapture.case_id.in_(case_ids)] if case_ids else []) + \
                 ([EvidenceCapture.hit_id.in_(hit_ids)] if hit_ids else [])
    if not conditions:
        return {}
    rows = session.scalars(select(EvidenceCapture).where(or_(*conditions)).order_by(EvidenceCapture.seq)).all()
    if not rows:
        return {}
    return {"evidence_capture": [record(c.id, {
        "url": field(c.url, f"the page on the party's site, captured by the firm ({c.requested_by})"),
        "final_url": field(c.final_url, "where the party's site sent the firm's browser"),
        "image_url": field(c.image_url, "the image on that page"),
        "captured_at": field(c.captured_at, "the firm's capture"),
        "http_status": field(c.http_status, "the party's site"),
        "outcome": field(c.outcome, "the firm's capture"),
        "files": field({name: getattr(c, name) for name in FILES if getattr(c, name)},
                       "the page, screenshot, image and requests as the party's site served them (stored by SHA-256)"),
        "manifest_sha256": field(c.manifest_sha256, "the firm's chain of captures"),
    }, case_id=c.case_id, hit_id=c.hit_id, purged_at=c.purged_at) for c in rows]}


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    from caseapp.cases import personal_data as cases

    files = cases.closed_files(session, now, retention)
    latest = retention.latest_event(SIGHTING, today_of(now))
    found = []
    rows = session.execute(select(EvidenceCapture.id, EvidenceCapture.case_id, EvidenceCapture.captured_at,
                                  *(getattr(EvidenceCapture, name) for name in FILES))
                           .where(EvidenceCapture.purged_at.is_(None)).order_by(EvidenceCapture.id))
    for capture_id, case_id, captured_at, *shas in rows:
        held = tuple(sha for sha in shas if sha)
        if case_id is not None and case_id in files:
            found.append(Expired("evidence_capture", capture_id, ANONYMISE, CASE_FILE, files[case_id], held))
        elif case_id is None and captured_at.date() <= latest:
            found.append(Expired("evidence_capture", capture_id, ANONYMISE, SIGHTING, None, held))
    return found


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    ids = [e.id for e in items if e.kind == "evidence_capture"]
    when = utcnow()
    bulk(session, lambda chunk: update(EvidenceCapture).where(EvidenceCapture.id.in_(chunk))
         .values(purged_at=when, **{name: None for name in FILES}), ids)
    # A file another capture still names stays (the filestore looks at every *_sha256 column).
    return [sha for e in items if e.kind == "evidence_capture" for sha in e.files]
