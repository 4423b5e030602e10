"""Browser fixtures: the app served on loopback in a thread, and Playwright driving Debian's Chromium.

Never downloads a browser: without /usr/bin/chromium (apt-get install chromium) these tests are skipped,
and `make test` says so plainly."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from tests.conftest import DATABASE_URL, PASSWORD, test_config

CHROMIUM = os.environ.get("EXCHANGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(app):
    """A second app on the same database with CSRF on, served on a free loopback port."""
    from exchange.app import create_app
    served = create_app(test_config(WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield served
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def base_url(live_app):
    return live_app.config["LIVE_URL"]


@pytest.fixture
def new_page(browser, base_url):
    """A factory of pages, each in its own browser context (its own cookies): one per person."""
    contexts = []

    def make():
        context = browser.new_context(base_url=base_url)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str = PASSWORD):
    """Sign in through the form; with two-step sign-in on, type the app's code (computed with pyotp from the
    secret in the database); a coordinator or admin without it sets it up in the browser, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    path = urlsplit(page.url).path
    if path == "/login/code":
        page.get_by_label("Code").fill(totp_code(email))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    elif path == "/account/two-step/enrol":
        enrol_in_browser(page)
    return page


def enrol_in_browser(page) -> str:
    """On the set-up page: start, read the key shown beside the QR code, type the app's code, keep the
    recovery codes. Returns the secret."""
    page.get_by_role("button", name="Start").click()
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("link", name="I have kept them").click()
    page.wait_for_load_state()
    return secret


_engine = None


def totp_code(email: str) -> str:
    """A code the server will take for this user now: the current step's, or a later one (within the
    one-step drift) when a code of this step was already used; waits for the next step if need be."""
    global _engine
    if _engine is None:
        _engine = create_engine(DATABASE_URL)
    with _engine.connect() as connection:
        secret, last_step = connection.execute(text(
            "SELECT c.secret, c.last_step FROM mfa_credentials c JOIN users u ON u.id = c.user_id "
            "WHERE u.email = :email"), {"email": email}).one()
    totp = pyotp.TOTP(secret)
    while True:
        now_step = totp.timecode(time.time())
        step = now_step if last_step is None else max(now_step, last_step + 1)
        if step <= now_step + 1:
            return totp.generate_otp(step)
        time.sleep(1)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
