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


def test_tag_verbs_keep_tags_to_their_owner_and_count_live_dreams(make_dream, user, other_user):
    from django.contrib.auth.models import AnonymousUser

    from dreams import entries

    make_dream(user, tags=["Non-Lucid", "flying"])
    entries.trash(make_dream(user, tags=["non-lucid"]))
    make_dream(other_user, tags=["non-lucid"])
    mine = Tag.objects.owned_by(user)
    assert [t.name for t in mine.matching("NON – LU")] == ["Non-Lucid"]
    assert mine.matching("  ").count() == mine.count() == 2
    counts = {t.normalised: t.dream_count for t in mine.with_dream_counts()}
    assert counts == {"non-lucid": 1, "flying": 1}  # the trashed dream is not counted
    assert Tag.objects.owned_by(AnonymousUser()).count() == 0
    assert Tag.objects.all().count() == 3


def test_an_import_key_is_unique_per_owner(make_dream, user):
    make_dream(user, source="seed", source_id="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_dream(user, source="seed", source_id="abc")


def test_motif_links_count_dreams_per_month_among_the_dreams_asked(make_dream, user, other_user):
    import datetime

    for day in (datetime.date(2025, 1, 3), datetime.date(2025, 1, 20), datetime.date(2025, 3, 1)):
        make_dream(user, body="A moth at the lamp.", dreamt_on=day)
    make_dream(other_user, body="A moth at the lamp.", dreamt_on=datetime.date(2025, 1, 5))
    moth = Motif.objects.get(slug="moth", owner=None)
    links = DreamMotif.objects.shown().filter(motif=moth)
    rows = links.in_dreams(Dream.objects.owned_by(user)).per_month()
    months = {(str(row["month"])[:7], row["n"]) for row in rows}
    assert months == {("2025-01", 2), ("2025-03", 1)}
    assert links.in_dreams(Dream.objects.all()).seen_dates() == {
        "first": datetime.date(2025, 1, 3),
        "last": datetime.date(2025, 3, 1),
        "undated": 0,
    }
