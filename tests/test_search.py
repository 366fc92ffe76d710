"""Search on a fixed corpus: ranking, the query language, typos, privacy, bad input."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dreams import entries, query, search, search_backends
from dreams.models import Dream

SHARED = Dream.Visibility.SHARED


def index():
    """The search index of the database the tests run on."""
    return search_backends.for_vendor(connection.vendor)


@pytest.fixture
def corpus(user, other_user, make_dream):
    def dream(owner=user, **fields):
        fields.setdefault("visibility", SHARED)
        return make_dream(owner, **fields)

    return {
        "stairs_title": dream(title="Climbing the staircase", body="It went on and on."),
        "stairs_body": dream(title="Night", body="Later I was climbing a long staircase."),
        "door": dream(
            title="The door", body="A red door in the hall, and a blue door beyond.",
            lucid=True, dreamt_on=datetime.date(2026, 2, 1), tags=["work"],
        ),
        "doors": dream(
            title="Doors", body="The door was red. Another door stood open.",
            nightmare=True, dreamt_on=datetime.date(2025, 6, 1),
        ),
        "bird": dream(
            title="Ember bird", body="A hummingbird made of embers in a chrysalis-blue dusk.",
        ),
        "cat": dream(title="Cats", body="A cat on the roof."),
        "dog": dream(title="Dogs", body="A dog in the garden, falling asleep."),
        "mine_private": dream(title="Private stairs", body="A staircase only I know.",
                              visibility=Dream.Visibility.PRIVATE),
        "theirs_private": dream(other_user, title="Their staircase",
                                body="A secret staircase of bones.",
                                visibility=Dream.Visibility.PRIVATE),
    }  # fmt: skip


def found(user, text):
    return [hit.dream for hit in search.search(user=user, text=text, limit=100).hits]


def test_title_words_rank_above_body_words(corpus, user):
    hits = found(user, "staircase")
    assert hits.index(corpus["stairs_title"]) < hits.index(corpus["stairs_body"])


def test_stemming_finds_other_forms(corpus, user):
    assert corpus["stairs_title"] in found(user, "climbed")
    assert corpus["stairs_body"] in found(user, "climbs")


def test_phrase_prefix_or_and_not(corpus, user):
    assert set(found(user, '"red door"')) == {corpus["door"]}
    assert corpus["stairs_title"] in found(user, "stair*")
    assert set(found(user, "cat OR dog")) == {corpus["cat"], corpus["dog"]}
    assert set(found(user, "door -blue")) == {corpus["doors"]}
    only_not = found(user, "-door")
    assert corpus["door"] not in only_not and corpus["cat"] in only_not


def test_filters(corpus, user):
    assert found(user, "door lucid:yes") == [corpus["door"]]
    assert found(user, "door nightmare:yes") == [corpus["doors"]]
    assert found(user, "door from:2026-01-01") == [corpus["door"]]
    assert found(user, "door to:2025-12") == [corpus["doors"]]
    assert found(user, "door tag:work") == [corpus["door"]]
    assert corpus["mine_private"] in found(user, "staircase shared:no")
    assert corpus["mine_private"] not in found(user, "staircase shared:yes")
    assert corpus["bird"] in found(user, "motif:hummingbird")


def test_typos_and_parts_of_words_still_find_the_dream(corpus, user):
    results = search.search(user=user, text="hummingbrd", limit=10)
    assert [h.dream for h in results.hits] == [corpus["bird"]]
    assert "hummingbird" in " ".join(results.notes)
    assert results.corrected == "hummingbird"
    assert corpus["bird"] in found(user, "chrysal")
    assert corpus["bird"] in found(user, "mmingbi")


def test_snippets_mark_the_matched_words_and_escape_the_rest(user, make_dream):
    make_dream(user, title="x", body="<b>bold</b> & a mirror in the **hall**", visibility=SHARED)
    hit = search.search(user=user, text="mirror").hits[0]
    assert "<mark>mirror</mark>" in hit.snippet
    assert "<b>" not in hit.snippet and "&amp;" in hit.snippet and "**" not in hit.snippet


def test_another_users_private_dream_never_appears_not_even_in_counts(corpus, user, other_user):
    results = search.search(user=user, text="staircase")
    assert corpus["theirs_private"] not in [h.dream for h in results.hits]
    assert results.count == 3  # two shared, one of mine
    assert search.search(user=other_user, text="secret").count == 1
    from django.contrib.auth.models import AnonymousUser

    assert search.search(user=AnonymousUser(), text="staircase").count == 2
    assert search.search(user=AnonymousUser(), text="bones").count == 0
    assert search.search(user=AnonymousUser(), text="bnes").count == 0


def test_the_index_follows_edits_deletes_and_the_trash(corpus, user):
    cat = corpus["cat"]
    entries.save_edit(cat, changes={"body": "A lynx on the roof."}, tags=["felines"],
                      base_version=cat.version)  # fmt: skip
    assert cat not in found(user, "cat -cats") and cat in found(user, "lynx")
    assert cat in found(user, "felines")
    entries.trash(cat)
    assert cat not in found(user, "lynx")
    entries.restore(cat)
    assert cat in found(user, "lynx")
    pk = cat.pk
    cat.delete()
    assert search.check_index() == []
    assert pk not in index().rows()


def test_tag_renames_reach_the_index(corpus, user):
    from dreams import vocabulary
    from dreams.models import Tag

    vocabulary.rename_tag(Tag.objects.get(owner=user, normalised="work"), "office")
    assert found(user, "office") == [corpus["door"]]
    assert search.check_index() == []


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000, '"unbalanced', 'a "b', "OR", "AND", "NOT", "-", "*", "a OR", "OR OR b",
        "'; DROP TABLE dreams_dream; --", "SELECT * FROM dream_fts", "\x00\x01\x1f", "NEAR(a b)",
        "title:door", "col:x", "motif:", "from:yesterday", "lucid:maybe", "(((", ")))", "^a",
        "a:b:c", '""', "\u202e\u200b", "тень 影 ظل", "*a*", "-*", "motif:nope door",
    ],
)  # fmt: skip
def test_nothing_typed_causes_an_error(client, corpus, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    search.search(user=corpus["cat"].owner, text=text)


def test_how_the_query_was_read_is_said():
    parsed = query.parse('flying "red door" stair* cat OR dog -falling lucid:yes from:2026-01')
    reading = parsed.describe()
    assert "all of “flying”, “red door”, stair…" in reading
    assert "one of “cat” or “dog”" in reading and "none of “falling”" in reading
    assert "lucid: yes" in reading and "from: 1 Jan 2026" in reading
    assert query.parse('"open').notes == ["An unmatched quote was read as a space."]
    assert query.parse("x" * 600).notes[0].startswith("Only the first 500")


def test_the_search_page_and_its_fragment(client, corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = client.get("/search/", {"q": "door"})
    html = page.content.decode()
    assert "<html" in html and 'name="q"' in html and "<mark>door</mark>" in html.lower()
    fragment = client.get("/search/", {"q": "door"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and 'id="results"' in body
    assert "HX-Request" in fragment["Vary"]
    empty = client.get("/search/")
    assert "newest first" in empty.content.decode()


def test_did_you_mean_links_the_corrected_query(client, corpus):
    html = client.get("/search/", {"q": "hummingbrd"}).content.decode()
    assert "?q=hummingbird" in html and "Ember bird" in html


def test_the_rebuild_command_checks_the_index(corpus):
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "matches the dreams exactly" in out.getvalue()
    index().forget([corpus["cat"].pk])
    with pytest.raises(CommandError, match="missing from the index"):
        call_command("rebuild_search_index", "--check", stdout=StringIO())
    call_command("rebuild_search_index", stdout=StringIO())
    assert search.check_index() == []


def test_suggestions_never_reveal_words_of_dreams_the_viewer_cannot_read(
    corpus, user, other_user, make_dream
):
    from django.contrib.auth.models import AnonymousUser

    make_dream(other_user, title="x", body="A zanzibarquokka in my locked room.")
    for viewer in (AnonymousUser(), user):
        results = search.search(user=viewer, text="zanzibarquok")
        assert results.count == 0 and "zanzibarquokka" not in " ".join(results.notes)
        results = search.search(user=viewer, text="zanzibarquoka")
        assert results.count == 0 and "zanzibarquokka" not in " ".join(results.notes)
    assert search.search(user=other_user, text="zanzibarquok").count == 1


def test_short_parts_only_match_word_starts(corpus, user):
    results = search.search(user=user, text="emb")
    assert "embers" in " ".join(results.notes)
    assert corpus["bird"] in [h.dream for h in results.hits]


def test_negated_filters_and_motifs_by_their_words(corpus, user):
    with_bird = set(found(user, "motif:hummingbird"))
    assert corpus["bird"] in with_bird
    assert corpus["bird"] not in found(user, "-motif:hummingbird")
    assert corpus["door"] not in found(user, "door -tag:work")
    assert found(user, "door -lucid:yes") == [corpus["doors"]]
    assert corpus["bird"] in found(user, "motif:hummingbirds")
    results = search.search(user=user, text="motif:unicornish")
    assert "searched for the words instead" in " ".join(results.notes)
    assert search.search(user=user, text="door tag:nosuchtag").count == 0


def test_far_dates_do_not_break_anything(client, corpus):
    assert client.get("/search/", {"q": "door to:9999-12"}).status_code == 200
    assert client.get("/search/", {"q": "door from:0001-01"}).status_code == 200
