"""A dream's history: every saved version kept as a snapshot, read back with differences.

The code that saves a dream (dreams/entries.py) calls record() in the same transaction;
a dream saved before versions were kept gets its first one on its next save (recorded
before the change, as "saved before versions were kept").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Min
from django.utils.dateparse import parse_datetime

from dreams import merging, vocabulary
from dreams.models import Draft, Dream, DreamMotif, DreamVersion

# The fields a snapshot keeps besides the title and the narrative.
SNAPSHOT_FIELDS = [
    "dreamt_on", "dreamt_on_precision", "dreamt_on_text", "lucid", "nightmare", "recurring",
    "vividness", "mood", "visibility", "show_tags", "title_derived",
]  # fmt: skip
HAND_SET = {DreamMotif.Status.ADDED: "keep", DreamMotif.Status.REMOVED: "drop"}


def snapshot(dream: Dream) -> dict:
    """The dream as it is now, in the shape merging.merge() takes (dates as ISO text)."""
    fields = {name: getattr(dream, name) for name in SNAPSHOT_FIELDS}
    if fields["dreamt_on"] is not None:
        fields["dreamt_on"] = fields["dreamt_on"].isoformat()
    links = DreamMotif.objects.filter(dream=dream, status__in=list(HAND_SET))
    return {
        "title": dream.title,
        "body": dream.body,
        "fields": fields,
        "tags": dream.tag_names,
        "motif_choices": {
            slug: HAND_SET[status] for slug, status in links.values_list("motif__slug", "status")
        },
    }


def of_version(version: DreamVersion) -> dict:
    """A stored version as a snapshot."""
    return {
        "title": version.title,
        "body": version.body,
        "fields": dict(version.fields),
        "tags": list(version.tags),
        "motif_choices": dict(version.motif_choices),
    }


def model_values(snap: dict) -> dict:
    """A snapshot's fields as the Dream model takes them (dates as dates)."""
    values = {name: snap["fields"][name] for name in SNAPSHOT_FIELDS if name in snap["fields"]}
    if isinstance(values.get("dreamt_on"), str):
        values["dreamt_on"] = datetime.date.fromisoformat(values["dreamt_on"])
    return values | {"title": snap["title"], "body": snap["body"]}


def record(
    dream: Dream,
    *,
    source: str,
    based_on: int | None = None,
    snap: dict | None = None,
    number: int | None = None,
) -> DreamVersion:
    """Keep the dream as it now is (or `snap`) as version `number` (the dream's own version
    by default), then thin the history to settings.VERSIONS_PER_DREAM."""
    snap = snap or snapshot(dream)
    version = DreamVersion.objects.create(
        dream=dream,
        number=dream.version if number is None else number,
        source=source,
        based_on=based_on,
        title=snap["title"][: DreamVersion._meta.get_field("title").max_length],
        body=snap["body"],
        fields=snap["fields"],
        tags=snap["tags"],
        motif_choices=snap["motif_choices"],
    )
    thin(dream, keep=settings.VERSIONS_PER_DREAM)
    return version


def record_earlier(dream: Dream) -> None:
    """Before a dream saved without history changes: keep it as it is, so the change has
    a version before it."""
    if not DreamVersion.objects.filter(dream=dream).exists():
        imported = dream.source and dream.source != "seed"
        record(
            dream, source=DreamVersion.Source.IMPORT if imported else DreamVersion.Source.EARLIER
        )


def thin(dream: Dream, *, keep: int) -> int:
    """Delete the oldest versions past `keep`: never the first, the newest, nor one an open
    form (a draft) of this dream started from (its merge needs it). Returns how many."""
    versions = DreamVersion.objects.filter(dream=dream)
    count = versions.count()
    if count <= keep:
        return 0
    ends = versions.aggregate(first=Min("number"), last=Max("number"))
    needed = {ends["first"], ends["last"]}
    needed |= set(Draft.objects.filter(dream=dream).values_list("base_version", flat=True))
    oldest = (
        versions.exclude(number__in=[n for n in needed if n is not None])
        .order_by("number")
        .values_list("pk", flat=True)[: count - keep]
    )
    deleted, _ = DreamVersion.objects.filter(pk__in=list(oldest)).delete()
    return deleted


def version_of(dream: Dream, number: int | None) -> dict | None:
    """The snapshot of version `number` of the dream, or None if it is not kept."""
    if number is None:
        return None
    found = DreamVersion.objects.filter(dream=dream, number=number).first()
    return of_version(found) if found else None


@dataclass
class Entry:
    """A version as the history page lists it, with what changed since the one before."""

    version: DreamVersion
    text: list[tuple[str, str]]  # merging.word_diff() of the narrative
    title: list[tuple[str, str]]
    fields: list[tuple[str, object, object]]  # (label, before, after)
    tags_added: list[str]
    tags_removed: list[str]
    motifs: list[tuple[str, str, str]]  # (slug, before, after) as the author's choices say
    first: bool
    compared_with: int | None = None  # the version the differences are to

    @property
    def text_changed(self) -> bool:
        return any(op != "equal" for op, _ in self.text)


def history(dream: Dream, *, versions: list[DreamVersion], before: DreamVersion | None):
    """Entries for `versions` (newest first), each compared with the next older one (the
    last with `before`, the version just older than the page); an edit that crossed another
    is compared with the version it started from (when kept), as that is what it changed."""
    older = [*versions[1:], before][: len(versions)]
    started = {
        v.based_on
        for v in versions
        if v.source == DreamVersion.Source.SIDE and v.based_on is not None
    }
    known = {v.number: v for v in [*versions, before] if v is not None}
    if started - set(known):
        wanted = DreamVersion.objects.filter(dream=dream, number__in=started - set(known))
        known |= {v.number: v for v in wanted}
    entries = []
    for version, previous in zip(versions, older, strict=True):
        if version.source == DreamVersion.Source.SIDE and version.based_on in known:
            previous = known[version.based_on]
        entries.append(_entry(version, previous))
    return entries


def _entry(version: DreamVersion, previous: DreamVersion | None) -> Entry:
    if previous is None:
        return Entry(version, trimmed([("equal", version.body)]), [], [], [], [], [], first=True)
    fields = [
        (
            merging.FIELD_LABELS[name],
            shown(previous.fields.get(name)),
            shown(version.fields.get(name)),
        )
        for name in merging.FIELDS[1:]
        if previous.fields.get(name) != version.fields.get(name)
    ]
    was = {t.casefold(): t for t in previous.tags}
    now = {t.casefold(): t for t in version.tags}
    said = {choice: label.lower() for choice, label in vocabulary.Choice.LABELS.items()}
    motifs = [
        (slug, said.get(before, before), said.get(after, after))
        for slug in sorted({*previous.motif_choices, *version.motif_choices})
        if (before := previous.motif_choices.get(slug, ""))
        != (after := version.motif_choices.get(slug, ""))
    ]
    title = (
        merging.word_diff(previous.title, version.title) if previous.title != version.title else []
    )
    return Entry(
        version,
        trimmed(merging.word_diff(previous.body, version.body)),
        title,
        fields,
        [t for k, t in now.items() if k not in was],
        [t for k, t in was.items() if k not in now],
        motifs,
        first=False,
        compared_with=previous.number,
    )


def shown(value) -> str:
    """A field's value as the history page says it."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "—" if value in (None, "") else str(value)


def trimmed(pieces: list[tuple[str, str]], *, context: int = 160) -> list[tuple[str, str]]:
    """Word differences with long unchanged stretches cut to about `context` characters at
    their ends ("…" between), each cut between two words; the spaces that part an
    unchanged stretch from a change are kept."""
    out = []
    last = len(pieces) - 1
    for index, (op, text) in enumerate(pieces):
        if op == "equal" and len(text) > 3 * context:
            head = _head(text, context if index > 0 else 0)
            tail = _tail(text, context if index < last else 0)
            if not head and not tail:
                text = _head(text, 2 * context) + " …"
            else:
                text = (f"{head} … " if head else "… ") + tail if tail else f"{head} …"
        out.append((op, text))
    return out


_SPACE = re.compile(r"\s")


def _head(text: str, size: int) -> str:
    """About the first `size` characters of text, ending at the end of a word."""
    if size <= 0:
        return ""
    cut = text[:size]
    if not text[size].isspace():
        spaces = [m.start() for m in _SPACE.finditer(cut)]
        if spaces and spaces[-1] > 0:
            cut = cut[: spaces[-1]]
    return cut.rstrip() or cut


def _tail(text: str, size: int) -> str:
    """About the last `size` characters of text, starting at the start of a word."""
    if size <= 0:
        return ""
    cut = text[-size:]
    if not text[-size - 1].isspace():
        space = _SPACE.search(cut)
        if space and space.end() < len(cut):
            cut = cut[space.end() :]
    return cut.lstrip() or cut


def as_record(version: DreamVersion) -> dict:
    """One version as an export writes it (see the README's "Export format")."""
    return {
        "number": version.number,
        "saved_at": version.saved_at.isoformat(),
        "source": version.source,
        "based_on": version.based_on,
        "title": version.title,
        "body": version.body,
        "fields": version.fields,
        "tags": version.tags,
        "motif_choices": version.motif_choices,
    }


class BadHistory(ValueError):
    """A "versions" list of an imported dream that Somnia cannot keep; says which and why."""


def check_history(raw, *, limit: int) -> list[dict]:
    """An export's "versions" list, checked: [{number, saved_at (datetime or None), source,
    based_on, title, body, fields, tags, motif_choices}, ...] by number. Past `limit`
    versions the oldest are thinned as record() would. Raises BadHistory."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadHistory("“versions” should be a list")
    checked = sorted((_checked_version(item) for item in raw), key=lambda v: v["number"])
    numbers = [v["number"] for v in checked]
    if len(set(numbers)) != len(numbers):
        raise BadHistory("two versions have one number")
    if len(checked) > max(limit, 2):
        checked = [checked[0], *checked[len(checked) - max(limit, 2) + 1 :]]
    return checked


def _checked_version(item) -> dict:
    text = {"title": 200, "body": 100_000}
    if not isinstance(item, dict):
        raise BadHistory("each of “versions” should be an object")
    number, based_on = item.get("number"), item.get("based_on")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise BadHistory("a version's “number” should be a whole number from 1")
    if based_on is not None and (not isinstance(based_on, int) or isinstance(based_on, bool)):
        raise BadHistory(f"version {number}: “based_on” should be a version's number")
    for key, most in text.items():
        if not isinstance(item.get(key, ""), str) or len(item.get(key, "")) > most:
            raise BadHistory(f"version {number}: “{key}” should be text of at most {most:,}")
    fields, tags, choices = (
        item.get("fields", {}),
        item.get("tags", []),
        item.get("motif_choices", {}),
    )
    if not isinstance(fields, dict) or not set(fields) <= set(SNAPSHOT_FIELDS):
        raise BadHistory(f"version {number}: “fields” should hold the dream's fields only")
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 64 for t in tags):
        raise BadHistory(f"version {number}: “tags” should be a list of names")
    if not isinstance(choices, dict) or not all(
        isinstance(slug, str) and c in merging.MOTIF_STRENGTH for slug, c in choices.items()
    ):
        raise BadHistory(f"version {number}: “motif_choices” should map motifs to keep or drop")
    saved_at = item.get("saved_at")
    moment = parse_datetime(saved_at) if isinstance(saved_at, str) else None
    if saved_at is not None and moment is None:
        raise BadHistory(f"version {number}: “saved_at” is not a date and time")
    source = item.get("source")
    return {
        "number": number,
        "saved_at": moment,
        "source": source if source in DreamVersion.Source.values else DreamVersion.Source.IMPORT,
        "based_on": based_on,
        "title": item.get("title", ""),
        "body": item.get("body", ""),
        "fields": fields,
        "tags": tags,
        "motif_choices": {slug: c for slug, c in choices.items() if c},
    }


def keep_imported(pairs: list[tuple[Dream, list[dict]]]) -> int:
    """Write imported dreams' histories (check_history() lists) in one statement; how many."""
    rows = [
        DreamVersion(
            dream=dream,
            **{k: v for k, v in item.items() if k != "saved_at"},
            saved_at=item["saved_at"] or dream.created_at,
        )
        for dream, history in pairs
        for item in history
    ]
    DreamVersion.objects.bulk_create(rows, batch_size=500)
    return len(rows)
