"""Motif detection is pure: these tests need no database."""

from dreams import motifs
from dreams.motifs import Lexicon, LexiconEntry, detect

LEXICON = Lexicon(
    [
        LexiconEntry("mirror", "Mirror", "object", ("mirrors", "mirrored", "looking glass")),
        LexiconEntry("staircase", "Staircase", "place", ("stairs", "stairway", "steps")),
        LexiconEntry("feather", "Feather", "object", ("plume",)),
        LexiconEntry("grandfather-clock", "Grandfather clock", "object"),
        LexiconEntry("grandfather", "Grandfather", "character", ("grandpa",)),
        LexiconEntry("flying", "Flying", "action", ("fly", "flew", "soaring")),
    ]
)


def by_slug(text: str, lexicon: Lexicon = LEXICON) -> dict[str, motifs.Detection]:
    return {d.slug: d for d in detect(text, lexicon=lexicon)}


def test_word_forms_and_case_and_punctuation_match_with_exact_spans():
    text = "MIRRORS everywhere; the hall was mirrored. A mirror!"
    found = by_slug(text)["mirror"]
    assert found.count == 3
    assert [(s.text, s.start, s.end) for s in found.spans] == [
        ("MIRRORS", 0, 7),
        ("mirrored", 33, 41),
        ("mirror", 45, 51),
    ]
    assert all(text[s.start : s.end] == s.text for s in found.spans)
    assert found.words == ["mirrors", "mirrored", "mirror"]


def test_stemming_finds_forms_not_listed():
    assert "flying" in by_slug("We flies over the town")  # "flies" stems like "fly"
    assert "feather" in by_slug("Feathers fell")


def test_multi_word_motifs_win_over_their_first_word_and_stay_in_one_sentence():
    found = by_slug("My grandfather clock struck nine.")
    assert "grandfather-clock" in found and "grandfather" not in found
    found = by_slug("I saw my grandfather. Clock hands spun.")
    assert "grandfather" in found and "grandfather-clock" not in found
    assert "mirror" in by_slug("An old looking-glass")


def test_no_partial_words():
    assert by_slug("The stepsister admired a mirrorball") == {}


def test_most_frequent_first_and_without_removes():
    text = "stairs, steps, a feather, stairs"
    assert [d.slug for d in detect(text, lexicon=LEXICON)] == ["staircase", "feather"]
    assert list(by_slug(text, LEXICON.without(["staircase"]))) == ["feather"]


def test_the_shipped_lexicon_is_large_and_categorised():
    lexicon = motifs.builtin_lexicon()
    assert len(lexicon) >= 250
    categories = {entry.category for entry in lexicon.entries}
    assert categories == {
        "character", "animal", "place", "object", "nature", "body", "action", "colour"
    }  # fmt: skip
    slugs = [entry.slug for entry in lexicon.entries]
    assert len(slugs) == len(set(slugs))
    assert all(slug == slug.lower() and " " not in slug for slug in slugs)


def test_the_shipped_lexicon_finds_seed_symbols():
    text = "The feathers drift down. You climb the staircase past shattered mirrors."
    found = by_slug(text, motifs.builtin_lexicon())
    assert {"feather", "staircase", "mirror"} <= set(found)


def test_idioms_are_not_motifs():
    lexicon = Lexicon(
        [LexiconEntry("heart", "Heart", "body"), LexiconEntry("key", "Key", "object")],
        idioms=("at the heart of", "minor key"),
    )
    assert by_slug("At the heart of it, a song in a minor key.", lexicon) == {}
    assert set(by_slug("My heart raced; I found a key.", lexicon)) == {"heart", "key"}


def test_the_shipped_lexicon_skips_common_false_friends():
    found = by_slug(
        "On the one hand it was a dead end; the earth was pale and hazy.",
        motifs.builtin_lexicon(),
    )
    assert not {"hand", "dying", "planet", "white", "mist"} & set(found)
