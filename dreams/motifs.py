"""Motif detection: pure functions from a narrative and a lexicon to motifs with their evidence.

Words are matched on their Snowball stems, so "mirrors", "mirrored" and "Mirror!" all find the
mirror; a motif of several words ("grandfather clock") matches only inside one sentence.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import snowballstemmer

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.json"
# Spans kept per motif as evidence; the count still covers every occurrence.
MAX_EVIDENCE = 25

_WORD = re.compile(r"[^\W\d_]+")
# Between two words of one motif: spaces or hyphens, never a sentence break.
_JOIN = re.compile(r"[ \t\u00a0\-\u2010-\u2014]*\n?[ \t\u00a0]*")
_local = threading.local()


def _stemmer():
    # Stemmer objects are not thread-safe; one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def stem(word: str) -> str:
    return _stemmer().stemWord(word.casefold())


class Token(NamedTuple):
    stem: str
    start: int
    end: int


@lru_cache(maxsize=200_000)
def _stem_of(word: str) -> str:
    return _stemmer().stemWord(word.casefold())


def tokenize(text: str) -> list[Token]:
    # A journal repeats its words: the cache makes stemming a dictionary lookup.
    return [Token(_stem_of(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(token.stem for token in tokenize(phrase))


@dataclass(frozen=True)
class LexiconEntry:
    slug: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Detection:
    slug: str
    name: str
    category: str
    spans: tuple[Span, ...]

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def words(self) -> list[str]:
        """The distinct words that matched, as written: "mirrors, mirrored"."""
        seen: dict[str, None] = {}
        for span in self.spans:
            seen.setdefault(span.text.casefold(), None)
        return list(seen)


# Marks a phrase that looks like a motif but is not one: "the heart of it", "a dead end".
IDIOM = LexiconEntry(slug="", name="", category="")


@dataclass
class Lexicon:
    entries: Sequence[LexiconEntry]
    idioms: Sequence[str] = ()
    _index: dict[str, list[tuple[list[str], LexiconEntry]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[list[str], LexiconEntry]]] = {}
        forms = [(form, entry) for entry in self.entries for form in entry.forms]
        for form, entry in [*forms, *((idiom, IDIOM) for idiom in self.idioms)]:
            stems = list(phrase_stems(form))  # a list, compared with a slice of the text's
            if stems:
                index.setdefault(stems[0], []).append((stems, entry))
        for candidates in index.values():
            # Longest phrase first: "grandfather clock" before "grandfather".
            candidates.sort(key=lambda item: -len(item[0]))
        self._index = index

    def __len__(self) -> int:
        return len(self.entries)

    def without(self, slugs: Iterable[str]) -> Lexicon:
        dropped = set(slugs)
        return Lexicon([e for e in self.entries if e.slug not in dropped], self.idioms)

    def plus(self, entries: Iterable[LexiconEntry]) -> Lexicon:
        return Lexicon([*self.entries, *entries], self.idioms)


def detect(text: str, *, lexicon: Lexicon) -> list[Detection]:
    """The motifs in a text with the exact spans that show them, most frequent first."""
    matches = list(_WORD.finditer(text))
    stems = [_stem_of(match.group()) for match in matches]
    found: dict[str, tuple[LexiconEntry, list[Span]]] = {}
    index = lexicon._index
    free = 0  # words before this one belong to a phrase already matched
    # Only the words that begin some lexicon phrase are looked at more closely.
    for i in [i for i, word_stem in enumerate(stems) if word_stem in index]:
        if i < free:
            continue
        matched = 0
        for phrase, entry in index[stems[i]]:
            length = len(phrase)
            if matched and length < matched:
                break
            if length > 1 and (
                stems[i : i + length] != phrase
                or any(
                    not _JOIN.fullmatch(text, matches[k].end(), matches[k + 1].start())
                    for k in range(i, i + length - 1)
                )
            ):
                continue
            matched = length
            if entry is IDIOM:
                break  # the words are spoken for, and by no motif
            start, end = matches[i].start(), matches[i + length - 1].end()
            spans = found.setdefault(entry.slug, (entry, []))[1]
            if not spans or spans[-1].start != start:
                spans.append(Span(text[start:end], start, end))
        free = i + (matched or 1)
    detections = [
        Detection(entry.slug, entry.name, entry.category, tuple(spans))
        for entry, spans in found.values()
    ]
    detections.sort(key=lambda d: (-d.count, d.spans[0].start))
    return detections


def read_lexicon(path: Path) -> Lexicon:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = [
        LexiconEntry(
            slug=item["slug"],
            name=item["name"],
            category=item["category"],
            aliases=tuple(item.get("aliases", ())),
        )
        for item in data["motifs"]
    ]
    return Lexicon(entries, tuple(data.get("idioms", ())))


@lru_cache(maxsize=1)
def builtin_lexicon() -> Lexicon:
    return read_lexicon(LEXICON_PATH)


def sync_builtin_motifs() -> int:
    """Make the database's built-in motifs match the lexicon file; returns how many changed."""
    from dreams.models import Motif

    entries = {entry.slug: entry for entry in builtin_lexicon().entries}
    existing = {motif.slug: motif for motif in Motif.objects.builtin()}
    missing = [
        Motif(slug=e.slug, name=e.name, category=e.category, aliases=list(e.aliases))
        for slug, e in entries.items()
        if slug not in existing
    ]
    changed = []
    for slug, motif in existing.items():
        entry = entries.get(slug)
        if entry and (motif.name, motif.category, motif.aliases) != (
            entry.name,
            entry.category,
            list(entry.aliases),
        ):
            motif.name, motif.category, motif.aliases = (
                entry.name,
                entry.category,
                list(entry.aliases),
            )
            changed.append(motif)
    Motif.objects.bulk_create(missing)
    Motif.objects.bulk_update(changed, ["name", "category", "aliases"])
    return len(missing) + len(changed)


def sync_builtin_motifs_after_migrate(*, using: str = "default", **kwargs) -> None:
    from django.db import connections

    if "dreams_motif" in connections[using].introspection.table_names():
        sync_builtin_motifs()
