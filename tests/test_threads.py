"""Recurring threads: linking a dream to an earlier one, the thread page, who sees what."""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from dreams import threads
from dreams.models import Dream


def test_a_thread_shows_intervals_and_motifs_that_came_and_went(client, user, make_dream):
    first = make_dream(user, title="Lift 1", body="A lift and a mirror.",
                       dreamt_on=datetime.date(2025, 1, 1))  # fmt: skip
    second = make_dream(user, title="Lift 2", body="A lift and a moth.",
                        dreamt_on=datetime.date(2025, 1, 11))  # fmt: skip
    client.force_login(user)
    response = client.post(f"/dreams/{second.pk}/recurs/", {"earlier": first.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.recurs == first and second.recurring
    response = client.get(f"/dreams/{first.pk}/thread/")
    story = response.context["story"].occurrences
    assert [o.dream for o in story] == [first, second]
    assert story[1].gap_days == 10
    assert "Moth" in story[1].came and "Mirror" in story[1].went
    assertContains(response, "<div><dt>Times dreamt</dt><dd>2</dd></div>", html=True)
    assertContains(response, "<div><dt>First seen</dt><dd>1 Jan 2025</dd></div>", html=True)
    assertContains(response, "<div><dt>Last seen</dt><dd>11 Jan 2025</dd></div>", html=True)
    assertContains(response, "<div><dt>Typical interval</dt><dd>10 days</dd></div>", html=True)


def test_a_thread_shows_another_reader_only_its_shared_dreams(client, user, other_user, make_dream):
    shared = Dream.Visibility.SHARED
    first = make_dream(user, title="Lift in private", dreamt_on=datetime.date(2025, 1, 1))
    second = make_dream(user, title="Lift shared", visibility=shared,
                        dreamt_on=datetime.date(2025, 2, 1))  # fmt: skip
    third = make_dream(user, title="Lift again", visibility=shared,
                       dreamt_on=datetime.date(2025, 3, 1))  # fmt: skip
    threads.link(second, earlier=first)
    threads.link(third, earlier=second)
    client.force_login(other_user)
    response = client.get(f"/dreams/{second.pk}/thread/")
    assert [o.dream for o in response.context["story"].occurrences] == [second, third]
    assertNotContains(response, "Lift in private")
    client.force_login(user)
    response = client.get(f"/dreams/{second.pk}/thread/")
    assert [o.dream for o in response.context["story"].occurrences] == [first, second, third]


def test_a_thread_cannot_loop(user, make_dream):
    a = make_dream(user)
    b = make_dream(user)
    threads.link(b, earlier=a)
    with pytest.raises(threads.ThreadError):
        threads.link(a, earlier=b)
    with pytest.raises(threads.ThreadError):
        threads.link(a, earlier=a)


def test_a_story_knows_its_first_and_last_days_and_its_typical_interval(user, make_dream):
    days = [datetime.date(2025, 1, 1), datetime.date(2025, 1, 11), datetime.date(2025, 1, 31)]
    dreams = [make_dream(user, dreamt_on=day) for day in days]
    story = threads.story(dreams)
    assert [o.gap_days for o in story.occurrences] == [None, 10, 20]
    assert (story.first, story.last, story.mean_gap) == (days[0], days[-1], 15)
    alone = threads.story(dreams[:1])
    assert alone.mean_gap is None and alone.first == alone.last == days[0]
    assert threads.story([]).first is None


def test_this_dream_again_offers_only_the_dreams_that_came_before(client, user, make_dream):
    day = datetime.date
    old = make_dream(user, title="Old lift", dreamt_on=day(2024, 5, 1))
    undated = make_dream(user, title="Undated lift")  # written before: a candidate
    this = make_dream(user, title="This lift", dreamt_on=day(2025, 1, 1))
    newer = make_dream(user, title="Newer lift", dreamt_on=day(2025, 6, 1))
    later_undated = make_dream(user, title="Later undated lift")
    client.force_login(user)
    offered = list(client.get(f"/dreams/{this.pk}/").context["earlier_choices"])
    assert offered == [old, undated]
    assert newer not in offered and later_undated not in offered
    threads.link(this, earlier=newer)  # linked before (an import): still shown, selected
    this.refresh_from_db()
    assert newer in client.get(f"/dreams/{this.pk}/").context["earlier_choices"]
