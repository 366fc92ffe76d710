"""One account against everyone's suggestions: how long an anonymous visitor's searches for
typos and parts of words take on the seed dreams, then after one account writes ten private
dreams of made-up words (100,000 characters each, the form's maximum), then after that account
is deleted. Suggestions come only from words the viewer may read, so the three should match.

    python bench/suggestions.py                        # a scratch SQLite file in bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/somnia_bench_suggest python bench/suggestions.py

On PostgreSQL the database named is dropped and made afresh. Prints the median of each search
in ms for the three states, and their ratio to the first.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
QUERIES = ["hummingbrd", "starcase", "feathr", "mirro", "chrysal", "ember"]
# Pieces of everyday dream words, so the nonsense shares parts and letter runs with real ones.
SYLLABLES = [
    "mir",
    "ror",
    "stair",
    "case",
    "feath",
    "er",
    "hum",
    "ming",
    "bird",
    "em",
    "ber",
    "chrys",
    "al",
    "is",
    "door",
    "win",
    "dow",
    "sea",
    "light",
    "ing",
    "ed",
    "wat",
]
REPEAT = 9


def made_up_words(*, seed: int, characters: int) -> str:
    """Deterministic nonsense of about this many characters: words of 2-5 syllables."""
    chance = random.Random(seed)
    words, size = [], 0
    while size < characters - 12:
        word = "".join(chance.choice(SYLLABLES) for _ in range(chance.randint(2, 5)))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def timings(anonymous) -> dict[str, float]:
    from dreams import search

    out = {}
    for text in QUERIES:
        spent = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            search.search(user=anonymous, text=text)
            spent.append((time.perf_counter() - start) * 1000)
        out[text] = statistics.median(spent)
    return out


def prepare_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlsplit(url)
        name = parts.path.lstrip("/")
        if name in ("", "test", "postgres"):
            sys.exit("Name a scratch database of its own: it is dropped and made afresh.")
        admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "suggestions.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    env = {**os.environ, "DJANGO_SECRET_KEY": "bench-" + "x" * 60}
    for command in (["migrate", "--noinput"], ["import_seeds"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
            capture_output=True,
        )  # fmt: skip


def main() -> None:
    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 60)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from dreams import entries
    from dreams.models import Dream

    anonymous = AnonymousUser()
    states = {"seeds only": timings(anonymous)}
    hostile = get_user_model().objects.create_user("hostile", password="a long password here")
    for n in range(10):
        body = made_up_words(seed=n, characters=100_000)
        entries.save_dream(Dream(owner=hostile, title=f"Nonsense {n}", body=body))
    states["+10 private dreams of made-up words"] = timings(anonymous)
    hostile.delete()
    states["after that account is deleted"] = timings(anonymous)

    first = states["seeds only"]
    print(f"Anonymous searches on {connection.vendor}, median of {REPEAT}, ms (x the first):")
    print("| query | " + " | ".join(states) + " |")
    print("| --- |" + " ---: |" * len(states))
    for text in QUERIES:
        cells = [f"{row[text]:.1f} ({row[text] / first[text]:.1f}x)" for row in states.values()]
        print(f"| {text} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
