"""Full-text search behind one function, `search()`, on either database (search_backends.py):
SQLite's FTS5 or PostgreSQL's full-text search, each with porter stems and weighted fields,
plus a trigram index of the journal's words for typos and parts of words. The query
language, the scope and the fallbacks live here, so both give the same answers.

The index is written by `index_dream()` in the same transaction as the dream, and a trigger
removes a dream's row when the dream is deleted.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from dreams import query as query_language
from dreams import search_backends
from dreams.models import Dream, DreamMotif, DreamTag, Motif, Tag, normalise_tag
from dreams.titles import strip_preamble

MAX_EXPANSIONS = 8
MAX_ALIKE = 5000  # candidate spellings read for a word that found nothing
_WORDS = re.compile(r"[^\W\d_]{3,}")
_MARKUP = re.compile(r"[*_`#>\[\]]+")


def _index() -> search_backends.SQLiteIndex | search_backends.PostgresIndex:
    return search_backends.for_vendor(connection.vendor)


def _documents(dreams: list[Dream]) -> list[tuple[int, str, str, str, str]]:
    """The index rows of these dreams, (pk, title, body, tags, motifs): two queries for all."""
    pks = [dream.pk for dream in dreams]
    tags: dict[int, list[str]] = defaultdict(list)
    for dream_id, name in (
        DreamTag.objects.filter(dream_id__in=pks)
        .order_by("pk")
        .values_list("dream_id", "tag__name")
    ):
        tags[dream_id].append(name)
    names: dict[int, list[str]] = defaultdict(list)
    for dream_id, name in (
        DreamMotif.objects.shown()
        .filter(dream_id__in=pks)
        .order_by("motif__name")
        .values_list("dream_id", "motif__name")
    ):
        names[dream_id].append(name)
    return [(d.pk, d.title, d.body, " ".join(tags[d.pk]), " ".join(names[d.pk])) for d in dreams]


def index_dream(dream: Dream) -> None:
    """Write the dream's row of the index (call inside the dream's transaction)."""
    reindex([dream])


def index_new(documents: list[tuple[int, str, str, str, str]]) -> None:
    """Index new dreams: (pk, title, body, tags, motifs) each, as _documents() gives them."""
    if not documents:
        return
    words = {w.casefold() for doc in documents for w in _WORDS.findall(" ".join(doc[1:]))}
    _index().write(documents, sorted(words))


def reindex(dreams: Iterable[Dream]) -> None:
    """Write these dreams' rows anew."""
    dreams = list(dreams)
    if not dreams:
        return
    _index().forget([d.pk for d in dreams])
    index_new(_documents(dreams))


@dataclass
class Hit:
    dream: Dream
    snippet: str  # safe HTML: escaped text with <mark> around matched words


@dataclass
class Results:
    query: query_language.Query
    hits: list[Hit]
    count: int
    reading: str
    notes: list[str] = field(default_factory=list)
    corrected: str = ""  # the query searched instead, when the one typed found nothing
    searched: query_language.Query | None = None  # the query run: the typed one or corrected
    scoped: object = None  # the dreams the query ran over (this viewer's, filters applied)


def _motif(user, value: str, dreams):
    """The motif a filter names: by slug ("grandfather-clock"), by its words ("grandfather
    clock", "mirrors"), or a motif of someone else's on a dream this viewer can read."""
    from django.utils.text import slugify

    from dreams import motifs, vocabulary

    slug = slugify(value)
    found = vocabulary.motif_for_user(user, slug)
    if found is None:
        detected = motifs.detect(value, lexicon=vocabulary.lexicon_for(user))
        if detected:
            found = vocabulary.motif_for_user(user, detected[0].slug)
    if found is None:
        found = Motif.objects.filter(slug=slug, dream_links__dream__in=dreams).first()
    return found


def _scope(dreams, parsed: query_language.Query, user, notes: list[str]):
    filters = parsed.filters
    visible = dreams
    for key in ("motif", "-motif"):
        if key not in filters:
            continue
        motif = _motif(user, str(filters[key]), visible)
        if motif is None:
            # Read as plain words, as anything else that cannot be read as the language.
            term = query_language._term(str(filters[key]), kind="word")
            if term is not None:
                (parsed.excluded.append(term) if key.startswith("-")
                 else parsed.groups.append([term]))  # fmt: skip
            notes.append(f"There is no motif “{filters[key]}”; searched for the words instead.")
            del filters[key]
            continue
        with_it = dreams.with_motif(motif)
        dreams = dreams.exclude(pk__in=with_it.values("pk")) if key == "-motif" else with_it
        filters[key] = motif.name
    for key in ("tag", "-tag"):
        if key not in filters:
            continue
        tag_key = normalise_tag(str(filters[key]))
        tagged = visible.filter(tag_links__tag__normalised=tag_key)
        if key == "-tag":
            dreams = dreams.exclude(pk__in=tagged.values("pk"))
        elif Tag.objects.filter(normalised=tag_key, dream_links__dream__in=visible).exists():
            dreams = dreams.filter(tag_links__tag__normalised=tag_key)
        else:
            notes.append(f"No dream here has the tag “{filters[key]}”, so none match it.")
            dreams = dreams.none()
    for flag in ("lucid", "nightmare", "recurring"):
        if flag in filters:
            dreams = dreams.filter(**{flag: filters[flag]})
    if "shared" in filters:
        visibility = Dream.Visibility.SHARED if filters["shared"] else Dream.Visibility.PRIVATE
        dreams = dreams.filter(visibility=visibility)
    if "from" in filters:
        dreams = dreams.filter(dreamt_on__gte=filters["from"])
    if "to" in filters:
        dreams = dreams.filter(dreamt_on__lte=filters["to"])
    return dreams


def _snippet(raw: str) -> str:
    text = html.escape(strip_preamble(_MARKUP.sub("", raw)), quote=False)
    return text.replace(search_backends.OPEN, "<mark>").replace(search_backends.CLOSE, "</mark>")


def _run(scoped, parsed, *, offset: int, limit: int) -> tuple[list[Hit], int]:
    count, rows = _index().page(scoped, parsed, offset=offset, limit=limit)
    dreams = Dream.objects.for_cards().in_bulk([row[0] for row in rows])
    return [Hit(dreams[pk], _snippet(text)) for pk, text in rows if pk in dreams], count


def _seen_by(scoped, words: list[str], *, want: int) -> list[str]:
    """The words (in order) that occur in a dream of this scope: the word list spans every
    journal, so a suggestion must never reveal a word of a dream the viewer cannot read."""
    seen = []
    for word in words:
        if _index().occurs(scoped, word):
            seen.append(word)
            if len(seen) >= want:
                break
    return seen


def _alternatives(word: str, scoped) -> tuple[list[str], str]:
    """Words of dreams in scope for one that found nothing: those it begins (or, from four
    letters, is part of), or else the closest spelling. Returns (words, "part" or "typo")."""
    if len(word) < 3:
        return [], ""
    containing = [w for w in _index().containing(word, limit=200) if w != word]
    # "red" should not become "dared, shared": prefixes first, and middles only for longer parts.
    starts = sorted((w for w in containing if w.startswith(word)), key=lambda w: (len(w), w))
    middles = sorted((w for w in containing if not w.startswith(word)), key=lambda w: (len(w), w))
    parts = _seen_by(scoped, starts + (middles if len(word) >= 4 else []), want=MAX_EXPANSIONS)
    if parts:
        return parts, "part"
    # Every word sharing a three-letter run, then the closest spellings among them: the same
    # words on either database, however each ranks its trigram matches.
    candidates = _index().alike(word, limit=MAX_ALIKE)
    close = difflib.get_close_matches(word, candidates, n=20, cutoff=0.75)
    close = _seen_by(scoped, close, want=1)
    return close, "typo" if close else ""


def _corrected(parsed: query_language.Query, scoped) -> tuple[query_language.Query, list[str]]:
    """The query with each word that found nothing replaced by the scope's words for it."""
    notes, groups = [], []
    for group in parsed.groups:
        new_group = []
        for term in group:
            if term.kind != "word" or _seen_by(scoped, [term.words[0]], want=1):
                new_group.append(term)
                continue
            words, how = _alternatives(term.words[0], scoped)
            if not words:
                new_group.append(term)
                continue
            new_group.extend(query_language.Term("word", (w,)) for w in words)
            if how == "typo":
                notes.append(f"No dream has “{term.words[0]}”; showing “{words[0]}”.")
            else:
                shown = ", ".join(words[:4]) + ("…" if len(words) > 4 else "")
                notes.append(f"“{term.words[0]}” is part of {shown}.")
        groups.append(new_group)
    fixed = query_language.Query(groups, parsed.excluded, parsed.filters, parsed.notes)
    return fixed, notes


def search(*, user, text: str, offset: int = 0, limit: int = 20) -> Results:
    """Dreams this viewer may see that match the query, best first, with snippets."""
    parsed = query_language.parse(text)
    notes = list(parsed.notes)
    scoped = _scope(Dream.objects.visible_to(user), parsed, user, notes)
    if parsed.has_terms and scoped.query.is_empty():
        return Results(parsed, [], 0, parsed.describe(), notes, scoped=scoped.none())
    if not parsed.has_terms:
        # An empty query (or only filters): the most recent dreams.
        count = scoped.count()
        dreams = scoped.for_cards().order_by("-created_at", "-id")[offset : offset + limit]
        hits = [Hit(d, html.escape(d.opening)) for d in dreams]
        reading = parsed.describe() or "everything, newest first"
        return Results(parsed, hits, count, reading, notes, scoped=scoped)
    hits, count = _run(scoped, parsed, offset=offset, limit=limit)
    corrected, searched = "", parsed
    if count == 0 and parsed.words():
        fixed, fix_notes = _corrected(parsed, scoped)
        if fix_notes:
            hits, count = _run(scoped, fixed, offset=offset, limit=limit)
            notes.extend(fix_notes)
            searched = fixed
            corrected = " ".join(
                " OR ".join(t.describe().strip("“”").rstrip("…") for t in group)
                for group in fixed.groups
            )
    return Results(parsed, hits, count, parsed.describe(), notes, corrected, searched, scoped)


def matching_ids(*, user, text: str) -> set[int]:
    """Every dream search() finds for this viewer and text, unordered: for comparing the
    two databases' answers without their rankings."""
    results = search(user=user, text=text, limit=0)
    if results.searched is None:  # only filters: every dream in scope
        return set(results.scoped.values_list("pk", flat=True))
    return _index().ids(results.scoped, results.searched)


def check_index() -> list[str]:
    """Differences between the index and the dreams; empty when they agree exactly."""
    problems = _index().integrity()
    rows = _index().rows()
    ids = set(Dream.objects.values_list("pk", flat=True))
    missing, extra = ids - rows.keys(), rows.keys() - ids
    if missing:
        problems.append(f"{len(missing)} dreams are missing from the index: {sorted(missing)[:10]}")
    if extra:
        problems.append(f"{len(extra)} index rows have no dream: {sorted(extra)[:10]}")
    chunk: list[Dream] = []
    for dream in Dream.objects.filter(pk__in=ids & rows.keys()).order_by("pk").iterator():
        chunk.append(dream)
        if len(chunk) == 1000:
            problems += _differences(chunk, rows)
            chunk = []
    problems += _differences(chunk, rows)
    return problems


def _differences(dreams: list[Dream], rows: dict) -> list[str]:
    return [
        f"dream {doc[0]} differs from its index row"
        for doc in _documents(dreams)
        if rows[doc[0]] != doc[1:]
    ]


def rebuild_index(*, progress=None) -> int:
    """Write every dream's row anew (and the word list); returns how many."""
    _index().clear()
    total, chunk = 0, []
    for dream in Dream.objects.order_by("pk").iterator(chunk_size=500):
        chunk.append(dream)
        if len(chunk) == 500:
            index_new(_documents(chunk))
            total, chunk = total + len(chunk), []
            if progress:
                progress(total)
    index_new(_documents(chunk))
    total += len(chunk)
    if progress and chunk:
        progress(total)
    return total
