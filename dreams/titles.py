"""Short, evocative titles derived from a narrative, for dreams written without one."""

from __future__ import annotations

import re

MAX_TITLE = 60
UNTITLED = "Untitled dream"
# A title comes from the opening: reading no further keeps the time bounded for any text.
OPENING = 4000

# "I am dreaming." and its kin open many reports; they say nothing about this dream.
_PREAMBLE = re.compile(
    r"\s*(?:"
    r"(?:i\s+am|i'm|i’m|you\s+are|you're|you’re|we\s+are|i\s+was)\s+dreaming\s*[.!…]+"
    r"|(?:last\s+night,?\s+|this\s+morning,?\s+)?i\s+(?:dreamt|dreamed|had\s+a\s+dream)"
    r"(?:\s+(?:that|where|in\s+which|about|of))?[\s,:]"
    r"|in\s+(?:my|the|this)\s+dream,?\s"
    r"|(?:it\s+was\s+)?(?:a\s+)?(?:long|short|strange|weird|vivid)\s+dream\s*[.!…]+"
    r")\s*",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[*_`#>~\[\]]")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
# A title the author wrote: a first-line heading, or "Title: ...".
_OWN_TITLE = re.compile(r"\A\s*(?:#{1,6}\s+|title:\s*)(?P<title>[^\n]+)\n", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»"
# What a title never ends on: a clause's comma or colon, a dash left by a cut.
_TRAILING = " ,;:-–—"
_CLAUSE_END = re.compile(r",|\s(?:--|[-–—])\s")
_WORD = r"[^\W\d_][\w’'\-]*"
_ARTICLE = r"(?:an?|the|some|this|that|his|her|their|my|your|its|our)"
# "a mezzanine of slick obsidian", "a city made of moonlit glass": the dream's own images.
# Inside a lookahead so that images may overlap: "the edge of [a city made of moonlit glass]".
_IMAGE = re.compile(
    rf"\b(?={_ARTICLE}\s+((?:{_WORD},?\s+){{0,2}}?({_WORD}))"
    rf"\s+((?:made|built|woven|carved|sewn|spun|formed)\s+(?:of|from)|of)\s+"
    rf"((?:{_WORD})(?:\s+{_WORD})?))",
    re.IGNORECASE,
)
# A sentence ends at a stop and a space, or at a full-width stop (Chinese, Japanese), which
# needs no space after it.
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*")
_SMALL = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "from", "with"}
_STOP = {
    "a", "an", "the", "and", "or", "but", "that", "which", "who", "where", "when", "while",
    "as", "is", "are", "was", "were", "be", "been", "with", "in", "on", "at", "to", "into",
    "for", "from", "by", "so", "than", "then", "each", "every", "all", "its", "it", "his",
    "her", "their", "my", "your", "our", "this", "these", "those", "you", "i", "we", "they",
    "he", "she", "them", "me", "him", "us", "not", "no", "like", "over", "under", "through",
    "of", "if", "because", "had", "have", "has", "could", "would", "should", "did",
}  # fmt: skip
# Heads too plain to name a dream on their own: "the edge of a city", "the rest of it".
_GENERIC = {
    "edge", "middle", "center", "centre", "side", "top", "bottom", "end", "rest", "part",
    "piece", "kind", "sort", "type", "sense", "feeling", "moment", "time", "way", "lot", "bit",
    "number", "couple", "pair", "group", "front", "back", "base", "heart", "shape", "form",
    "sound", "version", "one", "half", "most", "some", "memory", "weight", "thought", "point",
    "full", "made", "lots", "plenty", "handful",
}  # fmt: skip


_VERBS = {
    "stood", "stands", "stand", "lay", "lies", "sat", "sits", "hung", "hangs", "hovers", "rose",
    "rises", "fell", "falls", "grew", "grows", "looms", "glows", "shone", "shines", "waits",
    "appears", "began", "begins", "seemed", "seems", "became", "becomes", "spread", "spreads",
    "swayed", "stretches", "stretched", "came", "comes", "went", "goes", "ran", "runs",
}  # fmt: skip


def strip_preamble(text: str) -> str:
    """The narrative without its opening "I am dreaming." formula (however often repeated)."""
    start = 0
    # Matching at a position, not cutting copies: linear in the text however many there are.
    while (preamble := _PREAMBLE.match(text, start)) and preamble.end() > start:
        start = preamble.end()
    return text[start:]


def _narrative(text: str) -> str:
    text = _MARKDOWN.sub(" ", _LIST_MARK.sub("", text))
    return " ".join(strip_preamble(text).split())


def _title_case(words: list[str]) -> str:
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in _SMALL:
            out.append(lower)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def _trim(words: list[str]) -> list[str]:
    while words and words[-1].lower().strip(",") in _STOP:
        words = words[:-1]
    return words


def _clip(title: str) -> str:
    if len(title) <= MAX_TITLE:
        return title
    cut = title[: MAX_TITLE - 1].rsplit(" ", 1)[0]
    return cut.rstrip(_TRAILING) + "…"


def _looks_like_verb(word: str) -> bool:
    """Where an image ends and the sentence goes on: "a field of corn [stood]"."""
    word = word.lower()
    return word in _STOP or word in _VERBS or (len(word) > 4 and word.endswith("ed"))


def _image_title(narrative: str) -> str | None:
    # Only the opening: the first image is usually the dream's setting.
    for match in _IMAGE.finditer(narrative[:1500]):
        head_words = match.group(1).replace(",", " ").split()
        head = match.group(2).lower()
        link = match.group(3).split()
        tail = match.group(4).split()
        if head in _GENERIC or head in _STOP or tail[0].lower() in _STOP:
            continue
        # Keep at most one describing word before the head: "Vast Courtyard" reads heavy.
        head_words = head_words[-1:] if len(head_words) > 1 else head_words
        tail = _trim(tail)
        if not tail:
            continue
        if len(tail) == 2 and _looks_like_verb(tail[1]):
            tail = tail[:1]
        words = [*head_words, *link, *tail]
        if len(words) > 7:
            continue
        return _title_case(words)
    return None


def derive_title(text: str) -> str:
    """A title from the narrative itself: its first striking image, else its opening words.

    Reads at most OPENING characters after leading blank space, so the time is bounded."""
    text = text.lstrip()[:OPENING]
    own = _OWN_TITLE.match(text + "\n")
    if own and own["title"].strip(" #*_"):
        return _clip(" ".join(own["title"].strip(" #*_").split()))
    narrative = _narrative(text)
    if not narrative:
        return UNTITLED
    image = _image_title(narrative)
    if image:
        return _clip(image)
    first = _SENTENCE.split(narrative, maxsplit=1)[0]
    first = " ".join(word.strip(_QUOTES) for word in first.split()).strip(" .!?…,;:。！？")
    # A clause ends at a comma or a spaced dash: "I could fly, if..." and "Ich stand in
    # einem Raum aus Glas – und draußen…" end before it.
    opening = _CLAUSE_END.split(first, maxsplit=1)[0]
    clause = opening if len(opening.split()) >= 3 else first
    words = _trim(clause.split()[:8]) or clause.split()[:8]
    title = " ".join(words).rstrip(_TRAILING)
    return _clip(title[:1].upper() + title[1:]) if title else UNTITLED
