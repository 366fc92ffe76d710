"""A zip of Markdown files, one dream each: Somnia's own (front matter of `key: JSON value`
lines, and somnia.json with the rest) or any folder of notes zipped up (a date in the file
name is used). Each file is read with a hard cap on what it unpacks to, whatever its header
claims, and a damaged archive (a wrong CRC, a cut-off file) is refused like any bad file."""

from __future__ import annotations

import datetime
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.conf import settings

from dreams import picture_files
from dreams.importing import somnia_json
from dreams.importing.plan import (
    BOOLEAN_FIELDS,
    MAX_BODY,
    MAX_DREAMS,
    BadImport,
    ImportPlan,
    IncomingDream,
    Vocabulary,
    check_record,
    check_vocabulary,
)

MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # in all
MAX_MEMBER_BYTES = MAX_BODY * 4 + 64 * 1024  # one dream: its words in UTF-8 and front matter
MAX_EXTRAS_BYTES = 64 * 1024 * 1024  # somnia.json: motifs, words, tags and drafts
SUFFIXES = (".md", ".markdown", ".txt")
FILE_SUFFIXES = (".md", ".markdown")  # a file on its own (a .txt alone is read as a table)
PICTURES = picture_files.EXPORT_FOLDER + "/"
_FRONT = re.compile(r"\A---\n(?P<meta>.*?)\n---\n?(?P<body>.*)\Z", re.DOTALL)
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
# What zipfile raises while a member of a damaged or unusual archive is read, each turned into
# the one-line refusal every bad file gets: BadZipFile (a wrong CRC, a bad header), zlib.error
# (corrupt deflate data), EOFError (a truncated member), OSError (bz2's invalid data stream),
# NotImplementedError (a compression method zipfile lacks), RuntimeError (an encrypted member:
# zipfile raises it for "password required"). Only the archive's reads are inside these trys.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def _damaged(where: str, error: Exception) -> BadImport:
    """The message for a member that cannot be read (the error's own words, cut short)."""
    return BadImport(f"{where}: the zip is damaged here ({str(error)[:80]})")


def markdown_record(where: str, text: str) -> dict:
    """A Markdown file's front matter and body as an export record."""
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if not match:
        day = _FILE_DATE.search(where)
        return {"body": text, "dreamt_on": day[1] if day else None}
    record: dict = {"body": match["body"]}
    for number, line in enumerate(match["meta"].splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise BadImport(f"{where}, line {number}: front matter needs “key: value”")
        value = value.strip()
        try:
            record[key.strip()] = json.loads(value) if value else None
        except (json.JSONDecodeError, RecursionError):
            record[key.strip()] = value.strip("'\"")  # plain YAML scalars from other tools
    for flag in BOOLEAN_FIELDS:
        if isinstance(record.get(flag), str):
            record[flag] = record[flag].lower() in {"true", "yes"}
    return record


def _open(name: str, stream: BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BadImport(f"{name}: not a zip file, or a damaged one") from None


def _picture_members(name: str, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's picture files (an export's pictures/ folder), each within the size a
    picture may have."""
    found = {
        m.filename: m
        for m in archive.infolist()
        if m.filename.startswith(PICTURES) and not m.is_dir()
    }
    limit = settings.PICTURE_MAX_MB * 1024 * 1024
    if len(found) > MAX_DREAMS:
        raise BadImport(f"{name}: more than {MAX_DREAMS:,} pictures")
    for member in found.values():
        if member.file_size > limit:
            raise BadImport(
                f"{name}: {member.filename} is larger than a picture may be "
                f"({settings.PICTURE_MAX_MB} MB)"
            )
    return found


def _dream_members(name: str, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = [
        m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith(PICTURES)
    ]
    if len(members) > MAX_DREAMS + 10:
        raise BadImport(f"{name}: more than {MAX_DREAMS:,} files")
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise BadImport(f"{name}: unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MB")
    markdown = [m for m in members if m.filename.lower().endswith(SUFFIXES)]
    for member in markdown:
        if member.file_size > MAX_MEMBER_BYTES:
            raise BadImport(
                f"{name}: {member.filename} unpacks to more than {MAX_MEMBER_BYTES >> 10} KB"
            )
    return sorted(markdown, key=lambda m: m.filename)


def _member_text(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str) -> str:
    try:
        with archive.open(member) as handle:
            raw = handle.read(MAX_MEMBER_BYTES + 1)
    except _DAMAGED as error:
        raise _damaged(where, error) from None
    if len(raw) > MAX_MEMBER_BYTES:  # its header understated it
        raise BadImport(f"{where}: unpacks to more than {MAX_MEMBER_BYTES >> 10} KB")
    try:
        return raw.decode("utf-8-sig").replace("\x00", "")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BadImport(f"{where}: line {line} is not UTF-8 text; save it as UTF-8") from None


def _extras(name: str, archive: zipfile.ZipFile) -> Vocabulary:
    if "somnia.json" not in archive.namelist():
        return Vocabulary()
    info = archive.getinfo("somnia.json")
    if info.file_size > MAX_EXTRAS_BYTES:
        raise BadImport(f"{name}: somnia.json unpacks to more than {MAX_EXTRAS_BYTES >> 20} MB")
    where = f"{name}: somnia.json"
    extras: dict = {}
    try:
        with archive.open(info) as handle:
            events = somnia_json.json_events(handle, where)
            if next(events, (None,))[0] != "start_map":
                raise BadImport(f"{where}: should be an object")
            for event, key in events:
                if event == "end_map":
                    break
                first = next(events)
                if key in somnia_json.EXTRA_KEYS:
                    extras[key] = somnia_json.build_value(events, first)
                else:
                    somnia_json.skip_value(events, first)
    except _DAMAGED as error:
        raise _damaged(where, error) from None
    return check_vocabulary(extras, name)


def read_file(*, name: str, opener: Callable[[], BinaryIO], today: datetime.date) -> ImportPlan:
    """One Markdown file (a note from another app, or one file of Somnia's zip): one dream,
    its front matter read as in the zip, else dated from a date in the file name. UTF-8 of at
    most MAX_MEMBER_BYTES; BadImport otherwise."""

    def dreams() -> Iterator[IncomingDream]:
        with opener() as stream:
            raw = stream.read(MAX_MEMBER_BYTES + 1)
        if len(raw) > MAX_MEMBER_BYTES:
            raise BadImport(f"{name}: more than {MAX_MEMBER_BYTES >> 10} KB for one dream")
        try:
            text = raw.decode("utf-8-sig").replace("\x00", "")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise BadImport(f"{name}: line {line} is not UTF-8 text; save it as UTF-8") from None
        yield check_record(markdown_record(name, text), name, today=today, pictures_in=set())

    list(dreams())  # checked now, as every other file is before its preview
    return ImportPlan(name=name, kind="Markdown file", read=dreams)


def read(*, name: str, opener: Callable[[], BinaryIO], today: datetime.date) -> ImportPlan:
    """Check the archive's list of files and its somnia.json; the dreams are read (and each
    checked) as they are needed."""
    with opener() as stream, _open(name, stream) as archive:
        members = _dream_members(name, archive)
        if not members:
            raise BadImport(f"{name}: no Markdown files in the zip")
        vocabulary = _extras(name, archive)
        pictures = set(_picture_members(name, archive))

    def dreams() -> Iterator[IncomingDream]:
        with opener() as stream, _open(name, stream) as archive:
            for member in _dream_members(name, archive):
                where = f"{name}: {member.filename}"
                text = _member_text(archive, member, where)
                record = markdown_record(where, text)
                yield check_record(record, where, today=today, pictures_in=pictures)

    def read_picture(file: str) -> bytes:
        with opener() as stream, _open(name, stream) as archive:
            member = _picture_members(name, archive)[file]
            try:
                with archive.open(member) as handle:
                    return handle.read(settings.PICTURE_MAX_MB * 1024 * 1024 + 1)
            except _DAMAGED as error:
                raise _damaged(f"{name}: {file}", error) from None

    return ImportPlan(
        name=name, kind="Markdown zip", read=dreams, vocabulary=vocabulary,
        read_picture=read_picture if pictures else None,
    )  # fmt: skip
