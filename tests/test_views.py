import pytest
from django.core.management import call_command
from django.urls import reverse

from dreams.models import Dream


@pytest.fixture
def seeds(db):
    call_command("import_seeds", verbosity=0, stdout=__import__("io").StringIO())
    return list(Dream.objects.filter(source="seed"))


def test_healthz_touches_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_gallery_lists_the_seed_dreams_by_title(client, seeds):
    response = client.get(reverse("dreams:gallery"))
    assert response.status_code == 200
    html = response.content.decode()
    for dream in seeds:
        assert dream.title in html
        assert dream.get_absolute_url() in html
    assert "I am dreaming" not in html  # openings skip the preamble


def test_a_dream_page_shows_the_whole_narrative(client, seeds):
    dream = seeds[0]
    response = client.get(dream.get_absolute_url())
    assert response.status_code == 200
    assert response.context["dream"] == dream
    html = response.content.decode()
    assert dream.title in html
    assert "mezzanine" in html.lower() or "courtyard" in html.lower() or "<p>" in html


def test_private_dreams_are_404_to_everyone_but_their_owner(client, make_dream, user, other_user):
    dream = make_dream(user, title="Secret dream")
    assert client.get(dream.get_absolute_url()).status_code == 404
    assert "Secret dream" not in client.get("/").content.decode()
    client.force_login(other_user)
    assert client.get(dream.get_absolute_url()).status_code == 404
    assert "Secret dream" not in client.get("/").content.decode()
    assert "Secret dream" not in client.get("/?scope=mine").content.decode()
    client.force_login(user)
    assert client.get(dream.get_absolute_url()).status_code == 200
    assert "Secret dream" in client.get("/?scope=mine").content.decode()
    assert "Secret dream" not in client.get("/").content.decode()  # the public gallery


def test_a_missing_dream_is_404(client, db):
    assert client.get("/dreams/999999/").status_code == 404


def test_narratives_are_sanitised(client, make_dream, user):
    dream = make_dream(
        user,
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">',
    )
    client.force_login(user)
    html = client.get(dream.get_absolute_url()).content.decode()
    body = html.split('class="dream__body', 1)[1]
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert "onerror" not in body


def test_the_gallery_query_count_does_not_grow_with_dreams(
    client, make_dream, user, django_assert_max_num_queries
):
    for i in range(3):
        make_dream(user, title=f"d{i}", visibility=Dream.Visibility.SHARED, tags=["x"])
    with django_assert_max_num_queries(6) as few:
        client.get("/")
    for i in range(10):
        make_dream(user, title=f"e{i}", visibility=Dream.Visibility.SHARED, tags=["y"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_a_warm_gallery_costs_at_most_four_queries_logged_in_and_one_anonymous(
    client, make_dream, user, django_assert_max_num_queries
):
    from dreams.views.browse import PAGE_SIZE

    for i in range(PAGE_SIZE + 1):
        make_dream(user, title=f"w{i}", visibility=Dream.Visibility.SHARED, tags=["tide"])
    for viewer, most in ((None, 1), (user, 4)):
        if viewer:
            client.force_login(viewer)
        client.get("/")  # counts, cards and menus are built once per change, then kept
        with django_assert_max_num_queries(most):
            page = client.get("/")
        assert page.content.decode().count('<article class="dream-card') == PAGE_SIZE
        assert f"{PAGE_SIZE + 1} dreams" in page.content.decode()


def test_cached_cards_follow_every_change_of_a_dream(client, make_dream, user, other_user):
    from dreams import entries

    shared = Dream.Visibility.SHARED
    keep = make_dream(user, title="Lighthouse", visibility=shared)
    theirs = make_dream(other_user, title="Orchard", visibility=shared)
    make_dream(user, title="Latest", visibility=shared)  # the newest change is not theirs

    def titles() -> str:
        return client.get("/").content.decode()

    assert "Orchard" in titles() and "Lighthouse" in titles()
    entries.trash(keep)
    assert "Lighthouse" not in titles()
    entries.restore(keep)
    assert "Lighthouse" in titles()
    keep.visibility = Dream.Visibility.PRIVATE
    entries.save_dream(keep)
    assert "Lighthouse" not in titles()
    other_user.delete()  # the account, and its dreams, deleted outright
    assert "Orchard" not in titles()
    assert not Dream.objects.filter(pk=theirs.pk).exists()


def test_renaming_a_tag_renews_the_cards_that_show_it(client, make_dream, user):
    from dreams import vocabulary
    from dreams.models import Tag

    make_dream(user, title="Tidal", visibility=Dream.Visibility.SHARED, tags=["tide"])
    assert "#tide" in client.get("/").content.decode()
    vocabulary.rename_tag(Tag.objects.get(owner=user, normalised="tide"), "undertow")
    body = client.get("/").content.decode()
    assert "#undertow" in body and "#tide" not in body


def test_the_gallery_answers_htmx_with_its_fragment(client, seeds):
    page = client.get("/?motif=hummingbird")
    fragment = client.get(
        "/?motif=hummingbird", headers={"HX-Request": "true", "HX-Target": "gallery"}
    )
    assert "<html" in page.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and 'id="gallery"' in body
    assert "HX-Request" in fragment["Vary"]
    assert body.count('<article class="dream-card') == page.content.decode().count(
        '<article class="dream-card'
    )


def test_infinite_scroll_gets_just_the_next_cards(client, make_dream, user):
    for i in range(30):
        make_dream(user, title=f"Night {i:02}", visibility=Dream.Visibility.SHARED)
    first = client.get("/").content.decode()
    assert first.count('<article class="dream-card') == 24
    assert 'id="more"' in first and 'rel="next"' in first
    more = client.get("/?page=2", headers={"HX-Request": "true", "HX-Target": "more"})
    body = more.content.decode()
    assert body.count('<article class="dream-card') == 6
    assert 'id="gallery"' not in body and 'id="more"' not in body


def test_filters_flags_dates_tags_and_sorts(client, make_dream, user):
    import datetime

    shared = Dream.Visibility.SHARED
    make_dream(user, title="Lucid flight", lucid=True, visibility=shared, vividness=2,
               dreamt_on=datetime.date(2026, 1, 5), tags=["Work"])  # fmt: skip
    make_dream(user, title="Dark hall", nightmare=True, visibility=shared, vividness=5,
               dreamt_on=datetime.date(2026, 3, 1))  # fmt: skip
    make_dream(user, title="No date", visibility=shared)

    def titles(query):
        response = client.get("/?" + query)
        return [card.title for card in response.context["page"].object_list]

    assert titles("") == ["Dark hall", "Lucid flight", "No date"]
    assert titles("sort=oldest") == ["Lucid flight", "Dark hall", "No date"]
    assert titles("sort=vivid") == ["Dark hall", "Lucid flight", "No date"]
    assert titles("lucid=yes") == ["Lucid flight"]
    assert titles("nightmare=no") == ["Lucid flight", "No date"]
    assert titles("start=2026-02-01") == ["Dark hall"]
    assert titles("end=2026-02-01") == ["Lucid flight"]
    assert titles("tag=work") == ["Lucid flight"]
    assert titles("tag=WORK ") == ["Lucid flight"]


@pytest.mark.parametrize(
    "query", ["motif=no-such-motif", "lucid=maybe", "start=yesterday", "sort=random", "tag=nope"]
)
def test_unknown_filter_values_are_ignored_with_a_note(client, seeds, query):
    response = client.get("/?" + query)
    assert response.status_code == 200
    assert response.context["filters"].notes
    assert len(response.context["page"].object_list) == 5
    assert "Ignored" in response.content.decode()


def test_my_journal_shows_only_my_dreams_private_and_shared(client, make_dream, user, other_user):
    make_dream(user, title="My private")
    make_dream(user, title="My shared", visibility=Dream.Visibility.SHARED)
    make_dream(other_user, title="Their shared", visibility=Dream.Visibility.SHARED)
    make_dream(other_user, title="Their private")
    client.force_login(user)
    mine = [d.title for d in client.get("/?scope=mine").context["page"].object_list]
    assert sorted(mine) == ["My private", "My shared"]
    gallery = [d.title for d in client.get("/").context["page"].object_list]
    assert sorted(gallery) == ["My shared", "Their shared"]
    client.logout()
    response = client.get("/?scope=mine")
    assert "Log in to see your own journal" in response.content.decode()


def test_the_dream_page_links_newer_older_and_related_dreams(client, make_dream, user):
    import datetime

    shared = Dream.Visibility.SHARED
    old = make_dream(user, title="Old", visibility=shared, dreamt_on=datetime.date(2025, 1, 1),
                     body="A mirror on a staircase.")  # fmt: skip
    mid = make_dream(user, title="Mid", visibility=shared, dreamt_on=datetime.date(2025, 6, 1),
                     body="A mirror in the sea.")  # fmt: skip
    new = make_dream(user, title="New", visibility=shared, dreamt_on=datetime.date(2026, 1, 1),
                     body="A mirror, a staircase, a feather.")  # fmt: skip
    response = client.get(mid.get_absolute_url())
    assert response.context["newer"] == new and response.context["older"] == old
    assert response.context["related"][0] in {old, new}
    assert client.get(new.get_absolute_url()).context["newer"] is None
    assert client.get(old.get_absolute_url()).context["older"] is None
    related = client.get(old.get_absolute_url()).context["related"]
    assert related[0] == new  # shares mirror and staircase


def test_covers_are_svg_with_an_etag_and_cache_headers(client, seeds):
    dream = seeds[0]
    url = f"/dreams/{dream.pk}/cover.svg"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url).content == response.content  # deterministic


def test_a_private_cover_is_404_to_others_and_private_to_caches(
    client, make_dream, user, other_user
):
    dream = make_dream(user, body="A crimson door.")
    url = f"/dreams/{dream.pk}/cover.svg"
    assert client.get(url).status_code == 404
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_the_dream_page_query_count_is_fixed(
    client, make_dream, user, django_assert_max_num_queries
):
    for i in range(8):
        make_dream(user, title=f"n{i}", visibility=Dream.Visibility.SHARED, tags=["a", "b"])
    dream = make_dream(user, visibility=Dream.Visibility.SHARED, tags=["a"])
    with django_assert_max_num_queries(8):
        assert client.get(dream.get_absolute_url()).status_code == 200


def test_a_warm_dream_page_costs_at_most_five_queries(
    client, make_dream, user, other_user, django_assert_max_num_queries
):
    for i in range(8):
        make_dream(user, title=f"n{i}", visibility=Dream.Visibility.SHARED,
                   body="A mirror in the hall, a staircase down to the sea.")  # fmt: skip
    dream = make_dream(user, visibility=Dream.Visibility.SHARED, tags=["a"],
                       body="The mirror again, and the sea under the staircase.")  # fmt: skip
    # Anonymous: the dream and the stamp of what it can read; another reader adds the session
    # and the user; the author also gets the menu of earlier dreams this one may repeat.
    for viewer, most in ((None, 2), (other_user, 4), (user, 5)):
        if viewer:
            client.force_login(viewer)
        first = client.get(dream.get_absolute_url()).content.decode()
        with django_assert_max_num_queries(most):
            again = client.get(dream.get_absolute_url()).content.decode()
        assert _without_tokens(again) == _without_tokens(first)
        assert "Dreams that share its motifs" in again and 'class="chip chip--motif"' in again


def _without_tokens(html: str) -> str:
    """A page with its CSRF tokens (masked anew for every response) blanked out."""
    import re

    return re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", html)


def test_a_motif_removed_by_hand_from_one_dream_hides_nothing_else(client, make_dream, user):
    from dreams.models import DreamMotif

    shared = Dream.Visibility.SHARED
    a = make_dream(user, title="A", visibility=shared, body="A mirror and an eye.")
    b = make_dream(user, title="B", visibility=shared, body="A mirror and an eye.")
    a.motif_links.filter(motif__slug="eye").update(status=DreamMotif.Status.REMOVED)
    titles = [d.title for d in client.get("/?motif=mirror").context["page"].object_list]
    assert sorted(titles) == ["A", "B"]
    assert [d.title for d in client.get("/?motif=eye").context["page"].object_list] == ["B"]
    import re

    html = str(client.get("/").context["motif_options"])
    options = {slug: int(n) for slug, n in re.findall(r'value="([^"]+)">[^<]* \((\d+)\)', html)}
    assert options["eye"] == 1 and options["mirror"] == 2
    assert client.get(b.get_absolute_url()).context["related"] == [a]


def test_head_requests_and_bad_pages(client, seeds):
    assert client.head("/healthz").status_code == 200
    assert client.head("/").status_code == 200
    assert client.get("/?page=999").status_code == 404
    assert client.get("/?page=abc").status_code == 404
    missing = client.get("/dreams/999999/")
    assert missing.status_code == 404 and "not yours to read" in missing.content.decode()


def test_the_built_in_account_name_is_reserved(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "Somnia",
            "password1": "moths at the window 9",
            "password2": "moths at the window 9",
        },
    )
    assert response.status_code == 200 and "taken" in response.content.decode()
