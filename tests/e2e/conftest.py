"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SOMNIA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures creating dreams) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("SOMNIA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _InFlight:
    """Requests the live server is answering, counted through Django's request signals."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **kwargs):
        with self.lock:
            self.count += 1

    def finished(self, **kwargs):
        with self.lock:
            self.count -= 1

    def settle(self, *, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no request has been running for `quiet` seconds: a closing page sends
        its draft by beacon, and the database must not be emptied under that request (on
        PostgreSQL the flush and the save would deadlock)."""
        deadline = time.monotonic() + timeout
        calm_since = None
        while time.monotonic() < deadline:
            if self.count:
                calm_since = None
            elif calm_since is None:
                calm_since = time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                return
            time.sleep(0.02)


@pytest.fixture(scope="session")
def in_flight():
    from django.core.signals import request_finished, request_started

    counter = _InFlight()
    request_started.connect(counter.started)
    request_finished.connect(counter.finished)
    yield counter
    request_started.disconnect(counter.started)
    request_finished.disconnect(counter.finished)


@pytest.fixture
def new_page(browser, live_server, in_flight):
    """Pages that fail the test on any JavaScript error."""
    contexts, errors = [], []

    def make(
        *, width: int = 1280, height: int = 900, scheme: str = "light", javascript=True, **options
    ):
        # options: anything else a browser context takes (timezone_id="Asia/Tokyo", ...). On
        # UTC unless a test says otherwise, as accounts made by the fixtures are: no machine's
        # own zone then offers a time-zone switch in the middle of a test.
        options.setdefault("timezone_id", "UTC")
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            java_script_enabled=javascript,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    in_flight.settle()
    assert errors == []


@pytest.fixture
def log_in(live_server):
    """Give a page's browser context the session of this user."""
    from django.test import Client

    def log_in(page, user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return log_in


@pytest.fixture
def writer(transactional_db, django_user_model):
    return django_user_model.objects.create_user(username="wren", password="a sleepy dream 77")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def seeds(transactional_db):
    from io import StringIO

    from django.core.management import call_command

    from dreams.models import Dream

    call_command("import_seeds", stdout=StringIO())
    return list(Dream.objects.filter(source="seed").order_by("pk"))
