"""entries.py: saving dreams one at a time and many at once, their tags and cards, the trash."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from dreams import entries, search
from dreams.models import Dream, Tag


def test_set_tags_creates_reuses_and_removes(make_dream, user):
    dream = make_dream(user, tags=["Work", "flying dreams"])
    assert sorted(dream.tag_names) == ["Work", "flying dreams"]
    entries.set_tags(dream, ["work", "Family"])
    dream.refresh_from_db()
    assert sorted(t.normalised for t in dream.tags.all()) == ["family", "work"]
    assert Tag.objects.filter(owner=user).count() == 3


def test_create_many_saves_as_save_dream_does(user, other_user):
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
    bulk = entries.create_many(
        [(Dream(owner=user, title="a", body="A mirror, a mirror, a hand, a feather."), [])]
    )[0]
    body = "A mirror, a mirror, a hand, a feather."
    single = entries.save_dream(Dream(owner=user, title="b", body=body))
    for dream in (bulk, single):
        dream = Dream.objects.get(pk=dream.pk)
        # Its chief motifs: a hand, in most dreams, does not stand out beside them.
        assert [m.slug for m in dream.card_motifs] == ["mirror", "feather"]
        assert "mirror" in dream.card["alt"]


def test_the_trash_forgets_after_thirty_days(user, make_dream):
    old = make_dream(user)
    recent = make_dream(user)
    now = timezone.now()
    Dream.objects.filter(pk=old.pk).update(deleted_at=now - datetime.timedelta(days=31))
    Dream.objects.filter(pk=recent.pk).update(deleted_at=now - datetime.timedelta(days=29))
    assert entries.purge_trash(now=now) >= 1
    assert list(Dream.objects.all()) == [recent]


def test_the_purge_command(user, make_dream):
    old = make_dream(user)
    Dream.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=40))
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert not Dream.objects.filter(pk=old.pk).exists() and "Removed" in out.getvalue()
