"""Writing through the test client: new entries, edits, conflicts, drafts, the trash."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from dreams import entries
from dreams.models import Draft, Dream


def entry(**overrides) -> dict:
    data = {
        "title": "",
        "body": "I climbed a staircase of mirrors toward a silver moon.",
        "dreamt_on": "2026-11-20",
        "mood": "curious",
        "vividness": "4",
        "tags": "stairs, Non - Lucid",
        "visibility": "private",
        "lucid": "on",
        "draft_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def writer(client, user):
    client.force_login(user)
    return client


def test_the_new_entry_form_focuses_the_narrative_and_defaults_to_today(writer):
    response = writer.get(reverse("dreams:new"))
    html = response.content.decode()
    assert 'name="title"' in html and "autofocus" in html.split('name="body"')[1][:400]
    assert timezone.localdate().isoformat() in html
    radio = '<input type="radio" name="visibility" value="{}" id="id_visibility_{}" required{}>'
    assertContains(response, radio.format("private", 0, " checked"), html=True, count=1)
    assertContains(response, radio.format("shared", 1, ""), html=True, count=1)


def test_saving_a_new_dream_redirects_to_its_page_with_everything_kept(writer, user):
    data = entry()
    response = writer.post(reverse("dreams:new"), data)
    dream = Dream.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == dream.get_absolute_url()
    assert dream.title  # derived from the text
    assert dream.dreamt_on == datetime.date(2026, 11, 20)
    assert dream.lucid and not dream.nightmare and dream.vividness == 4 and dream.mood == "curious"
    assert dream.visibility == Dream.Visibility.PRIVATE
    assert sorted(t.normalised for t in dream.tags.all()) == ["non-lucid", "stairs"]
    assert {"staircase", "mirror"} <= {m.slug for m in dream.shown_motifs}
    assert not Draft.objects.filter(key=data["draft_key"]).exists()
    page = writer.get(dream.get_absolute_url()).content.decode()
    assert "Saved." in page and data["draft_key"] in page  # the browser may forget its copy


def test_undated_is_allowed(writer, user):
    writer.post(reverse("dreams:new"), entry(undated="on"))
    assert Dream.objects.get(owner=user).dreamt_on is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "t" * 10_000}, "title", "at most 200"),
        ({"body": "   "}, "body", "Write a few words"),
        ({"dreamt_on": "2999-01-01"}, "dreamt_on", "in the future"),
        ({"tags": "ok, " + "x" * 500}, "tags", "at most 64"),
        ({"vividness": "9"}, "vividness", "from 1 (faint) to 5"),
        ({"dreamt_on": "not a date"}, "dreamt_on", "Enter a valid date"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_nothing_typed_is_lost(
    writer, user, overrides, field, message
):
    data = entry(**overrides)
    response = writer.post(reverse("dreams:new"), data)
    assert response.status_code == 422
    assert not Dream.objects.exists()
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    for name in ("title", "body", "tags"):
        assert data[name][:200] in html  # everything typed is still in the form
    draft = Draft.objects.get(owner=user)
    assert draft.body == data["body"] and draft.title == data["title"]


def test_editing_bumps_the_version_and_keeps_motifs(writer, user, make_dream):
    dream = make_dream(user, body="A mirror.")
    data = entry(title="Changed", body="A mirror and a feather.", version=str(dream.version))
    response = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert response.status_code == 302
    dream.refresh_from_db()
    assert dream.title == "Changed" and dream.version == 2
    assert {"mirror", "feather"} <= {m.slug for m in dream.shown_motifs}


def test_autosave_keeps_a_draft_per_form_and_the_form_offers_it_back(writer, user):
    key = str(uuid.uuid4())
    response = writer.post(
        reverse("dreams:autosave_new"),
        {"draft_key": key, "title": "", "body": "Half a dream about a wolf", "lucid": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    assert "<html" not in response.content.decode()
    draft = Draft.objects.get(owner=user, key=key)
    assert draft.body == "Half a dream about a wolf" and draft.fields["lucid"] is True
    page = writer.get(reverse("dreams:new"))
    assert [d.key for d in page.context["unsaved"]] == [draft.key]
    assert page.context["here_drafts"][0]["body"] == "Half a dream about a wolf"
    restored = writer.get(reverse("dreams:new") + f"?draft={key}")
    html = restored.content.decode()
    assert "Half a dream about a wolf" in html and key in html
    # Drafts never show in the gallery.
    assert not Dream.objects.exists()
    assert "wolf" not in writer.get("/?scope=mine").content.decode()


def test_autosave_keeps_words_around_a_pasted_nul_on_either_database(writer, user):
    key = str(uuid.uuid4())
    response = writer.post(
        reverse("dreams:autosave_new"),
        {"draft_key": key, "title": "Ti\x00de", "body": "A wolf\x00 at the door", "mood": "\x00"},
    )
    assert response.status_code == 200
    draft = Draft.objects.get(owner=user, key=key)
    assert (draft.title, draft.body) == ("Tide", "A wolf at the door")


def test_autosave_without_a_session_answers_401_and_changes_nothing(client, db):
    response = client.post(
        reverse("dreams:autosave_new"), {"draft_key": str(uuid.uuid4()), "body": "words"}
    )
    assert response.status_code == 401
    assert not Draft.objects.exists()


def test_discarding_a_draft(writer, user):
    key = uuid.uuid4()
    entries.save_draft(owner=user, key=key, dream=None, title="", body="x", fields={})
    writer.post(reverse("dreams:discard_draft", args=[key]))
    assert not Draft.objects.exists()


def test_preview_renders_sanitised_markdown(writer):
    response = writer.post(reverse("dreams:preview"), {"body": "*soft* <script>alert(1)</script>"})
    html = response.content.decode()
    assert "<em>soft</em>" in html and "<script" not in html and "<html" not in html


def test_tag_suggestions_come_from_my_tags_only(writer, user, other_user, make_dream):
    make_dream(user, tags=["work", "water", "family"])
    make_dream(other_user, tags=["wanderlust"])
    html = writer.get(reverse("dreams:tag_suggestions"), {"tags": "family, w"}).content.decode()
    assert "work" in html and "water" in html
    assert "wanderlust" not in html and 'data-add-tag="family"' not in html


def test_tag_suggestions_match_what_was_typed_spelled_any_way(writer, user, make_dream):
    make_dream(user, tags=["non-lucid", "nocturne", "stairs"])
    response = writer.get(reverse("dreams:tag_suggestions"), {"tags": "stairs, Non - Lu"})
    assertContains(response, 'data-add-tag="non-lucid"', count=1)
    assertNotContains(response, 'data-add-tag="nocturne"')


def test_tag_suggestions_leave_out_tags_already_chosen_in_another_spelling(
    writer, user, make_dream
):
    make_dream(user, tags=["non-lucid", "nocturne"])
    response = writer.get(reverse("dreams:tag_suggestions"), {"tags": "Non – Lucid, n"})
    assertContains(response, 'data-add-tag="nocturne"', count=1)
    assertNotContains(response, 'data-add-tag="non-lucid"')


def test_delete_asks_first_then_trash_keeps_it_restorable(writer, user, make_dream):
    dream = make_dream(user, title="To the trash", visibility=Dream.Visibility.SHARED)
    page = writer.get(reverse("dreams:delete", args=[dream.pk]))
    assert "Move to the trash" in page.content.decode()
    assert Dream.objects.visible_to(user).filter(pk=dream.pk).exists()
    writer.post(reverse("dreams:delete", args=[dream.pk]))
    assert not Dream.objects.visible_to(user).filter(pk=dream.pk).exists()
    assert writer.get(dream.get_absolute_url()).status_code == 404
    assert "To the trash" in writer.get(reverse("dreams:trash")).content.decode()
    writer.post(reverse("dreams:restore", args=[dream.pk]))
    assert writer.get(dream.get_absolute_url()).status_code == 200


def test_the_trash_page_deletes_nothing_and_shows_only_what_is_restorable(writer, user, make_dream):
    expired = make_dream(user, title="Long gone")
    recent = make_dream(user, title="Still here")
    now = timezone.now()
    Dream.objects.filter(pk=expired.pk).update(deleted_at=now - datetime.timedelta(days=31))
    Dream.objects.filter(pk=recent.pk).update(deleted_at=now - datetime.timedelta(days=29))
    response = writer.get(reverse("dreams:trash"))
    assertContains(response, "<strong>Still here</strong>", html=True, count=1)
    assertNotContains(response, "Long gone")
    assert Dream.objects.filter(pk=expired.pk).exists()  # purge_trash alone deletes
    assert writer.post(reverse("dreams:restore", args=[expired.pk])).status_code == 404
    assert writer.post(reverse("dreams:restore", args=[recent.pk])).status_code == 302
    assert Dream.objects.alive().filter(pk=recent.pk).exists()


def test_an_edit_without_its_version_is_a_conflict_not_an_overwrite(writer, user, make_dream):
    dream = make_dream(user, body="Keep me.")
    data = entry(body="Blind overwrite.")
    data.pop("version", None)
    asked = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert asked["Location"].startswith(reverse("dreams:merge", args=[dream.pk]))
    dream.refresh_from_db()
    assert dream.body == "Keep me."


def test_an_expired_form_says_nothing_was_lost(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("dreams:new"), entry())
    assert response.status_code == 403
    assert "your words are still kept" in response.content.decode()
    assert not Dream.objects.exists()


def test_an_expired_fragment_says_what_is_known_without_guessing(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/dreams/new/"}
    response = client.post(reverse("dreams:new"), entry(), headers=headers)
    assert response.status_code == 403
    line = response.content.decode()
    assert "This page has expired (your session changed since it was opened)" in line
    assert "?" not in line.split("<a")[0]  # no guess at why
    assert '<a href="/dreams/new/">Reload the form</a> and it offers them back whole.' in line
