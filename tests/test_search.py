"""Search on a fixed corpus: ranking, the query language, typos, privacy, bad input."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

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
            lucid=True, dreamt_on=datetime.date(2026, 2, 1), tags=["work"], show_tags=True,
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


def test_snippets_read_as_typed_where_angle_brackets_are_the_writers(user, make_dream):
    body = "# Heading\n> quoted mirror\nCode <b>x</b> and a < b > c, mirror #2 here"
    make_dream(user, title="x", body=body, visibility=SHARED)
    hit = search.search(user=user, text="code").hits[0]
    assert "&lt;b&gt;x&lt;/b&gt; and a &lt; b &gt; c, mirror #2 here" in hit.snippet
    assert hit.snippet.startswith("Heading\nquoted mirror\n<mark>Code</mark>")


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
    # A shared dream's hidden tags stay out of the index; its author finds it with tag:.
    assert cat not in found(user, "felines") and cat in found(user, "tag:felines")
    cat = entries.save_edit(cat, changes={"show_tags": True}, tags=["felines"],
                            base_version=cat.version + 1)  # fmt: skip
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


def test_the_search_page_and_its_fragment(
    client, corpus, fetch_both, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get("/search/", {"q": "door"})
    page, fragment = fetch_both("/search/", {"q": "door"})
    assertContains(page, 'name="q"')
    for response in (page, fragment):
        assert "<mark>door</mark>" in response.content.decode().lower()
    assertContains(fragment, 'id="results"', count=1)
    assertNotContains(fragment, 'name="q"')  # the form stays; only the results are swapped
    assertContains(client.get("/search/"), "newest first")


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


def word_list(scope):
    """The words of one list, as the database holds them: {word: dreams}."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, dreams FROM dream_search_word WHERE scope = %s", [scope])
        return dict(cursor.fetchall())


def test_suggestions_check_words_not_stems(user, other_user, make_user, make_dream):
    """A visitor's "divo" may show "divorce" (a shared dream) but never "divorcing", which
    only another user's private dream has, though both have the stem "divorc"."""
    from django.contrib.auth.models import AnonymousUser

    make_dream(user, title="x", body="Talk of a divorce at dinner.", visibility=SHARED)
    make_dream(other_user, title="y", body="My parents divorcing, again.")
    stranger = make_user("carol")
    for viewer in (AnonymousUser(), user, stranger):
        notes = " ".join(search.search(user=viewer, text="divo").notes)
        assert "divorce" in notes and "divorcing" not in notes
        notes = " ".join(search.search(user=viewer, text="divorcng").notes)
        assert "divorcing" not in notes
    assert "divorcing" in " ".join(search.search(user=other_user, text="divo").notes)
    assert "divorcing" in " ".join(search.search(user=other_user, text="divorcng").notes)


def test_word_lists_follow_sharing_the_trash_and_deletion(user, other_user, make_dream):
    secret = make_dream(other_user, title="x", body="A quetzalcoatl in the attic.")
    assert word_list(other_user.pk)["quetzalcoatl"] == 1
    assert "quetzalcoatl" not in word_list(0)
    entries.save_edit(secret, changes={"visibility": SHARED}, tags=[], base_version=secret.version)
    assert word_list(0)["quetzalcoatl"] == 1 and "quetzalcoatl" not in word_list(other_user.pk)
    assert "quetzalcoatl" in " ".join(search.search(user=user, text="quetzal").notes)
    make_dream(user, title="z", body="Another quetzalcoatl, mine.", visibility=SHARED)
    assert word_list(0)["quetzalcoatl"] == 2
    entries.trash(secret)
    assert word_list(0)["quetzalcoatl"] == 1
    entries.restore(secret)
    assert word_list(0)["quetzalcoatl"] == 2
    Dream.objects.filter(pk=secret.pk).update(visibility=Dream.Visibility.PRIVATE)
    assert word_list(0)["quetzalcoatl"] == 1 and word_list(other_user.pk)["quetzalcoatl"] == 1
    secret.refresh_from_db()
    entries.save_edit(
        secret, changes={"body": "An axolotl now."}, tags=[], base_version=secret.version
    )
    assert "quetzalcoatl" not in word_list(other_user.pk) and "axolotl" in word_list(other_user.pk)
    assert search.check_index() == []
    other_user.delete()
    assert word_list(other_user.pk) == {} and word_list(0)["quetzalcoatl"] == 1
    assert search.check_index() == []
    Dream.objects.all().delete()
    assert word_list(0) == {} and index().sources() == {}


def test_one_accounts_words_cost_nothing_in_anothers_searches(
    corpus, make_user, make_dream, django_assert_num_queries
):
    """The candidates read for a visitor's typo come from the shared list alone: however many
    made-up words a private journal holds, the visitor's search reads the same words and runs
    the same queries."""
    from django.contrib.auth.models import AnonymousUser

    def visitor_search():
        with CaptureQueriesContext(connection) as queries:
            results = search.search(user=AnonymousUser(), text="staircse")
        return results.notes, len(queries)

    before = visitor_search()
    hostile = make_user("hostile")
    letters = ["".join(chr(97 + n // 26**i % 26) for i in range(3)) for n in range(400)]
    nonsense = " ".join(f"staircase{tail} staircasing{tail}" for tail in letters)
    for n in range(5):
        make_dream(hostile, title=f"n{n}", body=nonsense)
    assert visitor_search() == before
    assert index().containing("staircase", scope=0, limit=50) == ["staircase"]
    assert len(index().containing("staircase", scope=hostile.pk, limit=5000)) == 400
    assert "staircaseaaa" in " ".join(search.search(user=hostile, text="staircaseaa").notes)
    hostile.delete()
    assert word_list(hostile.pk) == {}
    assert search.check_index() == []


def test_check_index_finds_a_word_list_gone_wrong(corpus):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dream_search_word SET dreams = dreams + 1 WHERE scope = 0")
    assert any("word lists" in problem for problem in search.check_index())
    call_command("rebuild_search_index", stdout=StringIO())
    assert search.check_index() == []


@pytest.fixture
def languages(user, make_dream):
    def dream(title, body):
        return make_dream(user, title=title, body=body, visibility=SHARED)

    return {
        "zh": dream("梦", "我梦见一只猫坐在雨伞下面，然后上了火车。"),
        "ja": dream("夢", "駅で電車を待っていたら、猫が傘をさして来た。"),
        "ko": dream("꿈", "고양이가 우산을 쓰고 기차를 탔다."),
        "de": dream("Traum", "Wir gingen die Straße entlang zum Café Müller."),
        "fr": dream("Rêve", "Un rêve d'été : l'œuvre de ma sœur à Noël."),
        "es": dream("Sueño", "Soñé con un niño en el año nuevo, ¿verdad?"),
        "emoji": dream("Night", "A black cat 🐈‍⬛ and a red heart ❤️ under the moon 🌙."),
        "en": dream("Plain", "A cat and a red door; don't open it."),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("猫", {"zh", "ja"}), ("雨伞", {"zh"}), ("火车", {"zh"}), ("伞", {"zh"}),
        ("猫 火车", {"zh"}), ("狗", set()), ("“雨伞”", {"zh"}), ("伞雨", set()),
        ("電車", {"ja"}), ("傘", {"ja"}), ("待って", {"ja"}), ("猫 -電車", {"zh"}),
        ("고양이", {"ko"}), ("기차", {"ko"}), ("우산", {"ko"}), ("고양", {"ko"}),
        ("strasse", {"de"}), ("STRASSE", {"de"}), ("Straße", {"de"}), ("muller", {"de"}),
        ("Mu\u0308ller", {"de"}), ("cafe", {"de"}), ("CAFÉ", {"de"}),
        ("reve", {"fr"}), ("rêve", {"fr"}), ("oeuvre", {"fr"}), ("œuvre", {"fr"}),
        ("ete", {"fr"}), ("noël", {"fr"}), ("SŒUR", {"fr"}),
        ("sone", {"es"}), ("soñé", {"es"}), ("nino", {"es"}), ("año", {"es"}),
        ("🐈", {"emoji"}), ("❤", {"emoji"}), ("❤️", {"emoji"}), ("🌙", {"emoji"}),
        ("🐈‍⬛", {"emoji"}), ("🐶", set()), ("cat 🌙", {"emoji"}),
        ("ｃａｔ", {"en", "emoji"}), ("“red door”", {"en"}), ("„red door“", {"en"}),
        ("« it open »", set()), ("« open it »", {"en"}), ("don't", {"en"}), ("don’t", {"en"}),
    ],
)  # fmt: skip
def test_search_in_every_language(languages, user, text, expected):
    wanted = {languages[key] for key in expected}
    assert set(found(user, text)) == wanted
    assert search.matching_ids(user=user, text=text) == {d.pk for d in wanted}


def test_an_emoji_is_searched_for_not_everything(languages, user):
    results = search.search(user=user, text="🌙")
    assert results.count == 1 and "everything" not in results.reading
    assert results.reading == "all of “🌙”"


def test_snippets_mark_words_in_every_language(languages, user):
    def snippet(text):
        return search.search(user=user, text=text).hits[0].snippet

    assert "<mark>猫</mark>" in snippet("猫 火车") and "<mark>火车</mark>" in snippet("猫 火车")
    assert "<mark>雨伞</mark>" in snippet("雨伞")
    assert "<mark>Straße</mark>" in snippet("strasse")
    assert "<mark>Café</mark>" in snippet("cafe")
    assert "<mark>œuvre</mark>" in snippet("oeuvre")
    assert "<mark>🌙</mark>" in snippet("🌙")
    assert "<mark>고양이</mark>가" in snippet("고양이")


def test_snippets_are_bounded_and_escaped(user, make_dream):
    body = "5 < 6 & " + "word " * 30_000 + " needle at the end"
    make_dream(user, title="long", body=body, visibility=SHARED)
    hit = search.search(user=user, text="word").hits[0]
    assert hit.snippet.startswith("5 &lt; 6 &amp; <mark>word</mark> ")
    assert hit.snippet.count("<mark>") == search.SNIPPET_WORDS - 2
    assert hit.snippet.endswith("…")
    # The needle is past what a snippet reads: the dream is found, its opening shown.
    hit = search.search(user=user, text="needle").hits[0]
    assert hit.snippet.startswith("5 &lt; 6") and "<mark>" not in hit.snippet


def test_the_query_is_shown_back_exactly_as_typed(client, languages):
    for typed in ("don't", "雨伞", "🌙", "“red door”", "Straße"):
        html = client.get("/search/", {"q": typed}).content.decode()
        assert f'value="{escape(typed)}"' in html
        shown = escape(typed.strip("“”"))
        assert f"all of “{shown}”" in html
    assert "don t" not in client.get("/search/", {"q": "don't"}).content.decode()


def test_sqlite_can_rebuild_the_dreams_table_under_the_index(transactional_db, user, make_dream):
    """A migration that alters a field of Dream makes SQLite rebuild dreams_dream, which it
    refuses while another table's trigger names it: the index's triggers never do."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds tables to alter them")
    from dreams.apps import sqlite_triggers_after_migrate

    dream = make_dream(user, title="x", body="A quetzalcoatl", visibility=SHARED)
    with connection.schema_editor() as editor:
        editor._remake_table(Dream)
    sqlite_triggers_after_migrate()  # as post_migrate does after every migrate
    assert search.check_index() == [] and word_list(0)["quetzalcoatl"] == 1
    dream.delete()
    assert word_list(0) == {} and search.check_index() == []


@pytest.fixture
def contractions(user, make_dream):
    def dream(title, body):
        return make_dream(user, title=title, body=body, visibility=SHARED)

    return {
        "straight": dream("Hall", "I don't know whose house it was."),
        "curly": dream("Garden", "I don’t remember the gate."),
        "bare": dream("Shore", "I dont think the sea was real."),
        "shell": dream("Beach", "A shell on the sand; she said nothing."),
        "neither": dream("Roof", "Don the neighbour waved at me."),
    }


@pytest.mark.parametrize("typed", ["dont", "don't", "don’t", "DON'T"])
def test_a_contraction_is_found_with_or_without_its_apostrophe(contractions, user, typed):
    hits = found(user, typed)
    wanted = {contractions[name] for name in ("straight", "curly", "bare")}
    assert set(hits) == wanted
    results = search.search(user=user, text=typed)
    assert results.notes == []  # found as typed: no "showing don" correction
    assert results.reading == f"all of “{typed}”"


def test_a_contraction_in_a_phrase_and_excluded(contractions, user):
    assert set(found(user, '"I dont know"')) == {contractions["straight"]}
    assert set(found(user, "the -don't")) == {contractions["shell"], contractions["neither"]}


def test_a_contraction_is_marked_whole_in_the_snippet(contractions, user):
    hits = {hit.dream: hit.snippet for hit in search.search(user=user, text="dont").hits}
    assert "I <mark>don't</mark> know" in hits[contractions["straight"]].replace("&#x27;", "'")
    assert "I <mark>dont</mark> think" in hits[contractions["bare"]]


def test_a_word_that_is_not_a_contraction_keeps_its_own_meaning(contractions, user):
    # "shell" is not "she'll", and "don" alone finds the word, not "don't".
    assert set(found(user, "shell")) == {contractions["shell"]}
    assert set(found(user, "don")) >= {contractions["neither"]}
