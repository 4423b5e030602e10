"""Browser fixtures: the app served on loopback in a thread, and Playwright driving Debian's Chromium.

Never downloads a browser: without /usr/bin/chromium (apt-get install chromium) these tests are skipped,
and `make test` says so plainly."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.helpers import mail_server, test_config

CHROMIUM = os.environ.get("EXCHANGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]

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
def mailbox(live_app):
    """A real SMTP server (aiosmtpd) that the served app sends its notification e-mails to."""
    with mail_server(live_app) as handler:
        yield handler


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
