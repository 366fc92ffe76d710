"""Writing through the test client: new entries, edits, conflicts, drafts, the trash."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

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
    assert 'value="private" id="id_visibility_0" checked' in html or "checked" in html


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


def test_a_stale_edit_never_overwrites_and_the_choice_keeps_both_texts(writer, user, make_dream):
    dream = make_dream(user, title="Original", body="The first words.")
    opened_at = dream.version
    # Another tab saves first.
    writer.post(
        reverse("dreams:edit", args=[dream.pk]),
        entry(title="From tab A", body="Tab A's words.", version=str(opened_at)),
    )
    data = entry(title="From tab B", body="Tab B's words.", version=str(opened_at))
    response = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Tab A&#x27;s words." in html and "Tab B&#x27;s words." in html
    dream.refresh_from_db()
    assert dream.body == "Tab A's words."  # not overwritten
    assert Draft.objects.filter(key=data["draft_key"]).exists()  # B's words are safe already

    response = writer.post(
        reverse("dreams:resolve", args=[dream.pk]), {"keep": "mine", "draft_key": data["draft_key"]}
    )
    assert response.status_code == 302
    dream.refresh_from_db()
    assert dream.body == "Tab B's words."
    copy = Dream.objects.get(conflict_of=dream)
    assert copy.body == "Tab A's words." and copy.visibility == Dream.Visibility.PRIVATE
    assert "conflict copy" in copy.title
    assert not Draft.objects.filter(key=data["draft_key"]).exists()


def test_keeping_the_saved_version_keeps_mine_as_the_conflict_copy(writer, user, make_dream):
    dream = make_dream(user, body="Saved words.")
    entries.save_edit(dream, changes={"body": "Newer saved words."}, tags=[], base_version=1)
    data = entry(body="My stale words.", version="1")
    writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    writer.post(
        reverse("dreams:resolve", args=[dream.pk]),
        {"keep": "saved", "draft_key": data["draft_key"]},
    )
    dream.refresh_from_db()
    assert dream.body == "Newer saved words."
    assert Dream.objects.get(conflict_of=dream).body == "My stale words."


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
    assert page.context["draft_offer"] == draft
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


def test_the_trash_forgets_after_thirty_days(user, make_dream):
    old = make_dream(user)
    recent = make_dream(user)
    now = timezone.now()
    Dream.objects.filter(pk=old.pk).update(deleted_at=now - datetime.timedelta(days=31))
    Dream.objects.filter(pk=recent.pk).update(deleted_at=now - datetime.timedelta(days=29))
    assert entries.purge_trash(now=now) >= 1
    assert list(Dream.objects.all()) == [recent]


def test_a_conflict_copy_keeps_every_detail_of_the_losing_side(writer, user, make_dream):
    dream = make_dream(user, body="Saved words.", dreamt_on=datetime.date(2026, 1, 1))
    entries.save_edit(dream, changes={"body": "Newer saved words."}, tags=[], base_version=1)
    data = entry(body="My stale words.", version="1", dreamt_on="2025-10-05", vividness="5",
                 nightmare="on", mood="frightened")  # fmt: skip
    page = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert "nightmare" in page.content.decode() and "5 Oct 2025" in page.content.decode()
    writer.post(reverse("dreams:resolve", args=[dream.pk]),
                {"keep": "saved", "draft_key": data["draft_key"]})  # fmt: skip
    copy = Dream.objects.get(conflict_of=dream)
    assert copy.body == "My stale words." and copy.nightmare and copy.vividness == 5
    assert copy.dreamt_on == datetime.date(2025, 10, 5) and copy.mood == "frightened"


def test_an_edit_without_its_version_is_a_conflict_not_an_overwrite(writer, user, make_dream):
    dream = make_dream(user, body="Keep me.")
    data = entry(body="Blind overwrite.")
    data.pop("version", None)
    assert writer.post(reverse("dreams:edit", args=[dream.pk]), data).status_code == 409
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


def test_the_purge_command(user, make_dream):
    from io import StringIO

    from django.core.management import call_command

    old = make_dream(user)
    Dream.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=40))
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert not Dream.objects.filter(pk=old.pk).exists() and "Removed" in out.getvalue()
