"""A capture of a web page as evidence: Chromium renders it, but every request Chromium makes is
answered by the one safe fetcher (`caseapp.core.http.fetch_exchange`: private addresses refused,
each redirect hop checked again, size and time caps), and every exchange is recorded as a
request/response pair in a WARC file (ISO 28500:2017, WARC/1.1, written with warcio).

A capture keeps: `page.warc.gz` (every exchange, redirect hops and the image included),
`screenshot.png` (the full page), `page.html` (the HTML as rendered), `image.<ext>` (the image as
served), `exchanges.json` (status, headers' digest, peer address per hop) — plus the final URL
after redirects, the page's status and headers and the time (UTC). No database, no Flask here:
a URL in, `Captured` (bytes and metadata) out, or InvalidInput saying why nothing was captured
(unreachable, timeout, refused address, a redirect to a refused address).

Sources: the brief docs/plans/issue-18-evidence-and-addresses.md §1.2 (each snippet was tried on
this machine); Playwright routing https://playwright.dev/python/docs/network#modify-responses ;
warcio https://github.com/webrecorder/warcio#writing-warc-records .

Why Chromium resolves nothing itself (`--host-resolver-rules=MAP * ~NOTFOUND`): Playwright routes
only the first request of a redirect; were Chromium to follow a Location on its own, it would
reach the web outside the safe fetcher. So the route handler follows redirects itself (at most
10 hops, each recorded) and Chromium could not connect anywhere even if it tried."""
from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
import re
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

from caseapp.core.errors import InvalidInput

TOOL = "caseapp-evidence/1"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
MAX_HOPS = 10
# A page and all it loads, together, at most this many times the cap for one answer (20 MB: 200 MB);
# a full-page screenshot at most this tall (pixels at 1280 wide) — a hostile or endless page cannot
# fill the memory of the process that captures it.
TOTAL_RESOURCES = 10
MAX_SHOT_HEIGHT = 16000
# Request headers Chromium's requests pass on (no Accept-Encoding: bodies arrive as served, identity).
FORWARD = {"accept", "accept-language", "referer"}
# Headers that describe the transfer, not the content: dropped before Chromium gets the body.
HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"}
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/pjpeg": "jpg", "image/png": "png", "image/gif": "gif",
                    "image/webp": "webp", "image/avif": "avif", "image/svg+xml": "svg", "image/bmp": "bmp",
                    "image/tiff": "tif", "image/x-icon": "ico", "image/vnd.microsoft.icon": "ico"}
GONE = (404, 410)
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"]


@dataclass
class Captured:
    """What one capture found. `files` maps a file name to its bytes (what the manifest lists)."""

    url: str
    final_url: str
    status: int
    headers: list
    captured_at: datetime
    files: dict[str, bytes]
    exchanges: list[dict]
    image_url: str | None = None
    image_status: int | None = None
    image_present: bool | None = None   # None: no image asked for
    browser: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def image_name(self) -> str | None:
        return next((name for name in self.files if name.startswith("image.")), None)

    @property
    def image_gone(self) -> bool:
        """The page or the image answered 404/410, or the page no longer shows the image. An
        unreachable site never gets here (InvalidInput): unreachable is not gone."""
        return self.image_present is False or self.status in GONE or self.image_status in GONE


def _present(page_status: int, image_status: int | None, on_page: bool) -> bool | None:
    """Whether the image is online: False when the page or the image answers 404/410 or the page
    (answering 2xx/3xx) no longer shows it; True when the page shows it and it answers 200; None
    (not known) when a server answers with trouble (5xx, 401/403/429...) or the image could not be
    fetched: like an unreachable site, that is no proof of a removal."""
    if page_status in GONE:
        return False
    if page_status >= 400:
        return None
    if not on_page or image_status in GONE:
        return False
    return True if image_status == 200 else None


def chromium_path() -> str:
    return os.environ.get("CASEAPP_CHROMIUM") or DEFAULT_CHROMIUM


def launch(playwright, executable: str | None = None):
    """Debian's Chromium, headless (never a browser download: `executable_path`)."""
    executable = executable or chromium_path()
    if not os.path.exists(executable):
        raise InvalidInput(f"no Chromium at {executable}: install Debian's chromium or set CASEAPP_CHROMIUM")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)


def _with_own_browser(render, chromium: str | None):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        own = launch(p, chromium)
        try:
            return render(own)
        finally:
            own.close()


def _in_own_thread(work):
    """Run `work` in a thread of its own and hand back its result or its exception. Playwright's
    synchronous API runs an event loop in the thread that starts it and refuses to start inside
    one: a capture asked for from a page, a job or a command whose thread already drives a browser
    (or any asyncio loop) gets a clean thread."""
    import threading

    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001  (handed back to the caller as it was)
            outcome["error"] = error

    thread = threading.Thread(target=run, name="evidence-chromium", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _warc_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _warc_pair(writer, ex) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    when = _warc_time(ex.started_at)
    path = ex.url.split("/", 3)[3] if ex.url.count("/") >= 3 else ""
    extra = {"WARC-Date": when}
    if ex.peer:
        extra["WARC-IP-Address"] = ex.peer
    request = writer.create_warc_record(
        ex.url, "request", payload=io.BytesIO(b""), warc_headers_dict={"WARC-Date": when},
        http_headers=StatusAndHeaders(f"{ex.method} /{path} HTTP/1.1", ex.request_headers, is_http_request=True))
    response = writer.create_warc_record(
        ex.url, "response", payload=io.BytesIO(ex.body), warc_headers_dict=extra,
        http_headers=StatusAndHeaders(f"{ex.status} {ex.reason}", ex.headers, protocol="HTTP/1.1"))
    writer.write_request_response_pair(request, response)   # adds WARC-Concurrent-To and the digests


_SIZE_VARIANT = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]{2,5}$)")   # WordPress' berg-1024x683.jpg


def image_key(address: str) -> str:
    """What makes two image addresses the same picture: host and path, without the query (a CDN's
    ?w=800), the fragment, or a size suffix a CMS adds to its resized copies."""
    parts = urlsplit(urldefrag(address)[0])
    return f"{parts.netloc.lower()}{_SIZE_VARIANT.sub('', parts.path)}"


def _same_image(a: str, b: str) -> bool:
    return image_key(a) == image_key(b)


def shown_on(image_url: str, seen, html: str, loaded) -> bool:
    """Whether the rendered page still uses the image: it names it (an image, a srcset, a lazy
    loader's data- attribute, og:image, a link), its address is in the rendered HTML, or the page
    loaded it — each also as a resized copy of the same file."""
    if any(_same_image(u, image_url) for u in list(seen) + list(loaded)):
        return True
    path = urlsplit(image_url).path
    stem = _SIZE_VARIANT.sub("", path).rsplit(".", 1)[0]
    if not stem.strip("/"):
        return False
    return re.search(re.escape(stem) + r"(?:-\d{2,5}x\d{2,5})?\.", unescape(html)) is not None


_IMAGES_ON_PAGE = """() => {
  const found = [];
  for (const img of document.images) { found.push(img.currentSrc || img.src); found.push(img.src); }
  for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
    for (const part of el.srcset.split(',')) { const u = part.trim().split(/\\s+/)[0];
      if (u) found.push(new URL(u, document.baseURI).href); } }
  for (const el of document.querySelectorAll('meta[property="og:image"], link[rel~="image_src"]')) {
    const u = el.content || el.href; if (u) found.push(new URL(u, document.baseURI).href); }
  for (const el of document.querySelectorAll('a[href]')) found.push(el.href);
  for (const el of document.querySelectorAll('[data-src], [data-lazy-src], [data-original], [data-srcset]')) {
    for (const name of ['data-src', 'data-lazy-src', 'data-original', 'data-srcset']) {
      const v = el.getAttribute(name); if (!v) continue;
      for (const part of v.split(',')) { const u = part.trim().split(/\\s+/)[0];
        if (u) { try { found.push(new URL(u, document.baseURI).href); } catch (e) {} } } } }
  return found.filter(Boolean);
}"""


def capture(url: str, *, image_url: str | None = None, allow=frozenset(), private_ok: bool = False,
            seconds: float = 60.0, max_bytes: int = 20 * 1024 * 1024, browser=None,
            chromium: str | None = None, now=None) -> Captured:
    """Capture `url` in Chromium. `image_url` (a hit's image) is kept as served and looked for on
    the rendered page. `browser` (a Playwright Browser) is reused when given (tests: one per
    module), else Debian's Chromium is started and stopped here. Raises InvalidInput when the
    page itself cannot be fetched (unreachable, timeout, refused, a redirect to a refused
    address, more than 10 redirects): then nothing was captured."""
    from warcio.warcwriter import WARCWriter

    from caseapp.core.http import fetch_exchange

    started = (now or (lambda: datetime.now(timezone.utc)))()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")   # ISO 28500:2017 is WARC/1.1
    writer.write_record(writer.create_warcinfo_record("page.warc.gz", {
        "software": TOOL, "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}))
    log: list[dict] = []
    notes: list[str] = []
    answered: dict[str, object] = {}     # final URL -> its exchange (the page's, the image's)
    cache: dict[str, object] = {}        # answers already fetched, handed to Chromium once

    budget = {"left": max_bytes * TOTAL_RESOURCES}   # all of a page's answers together, in memory and in the WARC

    def chain(target: str, method: str = "GET", headers=()):
        for _ in range(MAX_HOPS + 1):
            if method == "GET" and target in cache:
                return cache.pop(target)
            if budget["left"] <= 0:
                raise InvalidInput(f"{target}: not fetched, the page's answers passed "
                                   f"{max_bytes * TOTAL_RESOURCES // (1024 * 1024)} MB together")
            ex = fetch_exchange(target, max_bytes, timeout=min(seconds, 30.0), method=method, headers=headers,
                                private_ok=private_ok, allow=frozenset(allow), total_seconds=seconds)
            budget["left"] -= len(ex.body)
            _warc_pair(writer, ex)
            location = ex.header("location")
            log.append({"url": ex.url, "method": ex.method, "status": ex.status, "reason": ex.reason,
                        "started_at": _warc_time(ex.started_at), "peer": ex.peer,
                        "content_type": ex.header("content-type"), "location": location,
                        "size": len(ex.body), "sha256": hashlib.sha256(ex.body).hexdigest()})
            if not (300 <= ex.status < 400 and location):
                answered[ex.url] = ex
                return ex
            target, method = urljoin(target, location), "GET"
        raise InvalidInput(f"{url}: more than {MAX_HOPS} redirects; not captured")

    def answer(route, request):
        if request.method not in ("GET", "HEAD"):   # a capture only reads: no form, beacon or API call is sent
            log.append({"url": request.url, "method": request.method, "refused": "not sent: a capture only reads"})
            route.abort("blockedbyclient")
            return
        try:
            forwarded = [(k, v) for k, v in request.headers.items() if k.lower() in FORWARD]
            ex = chain(request.url, request.method, forwarded)
        except InvalidInput as refusal:
            log.append({"url": request.url, "method": request.method, "refused": str(refusal)})
            route.abort("blockedbyclient")
            return
        except Exception as error:  # noqa: BLE001  (a handler that raises would hang the page)
            log.append({"url": request.url, "method": request.method, "refused": f"{type(error).__name__}: {error}"})
            route.abort("failed")
            return
        route.fulfill(status=ex.status, body=ex.body,
                      headers={k: v for k, v in ex.headers if k.lower() not in HOP})

    # The page and its own redirects first, before Chromium: refused or unreachable means no capture.
    first = chain(url)
    final_url = first.url
    cache[final_url] = first

    def render(browser) -> tuple[str, bytes, str, list[str], str]:
        context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900},
                                      locale="de-DE", accept_downloads=False)
        try:
            context.route("**/*", answer)
            page = context.new_page()
            try:
                page.goto(final_url, wait_until="load", timeout=seconds * 1000)
            except Exception as error:  # noqa: BLE001
                raise InvalidInput(f"could not render {final_url}: {str(error).splitlines()[0]}") from None
            try:
                page.wait_for_load_state("networkidle", timeout=min(5000, seconds * 1000))
            except Exception:  # noqa: BLE001  (pages that never go quiet: ads, long polling)
                pass
            height = page.evaluate("() => Math.max(document.documentElement.scrollHeight, document.body ? "
                                   "document.body.scrollHeight : 0)")
            if height > MAX_SHOT_HEIGHT:   # an endless page: its top, said so, not a picture too big to keep
                notes.append(f"the page is {height} pixels tall: the screenshot shows its first {MAX_SHOT_HEIGHT}")
                page.set_viewport_size({"width": 1280, "height": MAX_SHOT_HEIGHT})
                png = page.screenshot(timeout=seconds * 1000)
            else:
                png = page.screenshot(full_page=True, timeout=seconds * 1000)
            seen = page.evaluate(_IMAGES_ON_PAGE)   # after the full page was laid out: lazy images are in
            html = page.content()
            return page.url, png, html, seen, browser.version
        finally:
            context.close()

    if browser is not None:
        rendered_url, png, html, seen, version = render(browser)
    else:
        rendered_url, png, html, seen, version = _in_own_thread(lambda: _with_own_browser(render, chromium))

    files = {"screenshot.png": png, "page.html": html.encode("utf-8")}
    captured = Captured(url=url, final_url=final_url, status=first.status, headers=list(first.headers),
                        captured_at=started, files=files, exchanges=log, browser=f"Chromium {version}")
    captured.notes.extend(notes)
    if rendered_url != final_url:
        captured.notes.append(f"the page moved itself to {rendered_url}")
    if image_url:
        captured.image_url = image_url
        loaded = [u for u in answered if u != final_url]    # what the page itself asked for
        image = next((ex for u, ex in answered.items() if _same_image(u, image_url)), None)
        if image is None:   # the page did not load it: fetched here, so it is in the WARC too
            try:
                image = chain(image_url)
            except InvalidInput as refusal:
                log.append({"url": image_url, "method": "GET", "refused": str(refusal)})
        if image is not None:
            captured.image_status = image.status
            if image.status == 200 and image.body:
                kind = (image.header("content-type") or "").split(";")[0].strip().lower()
                files[f"image.{IMAGE_EXTENSIONS.get(kind, 'bin')}"] = image.body
        captured.image_present = _present(first.status, captured.image_status,
                                          shown_on(image_url, seen, html, loaded))
    else:   # no image named: the largest image the page loaded is kept as "the image as served"
        images = [ex for ex in answered.values() if ex.status == 200 and ex.body
                  and (ex.header("content-type") or "").lower().startswith("image/")]
        if images:
            image = max(images, key=lambda ex: len(ex.body))
            kind = (image.header("content-type") or "").split(";")[0].strip().lower()
            files[f"image.{IMAGE_EXTENSIONS.get(kind, 'bin')}"] = image.body
            captured.image_url, captured.image_status = image.url, image.status
    files["page.warc.gz"] = out.getvalue()
    files["exchanges.json"] = json.dumps(log, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    return captured
