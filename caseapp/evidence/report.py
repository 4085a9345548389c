"""The evidence report (PDF, WeasyPrint): the screenshot, the client's work and the copy as served
side by side, the URLs, the times, the SHA-256 of every file, and the chain (this capture's manifest,
the one before, and the chain's head when the report was made), for letters and court.

WeasyPrint reads only our own files: the letters' URL fetcher (the file store by SHA-256, our static
folder, data: URLs), so a report can never make the server fetch from the web."""
from __future__ import annotations

from caseapp.letters.render import BASE_URL, LetterFetcher


def file_url(sha256: str | None) -> str | None:
    """How the report's HTML names a stored file (read by the fetcher from the store)."""
    return f"{BASE_URL}files/{sha256}" if sha256 else None


RASTER = (".jpg", ".png", ".gif", ".webp")


def pdf(html: str, store) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=LetterFetcher(store)).write_pdf()


def report_of(session, actor, store, capture_id: int, lang: str = "en") -> bytes:
    """A capture's evidence report as the evidence page gives it: the one kept (made at its first
    download) if there is one, else made now from evidence/report.html and kept, so that what goes to
    a court is what the app still shows. Needs the app (its templates); for the filings' annex."""
    from flask import render_template

    from caseapp.core.formatting import timestamp
    from caseapp.core.models import utcnow
    from caseapp.evidence import services

    data = services.report_data(session, store, capture_id)
    if data.row.report_sha256 and store.exists(data.row.report_sha256):
        return store.read(data.row.report_sha256)
    html = render_template("evidence/report.html", d=data, file_url=file_url, made=timestamp(utcnow()), lang=lang)
    kept = services.keep_report(session, actor, store, capture_id, pdf(html, store))
    return store.read(kept.report_sha256)
