"""Somnia's JSON export, read as a stream (ijson's C parser): one dream at a time, so a 77 MB
journal imports with flat memory, and nesting is refused past MAX_DEPTH before it costs
anything."""

from __future__ import annotations

import codecs
import datetime
import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

import ijson

from dreams.exporting import VERSION
from dreams.importing.plan import (
    MAX_DREAMS,
    BadImport,
    ImportPlan,
    IncomingDream,
    check_record,
    check_vocabulary,
)

MAX_DEPTH = 32  # an export nests 6 deep; a draft's fields a few more
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")
EXTRA_KEYS = ("format", "version", "motifs", "motif_words", "motif_rejections", "drafts", "tags")


class _Prefixed(io.RawIOBase):
    """A stream with a few bytes put back in front of it."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self._head:
            head, self._head = self._head, b""
            if size < 0:
                return head + self._rest.read()
            return head + (self._rest.read(size - len(head)) if size > len(head) else b"")
        return self._rest.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def without_bom(stream: BinaryIO) -> BinaryIO:
    """The stream past a UTF-8 byte order mark, which the JSON parser does not skip."""
    head = stream.read(3)
    return stream if head == codecs.BOM_UTF8 else _Prefixed(head, stream)


def json_events(stream: BinaryIO, name: str) -> Iterator[tuple[str, object]]:
    depth = 0
    try:
        for event, value in ijson.basic_parse(without_bom(stream), use_float=True):
            if event in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    raise BadImport(f"{name}: nested more than {MAX_DEPTH} levels deep")
            elif event in _CLOSE:
                depth -= 1
            yield event, value
    except ijson.JSONError as error:
        raise _refusal(error, name) from None


def _refusal(error: ijson.JSONError, name: str) -> BadImport:
    reason = str(error).strip().splitlines()[0].strip(" .b'\"")
    if "UTF8" in reason:
        return BadImport(f"{name}: not UTF-8 text")
    return BadImport(f"{name}: not valid JSON ({reason})")


def _records(stream: BinaryIO, name: str) -> Iterator[object]:
    """The items of the export's "dreams" list, one at a time, each built by ijson's C
    parser: for a file whose shape and depth read() has checked already."""
    try:
        yield from ijson.items(without_bom(stream), "dreams.item", use_float=True)
    except ijson.JSONError as error:
        raise _refusal(error, name) from None


def build_value(events: Iterator, first: tuple[str, object]) -> object:
    """The value that begins with `first`, built from the events that follow."""
    builder = ijson.ObjectBuilder()
    depth = 0
    event, value = first
    while True:
        builder.event(event, value)
        depth += (event in _OPEN) - (event in _CLOSE)
        if depth == 0:
            return builder.value
        event, value = next(events)


def skip_value(events: Iterator, first: tuple[str, object]) -> None:
    depth = (first[0] in _OPEN) - (first[0] in _CLOSE)
    while depth:
        event, _ = next(events)
        depth += (event in _OPEN) - (event in _CLOSE)


def _walk(stream: BinaryIO, name: str) -> Iterator[tuple[str, object]]:
    """The export's shape and depth checked: ("dream", None) for each dream (its record is
    built later, by _records), ("key", (key, value)) for each of the other known keys."""
    events = json_events(stream, name)
    shape = BadImport(f"{name}: a Somnia export is an object with a “dreams” list")
    if next(events, (None, None))[0] != "start_map":
        raise shape
    seen_dreams = False
    for event, key in events:
        if event == "end_map":
            for _ in events:  # the parser refuses anything after the object
                pass
            if not seen_dreams:
                raise shape
            return
        first = next(events)
        if key == "dreams":
            if first[0] != "start_array":
                raise shape
            seen_dreams = True
            for item in events:
                if item[0] == "end_array":
                    break
                skip_value(events, item)
                yield "dream", None
        elif key in EXTRA_KEYS:
            yield "key", (key, build_value(events, first))
        else:
            skip_value(events, first)


def read(*, name: str, opener: Callable[[], BinaryIO], today: datetime.date) -> ImportPlan:
    """Check the export's shape and vocabulary in one streaming pass; the plan's dreams are
    read (and checked) again as they are needed."""
    extras: dict = {}
    count = 0
    with opener() as stream:
        for kind, item in _walk(stream, name):
            if kind == "dream":
                count += 1
                if count > MAX_DREAMS:
                    raise BadImport(f"{name}: more than {MAX_DREAMS:,} dreams")
            else:
                extras[item[0]] = item[1]
    version = extras.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise BadImport(f"{name}: “version” should be a number")
    if version > VERSION:
        raise BadImport(f"{name}: made by a newer Somnia (version {version})")
    vocabulary = check_vocabulary(extras, name)

    def dreams() -> Iterator[IncomingDream]:
        with opener() as stream:
            for index, record in enumerate(_records(stream, name)):
                yield check_record(record, f"{name}: dream {index + 1}", today=today)

    return ImportPlan(name=name, kind="Somnia JSON", read=dreams, vocabulary=vocabulary)
