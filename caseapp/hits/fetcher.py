"""The page fetcher: a web page's images, found the way a browser would show them
(img src and srcset, picture sources, og:image and twitter:image, links to image files),
as sightings ready to ingest."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from caseapp.core.errors import InvalidInput
from caseapp.core.http import fetch
from caseapp.clients.works_index import IMAGE_SUFFIXES

MAX_PAGE_BYTES = 5 * 1024 * 1024
META_IMAGES = {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}


def _largest(srcset: str) -> str | None:
    """The widest candidate of a srcset ("a.jpg 480w, b.jpg 1080w" -> b.jpg; "2x" counts too)."""
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            size = float(parts[1][:-1]) * (1 if parts[1].endswith("w") else 1000)
        if size > best_size:
            best, best_size = parts[0], size
    return best


class _ImageFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "img":
            for key in ("src", "data-src"):
                if a.get(key) and not a[key].startswith("data:"):
                    self.found.append(a[key])
            for key in ("srcset", "data-srcset"):
                if a.get(key):
                    self.found.append(_largest(a[key]) or "")
        elif tag == "source" and a.get("srcset"):   # inside <picture>
            self.found.append(_largest(a["srcset"]) or "")
        elif tag == "meta" and (a.get("property") or a.get("name", "")).lower() in META_IMAGES and a.get("content"):
            self.found.append(a["content"])
        elif tag == "a" and a.get("href"):
            path = urlparse(a["href"]).path.lower()
            if any(path.endswith(suffix) for suffix in IMAGE_SUFFIXES):
                self.found.append(a["href"])


def page_images(html: str, page_url: str) -> list[str]:
    """Absolute http(s) addresses of the page's images, each once, in page order."""
    finder = _ImageFinder()
    finder.feed(html)
    base = urljoin(page_url, finder.base) if finder.base else page_url
    seen: dict[str, None] = {}
    for ref in finder.found:
        url = urljoin(base, ref.strip())
        if ref.strip() and urlparse(url).scheme in ("http", "https"):
            seen.setdefault(url.split("#", 1)[0], None)
    return list(seen)


def fetch_page(url: str, timeout: float = 10.0, *, private_ok: bool = False) -> str:
    data, content_type = fetch(url, MAX_PAGE_BYTES, timeout, private_ok=private_ok)
    if content_type and "html" not in content_type:
        raise InvalidInput(f"{url} is not a web page (it is {content_type})")
    charset = "utf-8"
    if "charset=" in (content_type or ""):
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip("'\"") or charset
    try:
        return data.decode(charset, errors="replace")
    except LookupError:   # a charset Python does not know: read it as UTF-8
        return data.decode("utf-8", errors="replace")


def sightings_on(url: str, found_at: datetime | None = None, *, private_ok: bool = False) -> list[tuple[int, str]]:
    """The page's images as numbered JSON lines for `ingest` (fetched from their addresses)."""
    found = (found_at or datetime.now(timezone.utc)).isoformat()
    return [(n, json.dumps({"image_url": image, "page_url": url, "found_at": found}))
            for n, image in enumerate(page_images(fetch_page(url, private_ok=private_ok), url), start=1)]
