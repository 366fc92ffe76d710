"""The search query language, parsed into a plain structure. Pure: no database.

    flying "red door" stair* cat OR dog -falling motif:feather tag:work lucid:yes
    nightmare:no from:2026-01-01 to:2026-03-31 shared:yes

Words must all match; "quoted phrases" (straight, curly or «guillemets») match in order;
word* matches a prefix; OR offers alternatives; -word excludes. Nothing a user types is an
error: what cannot be read as the language is read as plain words, and the notes say so.

Text and queries are read into the same words by tokens() in every language: Unicode NFKC,
case folding and accents folded, so every way of typing a letter is one word; each character of
Chinese, Japanese and Korean (and each cluster of Thai, Lao, Khmer and Myanmar) is a word of
its own, so a run of them is found as a phrase of characters; an emoji is a word.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_QUERY = 500
FILTERS = ("motif", "tag", "lucid", "nightmare", "recurring", "from", "to", "shared")
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Phrase quotes as people type them: straight, curly, low-high, guillemets, CJK corner brackets.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»＂「」『』", '"'))
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<key>[a-zA-Z]+):(?:"(?P<qval>[^"]*)"|(?P<val>\S*))'
    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))'
)


@dataclass(frozen=True)
class Term:
    kind: str  # "word", "phrase" or "prefix"
    words: tuple[str, ...]  # as tokens() reads them
    typed: str = field(default="", compare=False)  # as typed, to show back ("don't")
    # Other ways the same words are written, found as well: "dont" also finds the phrase
    # ("don", "t") that "don't" is to the index, and "don't" also finds "dont".
    variants: tuple[tuple[str, ...], ...] = field(default=(), compare=False)

    @property
    def spellings(self) -> tuple[tuple[str, ...], ...]:
        """The words, then each variant: every sequence of words this term matches."""
        return (self.words, *self.variants)

    def describe(self) -> str:
        text = self.typed or " ".join(self.words)
        if self.kind == "prefix":
            return f"{text}…"
        return f"“{text}”"

    def fts(self) -> str:
        quoted = ['"' + " ".join(words).replace('"', '""') + '"' for words in self.spellings]
        if self.kind == "prefix":
            return quoted[0] + "*"
        return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"

    def tsquery(self) -> str:
        """The same term for PostgreSQL's to_tsquery(): quoted lexemes in a row (<->)."""
        rows = []
        for words in self.spellings:
            lexemes = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words]
            if self.kind == "prefix":
                lexemes[-1] += ":*"
            joined = " <-> ".join(lexemes)
            rows.append(f"({joined})" if len(lexemes) > 1 else joined)
        return rows[0] if len(rows) == 1 else "(" + " | ".join(rows) + ")"


@dataclass
class Query:
    groups: list[list[Term]] = field(default_factory=list)  # all groups; any term of a group
    excluded: list[Term] = field(default_factory=list)
    filters: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def has_terms(self) -> bool:
        return bool(self.groups or self.excluded)

    def match_expression(self) -> str:
        """The FTS5 MATCH string for the wanted terms (empty when only exclusions)."""
        parts = []
        for group in self.groups:
            alternatives = [term.fts() for term in group]
            parts.append(
                alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
            )
        return " AND ".join(parts)

    def exclusion_expression(self) -> str:
        return " OR ".join(term.fts() for term in self.excluded)

    def match_tsquery(self) -> str:
        """match_expression() for PostgreSQL's to_tsquery()."""
        return " & ".join(
            "(" + " | ".join(term.tsquery() for term in group) + ")" for group in self.groups
        )

    def exclusion_tsquery(self) -> str:
        return " | ".join(term.tsquery() for term in self.excluded)

    def describe(self) -> str:
        """How the query was read, in words."""
        parts = []
        singles = [g[0].describe() for g in self.groups if len(g) == 1]
        if singles:
            parts.append("all of " + ", ".join(singles))
        for group in (g for g in self.groups if len(g) > 1):
            parts.append("one of " + " or ".join(term.describe() for term in group))
        if self.excluded:
            parts.append("none of " + ", ".join(term.describe() for term in self.excluded))
        for key, value in self.filters.items():
            if isinstance(value, datetime.date):
                value = f"{value:%-d %b %Y}"
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            if key.startswith("-"):
                parts.append(f"without {key[1:]} {value}")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts)

    def words(self) -> list[Term]:
        """The plain words, which a typo fallback may correct."""
        return [term for group in self.groups for term in group if term.kind == "word"]


# ---- Words, the same for the text indexed and the query typed ---------------------------------

# Written without spaces between words: every character is a word to the index.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c"
    "\u3040-\u309f\u30a0-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
# Written without spaces, with vowels that combine: every cluster is a word to the index.
_CLUSTERED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"


_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")
# Letters that carry their accent inside them, folded as PostgreSQL's unaccent folds them.
_FOLD = {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "ħ": "h", "ŧ": "t", "ı": "i",
         "þ": "th", "æ": "ae", "œ": "oe"}  # fmt: skip
_FOLDED = re.compile(f"[{''.join(_FOLD)}]")
_INVISIBLE = re.compile("[\u200d\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _marks() -> str:
    """A character class of every combining mark (category M) of the Basic Multilingual Plane
    but variation selectors: parts of the letters they follow (Devanagari vowels, Arabic
    harakat). The plane alone keeps the class a fast bitmap."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code))[0] == "M" and not 0xFE00 <= code <= 0xFE0F:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)


_M = _marks()
# A word (letters and digits, and the marks that combine with them), a flag (two regional
# indicators) or one symbol (an emoji is a word, punctuation is not).
_PIECE = re.compile(f"(?:[^\\W_]+[{_M}]*)+|[\U0001f1e6-\U0001f1ff]{{1,2}}|[^\\w\\s]")
# Within a word, the characters (or clusters) of scripts written without spaces.
_UNSPACED = re.compile(f"[{_CJK}{_CLUSTERED}]")
_SPLIT = re.compile(f"[{_CJK}][{_M}]*|[{_CLUSTERED}][{_M}]*|(?:[^\\W_{_CJK}{_CLUSTERED}]+[{_M}]*)+")
_ASCII_WORD = re.compile("[a-z0-9]+")
EMOJI_WORD = "qzx{}q"  # how the index spells an emoji: letters and digits every tokenizer keeps
_EMOJI_SPELLING = re.compile(EMOJI_WORD.format(r"\d+"))


def _is_emoji(piece: str) -> bool:
    code = ord(piece[0])
    return code >= 0x80 and (unicodedata.category(piece[0]) == "So" or 0x1F3FB <= code <= 0x1F3FF)


def normalise(text: str) -> str:
    """Text as the index reads it: NFKC, case folded, Latin/Greek/Cyrillic accents and the
    letters of _FOLD folded, emoji variation selectors and joiners dropped."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", unicodedata.normalize("NFD", text)))
    return _INVISIBLE.sub("", _FOLDED.sub(lambda letter: _FOLD[letter.group()], text))


def _pieces(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, piece) of each word or symbol of a text, CJK runs split by character."""
    unspaced = _UNSPACED.search(text) is not None
    for match in _PIECE.finditer(text):
        piece = match.group()
        if unspaced and _UNSPACED.search(piece):
            at = match.start()
            for part in _SPLIT.finditer(piece):
                yield at + part.start(), at + part.end(), part.group()
        else:
            yield match.start(), match.end(), piece


def _word(piece: str) -> str | None:
    """A normalised piece as the index spells it; None for punctuation."""
    if piece[0].isalnum():
        return piece
    if _is_emoji(piece):
        return EMOJI_WORD.format("".join(str(ord(c)) for c in piece))
    return None


def tokens(text: str) -> list[str]:
    """The words of a text, in order, as the index holds them ("Straße im Café 🐈 雨伞" ->
    ["strasse", "im", "cafe", "qzx128008q", "雨", "伞"])."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    text = normalise(text)
    unspaced = _UNSPACED.search(text) is not None
    words = []
    for piece in _PIECE.findall(text):
        if unspaced and _UNSPACED.search(piece):
            words += _SPLIT.findall(piece)
        elif word := _word(piece):
            words.append(word)
    return words


def index_text(text: str) -> str:
    """A text as its index row holds it: its tokens(), one space apart."""
    return " ".join(tokens(text))


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for each word of a text as typed, for marking matches in it:
    the character offsets are the text's own, the words those of tokens()."""
    for start, end, piece in _pieces(text):
        if piece.isascii():
            if piece.isalnum():
                yield start, end, piece.lower()
            continue
        for word in tokens(piece):
            yield start, end, word


def is_spaced(word: str) -> bool:
    """A word of a script written with spaces between words (not a CJK character, a cluster
    or an emoji): one that a typo may be corrected in."""
    return not _UNSPACED.match(word) and not _EMOJI_SPELLING.fullmatch(word)


def without_control(text: str) -> str:
    """Text with control characters (a pasted NUL, an escape) made spaces."""
    return _CONTROL.sub(" ", text or "")


def _date(value: str, *, end: bool) -> datetime.date | None:
    for pattern, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            parsed = datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if not end or precision == "day":
            return parsed
        if precision == "month":
            try:
                following = parsed.replace(day=28) + datetime.timedelta(days=4)
            except OverflowError:
                return datetime.date.max
            return following - datetime.timedelta(days=following.day)
        return parsed.replace(month=12, day=31)
    return None


# English contractions as people also type them, without the apostrophe ("dont"), where that
# spelling is not a word of its own ("well", "were", "shell", "its" and "lets" are left out).
CONTRACTIONS = frozenset(
    """don't doesn't didn't can't won't isn't aren't wasn't weren't couldn't wouldn't shouldn't
    haven't hasn't hadn't mustn't needn't ain't i'm i've you're you've you'll you'd they're
    they've they'll they'd we've he's she's that's there's what's who's o'clock y'all""".split()  # noqa: SIM905
)
_UNAPOSTROPHED = {word.replace("'", ""): tuple(word.split("'")) for word in CONTRACTIONS}
# An apostrophe between two letters, typed straight, curly or as a modifier letter.
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’ʼ](?=[^\W\d_])")


def _variants(text: str, words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Other spellings of typed words that mean the same to a reader: the apostrophe left out
    ("don't" -> "dont", "l'eau" -> "leau") or an English contraction typed without it
    ("dont" -> "don t", as the index reads "don't")."""
    found = []
    joined = tuple(tokens(_APOSTROPHE.sub("", text)))
    if joined != words:
        found.append(joined)
    expanded = tuple(part for word in words for part in _UNAPOSTROPHED.get(word, (word,)))
    if expanded != words:
        found.append(expanded)
    return tuple(found)


def _term(text: str, *, kind: str) -> Term | None:
    words = tuple(tokens(text))
    if not words:
        return None
    if kind == "prefix" and len(words) > 1:
        # "stair-wel*": the last part is the prefix of a phrase; keep it simple and exact.
        kind = "phrase"
    if kind == "word" and len(words) > 1:
        kind = "phrase"  # "don't" is the phrase "don t" to the index, and 雨伞 "雨 伞"
    variants = () if kind == "prefix" else _variants(text, words)
    return Term(kind, words, " ".join(text.split()), variants)


def parse(text: str) -> Query:
    query = Query()
    text = without_control(text).translate(_QUOTES)
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY]
        query.notes.append(f"Only the first {MAX_QUERY} characters were read.")
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
        query.notes.append("An unmatched quote was read as a space.")
    pending_or = False
    for match in _TOKEN.finditer(text):
        negative = bool(match["neg"])
        if match["key"] is not None and match["key"].lower() in FILTERS:
            value = match["qval"] or match["val"] or ""
            _filter(query, match["key"].lower(), value, negative=negative)
            continue
        if match["key"] is not None:
            raw, kind = match.group(0).lstrip("-"), "word"
        elif match["phrase"] is not None:
            raw, kind = match["phrase"], "phrase"
        else:
            raw, kind = match["word"], "word"
            if raw == "OR" and not negative:
                if query.groups and not pending_or:
                    pending_or = True
                else:
                    query.notes.append("An OR with nothing before it was left out.")
                continue
            if raw.endswith("*"):
                raw, kind = raw.rstrip("*"), "prefix"
                if len(raw) < 2 and is_spaced(normalise(raw)):
                    query.notes.append("A prefix needs at least two letters before the *.")
                    continue
        term = _term(raw, kind=kind)
        if term is None:
            if raw.strip("-*"):
                query.notes.append(
                    f"“{raw[:40]}” has no letters, digits or emoji, so it was left out."
                )
            continue
        if negative:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    if pending_or:
        query.notes.append("An OR with nothing after it was left out.")
    return query


def _filter(query: Query, key: str, value: str, *, negative: bool = False) -> None:
    value = value.strip()
    if not value:
        query.notes.append(f"“{key}:” needs a value, so it was left out.")
        return
    if negative and key in ("motif", "tag"):
        query.filters[f"-{key}"] = value[:80]  # -motif:mirror: dreams without it
        return
    if negative and key in ("from", "to"):
        query.notes.append(f"“-{key}:” cannot be negated; it was left out.")
        return
    if key in ("lucid", "nightmare", "recurring", "shared"):
        if value.lower() in YES | NO:
            # -lucid:yes means lucid:no.
            query.filters[key] = (value.lower() in YES) != negative
        else:
            query.notes.append(f"“{key}:{value[:40]}” should be yes or no; it was left out.")
    elif key in ("from", "to"):
        day = _date(value, end=key == "to")
        if day is None:
            query.notes.append(
                f"“{key}:{value[:40]}” is not a date (use YYYY-MM-DD); it was left out."
            )
        else:
            query.filters[key] = day
    else:
        query.filters[key] = value[:80]
