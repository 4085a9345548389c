"""Letters: every kind in every language with templates renders as a PDF whose text carries the
amount, the deadline in words and the reference in the locale's format; DOCX; the fetcher and
the sandbox; refusals; email to a real local SMTP server; post on the timeline."""
from __future__ import annotations

import io
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from caseapp.core.audit import Actor, events_for_case
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.letters import render, services
from caseapp.letters.models import KINDS
from tests.cases.factories import make_case
from tests.conftest import TODAY

ACTOR = Actor.system("test")
INPUTS = {"amount": "1234.50", "instalments": 3, "first_due": "2026-12-15", "paid": "400.00"}
ALL = [(kind, lang) for kind in KINDS for lang in render.languages_with(kind)]


@pytest.fixture()
def store(app):
    return FileStore(app.config["CASEAPP_FILESTORE_PATH"])


@pytest.fixture()
def case(db_session):
    made = make_case(db_session, claimed="1234.50")
    made.claim_lines = [{"label": "Licence fee (web, 12 months)", "amount": "617.25", "basis": "MFM 2025"},
                        {"label": "Surcharge for the missing photo credit: +100%", "amount": "617.25",
                         "basis": "§ 13 UrhG"}]
    made.client.street, made.client.postcode, made.client.city = "Gartenweg 2", "50667", "Köln"
    made.client.mandate_signed_on = date(2026, 3, 2)
    made.party.email = "owner@party.example"
    db_session.flush()
    return made


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


EXPECT = {"en": ("€1,234.50", "7 December 2026"), "de": ("1.234,50 €", "7. Dezember 2026")}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_kind_renders_in_en_and_de_with_amount_deadline_and_reference(db_session, store, case, kind, lang):
    rendered = services.render_letter(db_session, store, case, kind, language=lang, today=TODAY, inputs=INPUTS)
    text = text_of(rendered.data)
    assert case.ref in text
    amount, deadline = EXPECT[lang]
    if kind != "case_closed":
        assert amount in text, text[:1500]
    if kind in ("offer", "warning_letter"):      # 14 days from Mon 23 Nov 2026
        assert deadline in text
    if kind == "instalment_agreement":
        assert ("15 December 2026" if lang == "en" else "15. Dezember 2026") in text
    assert rendered.context["letter"]["reference"] == case.ref


# The deadline of a first letter sent on Mon 23 Nov 2026 (14 days), as each language writes it.
DEADLINE_WORDS = {"en": "7 December 2026", "de": "7. Dezember 2026", "fr": "7 décembre 2026",
                  "es": "7 de diciembre de 2026", "it": "7 dicembre 2026", "nl": "7 december 2026",
                  "pl": "7 grudnia 2026", "pt": "7 de dezembro de 2026"}


def squeezed(text: str) -> str:
    """Text without any kind of space (PDF extraction turns narrow no-break spaces into anything)."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\u00a0\u202f\u2009")


@pytest.mark.parametrize("kind,lang", ALL)
def test_every_template_found_renders(db_session, store, case, kind, lang):
    """Every kind in every language that has a file: the PDF carries the case reference, the
    amount in the language's own format and, for a claim, the deadline in words."""
    from babel.numbers import format_currency

    rendered = services.render_letter(db_session, store, case, kind, language=lang, today=TODAY, inputs=INPUTS)
    assert rendered.data.startswith(b"%PDF")
    text = text_of(rendered.data)
    assert case.ref in text
    if kind != "case_closed":
        amount = format_currency(1234.5, "EUR", locale=render.locale_of(lang))
        assert squeezed(amount) in squeezed(text), (amount, text[:800])
        assert "1234.50" not in text and "1,234.50 €" not in text     # never an unlocalised amount
    if kind in ("offer", "warning_letter"):
        assert DEADLINE_WORDS[lang] in text


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    date_long = render.filters("fr")["date_long"]
    assert date_long(date(2026, 5, 1)) == "1er mai 2026"
    assert date_long(date(2026, 5, 2)) == "2 mai 2026"
    assert render.filters("en")["date_long"](date(2026, 5, 1)) == "1 May 2026"


def test_german_warning_letter_meets_97a(db_session, store, case):
    text = text_of(services.render_letter(db_session, store, case, "warning_letter", language="de", today=TODAY,
                                          inputs={"costs": "124.00"}).data)
    assert case.client.name in text
    assert "Schadensersatz" in text and "Aufwendungsersatz" in text and "124,00 €" in text
    assert "geht nicht über die abgemahnte Rechtsverletzung hinaus" in text
    assert "https://x.example/p/1" in text


def test_docx_renders_with_the_reference(db_session, store, case):
    from docx import Document

    rendered = services.render_letter(db_session, store, case, "warning_letter", language="de", fmt="docx",
                                      today=TODAY)
    document = Document(io.BytesIO(rendered.data))
    assert case.ref in "\n".join(p.text for p in document.paragraphs)


def test_language_follows_the_recipients_country_and_falls_back_to_english(db_session, store, case):
    assert services.choose_language(case, "offer") == ("de", None)
    case.party.country = "JP"
    language, note = services.choose_language(case, "offer")
    assert language == "en" and note and "ja" in note
    with pytest.raises(InvalidInput, match="templates/letters/offer/ja.html is missing"):
        services.choose_language(case, "offer", "ja")


def test_missing_address_and_amount_are_refused(db_session, store, case):
    with pytest.raises(InvalidInput, match="agreed amount"):
        services.render_letter(db_session, store, case, "settlement_confirmation", today=TODAY)
    case.party.street = None
    with pytest.raises(InvalidInput, match="has no postal address"):
        services.render_letter(db_session, store, case, "offer", today=TODAY)


def test_the_fetcher_never_reaches_out(store):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/spy.png"
        fetcher = render.LetterFetcher(store)
        with pytest.raises(ValueError):
            fetcher.fetch(url)
        pdf = render.html_to_pdf(f'<img src="{url}"><link rel="stylesheet" href="{url}.css"><p>hi</p>', store,
                                 fetcher=fetcher)
        assert pdf.startswith(b"%PDF")
        assert fetcher.refused and not seen
        assert fetcher.local(render.BASE_URL + "static/../../../etc/passwd") == (None, None)
        assert fetcher.local(render.BASE_URL + "static/fonts/DejaVuSans.ttf")[0]
    finally:
        server.shutdown()


def test_the_sandbox_refuses_attribute_tricks():
    from jinja2.exceptions import SecurityError

    env = render.environment("en", {"letter": object()}, loader=False)
    for trick in ("{{ letter.__class__.__mro__ }}", "{{ ''.__class__.__subclasses__() }}",
                  "{{ cycler.__init__.__globals__ }}", "{% set x = [] %}{{ x.append(1) }}"):
        with pytest.raises((SecurityError, Exception)) as caught:
            env.from_string(trick).render()
        assert "unsafe" in str(caught.value) or isinstance(caught.value, SecurityError) or \
            "undefined" in str(caught.value).lower()


def test_email_reaches_a_local_smtp_server_with_the_pdf(db_session, store, case, smtp_server):
    smtp = {**smtp_server.settings, "CASEAPP_FIRM_NAME": "Firm"}
    letter = services.issue_letter(db_session, ACTOR, case, "offer", today=TODAY, store=store)
    services.send_letter(db_session, ACTOR, letter, channel="email", today=TODAY, smtp=smtp, store=store)
    received = smtp_server.received
    assert letter.status == "sent" and letter.sent_to == "owner@party.example"
    import email

    message = email.message_from_bytes(received[0].content)
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert received[0].rcpt_tos == ["owner@party.example"]


def test_email_without_smtp_is_refused(db_session, store, case):
    letter = services.issue_letter(db_session, ACTOR, case, "offer", today=TODAY, store=store)
    with pytest.raises(InvalidInput, match="Email is not set up"):
        services.send_letter(db_session, ACTOR, letter, channel="email", today=TODAY,
                             smtp={"CASEAPP_SMTP_HOST": ""}, store=store)


def test_posted_letter_is_on_the_timeline_and_the_case_page(db_session, store, case, client_as):
    letter = services.issue_letter(db_session, ACTOR, case, "offer", today=TODAY, store=store, channel="post")
    assert letter.status == "sent" and letter.sent_on == TODAY and letter.preview_sha256
    assert letter.context["claim"]["total"] == "1234.50 EUR"
    actions = [e.action for e in events_for_case(db_session, case.id)]
    assert "letter.issued" in actions and "letter.sent" in actions
    page = client_as("handler").get(f"/cases/{case.ref}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Letter sent by post" in html and f"/cases/{case.ref}/letters/{letter.id}/file" in html
    assert client_as("handler").get(f"/cases/{case.ref}/letters/{letter.id}/page1.png").status_code == 200


def test_rendering_letters_leaves_truncated_images_refused():
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported; a broken upload must
    stay an error in the same process (tests/clients/test_works_bulk.py checks the import)."""
    from PIL import ImageFile

    import caseapp.letters.render  # noqa: F401
    import weasyprint  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
