"""Small template filters: how times are said."""

import datetime

import pytest
from django.utils import timezone

from dreams.templatetags.dreams_extras import ago


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1\xa0minute ago"),
        (5 * 60 + 30, "5\xa0minutes ago"),
        (3600, "1\xa0hour ago"),
        (3 * 3600 + 1800, "3\xa0hours ago"),
        (2 * 86400 + 7200, "2\xa0days ago"),
    ],
)
def test_ago_says_just_now_then_one_unit_with_its_plural(seconds, said):
    assert ago(timezone.now() - datetime.timedelta(seconds=seconds)) == said


def test_ago_of_nothing_is_empty():
    assert ago(None) == ""


def test_motif_options_escape_and_mark_the_chosen_one():
    from dreams.templatetags.dreams_extras import motif_options

    rows = [("moth", "Moth", 2), ('a"b', "<Owl> & co", 1)]
    assert motif_options(rows, "moth") == (
        '<option value="moth" selected>Moth (2)</option>'
        '<option value="a&quot;b">&lt;Owl&gt; &amp; co (1)</option>'
    )
    assert "selected" not in motif_options(rows, "")
