"""Motif work a request may ask for is bounded: a narrative at the form's maximum length
(100,000 characters) is read for suggestions and marked on its page well under a second.
Generous bounds, on pathological inputs only (issue 21): figures are in make bench."""

import time

import pytest

from dreams import markup, motifs
from dreams.models import Dream

MAX_BODY = 100_000
BOUND = 5.0  # seconds: on a quiet machine a tenth of that; the margin is for a busy one

PATHOLOGICAL = {
    "one word begins many phrases": "a " * (MAX_BODY // 2),
    "phrase starts without their ends": ("a strange man I didn't know " * 5000)[:MAX_BODY],
    "every word a motif": ("mirror feather orb staircase " * 4000)[:MAX_BODY],
    "capitals and numbers": ("Red 40 feet Crimson summit station " * 3000)[:MAX_BODY],
    "no spaces": "x" * MAX_BODY,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_detection_at_the_maximum_length_is_bounded(text):
    started = time.perf_counter()
    motifs.detect(text, lexicon=motifs.builtin_lexicon())
    assert time.perf_counter() - started < BOUND


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_suggestions_at_the_maximum_length_are_bounded(client, user, text):
    client.force_login(user)
    started = time.perf_counter()
    response = client.post("/motifs/suggest/", {"body": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert time.perf_counter() - started < BOUND


def test_marking_motifs_at_the_maximum_length_is_bounded(user, make_dream):
    text = ("A mirror, a feather, an orb. " * 4000)[:MAX_BODY]
    dream = make_dream(user, body=text, visibility=Dream.Visibility.SHARED)
    html = markup.render(text)
    shown = list(dream.motifs.all())
    started = time.perf_counter()
    marked = markup.highlight_motifs(html, shown=shown, href=lambda m: f"/motifs/{m.slug}/")
    assert time.perf_counter() - started < BOUND
    assert marked.count("motif-mark") > 1000
