"""Realistic sites on 127.0.0.1 for evidence captures, and one Chromium per test module.

The server answers by the first path segment (one site each): `/shop/` a German shop with an
Impressum and a product image, `/blog-fr/` a French blog with mentions légales, `/empresa/` a
Spanish company page with an aviso legal, `/us/` a US company with JSON-LD, `/private/` a
private blog with no address; `/old` 301 -> `/`, `/evil` 302 -> 127.0.0.2 (refused: only
127.0.0.1 is allowed), `/gone-image` a page whose image answers 410, `/broken` a server answering 503. A closed port is "down"."""
from __future__ import annotations

import http.server
import io
import os
import socket
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CASEAPP_CHROMIUM", "/usr/bin/chromium")
ALLOW = frozenset({"127.0.0.1"})


def needs_chromium():
    """Skip without Chromium, except in CI (there a missing browser is a failure)."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture()
def local_fetching(local_fetching):
    """A capture fetches through Chromium: without it the test is skipped (failed in CI)."""
    needs_chromium()


def picture(colour=(40, 110, 160), size=(320, 200)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, size[1]), (size[0] // 3, size[1] // 4), (size[0] * 2 // 3, size[1]),], fill=(230, 230, 235))
    draw.ellipse((size[0] - 70, 20, size[0] - 30, 60), fill=(250, 200, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


BERG = picture()
LOGO = picture((200, 30, 30), (60, 60))

PAGES = {
    "/": ("text/html; charset=utf-8", """<!doctype html><html lang="de"><head><title>Foto Müller</title></head>
<body><h1>Willkommen</h1><a href="/shop/">Shop</a></body></html>"""),
    "/shop/": ("text/html; charset=utf-8", """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Bergpanorama Leinwand – Foto Müller Shop</title><meta property="og:image" content="/shop/img/berg.jpg">
<link rel="stylesheet" href="/shop/style.css"></head><body>
<header><img src="/shop/img/logo.jpg" alt="Logo" width="60"> Foto Müller GmbH</header>
<main><h1>Leinwand „Bergpanorama“</h1><img id="product" src="/shop/img/berg.jpg" alt="Bergpanorama">
<p class="price">49,90&nbsp;€ inkl. MwSt.</p><button>In den Warenkorb</button></main>
<footer><a href="/shop/impressum">Impressum</a> · <a href="/shop/agb">AGB</a></footer></body></html>"""),
    "/shop/nobild": ("text/html; charset=utf-8", """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Leinwand – Foto Müller Shop</title></head><body><h1>Leinwand „Bergpanorama“</h1>
<p>Dieser Artikel ist nicht mehr verfügbar.</p><footer><a href="/shop/impressum">Impressum</a></footer></body></html>"""),
    "/shop/impressum": ("text/html; charset=utf-8", """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Impressum</title></head><body><h1>Impressum</h1><p>Angaben gemäß § 5 DDG</p>
<p>Foto Müller GmbH<br>Hauptstraße 1<br>10115 Berlin</p><p>Telefon: +49 30 1234567<br>
E-Mail: info@foto-mueller.test</p><p>Registergericht: Amtsgericht Charlottenburg, HRB 44343<br>
USt-IdNr.: DE 136 695 976</p></body></html>"""),
    "/shop/style.css": ("text/css", "body{font-family:sans-serif;margin:2em} #product{width:320px}"),
    "/blog-fr/": ("text/html; charset=utf-8", """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Carnet de voyage – Les Alpes</title></head><body><article><h1>Randonnée dans les Alpes</h1>
<img src="/blog-fr/alpes.jpg" alt="Les Alpes"><p>Une journée magnifique au-dessus des nuages.</p></article>
<footer><a href="/blog-fr/mentions-legales">Mentions légales</a></footer></body></html>"""),
    "/blog-fr/mentions-legales": ("text/html; charset=utf-8", """<!doctype html><html lang="fr"><head>
<meta charset="utf-8"><title>Mentions légales</title></head><body><h1>Mentions légales</h1>
<p>Éditeur : Voyages Durand SARL, 12 rue de la Paix, 75002 Paris – RCS Paris 303 265 045 –
capital social 10 000 €. Directeur de la publication : Jean Durand.</p></body></html>"""),
    "/empresa/": ("text/html; charset=utf-8", """<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Reformas Sol S.L. – Quiénes somos</title></head><body><h1>Reformas Sol</h1>
<img src="/empresa/equipo.jpg" alt="Equipo"><p>Más de 20 años reformando hogares en Barcelona.</p>
<footer><a href="/empresa/aviso-legal">Aviso legal</a></footer></body></html>"""),
    "/empresa/aviso-legal": ("text/html; charset=utf-8", """<!doctype html><html lang="es"><head>
<meta charset="utf-8"><title>Aviso legal</title></head><body><h1>Aviso legal</h1><p>Reformas Sol S.L.,
Carrer de Mallorca 100, 08036 Barcelona. NIF: ESB58378431. Inscrita en el Registro Mercantil de Barcelona.
</p></body></html>"""),
    "/us/": ("text/html; charset=utf-8", """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme Photo LLC</title><script type="application/ld+json">{"@context":"https://schema.org",
"@type":"Organization","name":"Acme Photo LLC","url":"http://127.0.0.1/us/","address":{"@type":"PostalAddress",
"streetAddress":"1 Market St","postalCode":"94105","addressLocality":"San Francisco","addressCountry":"US"}}
</script></head><body><h1>Acme Photo</h1><img src="/us/hero.jpg" alt="Hero"></body></html>"""),
    "/private/": ("text/html; charset=utf-8", """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Annas kleiner Reiseblog</title></head><body><h1>Unser Sommer in Tirol</h1>
<img src="/private/tirol.jpg" alt="Tirol"><p>Liebe Grüße, Anna</p>
<script>navigator.sendBeacon("/private/stats", "visit"); fetch("/private/counter", {method: "POST", body: "1"});</script>
</body></html>"""),
    "/gone-image": ("text/html; charset=utf-8", """<!doctype html><html><head><meta charset="utf-8">
<title>Galerie</title></head><body><img src="/img/removed.jpg" alt="weg"></body></html>"""),
}
IMAGES = {"/shop/img/berg.jpg": BERG, "/shop/img/logo.jpg": LOGO, "/blog-fr/alpes.jpg": BERG,
          "/empresa/equipo.jpg": BERG, "/us/hero.jpg": BERG, "/private/tirol.jpg": BERG}


class Sites(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    evil_port = 0
    requests: list = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", kind="text/html; charset=utf-8", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        Sites.requests.append(path)
        if path == "/old":
            return self._send(301, b"", extra=[("Location", "/")])
        if path == "/old-shop":
            return self._send(302, b"", extra=[("Location", "/old-shop-2")])
        if path == "/old-shop-2":
            return self._send(301, b"", extra=[("Location", "/shop/")])
        if path == "/evil":
            return self._send(302, b"", extra=[("Location", f"http://127.0.0.2:{Sites.evil_port}/secret")])
        if path == "/broken":
            return self._send(503, "<h1>Wartungsarbeiten</h1>".encode(), extra=[("Retry-After", "3600")])
        if path == "/loop":
            return self._send(302, b"", extra=[("Location", "/loop")])
        if path in IMAGES:
            return self._send(200, IMAGES[path], "image/jpeg")
        if path in PAGES:
            kind, text = PAGES[path]
            return self._send(200, text.encode("utf-8"), kind)
        if path == "/img/removed.jpg":
            return self._send(410, b"gone", "text/plain")
        return self._send(404, b"<h1>Nicht gefunden</h1>")

    do_HEAD = do_GET

    def do_POST(self):
        Sites.requests.append(("POST", self.path))
        return self._send(204)


@pytest.fixture(scope="session")
def sites():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sites)
    Sites.evil_port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def down():
    """An address where nothing listens: a port bound and closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def chromium(playwright_driver):
    """One Chromium for the whole test module (the machine has 2 cores), from the session's Playwright."""
    needs_chromium()
    from caseapp.evidence.capture import launch

    browser = launch(playwright_driver, CHROMIUM)
    yield browser
    browser.close()
