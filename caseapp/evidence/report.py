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
