"""The client onboarding journey in a real browser: an accountant opens a client's page, reads
the contract in words and what is missing, confirms a changed bank account as the second
person, and drops images onto a new client's works (the drop zone's script, the upload
endpoint and the import service together); a handler reads a disputed work's checks and the
conflict side by side. Screenshots for docs/client-onboarding.md (CASEAPP_SCREENSHOTS=1)."""
from __future__ import annotations

from tests.browser.conftest import login


def _open_client(page, base: str, name: str) -> None:
    page.goto(f"{base}/clients/list/")
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector("#missing")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_accountant_reads_a_client_and_confirms_a_changed_account(live_server, page, screenshots):
    login(page, live_server, "accountant")
    _open_client(page, live_server, "Peak Images Ltd")
    body = page.inner_text("body")
    assert "You receive 55% of what we collect out of court, 50% in court." in body
    assert "We pay out once you are owed at least €50.00" in body
    page.screenshot(path=str(screenshots / "client-page.png"), full_page=True)

    _open_client(page, live_server, "Atelier Marin")
    pending = page.locator("button[id^=confirm-]")
    assert pending.count() == 1                   # the changed account waits for a second person
    pending.click()
    page.wait_for_selector("#missing")
    text = page.inner_text("body")
    assert "Bank account confirmed" in text and "replaced" in text
    assert page.locator("button[id^=confirm-]").count() == 0


def test_accountant_drops_images_onto_a_new_clients_works(live_server, page, screenshots):
    login(page, live_server, "accountant")
    _open_client(page, live_server, "Kai Brenner Fotografie")
    missing = page.inner_text("#missing")
    assert "No signed mandate on file" in missing and "No confirmed bank account" in missing
    assert "1 work disputed" in missing

    from caseapp.clients.demo_pictures import landscape_jpeg

    files = [{"name": "pier.jpg", "mimeType": "image/jpeg", "buffer": landscape_jpeg(77001)},
             {"name": "fields.jpg", "mimeType": "image/jpeg", "buffer": landscape_jpeg(77002)},
             {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 not a picture"}]
    page.set_input_files(".ca-upload-input", files)
    page.wait_for_selector(".ca-upload-status li:nth-child(3)")
    status = page.inner_text(".ca-upload-status")
    assert status.count("imported") == 2 and "error" in status
    page.screenshot(path=str(screenshots / "client-upload.png"), full_page=True)

    page.set_input_files(".ca-upload-input", [files[0]])   # the same picture again
    page.wait_for_selector(".ca-upload-status .ca-upload-duplicate")
    assert "pier.jpg" in page.inner_text(".ca-upload-duplicate")


def test_handler_reads_a_disputed_works_checks_and_the_conflict(live_server, page, screenshots):
    login(page, live_server, "handler")
    _open_client(page, live_server, "Kai Brenner Fotografie")
    page.locator("#works").get_by_role("link", name="Dune study").first.click()
    page.wait_for_selector("text=Not in another client's portfolio")
    body = page.inner_text("body")
    assert "Atelier Marin" in body and "Disputed" in body
    page.screenshot(path=str(screenshots / "work-conflict.png"), full_page=True)


def test_the_client_page_at_200_percent_and_in_a_german_browser(live_server, browser, screenshots):
    from tests.browser.conftest import login as log_in

    for name, options in (("client-page-zoom200.png", dict(viewport={"width": 720, "height": 450},
                                                           device_scale_factor=2, locale="en-GB")),
                          ("client-page-de.png", dict(viewport={"width": 1440, "height": 900}, locale="de-DE"))):
        context = browser.new_context(**options)
        page = context.new_page()
        log_in(page, live_server, "accountant")
        _open_client(page, live_server, "Peak Images Ltd")
        assert _fits_the_screen(page), f"{name}: the client page scrolls sideways"
        page.screenshot(path=str(screenshots / name), full_page=False)
        context.close()
