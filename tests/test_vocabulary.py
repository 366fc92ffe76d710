"""A user's own motifs, words, rejections and tags."""

import pytest

from dreams import entries, vocabulary
from dreams.models import Dream, DreamMotif, Motif, MotifRejection, Tag


def test_suggestions_carry_their_evidence(user):
    found = {s.motif.slug: s for s in vocabulary.suggest("Mirrors, a mirrored hall.", owner=user)}
    assert found["mirror"].evidence == "mirrors, mirrored"
    assert found["mirror"].motif.name == "Mirror"


def test_a_rejected_motif_stops_coming_back_for_that_user_only(user, other_user, make_dream):
    dream = make_dream(user, body="A mirror and a staircase.")
    vocabulary.apply_motif_choices(dream, {"staircase": "keep", "mirror": "never"})
    statuses = dict(dream.motif_links.values_list("motif__slug", "status"))
    assert statuses["mirror"] == DreamMotif.Status.REMOVED
    assert statuses["staircase"] == DreamMotif.Status.ADDED
    assert "mirror" not in {s.motif.slug for s in vocabulary.suggest("a mirror", owner=user)}
    later = make_dream(user, body="Another mirror.")
    assert "mirror" not in {m.slug for m in later.shown_motifs}
    assert "mirror" in {s.motif.slug for s in vocabulary.suggest("a mirror", owner=other_user)}
    vocabulary.allow_again(owner=user, motif=Motif.objects.get(slug="mirror", owner=None))
    assert "mirror" in {s.motif.slug for s in vocabulary.suggest("a mirror", owner=user)}


def test_an_accepted_motif_stays_when_the_text_changes(user, make_dream):
    dream = make_dream(user, body="A mirror.")
    vocabulary.apply_motif_choices(dream, {"mirror": "keep"})
    dream.body = "Nothing reflective now."
    entries.save_dream(dream)
    assert "mirror" in {m.slug for m in dream.shown_motifs}


def test_a_new_word_is_used_from_then_on(user, other_user, make_dream):
    mirror = Motif.objects.get(slug="mirror", owner=None)
    vocabulary.add_word(owner=user, motif=mirror, word="Looking-Glass Pool")
    dream = make_dream(user, body="I knelt by the looking-glass pool.")
    link = dream.motif_links.get(motif=mirror)
    assert link.evidence[0]["text"] == "looking-glass pool"
    theirs = make_dream(other_user, body="I knelt by the looking-glass pool.")
    assert not theirs.motif_links.filter(motif=mirror, evidence__0__text="looking-glass pool")


def test_a_motif_of_ones_own_is_found_and_named(user, make_dream):
    motif = vocabulary.make_motif(
        owner=user, name="Blue door", category="object", words=["azure door"]
    )
    assert motif.slug == "blue-door" and motif.owner == user
    dream = make_dream(user, body="Behind the azure door, another blue door.")
    assert dream.motif_links.get(motif=motif).count == 2
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.make_motif(owner=user, name="Mirror", category="object")
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.make_motif(owner=user, name="!!!", category="object")
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.make_motif(owner=user, name="Lamp", category="nonsense")


def test_renaming_a_tag_onto_another_merges_and_every_dream_keeps_it(user, make_dream):
    a = make_dream(user, tags=["non lucid"])
    b = make_dream(user, tags=["non-lucid", "work"])
    c = make_dream(user, tags=["work"])
    tag = Tag.objects.get(owner=user, normalised="non lucid")
    kept = vocabulary.rename_tag(tag, "Non - Lucid")
    assert kept.normalised == "non-lucid"
    assert Tag.objects.filter(owner=user).count() == 2
    for dream in (a, b):
        assert "non-lucid" in {t.normalised for t in dream.tags.all()}
    assert {t.normalised for t in c.tags.all()} == {"work"}


def test_renaming_and_deleting_tags(user, make_dream):
    dream = make_dream(user, tags=["wrok"])
    tag = Tag.objects.get(owner=user)
    assert vocabulary.rename_tag(tag, "work").name == "work"
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.rename_tag(tag, "  ")
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.rename_tag(tag, "x" * 65)
    vocabulary.delete_tag(tag)
    assert Dream.objects.filter(pk=dream.pk).exists() and not dream.tags.exists()


def test_motif_choices_through_the_form(client, user):
    client.force_login(user)
    client.post(
        "/dreams/new/",
        {
            "body": "A mirror on the staircase.",
            "dreamt_on": "2026-01-01",
            "visibility": "private",
            "motif-staircase": "keep",
            "motif-mirror": "never",
        },
    )
    dream = Dream.objects.get(owner=user)
    assert {m.slug for m in dream.shown_motifs} == {"staircase"}
    assert MotifRejection.objects.filter(owner=user, motif__slug="mirror").exists()


def test_not_in_this_dream_is_for_this_dream_only(client, user, make_dream):
    other = make_dream(user, body="A mirror in the hall.")
    client.force_login(user)
    client.post(
        "/dreams/new/",
        {"body": "A mirror again.", "dreamt_on": "2026-01-01", "visibility": "private",
         "motif-mirror": "drop"},
    )  # fmt: skip
    dream = Dream.objects.exclude(pk=other.pk).get(owner=user)
    assert "mirror" not in {m.slug for m in dream.shown_motifs}
    assert not MotifRejection.objects.exists()
    entries.save_dream(other)
    assert "mirror" in {m.slug for m in other.shown_motifs}


def test_a_kept_motif_can_go_back_to_as_found(client, user, make_dream):
    dream = make_dream(user, body="A mirror.")
    vocabulary.apply_motif_choices(dream, {"mirror": "keep"})
    client.force_login(user)
    client.post(
        f"/dreams/{dream.pk}/edit/",
        {"body": "Nothing but fog now.", "dreamt_on": "2026-01-01", "visibility": "private",
         "version": str(dream.version), "motif-mirror": ""},
    )  # fmt: skip
    dream.refresh_from_db()
    assert "mirror" not in {m.slug for m in dream.shown_motifs}


def test_kept_motifs_stay_in_the_suggestions_when_their_words_go(user, make_dream):
    dream = make_dream(user, body="A brass compass.")
    vocabulary.apply_motif_choices(dream, {"compass": "keep"})
    found = {s.motif.slug: s for s in vocabulary.suggest("Nothing here", owner=user, dream=dream)}
    assert found["compass"].choice({}) == "keep" and found["compass"].evidence == ""
