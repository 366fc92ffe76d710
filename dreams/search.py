"""Full-text search behind one function, `search()`, on either database (search_backends.py):
SQLite's FTS5 or PostgreSQL's full-text search, each with porter stems and weighted fields,
plus word lists for typos and parts of words, keyed by who may read them: the shared dreams'
words, and each owner's private ones (search_backends.WORD_LIST). The query
language, the scope and the fallbacks live here, so both give the same answers.

The index is written by `index_dream()` in the same transaction as the dream, and a trigger
removes a dream's row when the dream is deleted.
"""

from __future__ import annotations

import difflib
import functools
import html
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import Stemmer
from django.db import connection
from django.utils.text import slugify

from dreams import lexicons, motifs, search_backends
from dreams import query as query_language
from dreams.models import Dream, DreamMotif, DreamTag, Motif, normalise_tag
from dreams.titles import strip_preamble

MAX_EXPANSIONS = 8
MAX_ALIKE = 5000  # candidate spellings read for a word that found nothing
MAX_CHECKS = 24  # candidates checked against the scope's dreams, at most, for one word
SNIPPET_WORDS = 24
SNIPPET_SCAN = 40_000  # characters of a narrative read for its snippet, at most
_STEMMER = Stemmer.Stemmer("porter")  # as FTS5's porter and PostgreSQL's snowball porter
# Words a typo may be corrected to (three letters or more) standing whole between spaces.
_WHOLE_WORDS = re.compile(r"(?<!\S)[^\W\d_]{3,}(?!\S)")
# Markdown's marks, not the writer's words: emphasis and link brackets anywhere, quote and
# heading marks only where they open a line ("a < b > c" and "<b>x</b>" read as typed).
_MARKUP = re.compile(r"[*_`\[\]]+|^[ \t]*(?:>[ \t]*)+|^[ \t]*#{1,6}(?=[ \t]|$)", re.M)


def _index() -> search_backends.SQLiteIndex | search_backends.PostgresIndex:
    return search_backends.for_vendor(connection.vendor)


Document = search_backends.Document  # (pk, title, body, tags, motifs)


def _documents(dreams: list[Dream]) -> list[Document]:
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
    return [(d.pk, d.title, d.body, tag_text(d, tags[d.pk]), " ".join(names[d.pk])) for d in dreams]


def tag_text(dream: Dream, names: list[str]) -> str:
    """The dream's tag names as its index row holds them: none for a shared dream that hides
    its tags (words in them would find it for others; its author still has tag:NAME), all of
    them otherwise (a private dream is searched by its author alone)."""
    return " ".join(names) if dream.show_tags or not dream.is_shared else ""


def index_dream(dream: Dream) -> None:
    """Write the dream's row of the index (call inside the dream's transaction)."""
    reindex([dream])


def indexed(document: Document, body: str | None = None) -> Document:
    """A dream's row as the index holds it: each field's words as query.tokens() reads them
    (normalised, case folded, CJK characters and emoji as words), one space apart. `body`:
    the body's index_text(), where it was worked out already."""
    pk, title, text, *fields = document
    index_text = query_language.index_text
    body = index_text(text) if body is None else body
    return (pk, index_text(title), body, *(index_text(field) for field in fields))


def index_words(text: str) -> set[str]:
    """The words of an index_text() a typo may be corrected to: three letters or more, of a
    script written with spaces."""
    return set(_WHOLE_WORDS.findall(text))


def words_of(row: Document, body_words: set[str] | None = None) -> str:
    """The distinct words of an indexed() row that a typo may be corrected to (index_words()),
    as a sorted JSON array: what the dream adds to the word list behind suggestions.
    `body_words`: index_words() of the row's body, where they were found already."""
    if body_words is None:
        return json.dumps(sorted(index_words(" ".join(row[1:]))), ensure_ascii=False)
    _, title, _, *fields = row
    words = body_words | index_words(" ".join([title, *fields]))
    return json.dumps(sorted(words), ensure_ascii=False)


def index_new(documents: list[Document], *, readings: list | None = None) -> None:
    """Index new dreams: (pk, title, body, tags, motifs) each, as _documents() gives them;
    `readings`: each body's readings.Reading (or None), where it was read already (its
    index_text and words are used)."""
    if not documents:
        return
    readings = readings or [None] * len(documents)
    rows = [
        indexed(d, r.index_text if r else None) for d, r in zip(documents, readings, strict=True)
    ]
    words = [
        (row[0], words_of(row, r.words if r else None))
        for row, r in zip(rows, readings, strict=True)
    ]
    _index().write(rows, words)


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
    slug = slugify(value)
    found = lexicons.motif_for_user(user, slug)
    if found is None:
        detected = motifs.detect(value, lexicon=lexicons.lexicon_for(user))
        if detected:
            found = lexicons.motif_for_user(user, detected[0].slug)
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
        # Only tags this viewer may see: others' hidden tags neither match nor exclude.
        tagged = visible.tagged(tag_key, viewer=user)
        if key == "-tag":
            dreams = dreams.exclude(pk__in=tagged.values("pk"))
        elif tagged.exists():
            dreams = dreams.tagged(tag_key, viewer=user)
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


@functools.lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word) if word.isascii() else word


def _matcher(parsed: query_language.Query):
    """A function of words (as query.tokens() reads them) and a place in them giving how
    many words from there a wanted term matches (0 for none): stems for words and phrases,
    the start of a word for the last word of a prefix, as the index matches them."""
    terms = [term for group in parsed.groups for term in group]

    def one(word: str, wanted: str, *, prefix: bool) -> bool:
        return word.startswith(wanted) if prefix else _stem(word) == _stem(wanted)

    spellings = [(term.kind, spelling) for term in terms for spelling in term.spellings]

    def matched(words: list[str], at: int) -> int:
        for kind, spelling in spellings:
            size = len(spelling)
            if len(words) - at >= size and all(
                one(words[at + i], wanted, prefix=kind == "prefix" and i == size - 1)
                for i, wanted in enumerate(spelling)
            ):
                return size
        return 0

    return matched


def snippet(raw: str, parsed: query_language.Query) -> str:
    """Safe HTML: about SNIPPET_WORDS words of a narrative around its first match of the
    query, escaped, with <mark> around each matched word; the opening when the match is
    elsewhere (the title, tags or motifs). The same on either database. Reads at most
    SNIPPET_SCAN characters of the narrative."""
    text = strip_preamble(_MARKUP.sub("", raw[:SNIPPET_SCAN]))
    found = list(itertools.islice(query_language.spans(text), SNIPPET_SCAN // 2))
    words = [word for _, _, word in found]
    matched = _matcher(parsed)
    marks: set[int] = set()
    first = None
    i = 0
    while i < len(words):
        size = matched(words, i) if parsed.groups else 0
        if size:
            marks.update(range(i, i + size))
            first = i if first is None else first
            if i > first + SNIPPET_WORDS:
                break
            i += size
        else:
            i += 1
    start = max((first or 0) - SNIPPET_WORDS // 3, 0)
    shown = found[start : start + SNIPPET_WORDS]
    if not shown:
        return html.escape(text[:200])
    out, at = ["…" if start else ""], shown[0][0]
    for index, (begin, end, _) in enumerate(shown, start=start):
        gap = html.escape(text[at:begin])
        # Inside one marked run of words ("don't", "stair-well"), the joining marks are marked.
        joined = gap and index in marks and index - 1 in marks and not any(c.isspace() for c in gap)
        out.append(f"<mark>{gap}</mark>" if joined else gap)
        piece = html.escape(text[begin:end])
        out.append(f"<mark>{piece}</mark>" if index in marks else piece)
        at = end
    if start + SNIPPET_WORDS < len(found) or len(raw) > SNIPPET_SCAN:
        out.append("…")
    return "".join(out).replace("</mark><mark>", "")


def _run(scoped, parsed, *, offset: int, limit: int) -> tuple[list[Hit], int]:
    count, ids = _index().page(scoped, parsed, offset=offset, limit=limit)
    dreams = Dream.objects.for_cards().in_bulk(ids)
    return [Hit(dreams[pk], snippet(dreams[pk].body, parsed)) for pk in ids if pk in dreams], count


def _seen_by(scoped, words: list[str], *, want: int) -> list[str]:
    """The words (in order) that occur in a dream of this scope, its filters applied; at
    most MAX_CHECKS are tried."""
    seen = []
    for word in words[:MAX_CHECKS]:
        if _index().occurs(scoped, word):
            seen.append(word)
            if len(seen) >= want:
                break
    return seen


def _word_lists(user) -> list[int]:
    """The word lists this viewer may be shown words from: the shared dreams', and their own
    private dreams' (search_backends.WORD_LIST)."""
    if user.is_authenticated:
        return [search_backends.SHARED_LIST, user.pk]
    return [search_backends.SHARED_LIST]


def _candidates(find, word: str, *, lists: list[int], limit: int) -> list[str]:
    """Words of these lists that find(word, scope=..., limit=...) gives, shortest first."""
    found = {w for scope in lists for w in find(word, scope=scope, limit=limit)}
    return sorted(found, key=lambda w: (len(w), w))[:limit]


def _alternatives(word: str, scoped, *, lists: list[int]) -> tuple[list[str], str]:
    """Words of dreams the viewer may read for one that found nothing: those it begins (or,
    from four letters, is part of), or else the closest spelling; each is then checked
    against the dreams in scope. Returns (words, "part" or "typo")."""
    if len(word) < 3:
        return [], ""
    containing = _candidates(_index().containing, word, lists=lists, limit=200)
    containing = [w for w in containing if w != word]
    # "red" should not become "dared, shared": prefixes first, and middles only for longer parts.
    starts = sorted((w for w in containing if w.startswith(word)), key=lambda w: (len(w), w))
    middles = sorted((w for w in containing if not w.startswith(word)), key=lambda w: (len(w), w))
    parts = _seen_by(scoped, starts + (middles if len(word) >= 4 else []), want=MAX_EXPANSIONS)
    if parts:
        return parts, "part"
    # Every word sharing a three-letter run, then the closest spellings among them: the same
    # words on either database, however each ranks its trigram matches.
    candidates = _candidates(_index().alike, word, lists=lists, limit=MAX_ALIKE)
    close = difflib.get_close_matches(word, candidates, n=20, cutoff=0.75)
    close = _seen_by(scoped, close, want=1)
    return close, "typo" if close else ""


def _corrected(
    parsed: query_language.Query, scoped, *, lists: list[int]
) -> tuple[query_language.Query, list[str]]:
    """The query with each word that found nothing replaced by the scope's words for it."""
    notes, groups = [], []
    for group in parsed.groups:
        new_group = []
        for term in group:
            if (
                term.kind != "word"
                or not query_language.is_spaced(term.words[0])
                or _seen_by(scoped, [term.words[0]], want=1)
            ):
                new_group.append(term)
                continue
            words, how = _alternatives(term.words[0], scoped, lists=lists)
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
        fixed, fix_notes = _corrected(parsed, scoped, lists=_word_lists(user))
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
    problems = _index().integrity() + _index().word_list_problems()
    rows = _index().rows()
    ids = set(Dream.objects.values_list("pk", flat=True))
    missing, extra = ids - rows.keys(), rows.keys() - ids
    if missing:
        problems.append(f"{len(missing)} dreams are missing from the index: {sorted(missing)[:10]}")
    if extra:
        problems.append(f"{len(extra)} index rows have no dream: {sorted(extra)[:10]}")
    sources = _index().sources()
    chunk: list[Dream] = []
    for dream in Dream.objects.filter(pk__in=ids & rows.keys()).order_by("pk").iterator():
        chunk.append(dream)
        if len(chunk) == 1000:
            problems += _differences(chunk, rows, sources)
            chunk = []
    problems += _differences(chunk, rows, sources)
    return problems


def _differences(dreams: list[Dream], rows: dict, sources: dict) -> list[str]:
    return [
        f"dream {doc[0]} differs from its index row"
        for doc in map(indexed, _documents(dreams))
        if rows[doc[0]] != doc[1:] or sources.get(doc[0]) != words_of(doc)
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
