"""A live caseapp on its own SQLite database, and Debian's Chromium driven by
Playwright (never a browser download)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CASEAPP_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from tests.conftest import TODAY

    folder = tmp_path_factory.mktemp("live")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'caseapp.db'}",
                      "SECRET_KEY": "browser", "CASEAPP_INSTANCE_PATH": str(folder),
                      "CASEAPP_HTTPS": False, "RATELIMIT_ENABLED": False,
                      "CASEAPP_CAPTURE_ON_DECIDE": False, "CASEAPP_LOOKUP_ON_DECIDE": False})
    build_demo_database(app, cases=120, works=12, hits=60, today=TODAY)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    yield browser
    browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    page = context.new_page()
    blocked = []   # the Content-Security-Policy must never break a page: nothing it blocks
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked[:3]}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """Where screenshots go: docs/screenshots with CASEAPP_SCREENSHOTS=1, else a temp folder."""
    if os.environ.get("CASEAPP_SCREENSHOTS"):
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def login(page, base: str, user: str) -> None:
    from caseapp.demo.setup import demo_password

    page.goto(f"{base}/login/")
    page.fill("#username", user)
    page.fill("#password", demo_password(user))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

