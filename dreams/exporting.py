"""Everything a writer owns, as Somnia's versioned JSON document or a zip of Markdown files
(see the README's "Export format"). Both are written a few hundred dreams at a time, so a
journal of any size exports with flat memory, and both import back without loss."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from django.utils import timezone
from django.utils.text import slugify

from dreams import picture_files, versions
from dreams.models import Draft, Dream, DreamVersion, Motif, MotifAlias, MotifRejection

FORMAT = "somnia-export"
VERSION = 1
CHUNK = 500  # dreams read per query


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def dream_record(dream: Dream) -> dict:
    """One dream as the export writes it."""
    return {
        "id": str(dream.uid),
        "title": dream.title,
        "body": dream.body,
        "dreamt_on": _iso(dream.dreamt_on),
        "dreamt_on_text": dream.dreamt_on_text,
        "dreamt_on_precision": dream.dreamt_on_precision or "day",
        "created_at": _iso(dream.created_at),
        "updated_at": _iso(dream.updated_at),
        "lucid": dream.lucid,
        "nightmare": dream.nightmare,
        "recurring": dream.recurring,
        "vividness": dream.vividness,
        "mood": dream.mood,
        "visibility": dream.visibility,
        "show_tags": dream.show_tags,
        "version": dream.version,
        "source": dream.source,
        "source_id": dream.source_id,
        "deleted_at": _iso(dream.deleted_at),
        "recurs": str(dream.recurs.uid) if dream.recurs_id else None,
        "tags": [link.tag.name for link in dream.tag_links.all()],
        "motifs": [
            {
                "slug": link.motif.slug,
                "name": link.motif.name,
                "category": link.motif.category,
                "status": link.status,
                "count": link.count,
                "salience": link.salience,
                "evidence": link.evidence,
            }
            for link in dream.motif_links.all()
        ],
        # Listed here; the Markdown zip carries their files under the same names.
        "pictures": picture_files.export_listing(dream),
    }


def dream_records(owner, *, history: bool = False) -> Iterator[dict]:
    """The owner's dreams (trash included) as export records, oldest written first, read
    CHUNK at a time. history: each record also lists the dream's versions, oldest first
    (read one dream at a time: a history may be long)."""
    for dream in _dreams(owner):
        record = dream_record(dream)
        if history:
            kept = DreamVersion.objects.filter(dream=dream).order_by("number")
            record["versions"] = [versions.as_record(v) for v in kept.iterator()]
        yield record


def _dreams(owner) -> Iterator[Dream]:
    """The owner's dreams (trash included) with what their records need, oldest written
    first, read CHUNK at a time."""
    after = None
    while True:
        page = Dream.objects.filter(owner=owner).order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        chunk = list(
            page.select_related("recurs").prefetch_related(
                "tag_links__tag", "motif_links__motif", "pictures"
            )[:CHUNK]
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].pk


def journal_extras(owner) -> dict:
    """Everything but the dreams: the export's header, vocabulary and drafts."""
    uids = dict(Dream.objects.filter(owner=owner, drafts__isnull=False).values_list("pk", "uid"))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "owner": owner.get_username(),
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


def export_data(owner, *, history: bool = False) -> dict:
    """Everything the owner has, as one dict (for tests and small journals)."""
    extras = journal_extras(owner)
    return {**extras, "dreams": list(dream_records(owner, history=history))}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def export_json(owner, *, history: bool = False) -> Iterator[bytes]:
    """The JSON document in pieces of about CHUNK dreams, compact, the dreams second (after
    the header) and the vocabulary last, as export_data() orders its keys. history: with
    every dream's versions (its newest alone otherwise)."""
    extras = journal_extras(owner)
    head = {k: extras[k] for k in ("format", "version", "exported_at", "owner")}
    yield (_dumps(head)[:-1] + ',"dreams":[').encode()
    buffer: list[str] = []
    for number, record in enumerate(dream_records(owner, history=history)):
        buffer.append(("," if number else "") + _dumps(record))
        if len(buffer) >= CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    rest = {k: v for k, v in extras.items() if k not in head}
    yield ("".join(buffer) + "]," + _dumps(rest)[1:]).encode()


def _markdown_file(record: dict) -> str:
    lines = ["---"]
    for key, value in record.items():
        if key != "body":
            # Each value is JSON, which YAML reads too: exact round trips, no YAML library.
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + record["body"]


class _Pipe:
    """A write-only, unseekable file whose writes are taken as they come."""

    def __init__(self):
        self.pieces: list[bytes] = []

    def write(self, data) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.pieces = b"".join(self.pieces), []
        return data


def markdown_zip(owner) -> Iterator[bytes]:
    """The zip of Markdown files, one per dream, and somnia.json with the rest, in pieces as
    each dream is packed (a zip needs no seeking when written this way)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, dream in enumerate(_dreams(owner), start=1):
            record = dream_record(dream)
            day = record["dreamt_on"] or "undated"
            slug = slugify(record["title"])[:50] or "dream"
            archive.writestr(f"dreams/{number:05}-{day}-{slug}.md", _markdown_file(record))
            yield pipe.take()
            for name, data in picture_files.export_files(dream):
                # WebP is compressed already: stored as it is.
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
                yield pipe.take()
        rest = journal_extras(owner)
        rest["format"] = "somnia-markdown"
        archive.writestr("somnia.json", json.dumps(rest, ensure_ascii=False, indent=2))
    yield pipe.take()


def write_to(target: BinaryIO, pieces: Iterator[bytes]) -> None:
    for piece in pieces:
        target.write(piece)


def export_markdown_zip(owner) -> bytes:
    """The zip as bytes (for tests and small journals; the views and the command stream)."""
    return b"".join(markdown_zip(owner))
