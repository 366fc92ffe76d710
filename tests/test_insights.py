import datetime
from collections import Counter

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
    months = insights.per_month(user, months=24, today=today, partial=[])
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
    # Session and user, the clock, then totals, partial dates, days, months, years, motifs,
    # tags and pairs: one query each whatever the journal holds.
    with django_assert_max_num_queries(15) as few:
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
    assert "1 dream in your journal;" in html
    assert Dream.objects.count() == 5


def test_every_number_on_the_page_matches_a_journal_counted_by_hand(
    client, user, other_user, make_dream
):
    """Ten dreams of one writer, counted by hand below: two on one day, one with earlier
    versions, a month and a year named only in words, an undated one and one in the trash."""
    from dreams import entries

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    forty = today - datetime.timedelta(days=40)
    old = today - datetime.timedelta(days=400)  # in the last two years, not the last twelve months
    named_month = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    make_dream(user, body="A mirror and a moth.", dreamt_on=yesterday, lucid=True,
                   tags=["work"])  # fmt: skip
    b = make_dream(user, body="A mirror, a moth and a wolf.", dreamt_on=yesterday,
                   nightmare=True, tags=["work", "family"])  # fmt: skip
    make_dream(user, body="A moth at the window.", dreamt_on=forty)
    make_dream(user, body="An old mirror.", dreamt_on=old, lucid=True)
    # Earlier versions of b are in its history: not other dreams, nor other days.
    entries.save_edit(b, changes={"dreamt_on": forty}, tags=["work"], base_version=b.version)
    entries.save_edit(
        b, changes={"dreamt_on": yesterday}, tags=["work", "family"], base_version=b.version + 1
    )
    make_dream(user, body="A wolf in the snow.", dreamt_on_text=f"{named_month:%B %Y}",
               nightmare=True)  # fmt: skip
    make_dream(user, body="A moth in the attic.", dreamt_on_text="sometime in 2020")
    make_dream(user, body="A mirror at sea.")  # "I don't know when"
    # Partial dates as table imports keep them: the first day of the period, and its size.
    for precision, day, words in [
        ("month", named_month, f"{named_month:%B %Y}"),
        ("year", datetime.date(2020, 1, 1), "2020"),
        ("decade", datetime.date(1970, 1, 1), "the 1970s"),
    ]:
        make_dream(user, body="Quiet.", dreamt_on=day, dreamt_on_precision=precision,
                   dreamt_on_text=words)  # fmt: skip
    entries.trash(make_dream(user, body="A wolf, a mirror, a moth.", dreamt_on=yesterday))
    make_dream(other_user, body="Their mirror and moth.", dreamt_on=yesterday)
    assert b.versions.count() == 3

    client.force_login(user)
    response = client.get("/insights/")
    html, context = response.content.decode(), response.context
    # 10 dreams: a, b, forty, old, the named month twice, the year 2020 twice, the undated one
    # and the 1970s (a decade names no single year: counted with the undated).
    assert "10 dreams in your journal, 2 of them without a date;" in html
    # In the last 24 months: a, b, forty, old and the named month twice; not the year-only ones.
    assert "6 dreamt in the last two years and 3 on a known day in the last twelve months" in html
    # Per day: two yesterday, one forty days ago; nothing today (the day all were written).
    assert context["busiest"] == [(yesterday, 2), (forty, 1)]
    months = {m: (n, lucid, nm) for m, n, lucid, nm in context["months"] if n}
    expected = {yesterday.replace(day=1): (2, 1, 1), forty.replace(day=1): (1, 0, 0),
                old.replace(day=1): (1, 1, 0), named_month: (2, 0, 1)}  # fmt: skip
    # (Forty days back and the named month, two months back, never share a month.)
    assert months == expected
    days = (yesterday, yesterday, forty, old, named_month, named_month)
    years = Counter(d.year for d in days) + Counter({2020: 2})
    assert context["years"] == sorted(years.items())
    # Motifs and tags: the copy and the trashed dream add nothing.
    motifs = {m.slug: m.dream_count for m in context["motifs"]}
    assert motifs["mirror"] == 4  # a, b, old, at sea
    assert motifs["moth"] == 4  # a, b, forty, attic
    assert motifs["wolf"] == 2  # b, the named month
    assert {t.name: t.dream_count for t in context["tags"]} == {"work": 2, "family": 1}
    pairs = {frozenset((x.slug, y.slug)): n for x, y, n in context["pairs"]}
    assert pairs[frozenset(("mirror", "moth"))] == 2  # a and b
    assert pairs[frozenset(("moth", "wolf"))] == 1  # b
    assert pairs[frozenset(("mirror", "wolf"))] == 1  # b


def test_an_empty_journal_says_what_to_do_instead_of_drawing_empty_charts(client, user):
    client.force_login(user)
    html = client.get("/insights/").content.decode()
    assert "Insights appear once your journal has dreams" in html
    assert 'href="/dreams/new/"' in html
    assert "<svg" not in html.split("<main", 1)[1]
