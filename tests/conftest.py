"""Small factories shared by the tests."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model

from dreams import entries
from dreams.models import Dream

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Real hashing costs ~0.3 s a password by design; tests need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest is built by collectstatic; tests render templates without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def picture_dir(settings, tmp_path_factory):
    """Each test keeps its pictures in a folder of its own (settings.STORAGES["pictures"])."""
    folder = tmp_path_factory.mktemp("pictures")
    settings.STORAGES = {
        **settings.STORAGES,
        "pictures": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    return folder


@pytest.fixture
def image_bytes() -> Callable:
    """Encode a small test image: image_bytes("JPEG", size=(64, 48), **save_options)."""
    import io

    from PIL import Image

    def make(fmt: str = "JPEG", *, size=(64, 48), colour=(200, 30, 60), mode="RGB", **options):
        buffer = io.BytesIO()
        Image.new(mode, size, colour).save(buffer, format=fmt, **options)
        return buffer.getvalue()

    return make


@pytest.fixture(autouse=True)
def _empty_process_cache():
    # Each test's database starts from the same state, journal clock included (its changes
    # roll back), so what one test cached must not be found by the next.
    from django.core.cache import caches

    caches["local"].clear()


@pytest.fixture
def make_user(db) -> Callable:
    def make(username: str | None = None, password: str = "a-long dream password"):
        username = username or f"dreamer{next(_names)}"
        return get_user_model().objects.create_user(username=username, password=password)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def other_user(make_user):
    return make_user("bob")


@pytest.fixture
def make_dream(db) -> Callable:
    def make(owner, *, body: str = "I walked down a staircase into the sea.", tags=None, **fields):
        fields.setdefault("title", "A dream")
        dream = Dream(owner=owner, body=body, **fields)
        return entries.save_dream(dream, tags=tags)

    return make


@pytest.fixture
def fetch_both(client) -> Callable:
    """GET a URL as a page and as an htmx fragment (aimed at `target`, an element id), checking
    what every such pair must hold: both 200, the page a whole document and the fragment not,
    and Vary naming HX-Request so that no cache serves one for the other.
    fetch_both(url, data=None, *, target=None) -> (page, fragment)."""

    def fetch(url: str, data: dict | None = None, *, target: str | None = None):
        page = client.get(url, data)
        headers = {"HX-Request": "true"} | ({"HX-Target": target} if target else {})
        fragment = client.get(url, data, headers=headers)
        assert page.status_code == fragment.status_code == 200
        assert b"<html" in page.content and b"<html" not in fragment.content
        assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]
        return page, fragment

    return fetch


CARD_TITLE = re.compile(r'<h2 class="dream-card__title" id="dream-\d+-title"><a [^>]*>([^<]*)</a>')


@pytest.fixture
def card_titles() -> Callable:
    """card_titles(response) -> the titles of the dream cards it shows, in order."""

    def titles(response) -> list[str]:
        return [html.unescape(t) for t in CARD_TITLE.findall(response.content.decode())]

    return titles


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
