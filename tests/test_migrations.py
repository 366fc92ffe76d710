"""Migrations that move writers' words: run from the state before them, on real rows."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dreams.apps import sqlite_triggers_after_migrate
from dreams.models import Draft, Dream, Picture, split_chief

BEFORE = [("dreams", "0022_dream_versions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_versions(transactional_db):
    """The database as it was before conflict copies went into the history; put back after."""
    old = _migrate(BEFORE)
    yield old
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(latest)
    sqlite_triggers_after_migrate(using="default")  # a table rebuilt on SQLite loses them


def test_conflict_copies_become_versions_of_their_dream_and_nothing_is_lost(before_versions):
    old = before_versions
    User = old.get_model("auth", "User")
    OldDream = old.get_model("dreams", "Dream")
    Tag = old.get_model("dreams", "Tag")
    DreamTag = old.get_model("dreams", "DreamTag")
    Motif = old.get_model("dreams", "Motif")
    DreamMotif = old.get_model("dreams", "DreamMotif")
    OldDraft = old.get_model("dreams", "Draft")
    OldPicture = old.get_model("dreams", "Picture")
    writer = User.objects.create(username="wren")
    day = datetime.date(2026, 11, 1)
    dream = OldDream.objects.create(
        owner=writer, title="The flooded house", body="Water rose.", version=3,
        dreamt_on=day, visibility="shared", card={"motifs": []},
    )  # fmt: skip
    copy = OldDream.objects.create(
        owner=writer, title="I was back in my grandmother's house (conflict copy)",
        body="Water rose to my knees.", version=1, conflict_of=dream, lucid=True,
        visibility="private", card={},
    )  # fmt: skip
    copy_of_copy = OldDream.objects.create(
        owner=writer, title="Third (conflict copy)", body="Third words.", conflict_of=copy,
        card={},
    )  # fmt: skip
    other = OldDream.objects.create(owner=writer, title="Unrelated", body="A moth.", card={})
    later = OldDream.objects.create(
        owner=writer, title="Again", body="Again.", recurs=copy, card={}
    )
    tag = Tag.objects.create(owner=writer, name="family", normalised="family")
    DreamTag.objects.create(dream=copy, tag=tag)
    mirror = Motif.objects.filter(owner__isnull=True).first()
    DreamMotif.objects.create(dream=copy, motif=mirror, status="removed")
    draft = OldDraft.objects.create(owner=writer, key="6f1c0b55-1d1b-4a4e-9a53-7bb5a5b1d001",
                                    dream=copy, base_version=1, body="Half typed.")  # fmt: skip
    OldPicture.objects.create(owner=writer, dream=copy, key="k1", width=8, height=8,
                              sha256="a" * 64, size=10, files={})  # fmt: skip

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert not Dream.objects.filter(title__contains="(conflict copy)").exists()
    assert set(Dream.objects.values_list("pk", flat=True)) == {dream.pk, other.pk, later.pk}
    kept = Dream.objects.get(pk=dream.pk)
    assert (kept.title, kept.body, kept.visibility) == (
        "The flooded house",
        "Water rose.",
        "shared",
    )
    history = list(kept.versions.order_by("number"))
    assert [(v.number, v.source) for v in history] == [
        (3, "earlier"), (4, "copy"), (5, "copy"), (6, "earlier"),
    ]  # fmt: skip
    assert kept.version == 6 and history[-1].body == "Water rose."
    first_copy = history[1]
    assert first_copy.title == "I was back in my grandmother's house"
    assert first_copy.body == "Water rose to my knees." and first_copy.fields["lucid"] is True
    assert first_copy.tags == ["family"]
    assert first_copy.motif_choices == {mirror.slug: "drop"}
    assert first_copy.fields["visibility"] == "shared"  # the dream's, not the copy's private
    assert history[2].body == "Third words." and history[2].title == "Third"
    assert Draft.objects.get(key=draft.key).dream_id == dream.pk
    assert Draft.objects.get(key=draft.key).base_version == 4
    assert Picture.objects.get(key="k1").dream_id == dream.pk
    assert kept.card["pictures"] == [["k1", "", 8, 8]]
    assert Dream.objects.get(pk=later.pk).recurs_id == dream.pk
    assert not hasattr(kept, "conflict_of_id")
    del copy_of_copy


@pytest.fixture
def before_chief_cards(transactional_db):
    old = _migrate([("dreams", "0026_saved_form_changed_at")])
    yield old
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    sqlite_triggers_after_migrate(using="default")


def test_old_cards_show_the_chief_motifs_and_kept_links_lose_their_1000(before_chief_cards):
    old = before_chief_cards
    writer = old.get_model("auth", "User").objects.create(username="wren")
    OldDream = old.get_model("dreams", "Dream")
    DreamMotif = old.get_model("dreams", "DreamMotif")
    motifs = {m.slug: m for m in old.get_model("dreams", "Motif").objects.filter(owner=None)}
    top_four = [["mirror", "Mirror", "object"], ["feather", "Feather", "object"],
                ["staircase", "Staircase", "place"], ["water", "Water", "nature"]]  # fmt: skip
    dream = OldDream.objects.create(owner=writer, title="Lift", body="…", card={"motifs": top_four})
    for slug, status, salience in [("mirror", "added", 1000.0), ("feather", "detected", 9.0),
                                   ("staircase", "detected", 8.0), ("water", "detected", 2.0),
                                   ("hand", "removed", 0.0)]:  # fmt: skip
        DreamMotif.objects.create(dream=dream, motif=motifs[slug], status=status,
                                  salience=salience, count=1, evidence=[])  # fmt: skip
    other = OldDream.objects.create(owner=writer, title="Door", body="…", card={"motifs": []})
    DreamMotif.objects.create(
        dream=other, motif=motifs["door"], status="added", salience=1000.0, count=0, evidence=[]
    )  # its words are gone

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    card = Dream.objects.get(pk=dream.pk)
    assert [slug for slug, *_ in card.card["motifs"]] == ["mirror", "feather", "staircase"]
    assert card.card_motifs == [tuple(m) for m in card.card["motifs"]]
    mirror = card.motif_links.get(motif__slug="mirror")
    assert (mirror.status, mirror.salience) == ("added", 9.0)
    chief, others = split_chief(card.shown_links)  # the page's rule agrees with the card's
    assert [m.slug for m in chief] == ["mirror", "feather", "staircase"]
    assert [m.slug for m in others] == ["water"]
    door = Dream.objects.get(pk=other.pk)
    assert door.motif_links.get().salience == 0.0 and door.card["motifs"][0][0] == "door"
