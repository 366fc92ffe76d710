"""The query language and how words are read, in every language (pure: no database)."""

import unicodedata

import pytest

from dreams import query


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("我梦见一只猫坐在雨伞下面", list("我梦见一只猫坐在雨伞下面")),
        ("駅で電車を待っていた", list("駅で電車を待っていた")),
        ("고양이가 우산을", ["고", "양", "이", "가", "우", "산", "을"]),
        ("Wir gingen die Straße entlang", ["wir", "gingen", "die", "strasse", "entlang"]),
        ("l'œuvre de ma sœur à Noël", ["l", "oeuvre", "de", "ma", "soeur", "a", "noel"]),
        ("¿Soñé con un niño?", ["sone", "con", "un", "nino"]),
        ("ｃａｔ ＣＡＴ ﬁsh", ["cat", "cat", "fish"]),
        ("a 🐈 and ❤️ and ❤", ["a", "qzx128008q", "and", "qzx10084q", "and", "qzx10084q"]),
        ("👍🏽 🇫🇷", ["qzx128077q", "qzx127997q", "qzx127467127479q"]),
        ("don't — “quoted”", ["don", "t", "quoted"]),
    ],
)
def test_words_in_every_language(text, words):
    assert query.tokens(text) == words


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("café", "cafe\u0301"),  # composed and decomposed
        ("Müller", "MU\u0308LLER"),
        ("Straße", "STRASSE"),
        ("ΣΟΦΊΑ", "σοφια"),
        ("İstanbul", "istanbul"),
        ("Ｔｏｋｙｏ", "tokyo"),
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana
        ("가", unicodedata.normalize("NFD", "가")),  # a Hangul syllable and its jamo
    ],
)
def test_every_way_of_typing_a_letter_is_one_word(one, other):
    assert query.tokens(one) == query.tokens(other)


def test_offsets_are_the_texts_own():
    text = "Die Straße, 雨伞 🐈‍⬛!"
    found = list(query.spans(text))
    assert [(text[a:b], word) for a, b, word in found] == [
        ("Die", "die"), ("Straße", "strasse"), ("雨", "雨"), ("伞", "伞"),
        ("🐈", "qzx128008q"), ("⬛", "qzx11035q"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "typed",
    ['"red door"', "“red door”", "„red door“", "« red door »", "「red door」", "”red door“"],
)
def test_straight_and_curly_quotes_make_phrases(typed):
    parsed = query.parse(typed)
    assert parsed.groups == [[query.Term("phrase", ("red", "door"))]]
    assert parsed.notes == []


def test_the_query_is_shown_back_as_typed():
    assert query.parse("don't").describe() == "all of “don't”"
    assert query.parse("雨伞 Straße").describe() == "all of “雨伞”, “Straße”"
    assert query.parse("🐈").describe() == "all of “🐈”"
    assert query.parse("“l'été”").describe() == "all of “l'été”"


def test_cjk_and_emoji_are_words_of_a_query():
    assert query.parse("猫").groups == [[query.Term("word", ("猫",))]]
    assert query.parse("雨伞").groups == [[query.Term("phrase", ("雨", "伞"))]]
    assert query.parse("🐈").groups == [[query.Term("word", ("qzx128008q",))]]
    assert query.parse("猫*").groups == [[query.Term("prefix", ("猫",))]]
    assert query.parse("—").notes == ["“—” has no letters, digits or emoji, so it was left out."]
    assert not query.is_spaced("猫") and not query.is_spaced("qzx128008q")
    assert query.is_spaced("strasse")
