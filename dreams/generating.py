"""Synthetic dream journals for the benchmark: deterministic for a seed, written through the
same code as real dreams (entries.create_many: motifs detected, tags, the search index)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from dreams import entries, motifs
from dreams.models import Dream
from dreams.titles import derive_title

OPENINGS = [
    "I was {action} through {a_place} with {character}.",
    "It began in {a_place}; {character} was waiting by {an_object}.",
    "Everything was {colour}, and I was {action} toward {a_place}.",
    "I remember {a_nature} over {a_place}, and {character} holding {an_object}.",
]
MIDDLES = [
    "The {object} turned {colour} when I touched it, and {character} laughed.",
    "Somewhere {animal_plural} were calling, and the {place} kept changing shape.",
    "I tried to find {an_object} but the {place} had no doors, only {nature}.",
    "{Character} told me I had been here before, in another {place}.",
    "The air smelled of {nature} and old {object_plural}.",
    "I was {action} and could not stop; the {place} stretched out like {a_nature}.",
    "A {colour} {animal} watched from the {place} without blinking.",
    "My hands were full of {object_plural}, and each one was {colour}.",
    "Then the floor became {nature} and I fell, slowly, past {a_place}.",
    "We talked about nothing while {nature} filled the {place}.",
]
ENDINGS = [
    "I woke before I could see the end.",
    "Then the alarm, and the {object} was gone.",
    "I knew it was a dream, and that knowing made it {colour}.",
    "When I woke the feeling of the {place} stayed all morning.",
]
COLOURS = ["crimson", "indigo", "silver", "gold", "pale blue", "green", "violet", "obsidian",
           "amber", "grey", "white", "black", "emerald", "copper"]  # fmt: skip
TAGS = ["work", "family", "school", "travel", "childhood", "water", "flying dreams", "anxiety",
        "health", "love", "old house", "friends", "non-lucid", "vivid", "fragment", "morning",
        "nap", "holiday", "moving", "exam", "city", "sea", "forest", "night terror", "WILD",
        "MILD", "reality check", "dream sign", "recurring place", "ex"]  # fmt: skip


SHARED, PRIVATE = Dream.Visibility.SHARED, Dream.Visibility.PRIVATE


def _pools() -> dict[str, list[str]]:
    by_category: dict[str, list[str]] = {}
    for entry in motifs.builtin_lexicon().entries:
        by_category.setdefault(entry.category, []).append(entry.name.lower())
    return by_category


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def narrative(rng: random.Random, words: int, pools: dict[str, list[str]]) -> str:
    def fill(template: str) -> str:
        place, obj = rng.choice(pools["place"]), rng.choice(pools["object"])
        nature, animal = rng.choice(pools["nature"]), rng.choice(pools["animal"])
        character = rng.choice(pools["character"])
        values = {
            "action": rng.choice(
                [
                    "walking",
                    "running",
                    "flying",
                    "swimming",
                    "falling",
                    "climbing",
                    "searching",
                    "hiding",
                    "drifting",
                ]
            ),
            "place": place,
            "a_place": _article(place),
            "object": obj,
            "an_object": _article(obj),
            "object_plural": obj + "s",
            "nature": nature,
            "a_nature": _article(nature),
            "animal": animal,
            "animal_plural": animal + "s",
            "character": "my " + character,
            "Character": "My " + character,
            "colour": rng.choice(COLOURS),
        }
        return template.format(**values)

    sentences = [fill(rng.choice(OPENINGS))]
    count = len(sentences[0].split())
    while count < words:
        sentence = fill(rng.choice(MIDDLES))
        sentences.append(sentence)
        count += len(sentence.split())
    sentences.append(fill(rng.choice(ENDINGS)))
    paragraphs, size = [], rng.randint(3, 6)
    for start in range(0, len(sentences), size):
        paragraphs.append(" ".join(sentences[start : start + size]))
    return "\n\n".join(paragraphs)


def generate(
    *,
    count: int,
    users: int = 10,
    seed: int = 1,
    chunk: int = 1000,
    words: tuple[int, int] = (50, 1500),
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `count` dreams for `users` generated dreamers; the same seed, the same dreams."""
    rng = random.Random(seed)
    pools = _pools()
    owners = [
        get_user_model().objects.get_or_create(username=f"dreamer{n:03}")[0]
        for n in range(1, users + 1)
    ]
    start, span = datetime.date(2016, 1, 1), 365 * 10
    done = 0
    while done < count:
        items = []
        for _ in range(min(chunk, count - done)):
            # Mostly a few hundred words, now and then a long night.
            length = min(words[1], max(words[0], int(rng.lognormvariate(5.4, 0.6))))
            body = narrative(rng, length, pools)
            dream = Dream(
                owner=rng.choice(owners),
                title=derive_title(body),
                body=body,
                dreamt_on=None if rng.random() < 0.05 else start + datetime.timedelta(
                    days=rng.randrange(span)),
                lucid=rng.random() < 0.15,
                nightmare=rng.random() < 0.12,
                recurring=rng.random() < 0.05,
                vividness=rng.choice([None, 1, 2, 3, 4, 5]),
                mood=rng.choice(["", *Dream.Mood.values]),
                visibility=SHARED if rng.random() < 0.3 else PRIVATE,
                source="generated",
                source_id=f"{seed}-{done + len(items)}",
            )  # fmt: skip
            items.append((dream, rng.sample(TAGS, rng.choice([0, 1, 1, 2, 3]))))
        with transaction.atomic():
            entries.create_many(items)
        done += len(items)
        if progress:
            progress(done, count)
    return done
