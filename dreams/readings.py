"""A new dream's text read once, with no database: what saving it needs of the words.

An import reads thousands of texts; these readings are the part of its work that can run
in another process (importing.reader) while the batch before is written. A Reading holds
only plain values (strings, numbers, tuples), so it is cheap to send back from that
process: unpickling the detections themselves, span objects and all, cost the writing
process a quarter of a millisecond per dream. Their salience is worked out here too, on the
journal's shares as the import began."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import NamedTuple

from dreams import art, motifs, search
from dreams import query as query_language
from dreams.titles import derive_title

# A motif found in the text, as its link keeps it: slug, count (how many places show it),
# salience (motifs.salience() on the journal's shares) and evidence (evidence_json()). A
# plain tuple: unpickling a named tuple runs Python code, and a dream has dozens of these.
Motif = tuple[str, int, float, str]


class Reading(NamedTuple):
    """motifs: the motifs found by motifs.detect(), most salient first; title: derive_title()
    of the text, or None when the dream has a title of its own; colours: art.colours_in() of
    its opening art.COVER_TEXT characters; index_text: the text as its search index row holds
    it; words: the words of that row a typo may be corrected to (search.index_words())."""

    motifs: list[Motif]
    title: str | None
    colours: list[tuple[str, str]]
    index_text: str
    words: set[str]


def evidence_json(detection: motifs.Detection) -> str:
    """A detection's first motifs.MAX_EVIDENCE spans as a JSON array of {text, start, end}
    (character offsets into the text)."""
    spans = detection.spans[: motifs.MAX_EVIDENCE]
    return json.dumps([{"text": s.text, "start": s.start, "end": s.end} for s in spans])


def read(
    text: str, *, lexicon: motifs.Lexicon, shares: Mapping[str, float], title: bool = False
) -> Reading:
    """The Reading of a dream's text, its motifs ranked on `shares` (a journal's, as
    vocabulary.journal_shares() gives them); `title`: derive one too."""
    detections = {d.slug: d for d in motifs.detect(text, lexicon=lexicon)}
    ranked = motifs.rank(detections.values(), length=len(text), shares=shares)
    index_text = query_language.index_text(text)
    return Reading(
        motifs=[
            (s.slug, detections[s.slug].count, s.score, evidence_json(detections[s.slug]))
            for s in ranked
        ],
        title=derive_title(text) if title else None,
        colours=art.colours_in(text[: art.COVER_TEXT]),
        index_text=index_text,
        words=search.index_words(index_text),
    )
