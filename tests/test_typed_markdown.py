"""The re-indentation that turns Markdown as typed into CommonMark: what moves, what never does."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dreams.typed_markdown import MAX_LIST_DEPTH, MAX_QUOTE_DEPTH, as_commonmark


@pytest.mark.parametrize(
    ("typed", "moved"),
    [
        ("1. a\n  1. b\n  2. c\n2. d", "1. a\n   1. b\n   2. c\n2. d"),
        ("10. a\n  - b", "10. a\n    - b"),
        ("1. a\n  - b\n\n    more of b", "1. a\n   - b\n\n     more of b"),
        ("1. a\n  text of a", "1. a\n   text of a"),
        ("1. a\n  ```\n  code\n    deeper\n  ```", "1. a\n   ```\n   code\n     deeper\n   ```"),
        ("- a\n\t- b", "- a\n  - b"),
        ("> 1. a\n>   1. b", "> 1. a\n>    1. b"),
        ("1. a\r\n  1. b\r\n\r\nText", "1. a\n   1. b\n\nText"),
    ],
)
def test_items_move_under_their_parents_text(typed, moved):
    assert as_commonmark(typed) == moved


@pytest.mark.parametrize(
    "text",
    [
        "I walked.\nThe sea was glass.\n\nThen I woke.",
        "- a\n  - b\n    - c\n- d",
        "1. a\n   1. b\n2. c",
        "```\n1. not a list\n  2. nor this\n```",
        "    indented code\n      stays",
        "A list ended:\n- a\n\n  1. still in a\n\nParagraph.\n  1. new list",
    ],
)
def test_what_is_already_commonmark_stays_as_it_is(text):
    assert as_commonmark(text) == text


def test_deep_lists_and_quotes_are_capped_with_every_word_kept():
    words = [f"w{n}" for n in range(300)]
    nested = "".join("  " * n + f"- {word}\n" for n, word in enumerate(words))
    moved = as_commonmark(nested)
    indents = {len(line) - len(line.lstrip()) for line in moved.splitlines()}
    assert max(indents) == 2 * (MAX_LIST_DEPTH - 1)
    assert re.findall(r"w\d+", moved) == words
    assert as_commonmark("> " * 500 + "deep") == "> " * MAX_QUOTE_DEPTH + "deep"


LINES = st.lists(
    st.tuples(
        st.integers(0, 12),
        st.sampled_from(["- ", "* ", "1. ", "12) ", "> ", ">> ", "```", "~~~", "", "\t- "]),
        st.text(alphabet="ab >-1.`\t", max_size=8),
    ),
    max_size=30,
).map(lambda lines: "\n".join(" " * indent + mark + text for indent, mark, text in lines))


@given(LINES)
def test_only_leading_space_and_quote_marks_change(text):
    moved = as_commonmark(text)
    assert moved.count("\n") == text.count("\n")

    def kept(s: str) -> str:
        return re.sub(r"[ \t>]", "", s)

    assert kept(moved) == kept(text)
    for before, after in zip(text.split("\n"), moved.split("\n"), strict=True):
        assert after.lstrip(" \t>") == before.lstrip(" \t>") or ">" in before
