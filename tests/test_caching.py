"""The process cache's keys and stamps, and what the gallery keeps: rows, marked up per request."""

from pytest_django.asserts import assertContains, assertNotContains

from dreams import caching
from dreams.models import Dream


def test_every_write_to_a_dream_moves_the_journal_stamp(make_dream, user):
    """Caches of what dreams show are keyed on it; a trigger ticks it whatever the path."""
    dream = make_dream(user)
    stamps = [caching.journal_stamp()]
    Dream.objects.filter(pk=dream.pk).update(recurring=True)  # no updated_at, no signal
    stamps.append(caching.journal_stamp())
    Dream.objects.filter(pk=dream.pk).delete()
    stamps.append(caching.journal_stamp())
    assert len(set(stamps)) == 3


def test_a_dream_stamp_moves_when_the_dream_is_saved(make_dream, user):
    from dreams import entries

    dream = make_dream(user, body="A lift.")
    before = caching.dream_stamp(dream)
    entries.save_edit(dream, changes={"body": "A lift, again."}, tags=[], base_version=1)
    dream.refresh_from_db()
    assert caching.dream_stamp(dream) != before


def test_kept_builds_once_per_key(db):
    built = []

    def build() -> list[str]:
        built.append("built")
        return ["row"]

    first = caching.key("rows", 7, None, "x")
    assert first == "rows:7::x"
    assert caching.kept(first, build, seconds=60) == ["row"]
    assert caching.kept(first, build, seconds=60) == ["row"]
    assert caching.kept(caching.key("rows", 8, None, "x"), build, seconds=60) == ["row"]
    assert len(built) == 2


def test_the_motif_menu_marks_the_chosen_motif_and_renews_its_counts(client, user, make_dream):
    shared = Dream.Visibility.SHARED
    make_dream(user, body="A moth at the lamp.", visibility=shared)
    make_dream(user, body="A moth and a mirror.", visibility=shared)
    response = client.get("/", {"motif": "moth"})
    assertContains(response, '<option value="moth" selected>Moth (2)</option>', html=True)
    assertContains(response, '<option value="mirror">Mirror (1)</option>', html=True)
    # The same kept rows serve the next viewer with no motif chosen.
    response = client.get("/")
    assertContains(response, '<option value="moth">Moth (2)</option>', html=True)
    assertNotContains(response, "selected>Moth")
    make_dream(user, body="Another moth.", visibility=shared)  # a new stamp: counted again
    assertContains(client.get("/"), '<option value="moth">Moth (3)</option>', html=True)
