import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from dreams.models import Dream
from dreams.views.browse import PAGE_SIZE


@pytest.fixture
def seeds(db):
    call_command("import_seeds", verbosity=0, stdout=io.StringIO())
    return list(Dream.objects.filter(source="seed"))


def test_healthz_touches_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_gallery_lists_the_seed_dreams_by_title(client, seeds, card_titles):
    response = client.get(reverse("dreams:gallery"))
    assert sorted(card_titles(response)) == sorted(dream.title for dream in seeds)
    for dream in seeds:
        assertContains(response, f'href="{dream.get_absolute_url()}"', count=1)
    assertNotContains(response, "I am dreaming")  # openings skip the preamble


def test_a_dream_page_shows_the_narrative_to_its_last_words(client, make_dream, user):
    body = (
        "A lift and a mirror.\n\n"
        + "The corridor went on. " * 80
        + "Then the stairs ended in the sea."
    )
    dream = make_dream(user, title="The lift", visibility=Dream.Visibility.SHARED, body=body)
    response = client.get(dream.get_absolute_url())
    assertContains(response, '<h1 id="dream-title" class="dream__title">The lift</h1>', html=True)
    shown = response.content.decode().split('class="dream__body prose">', 1)[1].split("</div>")[0]
    words = " ".join(strip_tags(shown).split())
    assert words.startswith("A lift and a mirror.") and words.endswith("ended in the sea.")


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
    # Shown as typed, so the words are there as escaped text; never as a tag or an attribute.
    assert "<script" not in body and "<img" not in body and "&lt;script&gt;alert" in body
    assert not re.search(r"""(href|src)=["']?\s*javascript:""", body)
    assert not re.search(r"<[^>]*\son\w+=", body)


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
    client, make_dream, user, django_assert_max_num_queries, card_titles
):
    for i in range(PAGE_SIZE + 1):
        make_dream(user, title=f"w{i}", visibility=Dream.Visibility.SHARED, tags=["tide"])
    for viewer, most in ((None, 1), (user, 4)):
        if viewer:
            client.force_login(viewer)
        client.get("/")  # counts, cards and menus are built once per change, then kept
        with django_assert_max_num_queries(most):
            page = client.get("/")
        assert len(card_titles(page)) == PAGE_SIZE
        assertContains(page, f"{PAGE_SIZE + 1} dreams")


def test_cached_cards_follow_every_change_of_a_dream(
    client, make_dream, user, other_user, card_titles
):
    from dreams import entries

    shared = Dream.Visibility.SHARED
    keep = make_dream(user, title="Lighthouse", visibility=shared)
    theirs = make_dream(other_user, title="Orchard", visibility=shared)
    make_dream(user, title="Latest", visibility=shared)  # the newest change is not theirs

    def titles() -> list[str]:
        return card_titles(client.get("/"))

    assert titles() == ["Latest", "Orchard", "Lighthouse"]
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

    make_dream(
        user, title="Tidal", visibility=Dream.Visibility.SHARED, show_tags=True, tags=["tide"]
    )
    assert "#tide" in client.get("/").content.decode()
    vocabulary.rename_tag(Tag.objects.get(owner=user, normalised="tide"), "undertow")
    response = client.get("/")
    chip = '<a class="chip chip--tag" href="/?tag=undertow">#undertow</a>'
    assertContains(response, chip, html=True, count=1)
    assertNotContains(response, "#tide")


def test_the_gallery_answers_htmx_with_its_fragment(seeds, fetch_both, card_titles):
    page, fragment = fetch_both("/", {"motif": "hummingbird"}, target="gallery")
    with_hummingbird = [d.title for d in seeds if d.motif_links.filter(motif__slug="hummingbird")]
    assert with_hummingbird and card_titles(page) == card_titles(fragment) == with_hummingbird
    assertContains(fragment, 'id="gallery"', count=1)


def test_infinite_scroll_gets_just_the_next_cards(
    client, make_dream, user, fetch_both, card_titles
):
    for i in range(30):
        make_dream(user, title=f"Night {i:02}", visibility=Dream.Visibility.SHARED)
    first = client.get("/")
    assert card_titles(first) == [f"Night {i:02}" for i in range(29, 5, -1)]
    assertContains(first, 'id="more"', count=1)
    assertContains(first, 'rel="next"', count=1)
    page, more = fetch_both("/", {"page": 2}, target="more")
    assert card_titles(more) == card_titles(page) == [f"Night {i:02}" for i in range(5, -1, -1)]
    assertNotContains(more, 'id="gallery"')
    assertNotContains(more, 'id="more"')


def test_filters_flags_dates_tags_and_sorts(client, make_dream, user):
    import datetime

    shared = Dream.Visibility.SHARED
    make_dream(user, title="Lucid flight", lucid=True, visibility=shared, vividness=2,
               dreamt_on=datetime.date(2026, 1, 5), tags=["Work"], show_tags=True)  # fmt: skip
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
    assert response["Cache-Control"] == "public, no-cache"
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
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache"


def test_the_dream_page_query_count_is_fixed(
    client, make_dream, user, django_assert_max_num_queries
):
    for i in range(8):
        make_dream(user, title=f"n{i}", visibility=Dream.Visibility.SHARED, tags=["a", "b"])
    dream = make_dream(user, visibility=Dream.Visibility.SHARED, tags=["a"])
    # ... one of them the author's own words for the motifs marked in the text.
    with django_assert_max_num_queries(9):
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
    options = {slug: n for slug, _, n in client.get("/").context["motif_options"]}
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


def test_only_the_author_sees_a_dreams_edit_and_thread_controls(
    client, make_dream, user, other_user
):
    dream = make_dream(user, title="Shared lift", visibility=Dream.Visibility.SHARED)
    edit = f'<a class="button" href="/dreams/{dream.pk}/edit/">Edit</a>'
    thread_form = f'action="/dreams/{dream.pk}/recurs/"'
    for viewer in (None, other_user):
        if viewer:
            client.force_login(viewer)
        response = client.get(dream.get_absolute_url())
        assertNotContains(response, edit, html=True)
        assertNotContains(response, thread_form)
    client.force_login(user)
    response = client.get(dream.get_absolute_url())
    assertContains(response, edit, html=True, count=1)
    assertContains(response, thread_form, count=1)
    assertContains(
        response, '<h1 id="dream-title" class="dream__title">Shared lift</h1>', html=True
    )


def test_the_heading_names_the_scope(client, user, fetch_both):
    client.force_login(user)
    for query, heading in (({}, "Gallery"), ({"scope": "mine"}, "My journal")):
        page, fragment = fetch_both("/", query, target="gallery")
        assertContains(page, f"<title>{heading} · Somnia</title>", html=True)
        for response in (page, fragment):
            assertContains(response, f'<h1 id="gallery-heading">{heading}</h1>', html=True)
