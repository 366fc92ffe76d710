"""A dream's history: every save kept, differences shown, any version restored."""

import uuid

import pytest
from django.urls import reverse

from dreams import entries, versions
from dreams.models import Draft, Dream, DreamVersion


def form(**overrides) -> dict:
    data = {
        "title": "The flooded house",
        "body": "I was in a house. Water rose. I woke.",
        "dreamt_on": "2026-11-20",
        "tags": "water, house",
        "visibility": "private",
        "draft_key": str(uuid.uuid4()),
    }
    return data | overrides


@pytest.fixture
def writer(client, user):
    client.force_login(user)
    return client


def write(writer, **fields) -> Dream:
    writer.post(reverse("dreams:new"), form(**fields))
    return Dream.objects.latest("pk")


def edit(writer, dream, **fields):
    dream.refresh_from_db()
    return writer.post(
        reverse("dreams:edit", args=[dream.pk]), form(version=str(dream.version), **fields)
    )


def test_every_save_from_the_form_is_kept_as_a_version(writer):
    dream = write(writer)
    edit(writer, dream, title="My grandmother's house", tags="water, family")
    edit(writer, dream, body="I was in a house. Water rose. I woke. It was four.", mood="sad")
    dream.refresh_from_db()
    kept = list(dream.versions.order_by("number"))
    assert [v.number for v in kept] == [1, 2, 3] and dream.version == 3
    assert [v.source for v in kept] == ["form"] * 3
    assert kept[0].title == "The flooded house" and kept[1].title == "My grandmother's house"
    assert kept[1].tags == ["water", "family"]
    assert kept[2].fields["mood"] == "sad" and kept[2].based_on == 2
    assert kept[2].fields["dreamt_on"] == "2026-11-20"


def test_a_dream_saved_before_history_gets_its_first_version_on_its_next_save(user, make_dream):
    dream = make_dream(user, title="Old", body="An old dream.")
    assert not dream.versions.exists()
    entries.save_edit(dream, changes={"title": "Newer"}, tags=[], base_version=dream.version)
    kept = list(dream.versions.order_by("number"))
    assert [(v.number, v.source, v.title) for v in kept] == [
        (1, "earlier", "Old"),
        (2, "form", "Newer"),
    ]


def test_the_history_page_shows_word_differences_to_the_version_before(
    writer, django_assert_max_num_queries
):
    dream = write(writer)
    edit(writer, dream, body="I was in my grandmother's house. Water rose. I woke.", mood="sad")
    with django_assert_max_num_queries(12):
        response = writer.get(reverse("dreams:history", args=[dream.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<del class="diff diff--removed"><span class="visually-hidden">[removed: </span>a' in html
    )
    assert "my grandmother&#x27;s</ins>" in html.replace(
        '<span class="visually-hidden">]</span>', ""
    )
    assert "Mood on waking: — → sad" in html
    assert "Version 2" in html and "Version 1" in html
    assert (
        reverse("dreams:history", args=[dream.pk])
        in writer.get(dream.get_absolute_url()).content.decode()
    )


def test_the_history_is_the_authors_alone(client, writer, make_user):
    dream = write(writer, visibility="shared")
    client.force_login(make_user("mallory"))
    assert client.get(reverse("dreams:history", args=[dream.pk])).status_code == 404
    restore = reverse("dreams:restore_version", args=[dream.pk, 1])
    assert client.post(restore).status_code == 404
    dream.refresh_from_db()
    assert dream.version == 1


def test_restoring_a_version_makes_it_the_newest_and_keeps_the_rest(writer):
    dream = write(writer, tags="water")
    edit(writer, dream, title="Changed", body="Nothing like it.", tags="other", lucid="on")
    response = writer.post(reverse("dreams:restore_version", args=[dream.pk, 1]))
    assert response.status_code == 302
    dream.refresh_from_db()
    assert (dream.title, dream.body, dream.lucid) == (
        "The flooded house",
        "I was in a house. Water rose. I woke.",
        False,
    )
    assert dream.tag_names == ["water"] and dream.version == 3
    newest = dream.versions.get(number=3)
    assert newest.source == "restore" and newest.based_on == 1
    assert dream.versions.filter(number=2, title="Changed").exists()
    assert writer.post(reverse("dreams:restore_version", args=[dream.pk, 99])).status_code == 404
    page = writer.get(reverse("dreams:history", args=[dream.pk])).content.decode()
    assert "Restored from an earlier version (version 1)" in page  # not "started from"


def test_restoring_brings_back_the_motif_choices_of_that_version(writer, user):
    dream = write(writer, body="A mirror in the hall. I woke.")
    edit(writer, dream, **{"body": "A mirror in the hall. I woke.", "motif-mirror": "drop"})
    assert dream.versions.get(number=2).motif_choices == {"mirror": "drop"}
    page = writer.get(reverse("dreams:history", args=[dream.pk])).content.decode()
    assert "Motif mirror: as found in the text → not in this dream" in page  # never "drop"
    writer.post(reverse("dreams:restore_version", args=[dream.pk, 1]))
    dream.refresh_from_db()
    assert "mirror" in [m.slug for m in dream.shown_motifs]
    assert versions.snapshot(dream)["motif_choices"] == {}


def test_the_cap_thins_the_oldest_but_never_the_first_nor_the_newest(writer, settings):
    settings.VERSIONS_PER_DREAM = 3
    dream = write(writer)
    for n in range(5):
        edit(writer, dream, body=f"I was in a house. Water rose {n} times. I woke.")
    dream.refresh_from_db()
    assert dream.version == 6
    assert list(dream.versions.order_by("number").values_list("number", flat=True)) == [1, 5, 6]


def test_an_open_form_keeps_its_starting_version_from_thinning(user, make_dream, settings):
    settings.VERSIONS_PER_DREAM = 3
    dream = make_dream(user)
    entries.save_draft(
        owner=user, key=uuid.uuid4(), dream=dream, title="", body="typing", fields={},
        base_version=2,
    )  # fmt: skip
    for n in range(1, 8):
        dream.body = f"The house, version {n}."
        versions.record(dream, source=DreamVersion.Source.FORM, number=n)
    assert list(dream.versions.order_by("number").values_list("number", flat=True)) == [1, 2, 7]


def test_a_save_that_changes_nothing_adds_no_version(writer):
    dream = write(writer)
    edit(writer, dream, title="My grandmother's house")
    started_from = Dream.objects.get(pk=dream.pk).version
    edit(writer, dream, title="My grandmother's house")  # Save pressed again, nothing changed
    dream.refresh_from_db()
    assert dream.versions.count() == 2
    assert dream.version == started_from
    # A form opened before the empty save is still current: its change is saved as it is.
    response = writer.post(
        reverse("dreams:edit", args=[dream.pk]),
        form(version=str(started_from), title="My grandmother's flooded house"),
    )
    assert response.status_code == 302
    dream.refresh_from_db()
    assert dream.title == "My grandmother's flooded house"
    assert dream.versions.count() == 3


# Merges: an edit begun from an older version meets the newest one.


def stale(writer, dream, *, opened_at: int, queued=False, **fields):
    """Post the edit form as it was opened at version `opened_at`."""
    headers = {"HTTP_X_SOMNIA_QUEUE": "1"} if queued else {}
    data = form(version=str(opened_at), **fields)
    return data, writer.post(reverse("dreams:edit", args=[dream.pk]), data, **headers)


def test_a_title_in_one_tab_and_a_sentence_in_the_other_merge_without_a_question(writer):
    dream = write(writer)
    edit(writer, dream, title="My grandmother's house")  # tab A, saved first
    data, response = stale(
        writer, dream, opened_at=1, body="I was in a house. Water rose. I woke. It was four."
    )
    assert response.status_code == 302 and response["Location"] == dream.get_absolute_url()
    dream.refresh_from_db()
    assert dream.title == "My grandmother's house"
    assert dream.body == "I was in a house. Water rose. I woke. It was four."
    assert Dream.objects.count() == 1 and not Draft.objects.filter(key=data["draft_key"]).exists()
    kept = list(dream.versions.order_by("number").values_list("number", "source", "based_on"))
    assert kept == [(1, "form", None), (2, "form", 1), (3, "side", 1), (4, "merge", 1)]
    assert dream.versions.get(number=3).title == "The flooded house"  # tab B as typed
    page = writer.get(dream.get_absolute_url())
    assert "both changes are in" in page.content.decode()
    # The same form sent again (Back, a replayed queue) adds nothing.
    writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    dream.refresh_from_db()
    assert dream.version == 4


def test_the_same_sentence_changed_differently_asks_once_for_that_passage(writer):
    dream = write(writer, body="I was in a house. Water rose. I woke.")
    edit(writer, dream, body="I was in a house. Water rose to the ceiling. I woke.", mood="sad")
    data, response = stale(
        writer, dream, opened_at=1, body="I was in a house. Water rose to my knees. I woke. Later.",
        lucid="on",
    )  # fmt: skip
    merge = reverse("dreams:merge", args=[dream.pk])
    assert (
        response.status_code == 302 and response["Location"] == f"{merge}?draft={data['draft_key']}"
    )
    page = writer.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('type="radio" name="passage-') == 3  # one passage: yours, saved, both
    assert "knees" in html and "ceiling" in html
    dream.refresh_from_db()
    assert dream.version == 2 and "ceiling" in dream.body  # nothing saved yet
    (name,) = [p["name"] for p in page.context["passages"] if p["kind"] == "conflict"]
    refused = writer.post(merge, {"draft_key": data["draft_key"], "saved_version": "2"})
    assert refused.status_code == 422 and "Choose a version" in refused.content.decode()
    dream.refresh_from_db()
    assert dream.version == 2
    done = writer.post(merge, {"draft_key": data["draft_key"], "saved_version": "2", name: "mine"})
    assert done.status_code == 302
    dream.refresh_from_db()
    assert dream.body == "I was in a house. Water rose to my knees. I woke. Later."
    assert dream.mood == "sad" and dream.lucid  # each side's field change kept
    assert [v.source for v in dream.versions.order_by("number")] == [
        "form",
        "form",
        "side",
        "merge",
    ]
    assert "ceiling" in dream.versions.get(number=2).body  # the other side stays in the history


def test_back_from_a_saved_merge_finds_it_saved_and_saves_nothing_twice(writer):
    """The merge page is reached by a redirect, so Back from the merged dream asks for the
    merge page's address again (never resends the edit form's post)."""
    dream = write(writer, body="I was in a house. Water rose. I woke.")
    edit(writer, dream, body="I was in a house. Water rose to the ceiling. I woke.")
    data, response = stale(writer, dream, opened_at=1, body="I was in a house. Water sang. I woke.")
    assert response.status_code == 302
    page = writer.get(response["Location"])
    (name,) = [p["name"] for p in page.context["passages"] if p["kind"] == "conflict"]
    merge = reverse("dreams:merge", args=[dream.pk])
    writer.post(merge, {"draft_key": data["draft_key"], "saved_version": "2", name: "both"})
    back = writer.get(response["Location"], follow=True)
    assert back.redirect_chain[-1][0] == dream.get_absolute_url()
    assert "already saved" in back.content.decode()
    dream.refresh_from_db()
    assert dream.version == 4 and Dream.objects.count() == 1
    assert dream.body == "I was in a house. Water sang. Water rose to the ceiling. I woke."


def test_an_edit_too_long_for_a_draft_is_asked_about_on_the_page_that_answers(writer, monkeypatch):
    """With no draft to wait in, the words are not sent to a merge page that cannot hold them."""
    dream = write(writer, body="I was in a house. Water rose. I woke.")
    edit(writer, dream, body="I was in a house. Water rose to the ceiling. I woke.")
    monkeypatch.setattr(entries, "DRAFT_MAX_BODY", 10)
    _, response = stale(writer, dream, opened_at=1, body="I was in a house. Water sang. I woke.")
    assert response.status_code == 409 and "sang" in response.content.decode()


def test_a_field_changed_differently_on_both_sides_is_one_choice(writer):
    dream = write(writer)
    edit(writer, dream, mood="joyful")
    data, response = stale(writer, dream, opened_at=1, mood="sad")
    html = writer.get(response["Location"]).content.decode()
    assert 'name="field-mood"' in html and "Joyful" in html and "Sad" in html
    writer.post(
        reverse("dreams:merge", args=[dream.pk]),
        {"draft_key": data["draft_key"], "saved_version": "2", "field-mood": "saved"},
    )
    dream.refresh_from_db()
    assert dream.mood == "joyful" and dream.version == 4


def test_a_merge_page_left_open_while_the_dream_changes_again_saves_nothing(writer):
    dream = write(writer)
    edit(writer, dream, mood="joyful")
    data, _ = stale(writer, dream, opened_at=1, mood="sad")
    edit(writer, dream, mood="angry")  # a third device
    response = writer.post(
        reverse("dreams:merge", args=[dream.pk]),
        {"draft_key": data["draft_key"], "saved_version": "2", "field-mood": "mine"},
    )
    assert response.status_code == 409 and "saved again" in response.content.decode()
    dream.refresh_from_db()
    assert dream.mood == "angry" and dream.version == 3


def test_the_offline_queue_gets_a_merge_or_the_merge_pages_address(writer):
    dream = write(writer)
    edit(writer, dream, title="Changed elsewhere")
    _, clean = stale(writer, dream, opened_at=1, queued=True, lucid="on")
    assert clean.status_code == 200 and clean.json()["ok"] and clean.json()["merged"]
    dream.refresh_from_db()
    assert dream.title == "Changed elsewhere" and dream.lucid
    data, asked = stale(writer, dream, opened_at=1, queued=True, title="Typed offline")
    assert asked.status_code == 409 and asked.json()["conflict"]
    url = asked.json()["url"]
    assert url == f"{reverse('dreams:merge', args=[dream.pk])}?draft={data['draft_key']}"
    assert "Typed offline" in writer.get(url).content.decode()  # the queued words wait there


def test_every_detail_of_the_other_side_is_kept_in_the_history(writer):
    dream = write(writer, body="Saved words.")
    edit(writer, dream, body="Newer saved words.")
    data, _ = stale(writer, dream, opened_at=1, body="My stale words.", dreamt_on="2025-10-05",
                    vividness="5", nightmare="on", mood="frightened", tags="sea")  # fmt: skip
    side = dream.versions.filter(source="side")
    assert not side.exists()  # asked first: nothing saved until the writer confirms
    kept = Draft.objects.get(key=data["draft_key"])
    assert kept.body == "My stale words." and kept.base_version == 1
    page = writer.get(f"{reverse('dreams:merge', args=[dream.pk])}?draft={kept.key}")
    (name,) = [p["name"] for p in page.context["passages"] if p["kind"] == "conflict"]
    writer.post(
        reverse("dreams:merge", args=[dream.pk]),
        {"draft_key": str(kept.key), "saved_version": "2", name: "saved"},
    )
    dream.refresh_from_db()
    assert dream.body == "Newer saved words." and dream.nightmare and dream.vividness == 5
    mine = side.get()
    assert mine.body == "My stale words." and mine.fields["nightmare"] is True
    assert mine.fields["dreamt_on"] == "2025-10-05" and mine.fields["mood"] == "frightened"
    assert mine.tags == ["sea"] and mine.based_on == 1


def test_a_motif_removed_in_one_tab_stays_removed_after_the_merge(writer):
    dream = write(writer, body="A mirror in the hall. I woke.")
    edit(writer, dream, **{"body": "A mirror in the hall. I woke.", "motif-mirror": "drop"})
    stale(writer, dream, opened_at=1, body="A mirror in the hall. I woke. A moth.")
    dream.refresh_from_db()
    assert dream.body.endswith("A moth.")
    assert "mirror" not in [m.slug for m in dream.shown_motifs]
    assert versions.snapshot(dream)["motif_choices"] == {"mirror": "drop"}


def test_a_draft_older_than_the_newest_version_is_offered_merged(writer, user):
    dream = write(writer)
    key = uuid.uuid4()
    entries.save_draft(
        owner=user, key=key, dream=dream, title="The flooded house",
        body="I was in a house. Water rose. I woke. A draft's sentence.",
        fields={"visibility": "private", "tags": "water, house"}, base_version=1,
    )  # fmt: skip
    edit(writer, dream, title="Saved since")
    listed = writer.get(reverse("dreams:new"))
    merge = f"{reverse('dreams:merge', args=[dream.pk])}?draft={key}"
    assert merge in listed.content.decode()  # the drafts list offers the merge
    opened = writer.get(f"{reverse('dreams:edit', args=[dream.pk])}?draft={key}")
    assert opened.status_code == 302 and opened["Location"] == merge
    page = writer.get(merge)
    assert page.status_code == 200 and "Nothing needs a choice" in page.content.decode()
    writer.post(
        reverse("dreams:merge", args=[dream.pk]), {"draft_key": str(key), "saved_version": "2"}
    )
    dream.refresh_from_db()
    assert dream.title == "Saved since" and dream.body.endswith("A draft's sentence.")
    assert not Draft.objects.filter(key=key).exists()


def test_merging_is_the_authors_alone(client, writer, user, make_user):
    dream = write(writer)
    edit(writer, dream, mood="joyful")
    data, _ = stale(writer, dream, opened_at=1, mood="sad")
    client.force_login(make_user("mallory"))
    url = reverse("dreams:merge", args=[dream.pk])
    assert client.get(f"{url}?draft={data['draft_key']}").status_code == 404
    assert (
        client.post(url, {"draft_key": data["draft_key"], "field-mood": "mine"}).status_code == 404
    )
    dream.refresh_from_db()
    assert dream.mood == "joyful"


# Export and import carry the history, as the writer chooses.


def _import(owner, raw: bytes):
    import io

    from dreams.importing import files, saving

    plan = files.read_file(name="export.json", opener=lambda: io.BytesIO(raw))
    list(plan.read())
    return saving.apply(owner=owner, plan=plan)


def test_an_export_with_the_whole_history_imports_it_back(writer, user, make_user, settings):
    import json

    from dreams import exporting

    settings.IMPORT_BATCH_PAUSE = 0
    dream = write(writer)
    edit(writer, dream, title="Second", tags="sea")
    edit(writer, dream, title="Second", tags="sea", body="I was in a house. Water rose. Third.")
    whole = json.loads(b"".join(exporting.export_json(user, history=True)))
    (record,) = whole["dreams"]
    assert [v["number"] for v in record["versions"]] == [1, 2, 3]
    newest = json.loads(b"".join(exporting.export_json(user, history=False)))
    assert "versions" not in newest["dreams"][0]
    reader = make_user("reader")
    _import(reader, json.dumps(whole).encode())
    copy = Dream.objects.get(owner=reader)
    kept = list(copy.versions.order_by("number"))
    assert [(v.number, v.title, v.tags) for v in kept] == [
        (1, "The flooded house", ["water", "house"]),
        (2, "Second", ["sea"]),
        (3, "Second", ["sea"]),
    ]
    assert kept[2].body.endswith("Third.") and copy.version == 3
    assert kept[0].saved_at == dream.versions.get(number=1).saved_at
    again = json.loads(b"".join(exporting.export_json(reader, history=True)))
    assert again["dreams"][0]["versions"] == record["versions"]  # a round trip, nothing lost
    only_newest = make_user("newest")
    _import(only_newest, json.dumps(newest).encode())
    assert not Dream.objects.get(owner=only_newest).versions.exists()


def test_the_export_page_lets_the_writer_choose(writer, user):
    dream = write(writer)
    edit(writer, dream, title="Second")
    page = writer.get(reverse("dreams:export")).content.decode()
    assert 'name="versions" value="all" checked' in page and 'value="newest"' in page
    url = reverse("dreams:export_json")
    whole = b"".join(writer.get(url, {"versions": "all"}).streaming_content)
    newest = b"".join(writer.get(url, {"versions": "newest"}).streaming_content)
    assert b'"versions":[' in whole and b'"versions":[' not in newest


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        ("nope", "“versions” should be a list"),
        ([{"number": 0}], "“number” should be a whole number"),
        ([{"number": 1}, {"number": 1}], "two versions have one number"),
        ([{"number": 1, "motif_choices": {"mirror": "maybe"}}], "motif_choices"),
        ([{"number": 1, "fields": {"owner": 3}}], "the dream's fields only"),
        ([{"number": 1, "saved_at": "yesterday"}], "saved_at"),
    ],
)
def test_a_bad_history_is_refused_with_where_and_why(user, versions, message):
    import io
    import json

    from dreams.importing import files
    from dreams.importing.plan import BadImport

    raw = json.dumps({"dreams": [{"body": "A dream.", "versions": versions}]}).encode()
    plan = files.read_file(name="bad.json", opener=lambda: io.BytesIO(raw))
    with pytest.raises(BadImport, match=message):
        list(plan.read())
    assert not Dream.objects.exists()


def test_an_older_exports_conflict_copy_is_imported_as_a_version(user, settings):
    import json

    settings.IMPORT_BATCH_PAUSE = 0
    original = "7a1f7b1e-0000-4000-8000-000000000001"
    raw = json.dumps({"dreams": [
        {"id": original, "title": "The lift", "body": "A lift.", "version": 2},
        {"id": "7a1f7b1e-0000-4000-8000-000000000002", "title": "The lift (conflict copy)",
         "body": "A glass lift.", "conflict_of": original, "lucid": True},
    ]}).encode()  # fmt: skip
    _import(user, raw)
    (dream,) = Dream.objects.filter(owner=user)
    assert dream.body == "A lift." and dream.version == 4
    kept = list(dream.versions.order_by("number").values_list("number", "source", "title"))
    assert kept == [(2, "earlier", "The lift"), (3, "copy", "The lift"), (4, "import", "The lift")]
    assert dream.versions.get(number=3).body == "A glass lift."


def test_search_and_the_gallery_see_only_the_newest_version(writer, user):
    from dreams import search

    dream = write(writer, title="The lighthouse", body="A lighthouse in the fog. I woke.")
    edit(writer, dream, title="The harbour", body="A harbour in the fog. I woke.")
    assert dream.versions.filter(body__contains="lighthouse").exists()  # kept in the history
    assert search.search(user=user, text="lighthouse").hits == []
    assert [h.dream for h in search.search(user=user, text="harbour").hits] == [dream]
    mine = writer.get(reverse("dreams:gallery"), {"scope": "mine"}).content.decode()
    assert "The harbour" in mine and "lighthouse" not in mine
    assert Dream.objects.filter(owner=user).count() == 1


def test_a_merge_sent_twice_is_saved_once(writer):
    dream = write(writer)
    edit(writer, dream, mood="joyful")
    data, _ = stale(writer, dream, opened_at=1, mood="sad", **{"motif-water": "drop"})
    url = reverse("dreams:merge", args=[dream.pk])
    page = writer.get(f"{url}?draft={data['draft_key']}").content.decode()
    assert "Your motif choices kept: water: not in this dream." in page
    sent = {"draft_key": data["draft_key"], "saved_version": "2", "field-mood": "mine"}
    writer.post(url, sent)
    again = writer.post(url, sent, follow=True)
    assert "already saved" in again.content.decode()
    dream.refresh_from_db()
    assert dream.mood == "sad" and dream.version == 4


def test_a_draft_with_a_title_alone_never_empties_the_narrative(writer, user):
    dream = write(writer)
    edit(writer, dream, mood="joyful")
    key = uuid.uuid4()
    entries.save_draft(owner=user, key=key, dream=dream, title="Only a title", body="",
                       fields={}, base_version=1)  # fmt: skip
    writer.post(
        reverse("dreams:merge", args=[dream.pk]), {"draft_key": str(key), "saved_version": "2"}
    )
    dream.refresh_from_db()
    assert dream.title == "Only a title" and dream.body == "I was in a house. Water rose. I woke."


def test_a_long_unchanged_stretch_is_cut_between_words_and_keeps_its_spaces():
    """The history shortens what did not change; the words beside a change stay apart and no
    word is cut in two ("grandmother running", never "grandmotherrunning" or "wa … s")."""
    words = " ".join(f"word{n}" for n in range(200))
    pieces = [
        ("equal", "Start " + words + " "),
        ("delete", "mother"),
        ("insert", "grandmother"),
        ("equal", " running " + words + " toward"),
        ("insert", " home"),
        ("equal", ". " + words + " end."),
    ]
    shown = versions.trimmed(pieces, context=40)
    assert [op for op, _ in shown] == [op for op, _ in pieces]
    assert [text for op, text in shown if op != "equal"] == ["mother", "grandmother", " home"]
    before, between, after = (text for op, text in shown if op == "equal")
    assert before.startswith("… ") and before.endswith(" ")
    assert between.startswith(" running ") and " … " in between and between.endswith(" toward")
    assert after.startswith(". ") and after.endswith(" …")
    shown_words = " ".join(text for _, text in shown).replace("…", " ").split()
    assert all(w in {"Start", "running", "toward", "end.", "."} or w in words.split()
               or w in {"mother", "grandmother", "home"} for w in shown_words)  # fmt: skip
    (whole,) = versions.trimmed([("equal", words)], context=40)
    assert whole[1].endswith(" …") and whole[1][:-2].split()[-1] in words.split()


def test_the_history_marks_what_a_crossing_edit_changed_from_where_it_started(writer):
    """The edit kept before a merge is compared with the version it started from: it never
    saw the other side's words, so it is not shown taking them out."""
    dream = write(writer, body="I was in a house. Water rose. I woke.")
    edit(writer, dream, body="I was in a house. Water rose to the ceiling. I woke.")
    data, response = stale(writer, dream, opened_at=1, body="I was in a house. Water sang. I woke.")
    page = writer.get(response["Location"])
    (name,) = [p["name"] for p in page.context["passages"] if p["kind"] == "conflict"]
    merge = reverse("dreams:merge", args=[dream.pk])
    writer.post(merge, {"draft_key": data["draft_key"], "saved_version": "2", name: "saved"})
    history = writer.get(reverse("dreams:history", args=[dream.pk]))
    side = next(e for e in history.context["entries"] if e.version.source == "side")
    assert side.version.number == 3 and side.compared_with == 1
    changed = [(op, text.strip()) for op, text in side.text if op != "equal"]
    assert changed == [("delete", "rose"), ("insert", "sang")]  # not "to the ceiling"
    merged = next(e for e in history.context["entries"] if e.version.source == "merge")
    assert merged.compared_with == 3  # the merge: what it changed in the crossing edit
    assert "Marked: its changes to version 1" in history.content.decode()
