"""What search engines are told: a description on public pages, noindex on private ones."""

import re

import pytest
from django.test import Client

from dreams.models import Dream

NOINDEX = '<meta name="robots" content="noindex">'


def _description(html: str) -> str:
    found = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert found, "no meta description"
    return found[1]


@pytest.fixture
def shared(user, make_dream):
    return make_dream(
        user,
        title="The orchard",
        body="An orchard of glass trees, and a fox that spoke in my mother's voice.",
        visibility=Dream.Visibility.SHARED,
    )


def test_public_pages_describe_themselves_and_may_be_indexed(db, shared):
    client = Client()
    seen = set()
    for url in ["/", shared.get_absolute_url(), "/search/", "/motifs/", "/motifs/fox/",
                "/accounts/login/", "/accounts/signup/"]:  # fmt: skip
        html = client.get(url).content.decode()
        description = _description(html)
        assert 50 <= len(description) <= 160, (url, description)
        assert NOINDEX not in html, url
        seen.add(description)
    assert len(seen) == 7  # each page says what it is
    assert _description(client.get(shared.get_absolute_url()).content.decode()).startswith(
        "An orchard of glass trees"
    )


def test_pages_drawn_for_a_writer_are_never_indexed(client, user, make_dream):
    private = make_dream(user, title="Mine", body="A private staircase.")
    client.force_login(user)
    for url in ["/?scope=mine", "/dreams/new/", "/insights/", private.get_absolute_url(),
                "/tags/", "/trash/", "/accounts/", "/"]:  # fmt: skip
        assert NOINDEX in client.get(url).content.decode(), url
