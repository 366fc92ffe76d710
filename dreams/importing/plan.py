"""What an import will do, whatever the file: an ImportPlan holds the file's name and kind, a
way to read its dreams again (streaming, so memory stays flat however large the file), and
the vocabulary that comes with them. Every dream passes the same checks here, so a file is
refused with one line naming the file, the dream (or line) and the reason.

A new kind of content (pictures, say) joins by adding a field to IncomingDream or
Vocabulary, a check here and its writing in saving.py; the readers only fill them in.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from dreams import picture_files, versions
from dreams.dates import DayOrder, read_dream_date
from dreams.models import DatePrecision, Dream, DreamMotif, Motif
from dreams.titles import derive_title

MAX_DREAMS = 200_000  # per file
MAX_BODY = 200_000  # characters of one dream, as the entry form allows
BOOLEAN_FIELDS = ("lucid", "nightmare", "recurring", "show_tags")
# A hard limit for a spreadsheet cell, set once: csv's default (131,072) is below MAX_BODY.
MAX_CELL = MAX_BODY * 4


# The choices a field may take, read once (a model's Choices work them out on every access,
# and an export holds hundreds of thousands of motif links).
STATUSES = tuple(DreamMotif.Status.values)
PRECISIONS = tuple(DatePrecision.values)
MOODS = tuple(Dream.Mood.values)
VISIBILITIES = tuple(Dream.Visibility.values)
CATEGORIES = tuple(Motif.Category.values)


class BadImport(ValueError):
    """A file that cannot be imported; the message says where and why, in one sentence (a full
    stop is added when it has none)."""

    def __init__(self, message: str):
        message = message.rstrip()
        if not message.endswith((".", "!", "?", "…")):
            message += "."
        super().__init__(message)


@dataclass
class IncomingDream:
    title: str  # as the file gives it; "" for none (final_title derives one when needed)
    body: str
    uid: uuid.UUID | None = None
    source: str = ""
    source_id: str = ""
    # The keys the same row had before (an older Somnia's, or an earlier reading of its date
    # that left it undated): a row already imported under one of them is not added again.
    earlier_ids: tuple[str, ...] = ()
    dreamt_on: datetime.date | None = None
    dreamt_on_text: str = ""
    dreamt_on_precision: str = DatePrecision.DAY
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    deleted_at: datetime.datetime | None = None
    lucid: bool = False
    nightmare: bool = False
    recurring: bool = False
    vividness: int | None = None
    mood: str = ""
    visibility: str = Dream.Visibility.PRIVATE
    show_tags: bool = False
    version: int = 1
    tags: list[str] = field(default_factory=list)
    motifs: list[dict] | None = None  # None: detect them from the text
    recurs: str | None = None
    conflict_of: str | None = None  # an older export's conflict copy: becomes a version
    history: list[dict] = field(default_factory=list)  # versions.check_history()
    # Checked entries of its "pictures" list whose files the plan's read_picture() gives
    # (a Markdown zip's); a JSON export lists pictures without carrying them.
    pictures: list[dict] = field(default_factory=list)
    where: str = ""  # "export.json: dream 3", "diary.csv: line 12"
    note: str = ""  # something the preview should point out ("a future date, kept as written")
    ambiguous_date: bool = False  # a slashed date that reads both ways
    derived_title: str | None = None  # derive_title(body), where it was worked out already

    @property
    def final_title(self) -> str:
        """The title the dream is saved with: the file's, else one derived from the body
        (only for the dreams that need it: a preview's first rows, and the new ones)."""
        return self.title or self.derived_title or derive_title(self.body)

    @property
    def key(self) -> tuple:
        return ("uid", self.uid) if self.uid else ("key", self.source, self.source_id)


@dataclass(frozen=True)
class Skipped:
    """A row left out, and why ("line 7: no dream text")."""

    note: str


@dataclass
class Vocabulary:
    """What comes with a journal's dreams: its own motifs and words, the motifs it turned
    down, its tags and drafts. Empty for a table."""

    motifs: list[dict] = field(default_factory=list)
    motif_words: list[dict] = field(default_factory=list)
    motif_rejections: list[str] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """A checked file, ready to preview or write. `read()` reads its dreams again each time
    (yielding IncomingDream, or Skipped for a row left out); it raises BadImport on the first
    bad dream, before anything is written."""

    name: str
    kind: str  # "Somnia JSON", "Markdown zip", "CSV", "TSV"
    read: Callable[[], Iterator[IncomingDream | Skipped]]
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    columns: dict = field(default_factory=dict)  # a table's: {"date", "text", "title"}
    headers: list[str] = field(default_factory=list)  # a table's, to choose columns from
    day_order: DayOrder | None = None  # a table's slashed dates: which way they were read
    notes: list[str] = field(default_factory=list)  # "read as Windows-1252 text"
    # A picture file of the archive by its name in the export ("pictures/<id>/01-….webp").
    read_picture: Callable[[str], bytes] | None = None


def normalised_text(text: str) -> str:
    """The words of a dream with spacing and line endings made uniform: what a spreadsheet's
    re-save keeps."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def natural_key(*, day: datetime.date | None, written: str, body: str) -> str:
    """The key of a dream without an id of its own: the day it names (however it was written:
    2025-01-10 and 1/10/2025 are one day), else its date as written, and its words."""
    when = day.isoformat() if day else " ".join(written.split()).casefold()
    return hashlib.sha256(f"{when}\n{normalised_text(body)}".encode()).hexdigest()[:40]


def legacy_key(date, body: str) -> str:
    """The key earlier Somnias gave the same dream (raw date and exact words)."""
    return hashlib.sha256(f"{date or ''}\n{body}".encode()).hexdigest()[:40]


def is_uuid(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def text_field(record: dict, key: str, where: str, *, required=False, limit=None) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise BadImport(f"{where}: “{key}” is missing")
        return ""
    if not isinstance(value, str):
        raise BadImport(f"{where}: “{key}” should be text")
    value = value.replace("\x00", "")  # a NUL is no part of a dream, and PostgreSQL refuses it
    if limit and len(value) > limit:
        raise BadImport(f"{where}: “{key}” is longer than {limit:,} characters")
    return value


def moment(record: dict, key: str, where: str) -> datetime.datetime | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadImport(f"{where}: “{key}” is not a date and time: {str(value)[:40]}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def dream_date(
    raw, where: str, *, today: datetime.date, day_first: bool = False, written: str = ""
) -> tuple[datetime.date | None, str, str]:
    """(day, as written, precision) of a file's date; a future date is refused (BadImport), as
    the entry form refuses it (9999-12-31 would pin a dream to the top of the gallery)."""
    if raw in (None, ""):
        return None, written, DatePrecision.DAY
    raw = str(raw)
    try:
        day = parse_date(raw)
    except ValueError:  # "2024-02-30": shaped like a date, but no such day
        day = None
    read = read_dream_date(raw, day_first=day_first, today=today)
    if read.future or (day and day > today + datetime.timedelta(days=1)):
        raise BadImport(f"{where}: the date {raw[:40]} is in the future")
    if day:
        return day, written, DatePrecision.DAY
    return read.day, read.written, read.precision or DatePrecision.DAY


def _choice(record: dict, key: str, where: str, choices, default: str = "") -> str:
    value = text_field(record, key, where) or default
    if value and value not in choices:
        raise BadImport(f"{where}: “{key}” should be one of {', '.join(choices)}")
    return value


def _vividness(record: dict, where: str) -> int | None:
    value = record.get("vividness")
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    ):
        raise BadImport(f"{where}: “vividness” should be 1 to 5, not {value!r}")
    return value


def _uid(record: dict, where: str) -> uuid.UUID | None:
    if not record.get("id"):
        return None
    try:
        return uuid.UUID(str(record["id"]))
    except ValueError:
        raise BadImport(f"{where}: “id” is not a Somnia id") from None


def _tags(record: dict, where: str) -> list[str]:
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 64 for t in tags):
        raise BadImport(f"{where}: “tags” should be a list of names of at most 64 characters")
    return tags


def _is_count(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value < 10**9


def _is_span(span) -> bool:
    return (
        isinstance(span, dict)
        and isinstance(span.get("text"), str)
        and all(_is_count(span.get(k)) for k in ("start", "end"))
    )


def _motif_links(record: dict, where: str) -> list[dict] | None:
    links = record.get("motifs")
    if links is None:
        return None
    if not isinstance(links, list):
        raise BadImport(f"{where}: “motifs” should be a list")
    for link in links:
        check_motif(link, where)
        if link.get("status", "detected") not in STATUSES:
            raise BadImport(f"{where}: motif status should be detected, added or removed")
        if not _is_count(link.get("count", 0)):
            raise BadImport(f"{where}: a motif's “count” should be a whole number")
        salience = link.get("salience", 0)
        if isinstance(salience, bool) or not isinstance(salience, int | float):
            raise BadImport(f"{where}: a motif's “salience” should be a number")
        evidence = link.get("evidence", [])
        if not isinstance(evidence, list) or not all(_is_span(e) for e in evidence):
            raise BadImport(f"{where}: a motif's “evidence” should be a list of spans")
    return links


def _flags(record: dict, where: str) -> dict[str, bool]:
    flags = {}
    for flag in BOOLEAN_FIELDS:
        value = record.get(flag, False)
        if not isinstance(value, bool):
            raise BadImport(f"{where}: “{flag}” should be true or false")
        flags[flag] = value
    return flags


def _version(record: dict, where: str) -> int:
    version = record.get("version") or 1
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31:
        raise BadImport(f"{where}: “version” should be a whole number from 1")
    return version


def _reference(record: dict, key: str, where: str) -> str | None:
    value = record.get(key)
    if value is not None and not is_uuid(value):
        raise BadImport(f"{where}: “{key}” should be the id of another dream")
    return value


def check_record(
    record, where: str, *, today: datetime.date, pictures_in: set[str] | None = None
) -> IncomingDream:
    """One dream of an export (a JSON object, or a Markdown file's front matter and body),
    checked field by field; BadImport names the first bad one. `pictures_in`: the picture
    files the archive holds (None for a file that carries none)."""
    if not isinstance(record, dict):
        raise BadImport(f"{where}: should be an object")
    body = text_field(record, "body", where, required=True, limit=MAX_BODY)
    if not body.strip():
        raise BadImport(f"{where}: the body is empty")
    title = text_field(record, "title", where, limit=200).strip()
    written = text_field(record, "dreamt_on_text", where, limit=64)
    raw_date = record.get("dreamt_on")
    day, written, precision = dream_date(raw_date, where, today=today, written=written)
    if day is None and written and raw_date in (None, ""):
        # An export keeps "(1957)" as text only; it still sorts among 1957. A date a table
        # gave that could not be a day ("(3004-01-29)", a slip) was kept as written,
        # undated: it comes back so, not refused.
        with contextlib.suppress(BadImport):
            day, written, precision = dream_date(written, where, today=today)
    stated = text_field(record, "dreamt_on_precision", where)
    if day and stated in PRECISIONS:
        precision = stated
    uid = _uid(record, where)
    source = text_field(record, "source", where, limit=32)
    source_id, earlier = text_field(record, "source_id", where, limit=200), ()
    if uid is None and not source_id:
        # No id of its own: known by its date and words, so importing it twice adds nothing.
        source = source or "import"
        source_id = natural_key(day=day, written=written or str(raw_date or ""), body=body)
        earlier = (legacy_key(raw_date, body),)
    return IncomingDream(
        title=title,
        body=body,
        uid=uid,
        source=source,
        source_id=source_id,
        earlier_ids=earlier,
        dreamt_on=day,
        dreamt_on_text=written,
        dreamt_on_precision=precision,
        created_at=moment(record, "created_at", where),
        updated_at=moment(record, "updated_at", where),
        deleted_at=moment(record, "deleted_at", where),
        vividness=_vividness(record, where),
        mood=_choice(record, "mood", where, MOODS),
        visibility=_choice(record, "visibility", where, VISIBILITIES, Dream.Visibility.PRIVATE),
        version=_version(record, where),
        tags=_tags(record, where),
        motifs=_motif_links(record, where),
        recurs=_reference(record, "recurs", where),
        conflict_of=_reference(record, "conflict_of", where),
        history=_history(record, where),
        pictures=_pictures(record, where, pictures_in),
        where=where,
        **_flags(record, where),
    )


def _history(record: dict, where: str) -> list[dict]:
    try:
        return versions.check_history(record.get("versions"), limit=settings.VERSIONS_PER_DREAM)
    except versions.BadHistory as error:
        raise BadImport(f"{where}: {error}") from None


def _pictures(record: dict, where: str, files: set[str] | None) -> list[dict]:
    try:
        return picture_files.check_listing(record.get("pictures"), where=where, files=files)
    except ValueError as error:
        raise BadImport(str(error)) from None


@functools.lru_cache(maxsize=4096)
def _slugified(text: str) -> bool:
    """Whether slugify() keeps this text as it is; kept for the few hundred slugs a journal
    names again and again (texts of at most 80 characters only)."""
    return slugify(text) == text


def check_motif(motif, where: str) -> None:
    if not isinstance(motif, dict) or not isinstance(motif.get("slug"), str):
        raise BadImport(f"{where}: each motif needs a “slug”")
    slug = motif["slug"]
    if not slug or len(slug) > 80 or not _slugified(slug):
        raise BadImport(f"{where}: “{slug[:40]}” is not a motif slug (lower-case-words)")
    if motif.get("category") is not None and motif["category"] not in CATEGORIES:
        raise BadImport(f"{where}: a motif's category should be one of {', '.join(CATEGORIES)}")
    if not isinstance(motif.get("name", ""), str) or len(motif.get("name", "")) > 80:
        raise BadImport(f"{where}: a motif's name should be text of at most 80 characters")
    aliases = motif.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise BadImport(f"{where}: a motif's “aliases” should be a list of words")


def _is_word(item) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("motif"), str)
        and isinstance(item.get("word"), str)
        and 0 < len(item["word"]) <= 80
    )


def _is_draft(draft) -> bool:
    return (
        isinstance(draft, dict)
        and is_uuid(draft.get("key"))
        and (draft.get("dream") is None or is_uuid(draft.get("dream")))
        and isinstance(draft.get("title", ""), str)
        and isinstance(draft.get("body", ""), str)
        and isinstance(draft.get("fields", {}), dict)
    )


def check_vocabulary(data: dict, name: str) -> Vocabulary:
    """The vocabulary keys of an export (all optional), checked."""
    found = {}
    for key in ("motifs", "motif_words", "motif_rejections", "drafts", "tags"):
        value = data.get(key, [])
        if not isinstance(value, list):
            raise BadImport(f"{name}: “{key}” should be a list")
        found[key] = value
    vocabulary = Vocabulary(**found)
    for motif in vocabulary.motifs:
        check_motif(motif, f"{name}: motifs")
    if not all(_is_word(item) for item in vocabulary.motif_words):
        raise BadImport(f"{name}: each of “motif_words” needs a motif and a word")
    if not all(isinstance(slug, str) for slug in vocabulary.motif_rejections):
        raise BadImport(f"{name}: “motif_rejections” should be a list of motif slugs")
    if not all(isinstance(tag, str) and len(tag) <= 64 for tag in vocabulary.tags):
        raise BadImport(f"{name}: “tags” should be a list of names")
    if not all(_is_draft(draft) for draft in vocabulary.drafts):
        raise BadImport(f"{name}: a draft needs a key, text and fields")
    return vocabulary
