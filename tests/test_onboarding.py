"""A newcomer's first pages: what Somnia is, how to begin, and what each empty page offers."""

import pytest
from django.test import Client


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_visitor_is_told_what_somnia_is_and_invited_to_start(client, db):
    html = _html(client, "/")
    assert "Somnia is a dream journal" in html
    assert '<a class="button" href="/accounts/signup/">Start your journal</a>' in html


def test_a_writer_is_not_invited_again(client, user):
    client.force_login(user)
    assert "Start your journal" not in _html(client, "/")


def test_an_empty_journal_offers_to_write_not_to_clear_filters(client, user):
    client.force_login(user)
    html = _html(client, "/?scope=mine")
    assert "Your journal is empty" in html and 'href="/dreams/new/"' in html
    assert "Clear the filters" not in html
    assert "Clear the filters" not in _html(client, "/?scope=mine&sort=oldest")


def test_a_filter_that_matches_nothing_offers_to_clear_it(client, user, make_dream):
    make_dream(user, body="A cat on a roof.")
    client.force_login(user)
    html = _html(client, "/?scope=mine&lucid=yes")
    assert "No dream matches these filters" in html
    assert '<a href="/?scope=mine">Clear the filters</a>' in html


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/motifs/", "They gather as you write"),
        ("/tags/", "You have no tags yet"),
        ("/trash/", "A dream you delete waits here"),
        ("/insights/", "Insights appear once your journal has dreams"),
        ("/search/?q=zebra", "Try fewer words"),
    ],
)
def test_each_empty_page_says_what_to_do_next(client, user, url, words):
    client.force_login(user)
    html = _html(client, url)
    assert words in html
    assert 'class="empty' in html
