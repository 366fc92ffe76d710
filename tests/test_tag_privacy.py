"""Tags are the writer's own labels: a shared dream shows others its motifs, not its tags,
unless the writer ticks "Show my tags" for that dream."""

import io
import json

import pytest
from django.test import Client

from dreams import exporting, search
from dreams.importing import saving
from dreams.importing.files import read_file
from dreams.models import Dream

TAG = "grandmothershouse"  # a word found nowhere else, so any leak is unambiguous
BODY = "A feather fell past the mirror in the hall and a cat watched it land."


@pytest.fixture
def shared(user, make_dream):
    return make_dream(
        user, title="The hall", body=BODY, tags=[TAG], visibility=Dream.Visibility.SHARED
    )


def _client(who=None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(who)
    return client


def _pages(dream) -> list[str]:
    return [
        "/",
        f"/?tag={TAG}",
        dream.get_absolute_url(),
        "/motifs/feather/",
        f"/search/?q={TAG}",
        f"/search/?q=tag:{TAG}",
        "/search/?q=feather",
    ]


@pytest.mark.parametrize("viewer", ["anonymous", "other"])
def test_others_never_see_a_shared_dreams_hidden_tags(shared, other_user, viewer):
    client = _client(other_user if viewer == "other" else None)
    for url in _pages(shared):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"#{TAG}" not in html and f"tag={TAG}&" not in html, url  # no chip, no link
    # The motifs still show, and neither the tag filter nor search find the dream by its tag.
    assert "Feather" in client.get("/").content.decode()
    assert search.search(user=client.get("/").wsgi_request.user, text=TAG).count == 0
    # The filter answers as for a tag nobody has: ignored, with the same note.
    assert "no dream here has that tag" in client.get(f"/?tag={TAG}").content.decode()
    found = client.get(f"/search/?q=tag:{TAG}").content.decode()
    assert "0 dreams" in found


def test_the_writer_sees_their_own_tags_and_finds_the_dream_by_them(shared, user):
    client = _client(user)
    page = client.get(shared.get_absolute_url()).content.decode()
    assert f"#{TAG}" in page and "Only you see these tags" in page
    assert f"#{TAG}" in client.get("/?scope=mine").content.decode()
    assert f"#{TAG}" in client.get("/motifs/feather/").content.decode()
    # The public gallery shows them the card as everyone sees it.
    assert f"#{TAG}" not in client.get("/").content.decode()
    assert search.search(user=user, text=f"tag:{TAG}").count == 1
    assert shared.title in client.get(f"/?scope=mine&tag={TAG}").content.decode()


def test_show_my_tags_shows_them_to_everyone(shared, other_user, make_dream, user):
    shared.show_tags = True
    from dreams import entries

    entries.save_dream(shared, tags=[TAG])
    client = _client(other_user)
    assert f"#{TAG}" in client.get("/").content.decode()
    page = client.get(shared.get_absolute_url()).content.decode()
    assert f"#{TAG}" in page and "Only you see" not in page
    assert search.search(user=other_user, text=TAG).count == 1
    assert search.search(user=other_user, text=f"tag:{TAG}").count == 1
    assert shared.title in client.get(f"/?tag={TAG}").content.decode()


def test_a_private_dreams_tags_are_searchable_by_its_writer(user, make_dream):
    make_dream(user, body=BODY, tags=[TAG])
    assert search.search(user=user, text=TAG).count == 1


def test_the_form_offers_show_my_tags_beside_who_can_read_it(user):
    client = _client(user)
    page = client.get("/dreams/new/").content.decode()
    fieldset = page[page.index("<legend>Who can read it</legend>") :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert 'name="show_tags"' in fieldset and "Show my tags" in fieldset
    response = client.post(
        "/dreams/new/",
        {"body": BODY, "tags": TAG, "visibility": "shared", "show_tags": "on"},
    )
    assert response.status_code == 302
    dream = Dream.objects.get(owner=user)
    assert dream.show_tags
    edit = client.get(f"/dreams/{dream.pk}/edit/").content.decode()
    assert 'name="show_tags" id="id_show_tags" aria-describedby="id_show_tags-help" checked' in edit


def test_export_and_import_keep_the_choice(shared, make_user):
    Dream.objects.filter(pk=shared.pk).update(show_tags=True)
    raw = b"".join(exporting.export_json(shared.owner))
    assert json.loads(raw)["dreams"][0]["show_tags"] is True
    other = make_user()
    saving.apply(owner=other, plan=read_file(name="export.json", opener=lambda: io.BytesIO(raw)))
    assert Dream.objects.get(owner=other).show_tags is True
