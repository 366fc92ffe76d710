"""Worst-case merge and difference work: two edits of one dream at the form's maximum length
(100,000 characters), merged three ways and marked word by word, as a stale save, the merge
page and the history page do, and how each grows from a quarter of that length.

    .venv/bin/python bench/versions.py            # part of `make bench`
    BENCH_VERSIONS_LENGTH=20000 .venv/bin/python bench/versions.py

Growth is t(n) / t(n/4): about 4 is linear, about 16 quadratic. Times are seconds on this
machine, each the best of BENCH_VERSIONS_REPEAT runs (5 by default).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import timing

timing.django_ready()

from dreams import merging  # noqa: E402

LENGTH = int(os.environ.get("BENCH_VERSIONS_LENGTH", "100000"))
REPEAT = int(os.environ.get("BENCH_VERSIONS_REPEAT", "5"))
# Few words, many repeats: the hardest text for a sequence matcher.
WORDS = [
    "the",
    "a",
    "house",
    "water",
    "rose",
    "mirror",
    "lift",
    "sea",
    "forest",
    "moth",
    "wolf",
    "stair",
    "kitchen",
    "light",
]


def narrative(length: int, *, seed: int) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < length:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 15))).capitalize()
        out.append(sentence + ". ")
        size += len(sentence) + 2
    return "".join(out)[:length]


def snap(body: str) -> dict:
    return {"title": "t", "body": body, "fields": {}, "tags": [], "motif_choices": {}}


def cases(length: int) -> dict[str, Callable[[], object]]:
    base = narrative(length, seed=1)
    parts = merging.sentences(base)
    mine = "".join([*parts[:10], "A sentence of mine. ", *parts[10:]])
    saved = "".join([*parts[:-5], "Theirs. ", *parts[-5:]])
    every_sentence = "".join(p.replace("the", "an") for p in parts)
    other = narrative(length, seed=2)
    return {
        "merge, two edits apart": lambda: merging.merge(snap(base), snap(mine), snap(saved)),
        "merge, every sentence changed": lambda: merging.merge(
            snap(base), snap(every_sentence), snap(saved)
        ),
        "word differences, one insert": lambda: merging.word_diff(base, mine),
        "word differences, every sentence": lambda: merging.word_diff(base, every_sentence),
        "word differences, all new": lambda: merging.word_diff(base, other),
    }


def main() -> None:
    full, quarter = cases(LENGTH), cases(LENGTH // 4)
    print(f"Merges and differences at {LENGTH:,} characters (best of {REPEAT}):")
    for name, run in full.items():
        t, t4 = timing.best_of(run, REPEAT), timing.best_of(quarter[name], REPEAT)
        print(f"  {name:34} {t:8.4f} s   growth x{t / t4 if t4 else 0:5.1f}")


if __name__ == "__main__":
    main()
