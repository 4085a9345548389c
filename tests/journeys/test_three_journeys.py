"""The three journeys of the firm's working day, end to end, in Chromium, on the stack production
runs: PostgreSQL, gunicorn, a Celery worker on Redis. Long work (the sightings' ingest, the bank
statement's import) goes through the worker, and the page that started it shows its progress.

1. A case handler imports the crawler's sightings (a job on the worker), triages the copy found into
   a draft case, opens a case ready for its offer, sends it by post and records it sent.
2. A lawyer takes a case on the desk to court: records the court case and generates its filing.
3. The recipient pays: an accountant imports the bank statement (a job on the worker), the payment
   is recorded on the case (matched by its reference); the accountant drafts a payout batch, a second
   accountant approves it and exports the SEPA file.
"""
from __future__ import annotations

import http.server
import io
import json
import re
import threading
from datetime import date
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login


@pytest.fixture(scope="module")
def crawler_site(stack, tmp_path_factory):
    """A web server on 127.0.0.1 with copies of two of the demo's works (as the crawler found them)."""
    from PIL import Image
    from sqlalchemy import select

    from caseapp.clients.models import Work
    from caseapp.core.filestore import FileStore
    from caseapp.extensions import get_db

    www = tmp_path_factory.mktemp("www")
    with stack.app.app_context():
        session = get_db().session()
        works = list(session.scalars(select(Work).order_by(Work.id).limit(2)))
        store = FileStore(stack.app.config["CASEAPP_FILESTORE_PATH"])
        for i, work in enumerate(works):
            image = Image.open(io.BytesIO(store.read(work.file_sha256))).convert("RGB")
            w, h = image.size
            copy = image.crop((w // 10, h // 10, w - w // 10, h - h // 10)).resize((w * 2 // 3, h * 2 // 3))
            copy.save(www / f"copy{i}.jpg", "JPEG", quality=82)
        titles = [work.title for work in works]
        get_db().session.remove()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             partial(http.server.SimpleHTTPRequestHandler, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", titles
    server.shutdown()


def test_a_case_handler_ingests_triages_and_sends_the_offer(stack, page, crawler_site,
                                                                                   tmp_path):
    base = stack.base
    images, titles = crawler_site
    lines = [json.dumps({"image_url": f"{images}/copy{i}.jpg", "page_url": f"https://journey{i}.example.org/blog",
                         "found_at": "2026-11-30T09:00:00Z"}) for i in range(2)]
    lines.append("{not json")
    sightings = tmp_path / "sightings.jsonl"
    sightings.write_text("\n".join(lines) + "\n", encoding="utf-8")

    login(page, base, "handler")
    page.get_by_role("link", name="Triage").first.click()
    page.get_by_role("link", name="Import sightings").click()
    page.set_input_files("input[name=file]", str(sightings))
    page.get_by_role("button", name="Import").click()
    job = page.locator(".ca-job")
    expect(job).to_have_attribute("data-state", "done", timeout=120_000)     # the worker ran it
    expect(job.locator(".ca-job-message")).to_contain_text("3 lines: 2 matched")
    job.locator(".ca-job-link").click()

    # triage: the copy on journey0.example.org, by keyboard: I (illegal) -> a draft case
    page.goto(f"{base}/hits/?site=journey0.example.org")
    page.wait_for_selector("[data-keys-ready]")
    row = page.locator("tr.ca-hit").first
    expect(row).to_have_attribute("data-site", "journey0.example.org")
    page.keyboard.press("i")
    expect(page.locator("#triage-status")).to_contain_text("draft case C-")

    # a case ready for its offer: take it, send the offer by post
    page.goto(f"{base}/queue/?stage=ready&scope=unassigned")
    refs = [r.inner_text() for r in page.locator("tr.ca-row .ca-ref").all()]
    assert refs, "the demo has cases ready for their offer"
    sent = None
    for ref in refs:
        page.goto(f"{base}/cases/{ref}")
        page.locator("#letters summary").click()
        page.select_option("#letter-form select[name=kind]", "offer")
        page.locator("#letter-form button[value=post]").click()
        if "no postal address" not in page.locator(".alert").first.inner_text():
            sent = ref
            break
    assert sent, "a ready case with the party's address"
    expect(page.locator(".ca-letters")).to_contain_text("Offer")
    page.get_by_role("button", name="Record offer sent").click()    # the letter is posted: the case moves on
    expect(page.locator("h1")).to_contain_text("Offer sent")
    stack.offer_ref = sent


def test_a_lawyer_takes_a_case_to_court_and_generates_its_filing(stack, page):
    base = stack.base
    login(page, base, "lawyer")
    expect(page).to_have_url(re.compile(r"/court/$"))          # the lawyer's home: the desk
    expect(page.locator(".ca-ref").first).to_be_visible()
    # a case on the desk with the lawyer, not in court yet, whose country offers a filing route
    refs = [r.inner_text() for r in page.locator(".ca-ref").all()]
    generated = None
    for ref in refs:
        page.goto(f"{base}/cases/{ref}")
        if "With lawyer" not in page.locator("h1").inner_text():
            continue
        page.goto(f"{base}/filings/case/{ref}")
        buttons = page.get_by_role("button", name="Generate")
        if buttons.count():
            buttons.first.click()
            generated = ref
            break
    assert generated, "a case with the lawyer with an open filing route"
    link = page.locator("a[href*='/files/']").first
    expect(link).to_be_visible()
    answer = page.request.get(base + link.get_attribute("href"))
    assert answer.ok and len(answer.body()) > 500
    # filed: the court case recorded with its file number and date moves the case into court
    page.goto(f"{base}/cases/{generated}")
    court = page.locator("#court")
    recording = court.locator("details", has_text="Record or correct the court case")
    if recording.get_attribute("open") is None:
        recording.locator("summary").click()
    court.locator("input[name=court_name]").fill("Amtsgericht Journey")
    court.locator("input[name=file_number]").fill("J 1/26")
    court.locator("input[name=filed_on]").fill(date.today().isoformat())
    court.get_by_role("button", name="Save court case").click()
    expect(page.locator("h1")).to_contain_text("In court")
    expect(page.locator("#court")).to_contain_text("J 1/26")


def test_an_accountant_imports_the_payment_and_two_accountants_pay_the_client_out(stack, page, tmp_path):
    from caseapp.core.money import Money
    from caseapp.payments.statements import Line, write_camt053

    base = stack.base
    ref = getattr(stack, "offer_ref", None)
    if ref is None:
        pytest.skip("the handler's journey did not send an offer")
    from caseapp.cases import services as cases
    from caseapp.extensions import get_db
    from caseapp.payments import services as payments

    with stack.app.app_context():        # what the recipient pays: all that the case owes
        session = get_db().session()
        owed = payments.due_on(session, cases.get_case(session, ref)).total
        get_db().session.remove()
    statement = tmp_path / "statement.xml"
    statement.write_bytes(write_camt053([{
        "id": "J1", "iban": stack.app.config["CASEAPP_FIRM_IBAN"], "currency": owed.currency,
        "opening": Money.zero(owed.currency), "closing_on": date(2026, 12, 2),
        "lines": [Line(owed, date(2026, 12, 2), "Journey Payer GmbH", None, f"Invoice {ref}", "J-1", "JE-1")]}]))
    login(page, base, "accountant")
    page.goto(f"{base}/payments/import")
    page.set_input_files("input[name=file]", str(statement))
    page.get_by_role("button", name="Import").click()
    job = page.locator(".ca-job")
    expect(job).to_have_attribute("data-state", "done", timeout=120_000)
    expect(job.locator(".ca-job-message")).to_contain_text("1 matched")

    page.goto(f"{base}/payouts/")
    page.get_by_role("button", name="Draft a batch").click()
    expect(page).to_have_url(re.compile(r"/payouts/\d+$"))
    batch = page.url
    page.goto(f"{base}/logout/")
    login(page, base, "accountant2")
    page.goto(batch)
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name=re.compile("Export the SEPA file")).click()
    expect(page.locator("body")).to_contain_text(re.compile("exported", re.I))
    sepa = page.locator("a[href*='/file/']").first.get_attribute("href")
    answer = page.request.get(base + sepa)
    assert answer.ok and b"pain.001.001.09" in answer.body()
