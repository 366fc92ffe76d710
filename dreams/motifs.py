"""Motif detection: pure functions from a narrative and a lexicon to motifs with their evidence.

Words are matched as written or by their lemma (simplemma's English dictionary, shipped with the
package): a lexicon word in its base form finds every form of it ("child" finds "children",
"fly" finds "flew"), while "compassion" stays itself and never becomes "compass". A motif of
several words ("grandfather clock") matches only inside one sentence.

What a word means is data in the lexicon, never a special case here (see read_lexicon):
phrases that are not the motif ("gas station", "fell asleep"), words that count only beside
cues ("peak" near mountain words and not near a tower), units after a number ("40 feet wide"),
and capitalised names mid-sentence ("Sam Crimson", "Oak Valley") that are not colours, animals
or weather.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, pairwise, repeat
from operator import is_, itemgetter, or_
from pathlib import Path
from typing import NamedTuple

import simplemma

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.json"
# Spans kept per motif as evidence; the count still covers every occurrence.
MAX_EVIDENCE = 25
# Words either side of a weak word in which its cues (and blockers) are looked for.
CUE_WINDOW = 12

_WORD = re.compile(r"[^\W\d_]+|\d+")
# The same words, kept by split() between the text around them: [gap, word, gap, word, …, gap].
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
# Between two words of one motif: spaces, hyphens or an apostrophe, never a sentence break.
_JOIN = re.compile(r"[ \t\u00a0\-\u2010-\u2014'\u2019]*\n?[ \t\u00a0]*")
# What may stand before a word that begins a sentence (so its capital says nothing).
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“”(\[]|[-–—]\s)[\s\"“”'‘’(\[*_#>]*$")
_ALTERNATIVES = re.compile(r"\(([^()]*)\)")
# Kinds of motif that are doings, found from any form of their verbs.
VERB_CATEGORIES = frozenset({"action"})
_VERB_ENDINGS = ("ed", "ing")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of an English word, casefolded: "children" -> "child"."""
    folded = word.casefold()
    if not folded.isalpha():
        return folded
    return simplemma.lemmatize(folded, lang="en").casefold()


class Word(NamedTuple):
    """A word as written, as phrases match it; one per distinct spelling, shared by every
    place it is written."""

    word: str  # casefolded, as written
    lemma: str
    keys: tuple[str, ...]  # (word,) or (word, lemma): what a phrase may match it by
    # In simplemma's English dictionary: True or False for a word of letters, None for a number.
    english: bool | None


class Token(NamedTuple):
    word: str  # casefolded, as written
    lemma: str
    start: int
    end: int
    keys: tuple[str, ...]  # (word,) or (word, lemma): what a phrase may match it by


_WORD_OF, _LEMMA_OF, _ENGLISH_OF = itemgetter(0), itemgetter(1), itemgetter(3)
# English words simplemma's dictionary lacks, common in dreams ("her", "hadn't", "2nd").
_ENGLISH_TOO = frozenset({"her", "hadn", "hasn", "shouldn", "mustn", "needn", "nd", "rd", "gonna"})
# A journal repeats its words: each one is folded and lemmatised once per process.
_WORDS: dict[str, Word] = {}
_WORDS_MAX = 200_000


def _word(written: str) -> Word:
    found = _WORDS.get(written)
    if found is None:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        word, base = written.casefold(), lemma(written)
        english = (
            (word in _ENGLISH_TOO or simplemma.is_known(word, lang="en"))
            if word.isalpha()
            else None
        )
        keys = (word,) if base == word else (word, base)
        found = _WORDS[written] = Word(word, base, keys, english)
    return found


def tokenize(text: str) -> list[Token]:
    words, spans = _tokenize(text)
    return [
        Token(w.word, w.lemma, start, end, w.keys)
        for w, (start, end) in zip(words, spans, strict=True)
    ]


def _tokenize(text: str) -> tuple[list[Word], list[tuple[int, int]]]:
    """The words of a text in order, and where each is: (start, end). Built in bulk
    (split, map: loops in C), each distinct spelling met once: a dream has hundreds of
    words and an import has thousands of dreams."""
    parts = _WORD_SPLIT.split(text)
    written = parts[1::2]
    if not written:
        return [], []
    words = list(map(_WORDS.get, written))
    if None in words:  # spellings this process has not met yet
        for spelling in {w for w, known in zip(written, words, strict=True) if known is None}:
            _word(spelling)
        words = [_WORDS.get(w) or _word(w) for w in written]
    # Where each part ends, by adding up their lengths: a word starts where its gap ends.
    ends = list(accumulate(map(len, parts)))
    return words, list(zip(ends[0:-1:2], ends[1::2], strict=True))


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase as the words it matches: "Looking-glass" -> ("looking", "glass")."""
    return tuple(m.group().casefold() for m in _WORD.finditer(phrase))


# A phrase as slots, each a choice of word sequences (the empty one making the slot optional):
# "(a|an) (|strange) man" -> ((("a",), ("an",)), ((), ("strange",)), (("man",),)).
Slots = tuple[tuple[tuple[str, ...], ...], ...]


def slots_of(phrase: str, *, patterns: bool = True) -> Slots:
    """The slots of a lexicon phrase; with patterns=False (words a user typed) brackets are
    just punctuation and every word is its own slot."""
    if not patterns:
        return tuple(((word,),) for word in phrase_words(phrase))
    slots: list[tuple[tuple[str, ...], ...]] = []
    # split() puts the literal text at even places and the bracketed choices at odd ones.
    for i, part in enumerate(_ALTERNATIVES.split(phrase)):
        if i % 2 == 0:
            slots += [((word,),) for word in phrase_words(part)]
        else:
            slots.append(tuple(dict.fromkeys(phrase_words(choice) for choice in part.split("|"))))
    return tuple(slots)


@dataclass(frozen=True)
class Cues:
    """A weak word counts only with one of `near` (if any are given) within CUE_WINDOW words,
    and none of `far`."""

    near: frozenset[str] = frozenset()
    far: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LexiconEntry:
    slug: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    # Phrases holding one of its words that are not this motif: "gas station" for Train station.
    not_phrases: tuple[str, ...] = ()
    # Words that count only beside cues: "peak" for Mountain, near "snow" and not "tower".
    weak: tuple[str, ...] = ()
    cues: Cues = Cues()
    # Words that are a measure after a number: "feet" in "40 feet wide".
    units: tuple[str, ...] = ()
    # Whether a capitalised word mid-sentence ("Oak Valley") still counts.
    names_count: bool = True
    # Whether its phrases may hold choices in brackets (the shipped lexicon's do; a user's not).
    patterns: bool = False
    # How common it is in dreams at large: the share (0-1] of reports it is found in.
    share: float = 0.05
    # Whether its words are English (the shipped lexicon's are): looked for only in text that
    # reads as English, so German "die" is no Dying. A writer's own words are looked for in any.
    english: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        """The phrases that find it whatever surrounds them (its weak words are not among them)."""
        weak = {form.casefold() for form in self.weak}
        return tuple(form for form in (self.name, *self.aliases) if form.casefold() not in weak)


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


class _Slot(NamedTuple):
    """One slot of a phrase, ready for matching: its choices by their first word."""

    by_first: dict[str, tuple[tuple[str, ...], ...]]
    optional: bool


def _compile(slots: Slots) -> tuple[_Slot, ...]:
    compiled = []
    for choices in slots:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for choice in choices:
            if choice:
                by_first.setdefault(choice[0], []).append(choice)
        compiled.append(
            _Slot({k: tuple(v) for k, v in by_first.items()}, any(not c for c in choices))
        )
    return tuple(compiled)


_END = ""  # stands for "the phrase may end here" among first words


def _first_words(slots: Slots) -> set[str]:
    """The words these slots may begin with, and _END if they may all be skipped."""
    words: set[str] = set()
    for choices in slots:
        words |= {choice[0] for choice in choices if choice}
        if all(choices):
            return words
    return words | {_END}


def _openings(slots: Slots, length: int) -> set[tuple[str, ...]]:
    """The first `length` words of every way the slots can be filled (fewer for a way that
    ends before)."""
    if not length or not slots:
        return {()}
    found: set[tuple[str, ...]] = set()
    for choice in slots[0]:
        head = choice[:length]
        if len(head) == length:
            found.add(head)
        else:
            found |= {head + rest for rest in _openings(slots[1:], length - len(head))}
    return found


def _thirds(slots: Slots) -> frozenset[str] | None:
    openings = _openings(slots, 3)
    if any(len(opening) < 3 for opening in openings):
        return None
    return frozenset(opening[2] for opening in openings)


def _unique(phrases: list) -> list:
    return list({id(p): p for p in phrases}.values())


class _Phrase(NamedTuple):
    slots: tuple[_Slot, ...]
    entry: LexiconEntry
    weak: bool
    # Whether a verb form (-ed, -ing) finds it by its lemma: an action does ("chased" for
    # chase), a thing does not ("faced", "armed", "parked" are not Face, Arm, Park).
    verb_forms: bool
    # For a phrase of one word (most of them), that word: matched without the slot machinery.
    word: str | None
    # For a phrase of three words or more, whatever it holds: the words its third may be
    # (so "in the X" wakes only the phrases X can continue); None when it may be shorter.
    thirds: frozenset[str] | None


@dataclass
class Lexicon:
    entries: Sequence[LexiconEntry]
    idioms: Sequence[str] = ()
    # Quantity words before which a unit ("feet") is a measure, not the motif.
    numbers: frozenset[str] = frozenset()
    _single: dict[str, list[_Phrase]] = field(init=False, repr=False)
    _pairs: dict[tuple[str, str], list[_Phrase]] = field(init=False, repr=False)
    _begins: frozenset[str] = field(init=False, repr=False)
    _beyond_english: Lexicon | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        # Phrases by their first word, when one word may be all of them, and by their first
        # two words otherwise: a common word ("a", "the") then wakes only the few phrases that
        # its neighbour can continue.
        single: dict[str, list[_Phrase]] = {}
        pairs: dict[tuple[str, str], list[_Phrase]] = {}

        def add(form: str, entry: LexiconEntry, patterns: bool, weak: bool = False) -> None:
            slots = slots_of(form, patterns=patterns)
            if not slots:
                return
            verbs = entry is IDIOM or entry.category in VERB_CATEGORIES
            one = (
                slots[0][0][0]
                if len(slots) == 1 and slots[0] == (slots[0][0],) and len(slots[0][0]) == 1
                else None
            )
            phrase = _Phrase(_compile(slots), entry, weak, verbs, one, _thirds(slots))
            for choice in slots[0]:
                if not choice:
                    continue
                seconds = {choice[1]} if len(choice) > 1 else _first_words(slots[1:])
                for second in seconds:
                    if second is _END:
                        single.setdefault(choice[0], []).append(phrase)
                    else:
                        pairs.setdefault((choice[0], second), []).append(phrase)

        # Later entries (a user's own words) first, so they win a tie with the built-in ones.
        for entry in reversed(self.entries):
            for form in entry.forms:
                add(form, entry, entry.patterns)
            for form in entry.weak:
                add(form, entry, entry.patterns, weak=True)
            for form in entry.not_phrases:
                add(form, IDIOM, entry.patterns)
        for idiom in self.idioms:
            add(idiom, IDIOM, True)
        self._single = {k: _unique(v) for k, v in single.items()}
        self._pairs = {k: _unique(v) for k, v in pairs.items()}
        self._begins = frozenset([*single, *(first for first, _ in pairs)])

    def __len__(self) -> int:
        return len(self.entries)

    def beyond_english(self) -> Lexicon:
        """What is looked for in text that does not read as English: the entries that are
        not English (a writer's own words), no idioms. Made once per lexicon."""
        if self._beyond_english is None:
            entries = [e for e in self.entries if not e.english]
            self._beyond_english = Lexicon(entries, (), self.numbers)
        return self._beyond_english

    def _with(self, entries: Sequence[LexiconEntry]) -> Lexicon:
        return Lexicon(entries, self.idioms, self.numbers)

    def without(self, slugs: Iterable[str]) -> Lexicon:
        dropped = set(slugs)
        return self._with([e for e in self.entries if e.slug not in dropped])

    def only(self, slugs: Iterable[str]) -> Lexicon:
        """The same lexicon, senses and idioms included, finding only these motifs."""
        kept = set(slugs)
        return self._with([e for e in self.entries if e.slug in kept])

    def plus(self, entries: Iterable[LexiconEntry]) -> Lexicon:
        return self._with([*self.entries, *entries])


def _word_fits(word: str, token: Word, verb_forms: bool) -> bool:
    if word == token.word:
        return True
    return word == token.lemma and (verb_forms or not token.word.endswith(_VERB_ENDINGS))


def _ends(
    tokens: list[Word], i: int, slots: tuple[_Slot, ...], verb_forms: bool, found: list[int]
) -> None:
    """Add to `found` where a phrase's slots starting at token i may end (one past its last
    token). Each slot looks only at its choices that begin with this token's word or lemma."""
    if not slots:
        found.append(i)
        return
    slot, rest = slots[0], slots[1:]
    if slot.optional:
        _ends(tokens, i, rest, verb_forms, found)
    if i >= len(tokens):
        return
    token = tokens[i]
    keys = (token.word,) if token.lemma == token.word else (token.word, token.lemma)
    for key in keys:
        for choice in slot.by_first.get(key, ()):
            if not _word_fits(choice[0], token, verb_forms):
                continue
            if i + len(choice) <= len(tokens) and all(
                _word_fits(word, tokens[i + k], verb_forms) for k, word in enumerate(choice[1:], 1)
            ):
                _ends(tokens, i + len(choice), rest, verb_forms, found)


def _joined(text: str, spans: list[tuple[int, int]], i: int, end: int) -> bool:
    return all(_JOIN.fullmatch(text, spans[k][1], spans[k + 1][0]) for k in range(i, end - 1))


def _is_name(text: str, span: tuple[int, int]) -> bool:
    """A capitalised word in mid-sentence ("Sam Crimson", "Oak Valley"), not one in capitals."""
    start, end = span
    written = text[start:end]
    if not written[:1].isupper() or written.isupper():
        return False
    return not _SENTENCE_START.search(text, max(0, start - 12), start)


def _cued(tokens: list[Word], i: int, length: int, cues: Cues) -> bool:
    window = tokens[max(0, i - CUE_WINDOW) : i + length + CUE_WINDOW]
    near = not cues.near or any(t.word in cues.near or t.lemma in cues.near for t in window)
    far = any(t.word in cues.far or t.lemma in cues.far for t in window)
    return near and not far


def _is_measure(tokens: list[Word], i: int, entry: LexiconEntry, numbers: frozenset) -> bool:
    token = tokens[i]
    if i == 0 or (token.word not in entry.units and token.lemma not in entry.units):
        return False
    before = tokens[i - 1].word
    return before.isdigit() or before in numbers


def _sense_holds(
    text: str, tokens: list[Word], spans: list, i: int, end: int, phrase: _Phrase, lexicon: Lexicon
) -> bool:
    entry = phrase.entry
    if not entry.names_count and _is_name(text, spans[i]):
        return False
    if phrase.weak and not _cued(tokens, i, end - i, entry.cues):
        return False
    return not (entry.units and _is_measure(tokens, i, entry, lexicon.numbers))


def _candidates(tokens: list[Word], i: int, lexicon: Lexicon) -> list[tuple[_Phrase, bool]]:
    """The phrases that may start at token i, each with whether its first word is the token as
    written (True) or its lemma."""
    token = tokens[i]
    seconds = tokens[i + 1].keys if i + 1 < len(tokens) else ()
    found: list[tuple[_Phrase, bool]] = []
    for first in token.keys:
        written = first == token.word
        found += [(p, written) for p in lexicon._single.get(first, ())]
        for second in seconds:
            found += [(p, written) for p in lexicon._pairs.get((first, second), ())]
    return found


def _best_phrase(
    text: str, tokens: list[Word], spans: list, i: int, lexicon: Lexicon
) -> tuple | None:
    """The phrase that starts at token i, with where it ends: the longest; of two as long, one
    whose first word is found as written before one found by its lemma ("dove" is the bird
    before it is the past of "dive", "groomed" is no groom), then a motif before a phrase
    that is none."""
    best, best_key = None, None
    token = tokens[i]
    third = tokens[i + 2].keys if i + 2 < len(tokens) else ()
    for order, (phrase, written) in enumerate(_candidates(tokens, i, lexicon)):
        if phrase.thirds is not None and phrase.thirds.isdisjoint(third):
            continue  # its third word is not there: it cannot start here
        if phrase.word is not None:  # one word: it ends after this token, or nowhere
            if not _word_fits(phrase.word, token, phrase.verb_forms):
                continue
            ends: Iterable[int] = (i + 1,)
        else:
            found: list[int] = []
            _ends(tokens, i, phrase.slots, phrase.verb_forms, found)
            ends = sorted(set(found), reverse=True)
        for end in ends:
            if end - i > 1 and not _joined(text, spans, i, end):
                continue
            is_motif = phrase.entry is not IDIOM
            if is_motif and not _sense_holds(text, tokens, spans, i, end, phrase, lexicon):
                continue
            key = (end, written, is_motif, -order)
            if best_key is None or key > best_key:
                best, best_key = (phrase, end), key
            break  # the longest way this phrase fits here
    return best


# A text reads as English when at least this share of its words of letters are in
# simplemma's English dictionary. Of DreamBank's 28,866 distinct reports, every one in English
# comes out at 0.6 or more (short ones with names too), and
# each of its 835 German ones below (0.13-0.57); Dutch, Spanish, Italian and Portuguese
# dreams come out near 0.35, French near 0.5.
ENGLISH_SHARE = 0.6
ENGLISH_MIN_WORDS = 4  # fewer words of letters cannot tell (a line being typed): English
# Where one sentence ends and the next begins, for reading each one's language: . ! ? : ;, a
# line break, and quotes (a single quote only where it is no apostrophe: not between letters).
_SENTENCE_BREAK = re.compile(
    r"""[.!?:;\n"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a'\u2018\u2019\u201a]"""
    r"(?<!(?<=[^\W\d_])['\u2018\u2019\u201a](?=[^\W\d_]))"  # one class first: a fast scan
)


def _reads(yes: float, no: float) -> bool:
    return yes + no < ENGLISH_MIN_WORDS or yes >= ENGLISH_SHARE * (yes + no)


def reads_as_english(text: str) -> bool:
    """Whether the shipped (English) lexicon is looked for in a text: ENGLISH_SHARE of its
    words of letters are English words, or it has too few to tell."""
    votes = list(map(_ENGLISH_OF, _tokenize(text)[0]))
    return _reads(votes.count(True), votes.count(False))


def _close_unknowns(votes: list[bool | None]) -> list[int]:
    """Where the words not in the dictionary are, if two come within three words of each
    other, as they do in any sentence that does not read as English (over 0.4 of its words,
    at least two of four or more; numbers aside); else none. Most English texts have no such
    pair: they are read as one."""
    unknown = list(compress(range(len(votes)), map(is_, votes, repeat(False))))
    return unknown if any(b - a <= 3 for a, b in pairwise(unknown)) else []


def _foreign_sentences(
    text: str, spans: list[tuple[int, int]], votes: list[bool | None], unknown: list[int]
) -> list[tuple[int, int]]:
    """The sentences (as ranges of word indices) of a text that reads as English that do not
    read as English themselves: ENGLISH_MIN_WORDS words of letters or more, under
    ENGLISH_SHARE of them English. Only the sentences where two of the `unknown` words (not
    in the dictionary) come close are read. Such a word capitalised mid-sentence may be a
    name as well as a German noun: it counts half ("Tex, Nate, Billy Jeou and my mother" is
    English; "Die Tür war offen, komm herein" is not)."""
    # A sentence's ends: the breaks either side of a word, the one before found in the text
    # read backwards (the pattern reads the same both ways); as word indices, the words that
    # begin before each (a break is never in a word: its span is never a word's).
    backwards, length = text[::-1], len(text)
    found = []
    end = 0
    for k, then in pairwise(unknown):
        if k < end or then - k > 3:
            continue  # in a sentence already read, or alone (see _close_unknowns())
        before = _SENTENCE_BREAK.search(backwards, length - spans[k][0])
        after = _SENTENCE_BREAK.search(text, spans[k][1])
        begin = bisect_left(spans, (length - before.end(),), end, k) if before else end
        end = bisect_left(spans, after.span(), k + 1) if after else len(votes)
        sentence = votes[begin:end]
        yes, no = sentence.count(True), sentence.count(False)
        if no < 2 or _reads(yes, no):
            continue
        for w in compress(range(begin + 1, end), map(is_, sentence[1:], repeat(False))):
            written = text[spans[w][0] : spans[w][1]]
            if written[0].isupper() and not written.isupper():
                no -= 0.5
        if not _reads(yes, no):
            found.append((begin, end))
    return found


def detect(text: str, *, lexicon: Lexicon) -> list[Detection]:
    """The motifs in a text with the exact spans that show them, most frequent first. In a
    text that does not read as English (reads_as_english()), and in a sentence of an English
    text that does not (_foreign_sentences()), only the lexicon's entries that are not English
    (a writer's own words) are looked for.

    Linear in the text: each word is looked up once by its form and its lemma, and only the
    words that begin some lexicon phrase are looked at more closely."""
    tokens, spans = _tokenize(text)
    votes = list(map(_ENGLISH_OF, tokens))
    yes, no = votes.count(True), votes.count(False)
    found: dict[str, tuple[LexiconEntry, list[Span]]] = {}
    if not _reads(yes, no):
        _scan(text, tokens, spans, lexicon.beyond_english(), 0, len(tokens), 0, found)
    elif no < 2 or not (unknown := _close_unknowns(votes)):  # all English (the usual case)
        _scan(text, tokens, spans, lexicon, 0, len(tokens), 0, found)
    else:
        free = begin = 0
        for start, end in _foreign_sentences(text, spans, votes, unknown):
            free = _scan(text, tokens, spans, lexicon, begin, start, free, found)
            free = _scan(text, tokens, spans, lexicon.beyond_english(), start, end, free, found)
            begin = end
        _scan(text, tokens, spans, lexicon, begin, len(tokens), free, found)
    detections = [
        Detection(entry.slug, entry.name, entry.category, tuple(spans))
        for entry, spans in found.values()
    ]
    detections.sort(key=lambda d: (-d.count, d.spans[0].start))
    return detections


def _scan(
    text: str,
    tokens: list[Word],
    spans: list[tuple[int, int]],
    lexicon: Lexicon,
    begin: int,
    end: int,
    free: int,
    found: dict[str, tuple[LexiconEntry, list[Span]]],
) -> int:
    """Add to `found` the phrases of `lexicon` that begin at words begin..end-1 (words before
    `free` belong to a phrase already matched); returns where the words are free again."""
    single, pairs, last = lexicon._single, lexicon._pairs, len(tokens) - 1
    begins = lexicon._begins.__contains__
    # Only the words that may begin a phrase, picked out in C: most words are not looked at.
    part = tokens[begin:end] if begin or end < len(tokens) else tokens
    words, lemmas = map(_WORD_OF, part), map(_LEMMA_OF, part)
    for i in compress(range(begin, end), map(or_, map(begins, words), map(begins, lemmas))):
        if i < free:
            continue
        token = tokens[i]
        word, base = token.word, token.lemma
        if word not in single and base not in single:
            if i == last:
                continue
            after = tokens[i + 1]
            if (
                (word, after.word) not in pairs
                and (word, after.lemma) not in pairs
                and (base, after.word) not in pairs
                and (base, after.lemma) not in pairs
            ):
                continue
        best = _best_phrase(text, tokens, spans, i, lexicon)
        if best is None:
            continue
        phrase, stop = best
        free = stop
        if phrase.entry is IDIOM:
            continue  # the words are spoken for, and by no motif
        start, finish = spans[i][0], spans[stop - 1][1]
        evidence = found.setdefault(phrase.entry.slug, (phrase.entry, []))[1]
        evidence.append(Span(text[start:finish], start, finish))
    return free


# Kinds of motif in nearly every narrative (body parts, hues): they weigh less for salience.
BACKGROUND = frozenset({"body", "colour"})
BACKGROUND_WEIGHT = 0.5
# A motif no one has seen yet is taken as this common, so one dream cannot make it chief alone.
UNSEEN_SHARE = 0.05


class Salient(NamedTuple):
    slug: str
    score: float
    # The author kept it by hand ("Keep"): always a chief motif, whatever its score.
    kept: bool = False


def salience(
    found: Iterable[tuple[str, str, int, int]],
    *,
    length: int,
    shares: Mapping[str, float],
) -> list[Salient]:
    """How much each motif of one dream stands out, most first (a tf-idf).

    found: (slug, category, count, first_start) per motif; length: the text's length in
    characters; shares: for each slug, the fraction (0-1] of the journal's dreams that have it.
    A motif weighs more the more often it comes, the earlier it first comes, and the fewer
    dreams of the journal have it; body parts and hues weigh half."""
    ranked = []
    for slug, category, count, first in found:
        share = min(max(shares.get(slug, UNSEEN_SHARE), 0.001), 1.0)
        rarity = math.log(1.0 + 1.0 / share)
        early = 1.0 + 0.5 * (1.0 - min(first, length) / max(length, 1))
        weight = BACKGROUND_WEIGHT if category in BACKGROUND else 1.0
        ranked.append(Salient(slug, (1.0 + math.log(max(count, 1))) * early * rarity * weight))
    ranked.sort(key=lambda s: -s.score)
    return ranked


def counts(detections: Iterable[Detection], *, length: int) -> list[tuple[str, str, int, int]]:
    """What salience() weighs of each detection: (slug, category, count, first start), the
    start in characters (`length`, the text's, when it has no span)."""
    return [
        (d.slug, d.category, d.count, d.spans[0].start if d.spans else length) for d in detections
    ]


def rank(detections: Iterable[Detection], *, length: int, shares: Mapping[str, float]):
    """salience() of a text's detections."""
    return salience(counts(detections, length=length), length=length, shares=shares)


# How many motifs stand out in a dream at most (those its author kept by hand come on top).
CHIEF_MOST = 4


def chief(ranked: Sequence[Salient], *, most: int = CHIEF_MOST) -> list[str]:
    """The slugs of a dream's chief motifs (its card's chips, the words its page marks):
    those its author kept, first, then those that stand out as they would with no choice
    made: the `most` most salient, each at least a third of the top score.

    Keeping a motif that stands out changes nothing but the order; keeping one that does not
    adds it, and pushes none of the others out."""
    ranked = sorted(ranked, key=lambda s: -s.score)  # stable: ties keep the order given
    if not ranked:
        return []
    floor = ranked[0].score / 3
    kept = [s.slug for s in ranked if s.kept]
    return kept + [s.slug for s in ranked[:most] if s.score >= floor and not s.kept]


def read_lexicon(path: Path) -> Lexicon:
    """The lexicon file: {"motifs": [{slug, name, category, aliases, not, weak, units}],
    "idioms": [...], "numbers": [...], "names": {"categories": [...], "count": [...]}}.

    A phrase may offer alternatives in brackets, one of them empty for "optional":
    "(a|an) (|strange) man". "weak" is {"words": [...], "near": [...], "far": [...]}. Under
    "names", motifs of those categories are not found from a capitalised word mid-sentence,
    except the motifs listed in "count"; a motif with "names": false never is."""
    data = json.loads(path.read_text(encoding="utf-8"))
    names = data.get("names", {})
    name_categories, names_counted = set(names.get("categories", ())), set(names.get("count", ()))
    entries = []
    for item in data["motifs"]:
        weak = item.get("weak", {})
        entries.append(
            LexiconEntry(
                slug=item["slug"],
                name=item["name"],
                category=item["category"],
                aliases=tuple(item.get("aliases", ())),
                not_phrases=tuple(item.get("not", ())),
                weak=tuple(weak.get("words", ())),
                cues=Cues(frozenset(weak.get("near", ())), frozenset(weak.get("far", ()))),
                units=tuple(item.get("units", ())),
                patterns=True,
                english=True,
                share=float(item.get("share", UNSEEN_SHARE)),
                names_count=item.get("names", True)
                and (item["category"] not in name_categories or item["slug"] in names_counted),
            )
        )
    numbers = frozenset(w.casefold() for w in data.get("numbers", ()))
    return Lexicon(entries, tuple(data.get("idioms", ())), numbers)


@lru_cache(maxsize=1)
def builtin_lexicon() -> Lexicon:
    return read_lexicon(LEXICON_PATH)
