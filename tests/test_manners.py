"""Words and small manners: sentences, plurals, asking before deleting, saying goodbye."""

import io

import pytest
from django.test import Client

from dreams.importing.files import read_file
from dreams.importing.plan import BadImport
from dreams.models import Dream, Tag


def test_deleting_a_tag_asks_first_and_names_its_dreams(client, user, make_dream):
    make_dream(user, tags=["work"])
    make_dream(user, tags=["work", "family"])
    client.force_login(user)
    tag = Tag.objects.get(owner=user, normalised="work")
    listing = client.get("/tags/").content.decode()
    assert f'href="/tags/{tag.pk}/delete/"' in listing  # a link to the question, not a POST
    asked = client.get(f"/tags/{tag.pk}/delete/").content.decode()
    assert "Delete the tag “work”?" in asked
    assert "2 dreams have this tag. They stay in your journal, without it." in asked
    assert Tag.objects.filter(pk=tag.pk).exists()
    response = client.post(f"/tags/{tag.pk}/delete/", follow=True)
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert "Deleted the tag “work”" in response.content.decode()
    assert Dream.objects.filter(owner=user).count() == 2


def test_someone_elses_tag_has_no_delete_page(client, user, other_user, make_dream):
    make_dream(user, tags=["work"])
    client.force_login(other_user)
    tag = Tag.objects.get(owner=user)
    assert client.get(f"/tags/{tag.pk}/delete/").status_code == 404
    assert client.post(f"/tags/{tag.pk}/delete/").status_code == 404


def test_logging_out_asks_then_says_so(client, user):
    client.force_login(user)
    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200 and "Log out?" in asked.content.decode()
    assert "data-unsaved-warning" in asked.content.decode()
    done = client.post("/accounts/logout/", follow=True)
    assert "You are logged out." in done.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/logout/").status_code == 302  # nothing to ask a visitor


def test_a_note_after_a_colon_goes_on_in_lower_case(client, db):
    html = client.get("/?start=yesterday").content.decode()
    assert "Ignored the start date “yesterday”: that is not a date Somnia can read" in html


@pytest.mark.parametrize("raw", [b"{", b'{"format": "somnia-export", "version": 99}'])
def test_an_import_error_is_a_sentence(raw):
    with pytest.raises(BadImport) as error:
        read_file(name="dreams.json", opener=lambda: io.BytesIO(raw))
    message = str(error.value)
    assert message.endswith(".") and not message.endswith("..")


def test_found_as_has_no_space_before_its_full_stop(user, make_dream):
    make_dream(user, body="A feather, then feathers.", visibility=Dream.Visibility.SHARED)
    html = Client().get("/motifs/feather/").content.decode()
    found = html[html.index("Found as:") :]
    found = found[: found.index("</p>")]
    assert found.endswith("</q>.") or found.endswith("</q> ×2."), found


def test_a_refused_rename_says_so_in_one_sentence(client, user, make_dream):
    make_dream(user, tags=["work"])
    client.force_login(user)
    tag = Tag.objects.get(owner=user)
    html = client.post(f"/tags/{tag.pk}/rename/", {"name": "  "}, follow=True).content.decode()
    assert "Kept the tag “work”: a tag needs a name." in html
