"""Export and import without loss: Somnia's JSON, a zip of Markdown files with front matter, and
CSV/TSV from other journals. Reading checks the whole file before anything is written; writing
is one transaction, keyed on each dream's natural id, so the same file twice adds nothing."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from dreams import entries, search, vocabulary
from dreams.dates import parse_dream_date
from dreams.models import (
    Draft,
    Dream,
    DreamMotif,
    Motif,
    MotifAlias,
    MotifRejection,
    Tag,
    normalise_tag,
)
from dreams.titles import derive_title

FORMAT = "somnia-export"
VERSION = 1
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_DREAMS = 200_000
BATCH = 250  # dreams written per statement batch, and progress reported per batch
DATE_HEADERS = ("date", "dreamt_on", "dream_date", "dreamdate", "date of dream", "when", "day")
TEXT_HEADERS = (
    "text", "dream", "report", "narrative", "content", "body", "description", "dream text",
    "entry",
)  # fmt: skip
TITLE_HEADERS = ("title", "name", "subject")
BOOLEAN_FIELDS = ("lucid", "nightmare", "recurring")


class BadImport(ValueError):
    """A file that cannot be imported; the message says where and why, in one line."""


# ---------------------------------------------------------------------------------------------
# Export


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def dream_record(dream: Dream) -> dict:
    return {
        "id": str(dream.uid),
        "title": dream.title,
        "body": dream.body,
        "dreamt_on": _iso(dream.dreamt_on),
        "dreamt_on_text": dream.dreamt_on_text,
        "created_at": _iso(dream.created_at),
        "updated_at": _iso(dream.updated_at),
        "lucid": dream.lucid,
        "nightmare": dream.nightmare,
        "recurring": dream.recurring,
        "vividness": dream.vividness,
        "mood": dream.mood,
        "visibility": dream.visibility,
        "version": dream.version,
        "source": dream.source,
        "source_id": dream.source_id,
        "deleted_at": _iso(dream.deleted_at),
        "recurs": str(dream.recurs.uid) if dream.recurs_id else None,
        "conflict_of": str(dream.conflict_of.uid) if dream.conflict_of_id else None,
        "tags": [link.tag.name for link in dream.tag_links.all()],
        "motifs": [
            {
                "slug": link.motif.slug,
                "name": link.motif.name,
                "category": link.motif.category,
                "status": link.status,
                "count": link.count,
                "evidence": link.evidence,
            }
            for link in dream.motif_links.all()
        ],
    }


def export_data(owner) -> dict:
    """Everything the owner has, as Somnia's versioned JSON document (see README)."""
    dreams = (
        Dream.objects.filter(owner=owner)
        .select_related("recurs", "conflict_of")
        .prefetch_related("tag_links__tag", "motif_links__motif")
        .order_by("created_at", "pk")
    )
    uids = dict(Dream.objects.filter(owner=owner).values_list("pk", "uid"))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "owner": owner.get_username(),
        "dreams": [dream_record(d) for d in dreams],
        "motifs": [
            {"slug": m.slug, "name": m.name, "category": m.category, "aliases": m.aliases}
            for m in Motif.objects.filter(owner=owner).order_by("slug")
        ],
        "motif_words": [
            {"motif": a.motif.slug, "word": a.word}
            for a in MotifAlias.objects.filter(owner=owner).select_related("motif").order_by("pk")
        ],
        "motif_rejections": sorted(
            MotifRejection.objects.filter(owner=owner).values_list("motif__slug", flat=True)
        ),
        "tags": sorted(owner.tags.values_list("name", flat=True)),
        "drafts": [
            {
                "key": str(d.key),
                "dream": str(uids[d.dream_id]) if d.dream_id else None,
                "base_version": d.base_version,
                "title": d.title,
                "body": d.body,
                "fields": d.fields,
                "updated_at": _iso(d.updated_at),
            }
            for d in Draft.objects.filter(owner=owner).order_by("pk")
        ],
    }


def export_json(owner) -> bytes:
    # Compact: a long journal's export must still fit the import's size limit.
    return json.dumps(export_data(owner), ensure_ascii=False, separators=(",", ":")).encode()


def _markdown_file(record: dict) -> str:
    lines = ["---"]
    for key, value in record.items():
        if key != "body":
            # Each value is JSON, which YAML reads too: exact round trips, no YAML library.
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + record["body"]


def export_markdown_zip(owner) -> bytes:
    data = export_data(owner)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, record in enumerate(data["dreams"], start=1):
            day = record["dreamt_on"] or "undated"
            slug = slugify(record["title"])[:50] or "dream"
            archive.writestr(f"dreams/{number:05}-{day}-{slug}.md", _markdown_file(record))
        rest = {k: v for k, v in data.items() if k != "dreams"}
        rest["format"] = "somnia-markdown"
        archive.writestr("somnia.json", json.dumps(rest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class IncomingDream:
    title: str
    body: str
    uid: uuid.UUID | None = None
    source: str = ""
    source_id: str = ""
    dreamt_on: datetime.date | None = None
    dreamt_on_text: str = ""
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    deleted_at: datetime.datetime | None = None
    lucid: bool = False
    nightmare: bool = False
    recurring: bool = False
    vividness: int | None = None
    mood: str = ""
    visibility: str = Dream.Visibility.PRIVATE
    version: int = 1
    tags: list[str] = field(default_factory=list)
    motifs: list[dict] | None = None  # None: detect them from the text
    recurs: str | None = None
    conflict_of: str | None = None


@dataclass
class ImportPlan:
    name: str
    kind: str
    dreams: list[IncomingDream]
    motifs: list[dict] = field(default_factory=list)
    motif_words: list[dict] = field(default_factory=list)
    motif_rejections: list[str] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    columns: dict = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)  # a table's, to choose columns from


def _where(name: str, index: int | None, key: str = "") -> str:
    at = f"{name}: dream {index + 1}" if index is not None else name
    return f"{at}, {key}" if key else at


def _text(record: dict, key: str, where: str, *, required=False, limit=None) -> str:
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


def _when(record: dict, key: str, where: str):
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


def _record(record, where: str, *, today) -> IncomingDream:
    if not isinstance(record, dict):
        raise BadImport(f"{where}: should be an object")
    body = _text(record, "body", where, required=True, limit=200_000)
    if not body.strip():
        raise BadImport(f"{where}: the body is empty")
    title = _text(record, "title", where, limit=200).strip() or derive_title(body)
    dreamt_on, written = None, _text(record, "dreamt_on_text", where, limit=64)
    raw_date = record.get("dreamt_on")
    if raw_date not in (None, ""):
        try:
            dreamt_on = parse_date(raw_date) if isinstance(raw_date, str) else None
        except ValueError:  # "2024-02-30": shaped like a date, but no such day
            dreamt_on = None
        if dreamt_on is None:
            dreamt_on, written = parse_dream_date(str(raw_date), today=today)
    vividness = record.get("vividness")
    if vividness is not None and (
        isinstance(vividness, bool) or not isinstance(vividness, int) or not 1 <= vividness <= 5
    ):
        raise BadImport(f"{where}: “vividness” should be 1 to 5, not {vividness!r}")
    mood = _text(record, "mood", where)
    if mood and mood not in Dream.Mood.values:
        raise BadImport(f"{where}: “mood” should be one of {', '.join(Dream.Mood.values)}")
    visibility = _text(record, "visibility", where) or Dream.Visibility.PRIVATE
    if visibility not in Dream.Visibility.values:
        raise BadImport(f"{where}: “visibility” should be private or shared")
    uid = None
    if record.get("id"):
        try:
            uid = uuid.UUID(str(record["id"]))
        except ValueError:
            raise BadImport(f"{where}: “id” is not a Somnia id") from None
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 64 for t in tags):
        raise BadImport(f"{where}: “tags” should be a list of names of at most 64 characters")
    motifs = record.get("motifs")
    if motifs is not None:
        if not isinstance(motifs, list):
            raise BadImport(f"{where}: “motifs” should be a list")
        for motif in motifs:
            _check_motif(motif, where)
            if motif.get("status", "detected") not in DreamMotif.Status.values:
                raise BadImport(f"{where}: motif status should be detected, added or removed")
            count, evidence = motif.get("count", 0), motif.get("evidence", [])
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < 10**9:
                raise BadImport(f"{where}: a motif's “count” should be a whole number")
            if not isinstance(evidence, list) or not all(
                isinstance(e, dict) and isinstance(e.get("text"), str)
                and all(isinstance(e.get(k), int) and not isinstance(e.get(k), bool)
                        for k in ("start", "end"))
                for e in evidence
            ):  # fmt: skip
                raise BadImport(f"{where}: a motif's “evidence” should be a list of spans")
    flags = {}
    for flag in BOOLEAN_FIELDS:
        value = record.get(flag, False)
        if not isinstance(value, bool):
            raise BadImport(f"{where}: “{flag}” should be true or false")
        flags[flag] = value
    version = record.get("version") or 1
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31:
        raise BadImport(f"{where}: “version” should be a whole number from 1")
    for ref in ("recurs", "conflict_of"):
        if record.get(ref) is not None and not _is_uuid(record.get(ref)):
            raise BadImport(f"{where}: “{ref}” should be the id of another dream")
    source = _text(record, "source", where, limit=32)
    source_id = _text(record, "source_id", where, limit=200)
    if uid is None and not source_id:
        # No id of its own: known by its date and words, so importing it twice adds nothing.
        source = source or "import"
        source_id = _content_key(raw_date, body)
    return IncomingDream(
        title=title,
        body=body,
        uid=uid,
        source=source,
        source_id=source_id,
        dreamt_on=dreamt_on,
        dreamt_on_text=written,
        created_at=_when(record, "created_at", where),
        updated_at=_when(record, "updated_at", where),
        deleted_at=_when(record, "deleted_at", where),
        vividness=vividness,
        mood=mood,
        visibility=visibility,
        version=version,
        tags=tags,
        motifs=motifs,
        recurs=record.get("recurs"),
        conflict_of=record.get("conflict_of"),
        **flags,
    )


def _content_key(date, body: str) -> str:
    """The natural key of a dream that has no id of its own: its date and words."""
    return hashlib.sha256(f"{date or ''}\n{body}".encode()).hexdigest()[:40]


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _check_motif(motif, where: str) -> None:
    if not isinstance(motif, dict) or not isinstance(motif.get("slug"), str):
        raise BadImport(f"{where}: each motif needs a “slug”")
    slug = motif["slug"]
    if not slug or slugify(slug) != slug or len(slug) > 80:
        raise BadImport(f"{where}: “{slug[:40]}” is not a motif slug (lower-case-words)")
    if motif.get("category") not in (None, *Motif.Category.values):
        raise BadImport(f"{where}: a motif's category should be one of "
                        f"{', '.join(Motif.Category.values)}")  # fmt: skip
    if not isinstance(motif.get("name", ""), str) or len(motif.get("name", "")) > 80:
        raise BadImport(f"{where}: a motif's name should be text of at most 80 characters")
    aliases = motif.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise BadImport(f"{where}: a motif's “aliases” should be a list of words")


def _vocabulary(plan: ImportPlan, data: dict, name: str) -> None:
    for key in ("motifs", "motif_words", "motif_rejections", "drafts", "tags"):
        value = data.get(key, [])
        if not isinstance(value, list):
            raise BadImport(f"{name}: “{key}” should be a list")
        setattr(plan, key, value)
    for motif in plan.motifs:
        _check_motif(motif, f"{name}: motifs")
    for item in plan.motif_words:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("motif"), str)
            and isinstance(item.get("word"), str)
            and 0 < len(item["word"]) <= 80
        ):
            raise BadImport(f"{name}: each of “motif_words” needs a motif and a word")  # fmt: skip
    if not all(isinstance(slug, str) for slug in plan.motif_rejections):
        raise BadImport(f"{name}: “motif_rejections” should be a list of motif slugs")
    if not all(isinstance(tag, str) and len(tag) <= 64 for tag in plan.tags):
        raise BadImport(f"{name}: “tags” should be a list of names")
    for draft in plan.drafts:
        if not (
            isinstance(draft, dict)
            and _is_uuid(draft.get("key"))
            and (draft.get("dream") is None or _is_uuid(draft.get("dream")))
            and isinstance(draft.get("title", ""), str)
            and isinstance(draft.get("body", ""), str)
            and isinstance(draft.get("fields", {}), dict)
        ):
            raise BadImport(f"{name}: a draft needs a key, text and fields")  # fmt: skip


def _read_json(name: str, raw: bytes, *, today) -> ImportPlan:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadImport(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadImport(f"{name}: not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("dreams"), list):
        raise BadImport(f"{name}: a Somnia export is an object with a “dreams” list")
    version = data.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise BadImport(f"{name}: “version” should be a number")
    if version > VERSION:
        raise BadImport(f"{name}: made by a newer Somnia (version {data['version']})")
    if len(data["dreams"]) > MAX_DREAMS:
        raise BadImport(f"{name}: more than {MAX_DREAMS:,} dreams")
    dreams = [
        _record(record, _where(name, i), today=today) for i, record in enumerate(data["dreams"])
    ]
    plan = ImportPlan(name, "Somnia JSON", dreams)
    _vocabulary(plan, data, name)
    return plan


_FRONT = re.compile(r"\A---\n(?P<meta>.*?)\n---\n?(?P<body>.*)\Z", re.DOTALL)
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _markdown_record(name: str, text: str) -> dict:
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if not match:
        day = _FILE_DATE.search(name)
        return {"body": text, "dreamt_on": day[1] if day else None}
    record: dict = {"body": match["body"]}
    for number, line in enumerate(match["meta"].splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise BadImport(f"{name}, line {number}: front matter needs “key: value”")
        value = value.strip()
        try:
            record[key.strip()] = json.loads(value) if value else None
        except json.JSONDecodeError:
            record[key.strip()] = value.strip("'\"")  # plain YAML scalars from other tools
    if isinstance(record.get("lucid"), str):
        for flag in BOOLEAN_FIELDS:
            if isinstance(record.get(flag), str):
                record[flag] = record[flag].lower() in {"true", "yes"}
    return record


def _read_zip(name: str, raw: bytes, *, today) -> ImportPlan:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise BadImport(f"{name}: not a zip file") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise BadImport(f"{name}: unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB")
    dreams, extra = [], {}
    markdown = sorted(
        (m for m in members if m.filename.endswith((".md", ".markdown", ".txt"))),
        key=lambda m: m.filename,
    )
    if len(markdown) > MAX_DREAMS:
        raise BadImport(f"{name}: more than {MAX_DREAMS:,} files")
    for member in markdown:
        where = f"{name}: {member.filename}"
        try:
            text = archive.read(member).decode("utf-8-sig").replace("\x00", "")
        except UnicodeDecodeError:
            raise BadImport(f"{where}: not UTF-8 text") from None
        dreams.append(_record(_markdown_record(where, text), where, today=today))
    if "somnia.json" in archive.namelist():
        try:
            extra = json.loads(archive.read("somnia.json").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BadImport(f"{name}: somnia.json is not valid JSON") from None
    if not dreams:
        raise BadImport(f"{name}: no Markdown files in the zip")
    plan = ImportPlan(name, "Markdown zip", dreams)
    _vocabulary(plan, extra if isinstance(extra, dict) else {}, name)
    return plan


_EXTRA = "\x00extra"


def _guess(headers: list[str], wanted: tuple[str, ...]) -> str:
    lowered = {h.strip().lower(): h for h in headers}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    for header in headers:
        if any(name in header.lower() for name in wanted):
            return header
    return ""


def _read_table(name: str, raw: bytes, *, options: dict, today) -> ImportPlan:
    try:
        text = raw.decode("utf-8-sig").replace("\x00", "")
    except UnicodeDecodeError:
        raise BadImport(f"{name}: not UTF-8 text") from None
    delimiter = "\t" if name.lower().endswith(".tsv") else None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restkey=_EXTRA)
    headers = reader.fieldnames or []
    if not headers:
        raise BadImport(f"{name}: no header row")
    columns = {
        "date": options.get("date_column") or _guess(headers, DATE_HEADERS),
        "text": options.get("text_column") or _guess(headers, TEXT_HEADERS),
        "title": options.get("title_column") or _guess(headers, TITLE_HEADERS),
    }
    for role in ("date", "text"):
        if columns[role] and columns[role] not in headers:
            raise BadImport(f"{name}: there is no column “{columns[role]}”")
    if not columns["text"]:
        raise BadImport(
            f"{name}: which column holds the dream? Columns: {', '.join(headers)[:200]}"
        )
    dreams, skipped = [], []
    try:
        rows = list(reader)
    except csv.Error as error:
        raise BadImport(f"{name}: line {reader.line_num}: {error}") from None
    if len(rows) > MAX_DREAMS:
        raise BadImport(f"{name}: more than {MAX_DREAMS:,} rows")
    for number, row in enumerate(rows, start=2):
        body = row.get(columns["text"]) or ""
        if row.get(_EXTRA) and columns["text"] == headers[-1]:
            # An unquoted comma in the last column's text: the rest of the line is the text.
            body = delimiter.join([body, *row[_EXTRA]])
        body = body.strip()
        if not body:
            skipped.append(f"line {number}: no dream text")
            continue
        raw_date = (row.get(columns["date"]) or "").strip() if columns["date"] else ""
        dreamt_on, written = parse_dream_date(
            raw_date, day_first=bool(options.get("day_first")), today=today
        )
        title = (row.get(columns["title"]) or "").strip()[:200] if columns["title"] else ""
        key = _content_key(raw_date, body)
        dreams.append(
            IncomingDream(
                title=title or derive_title(body),
                body=body,
                source="csv",
                source_id=key,
                dreamt_on=dreamt_on,
                dreamt_on_text=written,
            )
        )
    if not dreams:
        raise BadImport(f"{name}: no rows with dream text")
    plan = ImportPlan(name, "CSV" if delimiter != "\t" else "TSV", dreams, skipped=skipped)
    plan.columns, plan.headers = columns, list(headers)
    return plan


def read_file(name: str, raw: bytes, *, options: dict | None = None) -> ImportPlan:
    """Read and check a whole file; nothing is written. BadImport says what is wrong."""
    options = options or {}
    today = timezone.localdate()
    if len(raw) > MAX_FILE_BYTES:
        raise BadImport(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
    if not raw.strip():
        raise BadImport(f"{name}: the file is empty")
    lower = name.lower()
    if lower.endswith(".zip") or raw[:4] == b"PK\x03\x04":
        return _read_zip(name, raw, today=today)
    if b"\x00" in raw[:8192]:
        raise BadImport(f"{name}: binary data, not an export or a table")
    if lower.endswith(".json") or raw.lstrip()[:1] in (b"{", b"["):
        return _read_json(name, raw, today=today)
    if lower.endswith((".csv", ".tsv", ".txt")):
        return _read_table(name, raw, options=options, today=today)
    raise BadImport(f"{name}: Somnia reads .json, .zip (Markdown), .csv and .tsv files")


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class Summary:
    created: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.unchanged} unchanged"
        return text + (f", {len(self.skipped)} skipped" if self.skipped else "")


def _existing(owner, plan: ImportPlan) -> set:
    """Keys of the plan's dreams that the owner already has."""
    uids = {d.uid for d in plan.dreams if d.uid}
    keys = {(d.source, d.source_id) for d in plan.dreams if d.source_id and not d.uid}
    found = set()
    if uids:
        found |= {("uid", u) for u in Dream.objects.filter(owner=owner, uid__in=uids)
                  .values_list("uid", flat=True)}  # fmt: skip
    if keys:
        for source, source_id in Dream.objects.filter(
            owner=owner, source_id__in=[k[1] for k in keys]
        ).values_list("source", "source_id"):
            found.add(("key", source, source_id))
    return found


def _key(dream: IncomingDream):
    return ("uid", dream.uid) if dream.uid else ("key", dream.source, dream.source_id)


def preview(owner, plan: ImportPlan) -> dict:
    existing = _existing(owner, plan)
    new = [d for d in plan.dreams if _key(d) not in existing]
    return {"new": new, "unchanged": len(plan.dreams) - len(new), "skipped": plan.skipped}


def _own_motifs(owner, plan: ImportPlan) -> dict[str, Motif]:
    by_slug = {m.slug: m for m in Motif.objects.filter(owner=owner)}
    for item in plan.motifs:
        slug = item.get("slug")
        if slug and slug not in by_slug and not Motif.objects.builtin().filter(slug=slug).exists():
            by_slug[slug] = Motif.objects.create(
                owner=owner,
                slug=slug,
                name=item.get("name") or slug,
                category=item.get("category") or Motif.Category.OBJECT,
                aliases=item.get("aliases") or [],
            )
    return by_slug


def apply(owner, plan: ImportPlan, *, progress: Callable[[int, int], None] | None = None):
    """Write the plan's new dreams, all or nothing. Returns a Summary."""
    summary = Summary()
    for done, total in apply_steps(owner, plan, summary):
        if progress:
            progress(done, total)
    return summary


def apply_steps(owner, plan: ImportPlan, summary: Summary):
    """apply() one dream at a time: yields (done, total) inside one transaction, so a page can
    show progress while nothing is committed until the end (or at all, if it stops)."""
    summary.skipped = list(plan.skipped)
    with transaction.atomic():
        existing = _existing(owner, plan)
        own = _own_motifs(owner, plan)
        builtin = {m.slug: m for m in Motif.objects.builtin()}
        lexicon = vocabulary.lexicon_for(owner)
        by_uid: dict[str, Dream] = {}
        total = len(plan.dreams)
        batch: list[tuple[Dream, list[str]]] = []
        for number, incoming in enumerate(plan.dreams, start=1):
            if _key(incoming) in existing:
                summary.unchanged += 1
            elif incoming.motifs is None and not (incoming.created_at or incoming.updated_at):
                # Plain new dreams (tables, simple Markdown) are written in batches.
                batch.append((_new_dream(owner, incoming), incoming.tags))
                existing.add(_key(incoming))  # the same dream twice in one file: once
                summary.created += 1
            else:
                dream = _create(owner, incoming, own=own, builtin=builtin, lexicon=lexicon)
                by_uid[str(dream.uid)] = dream
                existing.add(_key(incoming))
                summary.created += 1
            if len(batch) >= BATCH or (number == total and batch):
                for dream in entries.create_many(batch, lexicon=lexicon):
                    by_uid[str(dream.uid)] = dream
                batch = []
            if number % BATCH == 0 or number == total:
                yield number, total
        _link_threads(owner, plan, by_uid)
        _restore_vocabulary(owner, plan, own=own, builtin=builtin)


def _new_dream(owner, incoming: IncomingDream) -> Dream:
    return Dream(
        owner=owner,
        uid=incoming.uid or uuid.uuid4(),
        title=incoming.title,
        body=incoming.body,
        dreamt_on=incoming.dreamt_on,
        dreamt_on_text=incoming.dreamt_on_text,
        lucid=incoming.lucid,
        nightmare=incoming.nightmare,
        recurring=incoming.recurring,
        vividness=incoming.vividness,
        mood=incoming.mood,
        visibility=incoming.visibility,
        source=incoming.source,
        source_id=incoming.source_id,
        deleted_at=incoming.deleted_at,
        version=incoming.version,
    )


def _create(owner, incoming: IncomingDream, *, own, builtin, lexicon) -> Dream:
    dream = _new_dream(owner, incoming)
    dream.save()
    if incoming.motifs is None:
        vocabulary.refresh_motifs(dream, lexicon=lexicon)
    else:
        links = []
        for item in incoming.motifs:
            motif = own.get(item["slug"]) or builtin.get(item["slug"])
            if motif is None:
                motif = own[item["slug"]] = Motif.objects.create(
                    owner=owner,
                    slug=item["slug"],
                    name=item.get("name") or item["slug"],
                    category=item.get("category") or Motif.Category.OBJECT,
                )
            links.append(
                DreamMotif(
                    dream=dream,
                    motif=motif,
                    status=item.get("status", DreamMotif.Status.DETECTED),
                    evidence=item.get("evidence") or [],
                    count=item.get("count") or 0,
                )
            )
        DreamMotif.objects.bulk_create(links)
    entries.set_tags(dream, incoming.tags)
    dream.refresh_card()
    stamps = {
        name: getattr(incoming, name)
        for name in ("created_at", "updated_at")
        if getattr(incoming, name)
    }
    if stamps:
        # auto_now fields: the file's times are the dream's times.
        Dream.objects.filter(pk=dream.pk).update(**stamps)
    search.index_dream(dream)
    return dream


def _link_threads(owner, plan: ImportPlan, created: dict[str, Dream]) -> None:
    wanted = [d for d in plan.dreams if d.uid and str(d.uid) in created]
    refs = {ref for d in wanted for ref in (d.recurs, d.conflict_of) if ref}
    if not refs:
        return
    known = {str(u): pk for pk, u in Dream.objects.filter(owner=owner, uid__in=refs)
             .values_list("pk", "uid")}  # fmt: skip
    for incoming in wanted:
        changes = {}
        if incoming.recurs in known:
            changes["recurs_id"] = known[incoming.recurs]
        if incoming.conflict_of in known:
            changes["conflict_of_id"] = known[incoming.conflict_of]
        if changes:
            Dream.objects.filter(pk=created[str(incoming.uid)].pk).update(**changes)


def _restore_vocabulary(owner, plan: ImportPlan, *, own, builtin) -> None:
    for item in plan.motif_words:
        motif = own.get(item.get("motif")) or builtin.get(item.get("motif"))
        if motif and item.get("word"):
            MotifAlias.objects.get_or_create(owner=owner, motif=motif, word=item["word"])
    for slug in plan.motif_rejections:
        motif = own.get(slug) or builtin.get(slug)
        if motif:
            MotifRejection.objects.get_or_create(owner=owner, motif=motif)
    for name in plan.tags:
        if (
            isinstance(name, str)
            and normalise_tag(name)
            and not Tag.objects.filter(owner=owner, normalised=normalise_tag(name)).exists()
        ):
            Tag.objects.create(owner=owner, name=name)
    uids = dict(Dream.objects.filter(owner=owner).values_list("uid", "pk"))
    for item in plan.drafts:
        try:
            key = uuid.UUID(str(item.get("key")))
        except ValueError:
            continue
        if Draft.objects.filter(owner=owner, key=key).exists():
            continue
        dream_pk = uids.get(uuid.UUID(item["dream"])) if item.get("dream") else None
        draft = Draft.objects.create(
            owner=owner,
            key=key,
            dream_id=dream_pk,
            base_version=item.get("base_version"),
            title=item.get("title") or "",
            body=item.get("body") or "",
            fields=item.get("fields") or {},
        )
        if item.get("updated_at"):
            stamp = parse_datetime(item["updated_at"])
            if stamp:
                Draft.objects.filter(pk=draft.pk).update(updated_at=stamp)
