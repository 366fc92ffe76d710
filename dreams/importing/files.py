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
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if lower.endswith(TABLE_SUFFIXES) and (utf16 or head.count(b"\x00") > len(head) // 4):
        return tables.read(name=name, opener=opener, options=options, today=today)
    if b"\x00" in head:
        raise BadImport(f"{name}: binary data, not an export or a table")
    if lower.endswith(".json") or head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        return somnia_json.read(name=name, opener=opener, today=today)
    if lower.endswith(TABLE_SUFFIXES):
        return tables.read(name=name, opener=opener, options=options, today=today)
    raise BadImport(f"{name}: Somnia reads .json, .zip (Markdown), .md, .csv and .tsv files")
