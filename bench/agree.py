"""Do SQLite and PostgreSQL find the same dreams? Give it the same journal in both (copied
with `manage.py copy_database`, so the ids agree); it draws queries from the journal's own
words (rare, middling and common words, phrases, prefixes, OR, exclusions, filters, typos and
parts of words), asks each for three viewers, and compares what every search finds.

    python bench/agree.py sqlite:///bench/out/corpus-10000.sqlite3 postgres://postgres@127.0.0.1/somnia

Rankings differ by design (bm25 against ts_rank), so the order is not compared; the set of
dreams found, the count and any typo correction must be identical.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W\d_]{4,}")


def in_django(database_url: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "journal.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        input=None,
    )  # fmt: skip
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout)


def choose_queries(limit: int) -> list[str]:
    """Queries drawn from the journal: deterministic for the same journal."""
    from dreams.models import Dream, DreamTag, Motif

    rng = random.Random(7)
    pks = list(Dream.objects.order_by("pk").values_list("pk", flat=True))
    sample = Dream.objects.filter(pk__in=rng.sample(pks, min(len(pks), 300))).order_by("pk")
    frequency: Counter = Counter()
    bodies = []
    for body in sample.values_list("body", flat=True):
        words = [w.lower() for w in WORD.findall(body)]
        bodies.append(words)
        frequency.update(set(words))
    ranked = [w for w, _ in frequency.most_common()]
    if not ranked:
        return []
    common, middling = ranked[:15], ranked[len(ranked) // 4 : len(ranked) // 4 + 15]
    rare = [w for w in ranked if frequency[w] == 1]
    rng.shuffle(rare)
    queries = [*rng.sample(common, min(4, len(common))), *middling[:4], *rare[:6]]
    for words in rng.sample(bodies, min(6, len(bodies))):
        if len(words) > 3:
            start = rng.randrange(len(words) - 1)
            queries.append(f'"{words[start]} {words[start + 1]}"')
    for word in rng.sample(ranked[:200], min(4, len(ranked))):
        queries.append(word[:4] + "*")
    queries += [f"{a} OR {b}" for a, b in zip(middling[4:7], rare[6:9], strict=False)]
    queries += [f"{a} -{b}" for a, b in zip(common[4:7], middling[7:10], strict=False)]
    for word in rare[9:13] + middling[10:12]:  # typos: two letters swapped
        i = rng.randrange(1, len(word) - 2)
        queries.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    for word in (w for w in ranked[:300] if len(w) >= 8):  # parts of words
        queries.append(word[2:6])
        if len(queries) > limit - 8:
            break
    motifs = list(Motif.objects.filter(dream_links__isnull=False).distinct().order_by("slug")[:40])
    tags = list(DreamTag.objects.order_by("tag__normalised").values_list("tag__name", flat=True))
    if motifs:
        queries.append(f"{common[0]} motif:{rng.choice(motifs).slug}")
        queries.append(f"motif:{rng.choice(motifs).slug}")
    if tags:
        queries.append(f'{middling[0]} tag:"{rng.choice(tags)}"')
    queries += [f"{common[1]} lucid:yes", f"{middling[1]} nightmare:no from:2020-01-01"]
    return list(dict.fromkeys(queries))[:limit]


def answers(queries: list[str]) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from dreams import search

    users = list(get_user_model().objects.order_by("pk")[:2])
    viewers = {"anonymous": AnonymousUser(), **{f"user {u.pk}": u for u in users}}
    out = {}
    for name, viewer in viewers.items():
        for text in queries:
            results = search.search(user=viewer, text=text, limit=20)
            out[f"{name} | {text}"] = {
                "count": results.count,
                "ids": sorted(search.matching_ids(user=viewer, text=text)),
                "corrected": results.corrected,
                "top": [hit.dream.pk for hit in results.hits],
            }
    return {"vendor": connection.vendor, "answers": out}


def compare(first: dict, second: dict) -> dict:
    disagreements, overlap = [], []
    for key, a in first["answers"].items():
        b = second["answers"][key]
        if (a["count"], a["ids"], a["corrected"]) != (b["count"], b["ids"], b["corrected"]):
            disagreements.append(
                {"search": key, first["vendor"]: {k: a[k] for k in ("count", "corrected")},
                 second["vendor"]: {k: b[k] for k in ("count", "corrected")},
                 "only_" + first["vendor"]: sorted(set(a["ids"]) - set(b["ids"]))[:10],
                 "only_" + second["vendor"]: sorted(set(b["ids"]) - set(a["ids"]))[:10]}
            )  # fmt: skip
        if a["top"]:
            overlap.append(len(set(a["top"]) & set(b["top"])) / len(a["top"]))
    return {
        "searches": len(first["answers"]),
        "found_something": sum(1 for a in first["answers"].values() if a["count"]),
        "agree": len(first["answers"]) - len(disagreements),
        "disagreements": disagreements,
        "first_page_overlap": round(sum(overlap) / len(overlap), 3) if overlap else None,
    }


def agree(first_url: str, second_url: str, *, limit: int = 60, work: Path | None = None) -> dict:
    queries = in_django(first_url, "--queries", str(limit))
    path = (work or ROOT / "bench" / "out") / "agree-queries.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(queries))
    first = in_django(first_url, "--answer", str(path))
    second = in_django(second_url, "--answer", str(path))
    return {"queries": queries, **compare(first, second)}


def main() -> int:
    if sys.argv[1:2] in (["--queries"], ["--answer"]):
        import django

        sys.path.insert(0, str(ROOT))

        django.setup()
        if sys.argv[1] == "--queries":
            print(json.dumps(choose_queries(int(sys.argv[2]))))
        else:
            print(json.dumps(answers(json.loads(Path(sys.argv[2]).read_text()))))
        return 0
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    report = agree(sys.argv[1], sys.argv[2])
    print(json.dumps({k: v for k, v in report.items() if k != "queries"}, indent=2))
    print(f"{report['agree']} of {report['searches']} searches agree "
          f"({report['found_something']} found something)")  # fmt: skip
    return 0 if not report["disagreements"] else 1


if __name__ == "__main__":
    sys.exit(main())
