"""A new dream's text read once, with no database: what saving it needs of the words.

An import reads thousands of texts; these readings are the part of its work that can run
in another process (importing.reader) while the batch before is written. A Reading holds
only plain values (strings, numbers, tuples), so it is cheap to send back from that
process: unpickling the detections themselves, span objects and all, cost the writing
process a quarter of a millisecond per dream."""

from __future__ import annotations

import json
from typing import NamedTuple

from dreams import art, motifs, search
from dreams import query as query_language
from dreams.titles import derive_title


class Reading(NamedTuple):
    """found: motifs.counts() of motifs.detect() of the text, (slug, category, count, first
    start) for each motif, most frequent first; evidence: for each, its evidence as a motif
    link keeps it (evidence_json()); title: derive_title() of it, or None when the
    dream has a title of its own; colours: art.colours_in() of its opening art.COVER_TEXT
    characters; index_text: the text as its search index row holds it; words: the words of
    that row a typo may be corrected to (search.index_words())."""

    found: list[tuple[str, str, int, int]]
    evidence: list[str]
    title: str | None
    colours: list[tuple[str, str]]
    index_text: str
    words: set[str]


def evidence_json(detection: motifs.Detection) -> str:
    """A detection's first motifs.MAX_EVIDENCE spans as a JSON array of {text, start, end}
    (character offsets into the text)."""
    spans = detection.spans[: motifs.MAX_EVIDENCE]
    return json.dumps([{"text": s.text, "start": s.start, "end": s.end} for s in spans])


def read(text: str, *, lexicon: motifs.Lexicon, title: bool = False) -> Reading:
    """The Reading of a dream's text; `title`: derive one too."""
    detections = motifs.detect(text, lexicon=lexicon)
    index_text = query_language.index_text(text)
    return Reading(
        found=motifs.counts(detections, length=len(text)),
        evidence=[evidence_json(detection) for detection in detections],
        title=derive_title(text) if title else None,
        colours=art.colours_in(text[: art.COVER_TEXT]),
        index_text=index_text,
        words=search.index_words(index_text),
    )
