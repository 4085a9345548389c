"""The evidence domain's use cases: capture a page (for a hit, a case item, or on demand) into the
content-addressed file store on the firm's one hash chain; take-down checks; the evidence of a
case; verifying the chain.

A capture runs outside the transaction (Chromium may take seconds); then, in the caller's unit of
work, its files are put in the store, its manifest is written on the chain head, the row is
inserted and the audit event recorded. A failure anywhere leaves no row, and the unit of work's
file journal deletes the files it wrote (core.filestore), so nothing is half-stored."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.page_reads import remembered
from caseapp.evidence import manifest as manifests
from caseapp.evidence.models import (CAPTURED, HIT, IMAGE_GONE, KINDS, ON_DEMAND, TAKEDOWN_CHECK,
                                     EvidenceCapture)



@dataclass(frozen=True)
class Settings:
    """How captures reach the web (from the app's configuration; tests allow 127.0.0.1)."""

    private_ok: bool = False
    allow: frozenset = frozenset()
    seconds: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    chromium: str | None = None
    browser: object | None = None     # a running Playwright browser to reuse (tests)

    @classmethod
    def of(cls, config) -> "Settings":
        return cls(private_ok=bool(config.get("CASEAPP_FETCH_PRIVATE")), seconds=config.get("CASEAPP_CAPTURE_SECONDS", 60),
                   max_bytes=config.get("CASEAPP_CAPTURE_MAX_BYTES", 20 * 1024 * 1024),
                   chromium=config.get("CASEAPP_CHROMIUM"))


def take(url: str, image_url: str | None, settings: Settings):
    """The capture itself (no database): `capture.Captured`, or InvalidInput saying why not."""
    from caseapp.evidence.capture import capture

    return capture(url, image_url=image_url, allow=settings.allow, private_ok=settings.private_ok,
                   seconds=settings.seconds, max_bytes=settings.max_bytes, browser=settings.browser,
                   chromium=settings.chromium)


def chain_head(session: Session) -> EvidenceCapture | None:
    return session.scalars(select(EvidenceCapture).order_by(EvidenceCapture.seq.desc()).limit(1)).first()


def record_capture(session: Session, actor: Actor, store: FileStore, captured, *, kind: str,
                   hit_id: int | None = None, case_id: int | None = None,
                   case_item_id: int | None = None) -> EvidenceCapture:
    """Store a capture in the caller's unit of work: its files in the store, its manifest on the
    chain head, the row, the audit event. Two captures taking the same head at once: the second
    meets the unique seq / previous manifest, rebuilds its manifest on the new head and retries."""
    if kind not in KINDS:
        raise InvalidInput(f"{kind!r} is not a kind of capture ({', '.join(KINDS)}).")
    shas = {name: store.put(data) for name, data in captured.files.items()}
    outcome = IMAGE_GONE if captured.image_url and captured.image_gone else CAPTURED
    for attempt in range(5):
        head = chain_head(session)
        manifest = manifests.build(captured, head.manifest_sha256 if head else None)
        raw = manifests.canonical(manifest)
        row = EvidenceCapture(
            seq=(head.seq + 1) if head else 1, manifest_sha256=store.put(raw),
            previous_manifest_sha256=head.manifest_sha256 if head else None, url=captured.url,
            final_url=captured.final_url, image_url=captured.image_url, http_status=captured.status,
            image_status=captured.image_status, image_present=captured.image_present,
            captured_at=captured.captured_at, kind=kind, outcome=outcome, warc_sha256=shas["page.warc.gz"],
            screenshot_sha256=shas["screenshot.png"], html_sha256=shas["page.html"],
            exchanges_sha256=shas["exchanges.json"], image_name=captured.image_name,
            image_sha256=shas.get(captured.image_name) if captured.image_name else None,
            hit_id=hit_id, case_id=case_id, case_item_id=case_item_id, requested_by=actor.name[:100])
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            if attempt == 4:
                raise InvalidInput("Another capture was stored at the same moment five times in a row; "
                                   "try again.") from None
            continue
        break
    audit.record(session, actor, "evidence.captured", "evidence_capture", row.id, case_id=case_id,
                 to_state=outcome, details={"url": captured.url, "final_url": captured.final_url,
                                            "status": captured.status, "manifest": row.manifest_sha256,
                                            "seq": row.seq, "kind": kind, "hit": hit_id})
    return row


def record_failure(session: Session, actor: Actor, url: str, error: str, *, case_id: int | None = None,
                   hit_id: int | None = None, kind: str = ON_DEMAND) -> None:
    """A capture that could not be made (unreachable, refused, timeout): an audit event, no row."""
    audit.record(session, actor, "evidence.capture_failed", "case" if case_id else "hit", case_id or hit_id or 0,
                 case_id=case_id, reason=error[:500], details={"url": url, "kind": kind, "hit": hit_id})


def capture_page(session: Session, actor: Actor, store: FileStore, url: str, *, settings: Settings,
                 image_url: str | None = None, kind: str = ON_DEMAND, hit_id: int | None = None,
                 case_id: int | None = None, case_item_id: int | None = None) -> EvidenceCapture:
    """Capture `url` and store it (the caller commits). InvalidInput when the page cannot be captured."""
    return record_capture(session, actor, store, take(url, image_url, settings), kind=kind, hit_id=hit_id,
                          case_id=case_id, case_item_id=case_item_id)


def hit_target(session: Session, hit_id: int) -> dict:
    """Where a hit's copy is used, its case and the case's item for this use (if any)."""
    from caseapp.cases import services as cases
    from caseapp.hits import services as hits

    use = hits.hit_in_use(session, hit_id)
    if use is None:
        raise NotFound(f"There is no hit {hit_id}.")
    item_id = None
    if use["case_id"] is not None:   # the case's item for this use: its take-down checks count from here
        item_id = next((i.item_id for i in cases.items_in_use(session, case_id=use["case_id"])
                        if i.page_url == use["page_url"] and i.image_url == use["image_url"]), None)
    return {**use, "item_id": item_id}


def record_hit_capture(session: Session, actor: Actor, store: FileStore, hit_id: int, captured) -> EvidenceCapture:
    use = hit_target(session, hit_id)
    return record_capture(session, actor, store, captured, kind=HIT, hit_id=hit_id, case_id=use["case_id"],
                          case_item_id=use["item_id"])


def capture_hit(session: Session, actor: Actor, store: FileStore, hit_id: int, *, settings: Settings) -> EvidenceCapture:
    """Capture the page of a hit (decided illegal: its case and item are linked when there are)."""
    use = hit_target(session, hit_id)
    return record_hit_capture(session, actor, store, hit_id, take(use["page_url"], use["image_url"], settings))


def item_target(session: Session, item_id: int):
    """The case item a capture on demand looks at (cases.ItemInUse)."""
    from caseapp.cases import services as cases

    found = cases.items_in_use(session, item_ids=[item_id])
    if not found:
        raise NotFound(f"There is no case item {item_id}.")
    return found[0]


def record_item_capture(session: Session, actor: Actor, store: FileStore, item_id: int, captured, *,
                        kind: str = ON_DEMAND) -> EvidenceCapture:
    from caseapp.cases import services as cases

    item = item_target(session, item_id)
    row = record_capture(session, actor, store, captured, kind=kind, case_id=item.case_id, case_item_id=item.item_id)
    if row.image_present:
        cases.seen_online(session, item.item_id, row.captured_at)   # the use goes on at least until now
    return row


def capture_item(session: Session, actor: Actor, store: FileStore, item_id: int, *, settings: Settings,
                 kind: str = ON_DEMAND) -> EvidenceCapture:
    """Capture the page of a case item (on demand from the case page)."""
    item = item_target(session, item_id)
    return record_item_capture(session, actor, store, item_id, take(item.page_url, item.image_url, settings), kind=kind)


# --- take-down checks ----------------------------------------------------------------------------

@dataclass
class CheckResult:
    item_id: int
    case_id: int
    outcome: str            # "gone", "online", "back", "still_gone", "unreachable", "unknown"
    capture_id: int | None
    error: str | None = None


def takedown_target(session: Session, item_id: int):
    """The case item a take-down check looks at (cases.ItemInUse); refused without an image URL."""
    from caseapp.cases import services as cases

    found = cases.items_in_use(session, item_ids=[item_id])
    if not found:
        raise NotFound(f"There is no case item {item_id}.")
    if not found[0].image_url:
        raise InvalidInput(f"Case item {item_id} names no image URL: there is nothing to look for on its page.")
    return found[0]


def record_takedown(session: Session, actor: Actor, store: FileStore, item_id: int, captured=None, *,
                    error: str | None = None) -> CheckResult:
    """What a take-down check found, in the caller's unit of work. `captured`: the capture made
    (outside the transaction); `error`: why none could be made. Gone (the page or image answers
    404/410, or the page no longer shows the image): the case timeline says "image no longer online,
    checked on <day>" and the item's offline_since is set (the period of use ends there). Back
    online: offline_since is cleared. Unreachable is NOT gone, nor is a server in trouble (5xx,
    401/403/429): recorded, nothing else changes."""
    from caseapp.cases import services as cases

    item = takedown_target(session, item_id)     # read again: another check may have changed it meanwhile
    if captured is None:
        record_failure(session, actor, item.page_url, error or "no capture", case_id=item.case_id, kind=TAKEDOWN_CHECK)
        return CheckResult(item.item_id, item.case_id, "unreachable", None, error)
    row = record_capture(session, actor, store, captured, kind=TAKEDOWN_CHECK, case_id=item.case_id,
                         case_item_id=item.item_id)
    day = row.captured_at.date().isoformat()
    if row.outcome == IMAGE_GONE:
        if item.offline_since is not None:
            return CheckResult(item.item_id, item.case_id, "still_gone", row.id)
        cases.set_item_offline(session, item.item_id, row.captured_at)
        audit.record(session, actor, "evidence.image_gone", "case", item.case_id, case_id=item.case_id,
                     details={"date": day, "item": item.item_id, "page_url": item.page_url,
                              "image_url": item.image_url, "capture": row.id, "status": row.http_status,
                              "image_status": row.image_status})
        return CheckResult(item.item_id, item.case_id, "gone", row.id)
    if row.image_present is None:   # a server in trouble (5xx, 403, ...): no proof either way
        return CheckResult(item.item_id, item.case_id, "unknown", row.id,
                           f"the page answered {row.http_status}, the image {row.image_status or 'nothing'}")
    cases.seen_online(session, item.item_id, row.captured_at)   # the use continues: proven online today
    if item.offline_since is not None:
        cases.set_item_offline(session, item.item_id, None)
        audit.record(session, actor, "evidence.image_back", "case", item.case_id, case_id=item.case_id,
                     details={"date": day, "item": item.item_id, "page_url": item.page_url,
                              "image_url": item.image_url, "capture": row.id,
                              "offline_since": item.offline_since.date().isoformat()})
        return CheckResult(item.item_id, item.case_id, "back", row.id)
    return CheckResult(item.item_id, item.case_id, "online", row.id)


def take_or_error(url: str, image_url: str | None, settings: Settings):
    """(the capture, None) or (None, why it could not be made)."""
    try:
        return take(url, image_url, settings), None
    except InvalidInput as error:
        return None, str(error)


def check_takedown(session: Session, actor: Actor, store: FileStore, item_id: int, *,
                   settings: Settings) -> CheckResult:
    """A take-down check in one go (`takedown_target`, the capture, `record_takedown`). Pages and
    commands run the three apart, so that no transaction stays open while Chromium works."""
    item = takedown_target(session, item_id)
    captured, error = take_or_error(item.page_url, item.image_url, settings)
    return record_takedown(session, actor, store, item_id, captured, error=error)


def due_checks(session: Session, now: datetime, every_days: int) -> list[int]:
    """The case items due a take-down check: items of open cases with an image URL whose last
    capture is older than `every_days` days (or that have none)."""
    from caseapp.cases import services as cases

    items = [i for i in cases.items_in_use(session, open_only=True) if i.image_url]
    if not items:
        return []
    last = dict(session.execute(select(EvidenceCapture.case_item_id, func.max(EvidenceCapture.captured_at))
                                .where(EvidenceCapture.case_item_id.in_([i.item_id for i in items]))
                                .group_by(EvidenceCapture.case_item_id)).all())
    cutoff = now - timedelta(days=every_days)
    due = []
    for item in items:
        seen = last.get(item.item_id)
        if seen is not None and seen.tzinfo is None:   # max() over a UTCDateTime on SQLite comes back naive
            seen = seen.replace(tzinfo=timezone.utc)
        if seen is None or seen <= cutoff:
            due.append(item.item_id)
    return due


# --- reading -------------------------------------------------------------------------------------

def get_capture(session: Session, capture_id: int) -> EvidenceCapture:
    row = session.get(EvidenceCapture, capture_id)
    if row is None:
        raise NotFound(f"There is no capture {capture_id}.")
    return row


def manifest_of(store: FileStore, row: EvidenceCapture) -> dict:
    return json.loads(store.read(row.manifest_sha256))


def file_of(store: FileStore, row: EvidenceCapture, name: str) -> bytes:
    """One file of a capture by its name in the manifest (manifest.json itself included)."""
    if name == manifests.MANIFEST:
        return store.read(row.manifest_sha256)
    entry = next((f for f in manifest_of(store, row)["files"] if f["name"] == name), None)
    if entry is None or not store.exists(entry["sha256"]):
        raise NotFound(f"Capture {row.id} has no file {name!r}.")
    return store.read(entry["sha256"])


@dataclass(frozen=True)
class CaseEvidence:
    captures: list
    items: list
    head: str | None


@remembered
def evidence_for_case(session: Session, case_id: int) -> CaseEvidence:
    """A case's captures (newest first), its items (with offline_since) and the chain's head."""
    from caseapp.cases import services as cases

    rows = list(session.scalars(select(EvidenceCapture).where(EvidenceCapture.case_id == case_id)
                                .order_by(EvidenceCapture.captured_at.desc(), EvidenceCapture.id.desc())))
    head = chain_head(session)
    return CaseEvidence(rows, cases.items_in_use(session, case_id=case_id), head.manifest_sha256 if head else None)


def verify_chain(session: Session, store: FileStore) -> list[str]:
    """Every problem in the firm's chain: a missing or changed file, a row that disagrees with its
    manifest, a gap in seq, a broken link. Empty: the whole chain verifies."""
    problems, items = [], []
    for row in session.scalars(select(EvidenceCapture).order_by(EvidenceCapture.seq)):
        label = f"capture {row.id} (seq {row.seq})"
        if not store.exists(row.manifest_sha256):
            items.append((label, None))
            continue
        raw = store.read(row.manifest_sha256)
        if manifests.sha256(raw) != row.manifest_sha256:
            problems.append(f"{label}: {manifests.MANIFEST} changed")
        items.append((label, raw))
        manifest = json.loads(raw)
        if row.purged_at is None:   # a purged capture's files went under the retention rules; its manifest stays
            problems += manifests.check_files(label, manifest, lambda name, m=manifest: _stored(store, m, name))
        if manifest.get("previous_manifest") != row.previous_manifest_sha256:
            problems.append(f"{label}: the row's previous manifest is not the manifest's")
    problems += manifests.check_links(items)
    return problems


def _stored(store: FileStore, manifest: dict, name: str) -> bytes | None:
    entry = next(f for f in manifest["files"] if f["name"] == name)
    return store.read(entry["sha256"]) if store.exists(entry["sha256"]) else None


@dataclass(frozen=True)
class ReportData:
    """What an evidence report shows besides the capture itself: the work copied, the copy as
    served (or the crawler's thumbnail of it), the case, and the chain's head now."""

    row: EvidenceCapture
    manifest: dict
    head: str | None
    work_title: str | None
    work_sha256: str | None
    copy_sha256: str | None
    case_ref: str | None


def report_data(session: Session, store: FileStore, capture_id: int) -> ReportData:
    from caseapp.cases import services as cases
    from caseapp.hits import services as hits

    row = get_capture(session, capture_id)
    title = work = copy = None
    if row.case_item_id is not None:
        found = cases.items_in_use(session, item_ids=[row.case_item_id])
        if found:
            title, work = found[0].work_title, found[0].work_thumbnail_sha256
    if work is None and row.hit_id is not None:
        use = hits.hit_in_use(session, row.hit_id)
        if use:
            title, work, copy = use["work_title"], use["work_thumbnail_sha256"], use["copy_thumbnail_sha256"]
    if work is None and row.case_id is not None:
        found = cases.items_in_use(session, case_id=row.case_id)
        if found:
            title, work = found[0].work_title, found[0].work_thumbnail_sha256
    if row.image_sha256 and (row.image_name or "").endswith((".jpg", ".png", ".gif", ".webp")):
        copy = row.image_sha256
    head = chain_head(session)
    ref = cases.refs_by_id(session, [row.case_id]).get(row.case_id) if row.case_id else None
    return ReportData(row, manifest_of(store, row), head.manifest_sha256 if head else None, title, work, copy, ref)


def keep_report(session: Session, actor: Actor, store: FileStore, capture_id: int, data: bytes) -> EvidenceCapture:
    """Keep a capture's evidence report (the first one made): later downloads give the very same
    bytes, so what went to a court is what the app still shows. Audited."""
    from sqlalchemy import update

    row = get_capture(session, capture_id)
    if row.report_sha256 is None:
        sha = store.put(data)
        # only if no other download kept one meanwhile: the first report kept is the report
        kept = session.execute(update(EvidenceCapture).where(EvidenceCapture.id == row.id,
                                                             EvidenceCapture.report_sha256.is_(None))
                               .values(report_sha256=sha), execution_options={"synchronize_session": False})
        session.refresh(row)
        if kept.rowcount == 1:
            audit.record(session, actor, "evidence.report_made", "evidence_capture", row.id, case_id=row.case_id,
                         details={"report": row.report_sha256, "manifest": row.manifest_sha256})
    return row
