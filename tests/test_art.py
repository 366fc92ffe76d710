"""Tests for the pure-Python SVG cover generator (no Django, no database)."""

import hashlib
import random
import re
import xml.etree.ElementTree as ET

import pytest

from dreams.art import COLOUR_WORDS, colours_in, cover_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
CATEGORIES = ["character", "animal", "place", "object", "nature", "body", "action", "colour"]
MOODS = ["", "joyful", "peaceful", "curious", "confused", "anxious", "frightened", "sad", "angry"]
SAMPLE = (
    "A chrysalis-blue twilight washes over a mezzanine of slick Obsidian; "
    "a crimson lantern swings above a bruised-purple sea."
)


def words(text):
    return [w for w, _ in colours_in(text)]


# ------------------------------------------------------------------ colour words


def test_colour_words_table():
    assert len(COLOUR_WORDS) >= 60
    required = str.split(
        "crimson scarlet indigo obsidian silver gold golden amber violet lavender emerald jade "
        "teal turquoise azure cobalt sapphire ivory pearl ebony ash ember coral copper "
        "bronze opal chrysalis-blue bruised-purple red blue green black white grey gray purple "
        "pink orange yellow brown"
    )
    for word in required:
        assert word in COLOUR_WORDS, word
    for word, hexcode in COLOUR_WORDS.items():
        assert word == word.lower()
        assert re.fullmatch(r"#[0-9a-f]{6}", hexcode), (word, hexcode)


def test_colours_in_finds_compounds_and_rare_words_in_order():
    found = colours_in(SAMPLE)
    assert [w for w, _ in found] == ["chrysalis-blue", "obsidian", "crimson", "bruised-purple"]
    assert dict(found)["chrysalis-blue"] == COLOUR_WORDS["chrysalis-blue"]
    assert dict(found)["bruised-purple"] == COLOUR_WORDS["bruised-purple"]
    assert "blue" not in words(SAMPLE)  # the compound is one word


def test_colours_in_whole_words_only():
    assert words("I was bored, and the sky grew redder and redder.") == []
    assert words("Shredded paper, a reddish glow, a boredom.") == []
    assert words("Red, then RED again, then red.") == ["red"]


def test_colours_in_case_insensitive_each_once():
    assert words("Gold and GOLDEN and gold and Silver") == ["gold", "golden", "silver"]


def test_colours_in_unknown_compound_falls_back_to_last_part():
    assert colours_in("a foo-blue door") == [("foo-blue", COLOUR_WORDS["blue"])]
    assert colours_in("an ash-ribbon contrail") == []


def test_colours_in_markdown_and_empty():
    assert words("**Crimson** and _teal_ and `amber`") == ["crimson", "teal", "amber"]
    assert colours_in("") == []


# ------------------------------------------------------------------ cover_svg


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    return root


def test_deterministic():
    kwargs = dict(key="42", text=SAMPLE, motifs=[("friend", "character")], mood="sad", title="T")
    assert cover_svg(**kwargs) == cover_svg(**kwargs)


def test_different_key_or_text_differs():
    base = cover_svg(key="1", text=SAMPLE)
    assert cover_svg(key="2", text=SAMPLE) != base
    assert cover_svg(key="1", text=SAMPLE + " More.") != base


def test_document_shape_and_accessibility():
    title = 'Night <script>alert("x")</script> & "friends"'
    svg = cover_svg(key="k", text=SAMPLE, title=title)
    root = parse(svg)
    assert root.get("viewBox") == "0 0 400 260"
    assert root.get("preserveAspectRatio") == "xMidYMid slice"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    title_el = root.find(SVG_NS + "title")
    assert title_el is not None and title_el.text == title
    assert "&lt;script&gt;" in svg
    assert "<script" not in svg.lower()


def test_no_active_or_external_content():
    svg = cover_svg(
        key="x",
        text=SAMPLE + ' <img src=x onerror="alert(1)"> http://evil.example/',
        motifs=[(c, c) for c in CATEGORIES[:4]],
        mood="curious",
        title="onload=alert(1)",
    )
    root = parse(svg)
    lowered = svg.lower()
    for bad in ("<script", "<image", "<foreignobject", "javascript:", "evil.example"):
        assert bad not in lowered
    assert not re.search(r"\son[a-z]+\s*=", svg)
    for el in root.iter():
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), name
            if local == "href":
                assert value.startswith("#"), value
        assert el.tag.rsplit("}", 1)[-1].lower() not in ("script", "image", "foreignobject")


def test_user_text_is_never_emitted():
    marker = "zebraquokka"
    svg = cover_svg(key="k", text=f"crimson {marker}", motifs=[(marker, "animal")], title="")
    assert marker not in svg


def test_ids_are_prefixed_and_unique():
    svg = cover_svg(key="a", text=SAMPLE, motifs=[("m", "nature")], mood="sad")
    other = cover_svg(key="b", text=SAMPLE, motifs=[("m", "nature")], mood="sad")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and len(ids) == len(set(ids))
    prefix = ids[0][:8]
    assert all(i.startswith(prefix) for i in ids)
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', other))
    for ref in re.findall(r"url\(#([^)]+)\)", svg):
        assert ref in ids


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_motif_category_draws_something(category):
    plain = cover_svg(key="m", text=SAMPLE)
    with_motif = cover_svg(key="m", text=SAMPLE, motifs=[("thing", category)])
    parse(with_motif)
    assert with_motif != plain
    assert len(with_motif) > len(plain)


def test_up_to_four_motifs():
    motifs = [(c, c) for c in CATEGORIES]
    svg = cover_svg(key="m", text=SAMPLE, motifs=motifs)
    parse(svg)
    assert len(svg) < 14_000


def test_mood_changes_output():
    outputs = {cover_svg(key="m", text=SAMPLE, mood=mood) for mood in MOODS}
    assert len(outputs) == len(MOODS)
    for svg in outputs:
        parse(svg)


def test_unknown_mood_and_category_are_tolerated():
    svg = cover_svg(key="m", text=SAMPLE, mood="Ecstatic", motifs=[("x", "weird")])
    parse(svg)


def test_empty_text_works():
    svg = cover_svg(key="empty", text="")
    root = parse(svg)
    assert root.find(SVG_NS + "title").text
    assert cover_svg(key="empty", text="") == svg


def test_palette_follows_colour_words():
    red = cover_svg(key="p", text="crimson scarlet ruby")
    blue = cover_svg(key="p", text="cobalt sapphire azure")
    assert red != blue


def test_control_characters_do_not_break_xml():
    parse(cover_svg(key="c", text="a\x00b\x1f", title="bad\x00\x0bchars \ud800 ok"))


def test_size_is_small():
    r = random.Random(1)
    for i in range(40):
        text = " ".join(r.choice(list(COLOUR_WORDS) + ["dream"] * 20) for _ in range(40))
        motifs = [(f"m{j}", r.choice(CATEGORIES)) for j in range(4)]
        svg = cover_svg(key=str(i), text=text, motifs=motifs, mood=r.choice(MOODS))
        assert len(svg.encode()) < 12_000


def test_fifty_random_texts_give_fifty_distinct_svgs():
    r = random.Random(2024)
    vocab = ["moon", "river", "door", "falling", "house", "teal", "gold", "whisper", "glass"]
    texts = set()
    while len(texts) < 50:
        texts.add(" ".join(r.choice(vocab) for _ in range(r.randint(1, 12))))
    svgs = {cover_svg(key="same", text=t) for t in texts}
    assert len(svgs) == 50
    # not just the ids: the drawings themselves differ
    bodies = {re.sub(r"c[0-9a-f]{7}", "", s) for s in svgs}
    assert len(bodies) == 50


def test_verbs_and_fruit_are_not_colours():
    from dreams.art import describe_cover

    assert colours_in("The sun rose over a peach and a glass of wine.") == []
    assert describe_cover(text="", mood="Anxious").startswith(
        "An abstract dreamscape in an anxious"
    )


# Covers pinned byte for byte: the painters (sky, nebula, stars, ridges, glyphs...) may be
# reshaped, but a dream must keep its exact cover. Every mood, every glyph kind, colour words,
# no motifs and four. If a change is meant to draw differently, bump browse.ART_VERSION and
# pin the new digests.
GOLDEN_CASES = [
    dict(key="7", text="A crimson door under silver rain.",
         motifs=[("door", "object"), ("moth", "animal")], mood="sad", title="The door"),
    dict(key="1", text="", motifs=[], mood="", title=""),
    dict(key="2", text="Golden light over a teal sea; violet birds.",
         motifs=[("mother", "character"), ("tower", "place"), ("bird", "animal"),
                 ("sea", "nature")], mood="joyful", title="Gold"),
    dict(key="3", text="Grey fog, a black dog.", motifs=[("dog", "animal")], mood="frightened"),
    dict(key="4", text="Emerald fields.", motifs=[("field", "place")], mood="peaceful"),
    dict(key="5", text="Orange sparks.", motifs=[("fire", "nature"), ("key", "object")],
         mood="angry"),
    dict(key="6", text="A maze of blue doors.", motifs=[("maze", "place"), ("hand", "body")],
         mood="confused"),
    dict(key="8", text="White corridors.", motifs=[("stranger", "character")], mood="anxious"),
    dict(key="9", text="Pink clouds.", motifs=[("cloud", "nature"), ("flying", "action"),
         ("red", "colour")], mood="curious", title="<Up & away>"),
]  # fmt: skip
GOLDEN_FIRST = "77e8bb6692c904486ee5d812dc49c0eead488c9851ed69082cce2c5036e22825"
GOLDEN_ALL = "a844915625384d4a1948b3f30bc7acc8f2fd24ae48a507ec698369515d34d8dd"


def test_known_covers_are_unchanged():
    digests = [hashlib.sha256(cover_svg(**case).encode()).hexdigest() for case in GOLDEN_CASES]
    assert digests[0] == GOLDEN_FIRST  # the one the style guide quotes
    together = hashlib.sha256("".join(digests).encode()).hexdigest()
    assert together == GOLDEN_ALL
