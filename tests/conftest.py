"""Small factories shared by the tests."""

from __future__ import annotations

import itertools
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


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
