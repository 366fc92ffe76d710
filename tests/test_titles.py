from pathlib import Path

import pytest

from dreams.titles import MAX_TITLE, UNTITLED, derive_title

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def test_seed_titles_are_distinct_images_from_the_narrative():
    titles = [derive_title(path.read_text(encoding="utf-8")) for path in SEEDS]
    assert len(set(titles)) == len(SEEDS) == 5
    for path, title in zip(SEEDS, titles, strict=True):
        assert "dreaming" not in title.lower()
        assert path.stem not in title
        assert 3 <= len(title) <= MAX_TITLE
    assert "Mezzanine of Slick Obsidian" in titles


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("I am dreaming. A crimson sun hangs over a courtyard of cracked marble.", None),
        ("I was flying over my old school.", "I was flying over my old school"),
        ("we were at the beach", "We were at the beach"),
        ("", UNTITLED),
        ("I am dreaming.", UNTITLED),
        ("   \n\n  ", UNTITLED),
    ],
)
def test_titles_for_short_and_odd_texts(text, title):
    derived = derive_title(text)
    if title:
        assert derived == title
    else:
        assert derived == "Courtyard of Cracked Marble"


def test_plain_heads_give_way_to_the_image_after_them():
    text = "You stand at the edge of a city made of moonlit glass."
    assert derive_title(text) == "City Made of Moonlit Glass"


def test_long_or_marked_up_openings_are_clipped_and_cleaned():
    assert len(derive_title("word " * 400)) <= MAX_TITLE
    assert derive_title("**Bold** start with [a link](https://example.org)") == (
        "Bold start with a link"
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Ich stand in einem Raum aus Glas – und draußen regnete es.",
            "Ich stand in einem Raum aus Glas",
        ),
        ("Ich ging durch eine Stadt — sie war leer.", "Ich ging durch eine Stadt"),
        ("We walked along the pier -- nobody else was there.", "We walked along the pier"),
        ("We ran - fast - to the sea.", "We ran - fast - to the sea"),
    ],
)
def test_a_spaced_dash_ends_the_opening_clause_and_no_title_ends_on_one(text, title):
    assert derive_title(text) == title


def test_a_title_clipped_after_a_dash_does_not_end_on_it():
    # The cut at MAX_TITLE falls just after the "–": it used to stay, before the "…".
    title = derive_title("# " + "abcdefghi " * 5 + "– xyzxyzxyzxyzxyz and on\nA dream.")
    assert title == "abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi…"


def test_a_chinese_or_japanese_dream_is_titled_by_its_first_sentence():
    assert derive_title("我在火车上看见一把伞。火车开进了隧道。") == "我在火车上看见一把伞"
    assert derive_title("猫が傘を持っていた！それから雨。") == "猫が傘を持っていた"
