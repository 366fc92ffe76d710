"""Which reader a file needs, from its name and first bytes, and the plan it makes."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import BinaryIO

from django.utils import timezone

from dreams.importing import markdown_zip, somnia_json, tables
from dreams.importing.plan import BadImport, ImportPlan

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = (".json", ".zip", ".md", ".markdown", *TABLE_SUFFIXES)
# How binary files begin, whatever their name says: PNG, PDF, JPEG, GIF, RIFF (WebP, WAV),
# gzip, 7z, RAR, xz, SQLite, an old Office file, ELF.
BINARY_STARTS = (
    b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"\x1f\x8b", b"7z\xbc\xaf",
    b"Rar!", b"\xfd7zXZ", b"SQLite format 3\x00", b"\xd0\xcf\x11\xe0", b"\x7fELF",
)  # fmt: skip
# Control bytes that text does not hold (tab, line ends, vertical tab, form feed and DOS's
# end-of-file mark excepted).
_CONTROLS = bytes(sorted(set(range(32)) - set(b"\t\n\r\x0b\x0c\x1a")))


def looks_binary(head: bytes) -> bool:
    """Whether a file's first bytes are a binary file's (a picture, a PDF, an archive): a
    known start, or more than one byte in a hundred (and 4 at least) a control byte. Text
    with a stray NUL or two is not binary: a table names the line that holds it."""
    if head.startswith(BINARY_STARTS) or head[4:8] == b"ftyp":  # ftyp: HEIC, MP4
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls > max(3, len(head) // 100)


def read_file(
    *, name: str, opener: Callable[[], BinaryIO], options: dict | None = None
) -> ImportPlan:
    """Check a file and make its plan; nothing is written. `opener` opens the file afresh
    each time it is called (the plan reads it again to preview and to write). BadImport
    says in one line what is wrong and where."""
    options = options or {}
    today = timezone.localdate()
    with opener() as stream:
        head = stream.read(8192)
    if not head.strip():
        raise BadImport(f"{name}: the file is empty")
    lower = name.lower()
    if head[:4] == b"PK\x03\x04" or lower.endswith(".zip"):
        return markdown_zip.read(name=name, opener=opener, today=today)
    if lower.endswith(markdown_zip.FILE_SUFFIXES):
        return markdown_zip.read_file(name=name, opener=opener, today=today)
    table = lower.endswith(TABLE_SUFFIXES)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if head.startswith(BINARY_STARTS):
        raise BadImport(f"{name}: binary data, not an export or a table")
    if table and (utf16 or head.count(b"\x00") > len(head) // 4):  # UTF-16 without a BOM
        return tables.read(name=name, opener=opener, options=options, today=today)
    if b"\x00" in head and (not table or looks_binary(head)):
        raise BadImport(f"{name}: binary data, not an export or a table")
    if lower.endswith(".json") or head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        return somnia_json.read(name=name, opener=opener, today=today)
    if table:
        return tables.read(name=name, opener=opener, options=options, today=today)
    raise BadImport(f"{name}: Somnia reads .json, .zip (Markdown), .md, .csv and .tsv files")
