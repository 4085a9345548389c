"""Realistic small sites for the address lookup, served on 127.0.0.1 by one threading server
that answers by Host name (the names resolve to 127.0.0.1 through core.http's `resolve`), and a
local RDAP server (`/domain/<name>`)."""
from __future__ import annotations

import http.server
import json
import socket
import threading

GERMAN_SHOP_HOME = """<!doctype html><html lang="de"><head><title>Foto Müller – Fotodrucke</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", "name": "Leinwand Alpenblick",
 "offers": {"@type": "Offer", "price": "29.90", "priceCurrency": "EUR"}}</script>
<script src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script></head>
<body><header><a href="/">Start</a> <a href="/warenkorb">Warenkorb (0)</a></header>
<main><h1>Leinwand Alpenblick</h1><p>Preis: 29,90 €</p><button>In den Warenkorb</button></main>
<footer><a href="/kontakt">Kontakt</a> · <a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a>
 · <a href="https://example.org/impressum">Partner</a></footer></body></html>"""

GERMAN_IMPRESSUM = """<!doctype html><html lang="de"><body><h1>Impressum</h1>
<p>Angaben gemäß § 5 DDG</p>
<p>Foto Müller GmbH<br>Hauptstr. 1<br>10115 Berlin<br>Deutschland</p>
<p>Vertreten durch den Geschäftsführer: Max Müller</p>
<h2>Kontakt</h2><p>Telefon: 030 1234567<br>Telefax: 030 1234568<br>E-Mail: info@foto-mueller.de</p>
<h2>Registereintrag</h2><p>Registergericht: Amtsgericht Charlottenburg<br>Registernummer: HRB 44343</p>
<h2>Umsatzsteuer-ID</h2><p>Umsatzsteuer-Identifikationsnummer gemäß § 27a UStG: DE 136 695 976</p>
</body></html>"""

FRENCH_BLOG_HOME = """<!doctype html><html lang="fr"><body><h1>Le carnet de l'Atelier</h1>
<article><h2>Lumières d'automne</h2><p>Nos photos de la saison.</p></article>
<footer><a href="/a-propos">À propos</a> | <a href="/mentions-legales">Mentions légales</a></footer></body></html>"""

FRENCH_MENTIONS = """<!doctype html><html lang="fr"><body><h1>Mentions légales</h1>
<p>Éditeur du site : Atelier Dupont SARL, au capital de 10 000 €</p>
<p>Siège social : 12 rue de la Paix, 75002 Paris</p>
<p>RCS Nancy B 323 159 715</p>
<p>TVA intracommunautaire : FR40303265045</p>
<p>Téléphone : 01 42 68 53 00</p>
<p>Directeur de la publication : Jean Dupont</p>
<p>Hébergeur : OVH SAS, 2 rue Kellermann, 59100 Roubaix</p></body></html>"""

SPANISH_HOME = """<!doctype html><html lang="es"><body><h1>Construcciones García</h1><p>Reformas y obra nueva.</p>
<footer><a href="/contacto">Contacto</a> <a href="/aviso-legal">Aviso legal</a> <a href="/privacidad">Privacidad</a>
</footer></body></html>"""

SPANISH_AVISO = """<!doctype html><html lang="es"><body><h1>Aviso legal</h1>
<p>En cumplimiento del artículo 10 de la Ley 34/2002 (LSSI), se informa:</p>
<p>Titular: Construcciones García S.L.</p>
<p>Domicilio: Calle Mayor 10, 28013 Madrid</p>
<p>CIF: B58378431 · NIF-IVA: ESB58378431</p>
<p>Teléfono: 912 345 678 · Correo electrónico: info@construcciones-garcia.es</p>
<p>Inscrita en el Registro Mercantil de Madrid, Tomo 1234, Folio 56, Hoja M-7890.</p></body></html>"""

US_HOME = """<!doctype html><html lang="en"><head>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Acme Photo", "publisher": {"@type": "Organization", "name": "Acme Photo LLC",
  "telephone": "(415) 555-0132", "email": "hello@acme-photo.com",
  "address": {"@type": "PostalAddress", "streetAddress": "1 Market St", "postalCode": "94105",
   "addressLocality": "San Francisco", "addressRegion": "CA", "addressCountry": "US"}}}]}</script></head>
<body><h1>Acme Photo</h1><p>Commercial photography for brands.</p>
<a href="https://www.amazon.com/dp/B000123?tag=acmephoto-20">Our favourite camera</a></body></html>"""

ITALIAN_HOME = """<!doctype html><html lang="it"><body><h1>Fotografia Rossi</h1><p>Stampe fine art.</p>
<footer><p>Fotografia Rossi S.r.l. · Via Roma 12 · 20121 Milano (MI)</p>
<p>P.IVA IT00743110157 · REA MI-1234567 · Tel. 02 1234 5678</p></footer></body></html>"""

PRIVATE_BLOG = """<!doctype html><html lang="de"><body><h1>Wanderblog</h1>
<p>Mein privater Blog über Wanderungen in den Alpen. Alles hier ist ein Hobby.</p>
<article><h2>Zugspitze im Oktober</h2><p>Fotos vom Aufstieg.</p></article></body></html>"""


def site_pages(port: int) -> dict:
    """host -> path -> (status, headers, body)."""
    html = {"Content-Type": "text/html; charset=utf-8"}

    def ok(body):
        return 200, html, body

    return {
        "foto-mueller.de": {"/": ok(GERMAN_SHOP_HOME), "/impressum": ok(GERMAN_IMPRESSUM),
                            "/kontakt": ok("<html lang=de><body><p>Schreiben Sie uns.</p></body></html>")},
        "www.atelier-dupont.fr": {"/": ok(FRENCH_BLOG_HOME), "/mentions-legales": ok(FRENCH_MENTIONS),
                                  "/a-propos": ok("<html><body>Nous</body></html>")},
        "construcciones-garcia.es": {"/": ok(SPANISH_HOME), "/aviso-legal": ok(SPANISH_AVISO)},
        "acme-photo.com": {"/": ok(US_HOME)},
        "wanderblog.de": {"/": ok(PRIVATE_BLOG)},
        "old-shop.de": {"/": (301, {"Location": f"http://foto-mueller.de:{port}/"}, ""),
                        "/evil": (302, {"Location": f"http://127.0.0.2:{port}/"}, "")},
        "fotografia-rossi.it": {"/": ok(ITALIAN_HOME)},
    }


def rdap_domain(name: str, registrant: dict | None) -> dict:
    entities = []
    if registrant:
        adr = ["", "", registrant["street"], registrant["city"], "", registrant["postal_code"], registrant["country"]]
        entities.append({"objectClassName": "entity", "handle": "R-1", "roles": ["registrant"],
                         "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
                                                  ["fn", {}, "text", registrant["name"]],
                                                  ["adr", {}, "text", adr],
                                                  ["tel", {"type": "voice"}, "uri", registrant["tel"]],
                                                  ["email", {}, "text", registrant["email"]]]]})
    entities.append({"objectClassName": "entity", "handle": "REG-9", "roles": ["registrar"],
                     "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Beispiel Registrar AG"]]]})
    return {"objectClassName": "domain", "handle": name.upper(), "ldhName": name, "status": ["active"],
            "events": [{"eventAction": "registration", "eventDate": "2019-04-01T10:00:00Z"}],
            "entities": entities, "nameservers": [], "rdapConformance": ["rdap_level_0"]}


RDAP_RECORDS = {
    # the domain's registration names an older address: a conflicting candidate, kept beside the Impressum's
    "foto-mueller.de": {"name": "Foto Müller GmbH", "street": "Alte Str. 5", "city": "Hamburg",
                        "postal_code": "20095", "country": "DE", "tel": "tel:+49.401234567",
                        "email": "domains@foto-mueller.de"},
    "acme-photo.com": {"name": "REDACTED FOR PRIVACY", "street": "REDACTED", "city": "REDACTED",
                       "postal_code": "REDACTED", "country": "US", "tel": "tel:+1.0000000", "email": "x@example"},
}


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, headers, body):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start(handler) -> tuple[http.server.ThreadingHTTPServer, int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def serve_sites():
    pages: dict = {}

    class Sites(_Quiet):
        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0]
            if host == "127.0.0.1":
                host = "foto-mueller.de"   # the CLI tests ask by address: the German shop
            found = pages.get(host, {}).get(self.path.split("?")[0])
            self._send(*(found or (404, {"Content-Type": "text/html"}, "<html><body>Not found</body></html>")))

    server, port = start(Sites)
    pages.update(site_pages(port))
    return server, port


def serve_rdap():
    class Rdap(_Quiet):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1].lower()
            if self.path.startswith("/domain/") and name in RDAP_RECORDS:
                self._send(200, {"Content-Type": "application/rdap+json"},
                           json.dumps(rdap_domain(name, RDAP_RECORDS[name])))
            else:
                self._send(404, {"Content-Type": "application/rdap+json"}, json.dumps({"errorCode": 404}))

    return start(Rdap)


def bootstrap(base: str) -> str:
    """IANA's bootstrap format; all five kinds present or whoisit refuses it."""
    import time

    return json.dumps({"timestamp": int(time.time()),
                       "dns": {"services": [[["de", "com", "fr", "es"], [base]]]},
                       "asn": {"services": [[["64496-64511"], [base]]]},
                       "ipv4": {"services": [[["192.0.2.0/24"], [base]]]},
                       "ipv6": {"services": [[["2001:db8::/32"], [base]]]},
                       "object": {"services": [[["x@example"], ["EX"], [base]]]}})


def resolver(host, port, *args, **kwargs):
    """Every test site's name (and 127.0.0.1) is 127.0.0.1; any other name does not exist."""
    names = {"foto-mueller.de", "www.atelier-dupont.fr", "construcciones-garcia.es", "acme-photo.com",
             "wanderblog.de", "old-shop.de", "fotografia-rossi.it", "127.0.0.1"}
    if host == "127.0.0.2":     # loopback, but not allowed: a redirect there is refused
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port))]
    if host not in names:
        raise socket.gaierror(f"[Errno -2] Name or service not known: {host}")
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
