import datetime

import pytest
from django.utils import timezone

from dreams import insights
from dreams.models import Dream


@pytest.fixture
def year(user, other_user, make_dream):
    today = timezone.localdate()
    made = []
    for days_ago, lucid, nightmare, body in [
        (1, True, False, "A mirror and a moth."),
        (1, False, True, "A mirror, a moth and a wolf."),
        (40, False, False, "A moth at the window."),
        (400, True, False, "An old mirror."),
    ]:
        day = today - datetime.timedelta(days=days_ago)
        made.append(make_dream(user, body=body, lucid=lucid, nightmare=nightmare, dreamt_on=day))
    make_dream(other_user, body="Their mirror and moth, many times.",
               dreamt_on=today - datetime.timedelta(days=1))  # fmt: skip
    return made


def test_per_day_and_per_month_count_only_my_dreams(user, year):
    today = timezone.localdate()
    days = insights.per_day(user, since=today - datetime.timedelta(days=371))
    assert days[today - datetime.timedelta(days=1)] == 2 and sum(days.values()) == 3
    months = insights.per_month(user, months=24, today=today)
    assert len(months) in (24, 25) and months[-1][0] == today.replace(day=1)
    assert sum(n for _, n, _, _ in months) == 4
    assert sum(lucid for _, _, lucid, _ in months) == 2
    assert sum(nm for _, _, _, nm in months) == 1


def test_cooccurrence_counts_dreams_with_both(user, year):
    motifs = insights.top_motifs(user, limit=30)
    by_id = {m.pk: m.slug for m in motifs}
    pairs = {frozenset((by_id[a], by_id[b])): n for a, b, n in insights.cooccurrence(user, motifs)}
    assert pairs[frozenset(("mirror", "moth"))] == 2
    assert pairs[frozenset(("moth", "wolf"))] == 1


def test_the_insights_page_draws_every_chart_in_a_fixed_number_of_queries(
    client, user, year, make_dream, django_assert_max_num_queries
):
    client.force_login(user)
    with django_assert_max_num_queries(12) as few:
        response = client.get("/insights/")
    html = response.content.decode()
    for css in ("heatmap", "bar-chart", "share-chart", "hbar-chart", "graph"):
        assert f'class="{css}' in html
    assert "Mirror and Moth" in html or "Moth and Mirror" in html
    for _ in range(10):
        make_dream(user, body="A mirror, a moth, a wolf, a staircase.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/insights/")


def test_insights_need_an_account(client, db):
    assert client.get("/insights/").status_code == 302


def test_others_dreams_never_count(client, other_user, year):
    client.force_login(other_user)
    html = client.get("/insights/").content.decode()
    assert "1 dream in the last two years" in html
    assert Dream.objects.count() == 5
