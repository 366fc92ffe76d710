import datetime

import pytest

from dreams import threads
from dreams.models import Dream


@pytest.fixture
def journal(user, other_user, make_dream):
    shared = Dream.Visibility.SHARED
    return [
        make_dream(
            user,
            title="First",
            body="A mirror and a moth.",
            visibility=shared,
            dreamt_on=datetime.date(2025, 1, 10),
        ),
        make_dream(
            user,
            title="Second",
            body="Mirrors and a moth again.",
            visibility=shared,
            dreamt_on=datetime.date(2025, 3, 1),
        ),
        make_dream(
            user, title="Private", body="A mirror, alone.", dreamt_on=datetime.date(2025, 6, 1)
        ),
        make_dream(other_user, title="Theirs secret", body="A mirror in a lake."),
    ]


def test_the_motif_list_counts_only_what_the_viewer_may_see(client, journal, user):
    response = client.get("/motifs/")
    counts = {m.slug: m.dream_count for m in response.context["motifs"]}
    assert counts["mirror"] == 2 and counts["moth"] == 2
    assert "<svg" in response.content.decode() and 'class="sparkline"' in response.content.decode()
    client.force_login(user)
    counts = {m.slug: m.dream_count for m in client.get("/motifs/").context["motifs"]}
    assert counts["mirror"] == 3


def test_a_motif_page_has_its_dreams_timeline_companions_and_first_and_last_seen(client, journal):
    response = client.get("/motifs/mirror/")
    assert response.status_code == 200
    ctx = response.context
    assert {d.title for d in ctx["dreams"]} == {"First", "Second"}
    assert ctx["first_seen"] == datetime.date(2025, 1, 10)
    assert ctx["last_seen"] == datetime.date(2025, 3, 1)
    assert next(row["motif__slug"] for row in ctx["co_occurring"]) == "moth"
    assert ("mirror", 1) in ctx["words"] and ("mirrors", 1) in ctx["words"]
    html = response.content.decode()
    assert 'class="timeline"' in html and "secret" not in html and "Private" not in html


def test_unknown_motifs_are_404(client, db):
    assert client.get("/motifs/no-such-thing/").status_code == 404


def test_motif_pages_query_count_is_fixed(client, journal, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get("/motifs/")
    with django_assert_max_num_queries(12):
        client.get("/motifs/mirror/")


def test_suggestions_fragment_for_the_writing_form(client, user):
    client.force_login(user)
    response = client.post(
        "/motifs/suggest/", {"body": "Mirrors, a mirrored hall.", "motif-mirror": "drop"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert "<html" not in html and "mirrors, mirrored" in html
    assert '<option value="drop" selected>' in html


def test_making_a_motif_from_selected_words(client, user):
    client.force_login(user)
    response = client.post(
        "/motifs/new/",
        {"motif_words": "paper swans", "motif_name": "Paper swan", "motif_category": "object",
         "body": "Paper swans flew."},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert "New motif: Paper swan" in html and "Paper swan</strong>" in html
    response = client.post(
        "/motifs/new/",
        {"motif_words": "looking glass", "motif_target": "mirror", "body": "a looking glass"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "now counts as Mirror" in response.content.decode()


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
    story = client.get(f"/dreams/{first.pk}/thread/").context["story"]
    assert [o.dream for o in story] == [first, second]
    assert story[1].gap_days == 10
    assert "Moth" in story[1].came and "Mirror" in story[1].went


def test_a_thread_cannot_loop(user, make_dream):
    a = make_dream(user)
    b = make_dream(user)
    threads.link(b, earlier=a)
    with pytest.raises(threads.ThreadError):
        threads.link(a, earlier=b)
    with pytest.raises(threads.ThreadError):
        threads.link(a, earlier=a)


def test_someones_own_motif_on_a_shared_dream_has_a_page(client, user, make_dream):
    from dreams import vocabulary

    vocabulary.make_motif(owner=user, name="Glass owl", category="animal")
    make_dream(user, title="Owl night", body="A glass owl watched.",
               visibility=Dream.Visibility.SHARED)  # fmt: skip
    make_dream(user, title="Secret owl", body="Another glass owl.")
    response = client.get("/motifs/glass-owl/")
    assert response.status_code == 200
    assert [d.title for d in response.context["dreams"]] == ["Owl night"]
