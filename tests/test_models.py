import pytest
from django.db import IntegrityError, transaction

from dreams.models import Dream, DreamMotif, Motif, Tag, normalise_tag


def test_dreams_are_private_by_default_and_visible_only_to_their_owner(
    make_dream, user, other_user
):
    from django.contrib.auth.models import AnonymousUser

    private = make_dream(user, title="Mine")
    shared = make_dream(user, title="Ours", visibility=Dream.Visibility.SHARED)
    assert private.visibility == Dream.Visibility.PRIVATE
    assert set(Dream.objects.visible_to(user)) == {private, shared}
    assert set(Dream.objects.visible_to(other_user)) == {shared}
    assert set(Dream.objects.visible_to(AnonymousUser())) == {shared}
    assert set(Dream.objects.owned_by(other_user)) == set()


def test_dreams_in_the_trash_are_visible_to_no_one(make_dream, user):
    from django.utils import timezone

    dream = make_dream(user, visibility=Dream.Visibility.SHARED)
    Dream.objects.filter(pk=dream.pk).update(deleted_at=timezone.now())
    assert not Dream.objects.visible_to(user).exists()


def test_saving_detects_motifs_with_evidence_and_bumps_the_version(make_dream, user):
    from dreams import entries

    dream = make_dream(user, body="A staircase of mirrors. The mirrors sang.")
    link = dream.motif_links.get(motif__slug="mirror")
    assert link.status == DreamMotif.Status.DETECTED
    assert link.count == 2
    assert link.evidence[0] == {"text": "mirrors", "start": 15, "end": 22}
    assert dream.version == 1
    dream.body = "Only a staircase now."
    entries.save_dream(dream)
    assert dream.version == 2
    assert not dream.motif_links.filter(motif__slug="mirror").exists()


def test_motifs_set_by_hand_survive_redetection(make_dream, user):
    from dreams import entries

    dream = make_dream(user, body="A mirror and a staircase.")
    dream.motif_links.filter(motif__slug="mirror").update(status=DreamMotif.Status.REMOVED)
    feather = Motif.objects.get(slug="feather", owner=None)
    DreamMotif.objects.create(dream=dream, motif=feather, status=DreamMotif.Status.ADDED)
    entries.save_dream(dream)
    assert {m.slug for m in dream.shown_motifs} == {"staircase", "feather"}
    assert dream.motif_links.get(motif__slug="mirror").status == DreamMotif.Status.REMOVED


def test_builtin_motifs_come_from_the_lexicon(db):
    assert Motif.objects.builtin().count() >= 250
    assert Motif.objects.builtin().filter(slug="staircase").exists()


def test_vividness_is_one_to_five(make_dream, user):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_dream(user, vividness=9)


@pytest.mark.parametrize("spelling", ["non-lucid", "Non - Lucid", "non–lucid", "  NON-lucid "])
def test_tags_are_one_per_normalised_name(spelling):
    assert normalise_tag(spelling) == "non-lucid"


def test_tag_names_are_unique_per_owner(user, other_user):
    Tag.objects.create(owner=user, name="Non-lucid")
    Tag.objects.create(owner=other_user, name="non - lucid")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(owner=user, name="non - lucid")


def test_set_tags_creates_reuses_and_removes(make_dream, user):
    from dreams import entries

    dream = make_dream(user, tags=["Work", "flying dreams"])
    assert sorted(dream.tag_names) == ["Work", "flying dreams"]
    entries.set_tags(dream, ["work", "Family"])
    dream.refresh_from_db()
    assert sorted(t.normalised for t in dream.tags.all()) == ["family", "work"]
    assert Tag.objects.filter(owner=user).count() == 3


def test_an_import_key_is_unique_per_owner(make_dream, user):
    make_dream(user, source="seed", source_id="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_dream(user, source="seed", source_id="abc")


def test_create_many_saves_as_save_dream_does(user, other_user):
    from dreams import entries, search

    made = entries.create_many(
        [
            (Dream(owner=user, title="a", body="A mirror and a staircase."), ["Work", "x"]),
            (Dream(owner=other_user, title="b", body="Mirrors, mirrored."), ["work"]),
            (Dream(owner=user, title="c", body="Nothing much."), []),
        ]
    )
    assert all(d.pk for d in made)
    assert {m.slug for m in made[0].shown_motifs} >= {"mirror", "staircase"}
    assert made[1].motif_links.get(motif__slug="mirror").count == 2
    assert Tag.objects.filter(normalised="work").count() == 2
    assert search.check_index() == []


def test_cards_are_written_with_the_dream_so_galleries_need_no_motif_query(user):
    from dreams import entries

    bulk = entries.create_many(
        [(Dream(owner=user, title="a", body="A mirror, a mirror, a hand."), [])]
    )[0]
    single = entries.save_dream(Dream(owner=user, title="b", body="A mirror, a mirror, a hand."))
    for dream in (bulk, single):
        dream = Dream.objects.get(pk=dream.pk)
        assert [m.slug for m in dream.card_motifs][:2] == ["mirror", "hand"]
        assert "mirror" in dream.card["alt"]


def test_every_write_to_a_dream_moves_the_change_stamp(make_dream, user):
    """Caches of what dreams show are keyed on it; a trigger ticks it whatever the path."""
    from dreams.models import change_stamp

    dream = make_dream(user)
    stamps = [change_stamp()]
    Dream.objects.filter(pk=dream.pk).update(recurring=True)  # no updated_at, no signal
    stamps.append(change_stamp())
    Dream.objects.filter(pk=dream.pk).delete()
    stamps.append(change_stamp())
    assert len(set(stamps)) == 3
