"""Motif detection against a small set of dreams the team wrote and labelled itself, with the
senses that trip a stemmer (gas station, the summit of a tower, Sam Crimson, fell asleep, forty
feet). "maybe" labels count neither way. The real evaluation, on DreamBank reports labelled by
hand, is bench/motifs.py; these floors keep CI honest between its runs."""

import json
from pathlib import Path

from dreams import motifs

DREAMS = json.loads((Path(__file__).parent / "data" / "motif_dreams.json").read_text())
PRECISION_FLOOR = 0.93
RECALL_FLOOR = 0.88


def test_precision_and_recall_on_our_own_labelled_dreams():
    lexicon = motifs.builtin_lexicon()
    right = found = labelled = 0
    wrong, missed = [], []
    for dream in DREAMS:
        yes, maybe = set(dream["yes"]), set(dream["maybe"])
        seen = {d.slug for d in motifs.detect(dream["text"], lexicon=lexicon)} - maybe
        right += len(seen & yes)
        found += len(seen)
        labelled += len(yes)
        wrong += sorted(seen - yes)
        missed += sorted(yes - seen)
    precision, recall = right / found, right / labelled
    assert precision >= PRECISION_FLOOR, f"precision {precision:.2f}; wrongly found: {wrong}"
    assert recall >= RECALL_FLOOR, f"recall {recall:.2f}; missed: {missed}"
