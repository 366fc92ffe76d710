"""CSV and TSV tables from other journals and spreadsheets, as real spreadsheets save them:
any common encoding (UTF-8 with or without BOM, UTF-16, Windows-1252, Latin-1; detected by
charset-normalizer), commas, semicolons, tabs or bars between columns, CRLF line ends,
headers in English, German, French or Spanish (or none: a first row that is a dream), and
dates (with a time of day or without) whose day/month order is read from the whole column.
A row is keyed on its parsed day and its normalised words, so the same journal re-saved by a
spreadsheet adds nothing."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import charset_normalizer

from dreams.dates import DayOrder, infer_day_order, names_a_day, slashed_parts
from dreams.importing.plan import (
    MAX_BODY,
    MAX_CELL,
    MAX_DREAMS,
    BadImport,
    ImportPlan,
    IncomingDream,
    Skipped,
    dream_date,
    legacy_key,
    natural_key,
)
from dreams.models import DatePrecision

csv.field_size_limit(MAX_CELL)

SAMPLE_BYTES = 1024 * 1024  # read to detect the encoding and the delimiter
DELIMITERS = (",", ";", "\t", "|")
SOURCE = "csv"
# Header names, compared without case, accents or punctuation ("Traum-Datum" is "traum datum").
DATE_HEADERS = (
    "date", "dreamt on", "dream date", "dreamdate", "date of dream", "when", "day",
    "datum", "traumdatum", "wann", "jour", "date du reve", "quand", "fecha",
    "fecha del sueno", "dia", "cuando", "data",
)  # fmt: skip
# When a row was written (a form's "Timestamp", an app's "Created"): the date column when no
# header names the dream's own date.
STAMP_HEADERS = (
    "timestamp", "time stamp", "date time", "datetime", "date and time", "created",
    "created at", "created on", "date created", "creation date", "entry date", "written",
    "zeitstempel", "erstellt", "erstellt am", "datum uhrzeit", "datum und uhrzeit",
    "eintragsdatum", "horodateur", "horodatage", "date et heure", "date heure", "cree le",
    "date de creation", "marca temporal", "marca de tiempo", "fecha y hora", "fecha hora",
    "creado", "fecha de creacion",
)  # fmt: skip
TEXT_HEADERS = (
    "text", "dream", "report", "narrative", "content", "body", "description", "dream text",
    "entry", "traum", "traumtext", "traumbericht", "bericht", "inhalt", "beschreibung",
    "eintrag", "reve", "texte", "recit", "contenu", "texte du reve", "sueno", "texto",
    "relato", "contenido", "descripcion", "entrada", "texto del sueno",
)  # fmt: skip
TITLE_HEADERS = (
    "title", "name", "subject", "titel", "uberschrift", "betreff", "titre", "sujet",
    "titulo", "asunto", "nombre",
)  # fmt: skip
# Headers that only German, French or Spanish tables use: their dates are day first.
DAY_FIRST_HEADERS = {
    "datum", "traumdatum", "traum", "traumtext", "traumbericht", "titel", "jour", "reve",
    "recit", "texte", "titre", "fecha", "sueno", "texto", "relato", "titulo", "zeitstempel",
    "erstellt", "erstellt am", "eintragsdatum", "datum uhrzeit", "datum und uhrzeit",
    "horodateur", "horodatage", "date et heure", "date heure", "cree le", "date de creation",
    "marca temporal", "marca de tiempo", "fecha y hora", "fecha hora", "creado",
    "fecha de creacion",
}  # fmt: skip
KNOWN_HEADERS = {*DATE_HEADERS, *STAMP_HEADERS, *TEXT_HEADERS, *TITLE_HEADERS}
HEADERLESS_NOTE = "no header row: columns taken as date and text"
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252"}


def _fold(header: str) -> str:
    """ "Traum-Datum " -> "traum datum": no case, accents or punctuation."""
    plain = unicodedata.normalize("NFKD", header.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def guess_column(headers: list[str], wanted: tuple[str, ...]) -> str:
    """The header that names `wanted` exactly (in the order wanted lists them), else the
    first that holds one of them as whole words ("Dream text (raw)")."""
    folded = {_fold(h): h for h in reversed(headers)}
    for name in wanted:
        if name in folded:
            return folded[name]
    for header in headers:
        words = f" {_fold(header)} "
        if any(f" {name} " in words for name in wanted):
            return header
    return ""


def detect_encoding(sample: bytes, *, name: str) -> str:
    """The codec of a table from its first bytes: a BOM decides; then UTF-8 if it reads as
    UTF-8; else charset-normalizer's guess, Windows-1252 wherever that reads the same."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError as error:
        bad_at = error.start
    else:
        return "utf-8"
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        line = sample[:bad_at].count(b"\n") + 1
        raise BadImport(
            f"{name}: line {line}: byte 0x{sample[bad_at]:02x} is not text in any encoding "
            "Somnia knows; save the table as “CSV UTF-8” and import it again"
        )
    for match in matches:
        # Western European spreadsheets: cp1252 where it reads the same as the best guess.
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.01:
            return "cp1252"
    return best.encoding


def _no_nul(line: str, number: int, name: str) -> str:
    if "\x00" in line:
        # As PostgreSQL's COPY does: refused, naming the line (a NUL is no part of a dream,
        # and a row silently cut short would be worse).
        raise BadImport(f"{name}: line {number}: a NUL byte; remove it and import again")
    return line


def _lines(stream: BinaryIO, encoding: str, name: str) -> Iterator[str]:
    """The table's lines as text. BadImport names the line of a byte that is not text in
    the encoding, or of a NUL."""
    if encoding.startswith("utf-16"):
        # Two bytes a character: no byte-wise line split; the text wrapper reads it whole.
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        number = 0
        try:
            for number, line in enumerate(text, start=1):
                yield _no_nul(line, number, name)
        except UnicodeDecodeError:
            raise BadImport(f"{name}: line {number + 1}: not UTF-16 text") from None
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, raw in enumerate(stream, start=1):
        try:
            line = decoder.decode(raw)
        except UnicodeDecodeError as error:
            label = _LABELS.get(encoding, encoding)
            raise BadImport(
                f"{name}: line {number}: byte 0x{raw[error.start]:02x} is not {label} text; "
                "save the table as “CSV UTF-8” and import it again"
            ) from None
        yield _no_nul(line, number, name)


def infer_delimiter(sample: str, *, name: str) -> str:
    """The delimiter that splits the header and the first rows into the same number of
    columns (two at least); a .tsv file is tab-separated."""
    if name.lower().endswith(".tsv"):
        return "\t"
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r][:200]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows) / len(rows), -DELIMITERS.index(delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _Table:
    """One reading of the table: records with the line each began on."""

    def __init__(self, stream: BinaryIO, *, encoding: str, delimiter: str, name: str):
        self.name = name
        self.reader = csv.reader(_lines(stream, encoding, name), delimiter=delimiter)
        self.line = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            start = self.reader.line_num + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise BadImport(f"{self.name}: line {start}: {error}") from None
            yield start, row


def _chosen(headers: list[str], choice: str | None, name: str) -> str:
    """The column the writer chose, by its header or its number (1 for the first); ""
    when none was chosen."""
    if not choice or choice in headers:
        return choice or ""
    if choice.isdigit() and 1 <= int(choice) <= len(headers):
        return headers[int(choice) - 1]
    raise BadImport(f"{name}: there is no column “{choice}”")


def _columns(headers: list[str], options: dict, name: str, guessed: dict) -> dict:
    """{"date", "text", "title"}: each the column chosen in `options`, else `guessed`, else
    the one its header names (a column serves one role)."""

    def pick(role: str, among: list[str], *wanted: tuple[str, ...]) -> str:
        found = _chosen(headers, options.get(f"{role}_column"), name) or guessed.get(role)
        return found or next(filter(None, (guess_column(among, w) for w in wanted)), "")

    date = pick("date", headers, DATE_HEADERS, STAMP_HEADERS)
    text = pick("text", [h for h in headers if h != date], TEXT_HEADERS)
    title = pick("title", [h for h in headers if h not in (date, text)], TITLE_HEADERS)
    if not text:
        raise BadImport(
            f"{name}: which column holds the dream? Columns: {', '.join(headers)[:200]}"
        )
    return {"date": date, "text": text, "title": title}


def _data_columns(cells: list[str]) -> dict | None:
    """The date and text columns ("Column 1", "Column 2") of a first row that is a dream,
    not headers: a cell that names a day, a cell of words (three at least), and no cell a
    header Somnia knows. None for a header row."""
    if any(_fold(cell) in KNOWN_HEADERS for cell in cells):
        return None
    dates = [at for at, cell in enumerate(cells) if names_a_day(cell)]
    words = [at for at, cell in enumerate(cells) if at not in dates and len(cell.split()) > 2]
    if not dates or not words:
        return None
    text = max(words, key=lambda at: len(cells[at]))
    return {"date": f"Column {dates[0] + 1}", "text": f"Column {text + 1}"}


def _layout(first: list[str], options: dict, name: str) -> tuple[list[str], dict, bool]:
    """(headers, columns, whether the first row is the header row) of a table's first row;
    a table without a header row has headers "Column 1", "Column 2"..."""
    cells = [cell.strip() for cell in first]
    if not any(cells):
        raise BadImport(f"{name}: no header row")
    guessed = _data_columns(cells)
    if guessed is None:
        return cells, _columns(cells, options, name, {}), True
    headers = [f"Column {number}" for number in range(1, len(cells) + 1)]
    return headers, _columns(headers, options, name, guessed), False


def _stated_order(options: dict) -> bool | None:
    order = options.get("day_order") or ("day" if options.get("day_first") else "")
    return {"day": True, "month": False}.get(order)


def _day_order(
    table: Iterable, date_at: int | None, options: dict, name: str, *, lean_day_first: bool
) -> DayOrder:
    values = []
    for rows, (_, row) in enumerate(table, start=1):
        if rows > MAX_DREAMS:
            raise BadImport(f"{name}: more than {MAX_DREAMS:,} rows")
        if date_at is not None and date_at < len(row) and slashed_parts(row[date_at]):
            values.append(row[date_at])
    return infer_day_order(
        values, default_day_first=_stated_order(options), lean_day_first=lean_day_first
    )


def _shape(name: str, opener: Callable[[], BinaryIO]) -> tuple[str, str]:
    """(encoding, delimiter) of a table, from its first megabyte."""
    with opener() as stream:
        sample = stream.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample, name=name)
    text = sample.decode(encoding, errors="replace")
    cut = text.rfind("\n")
    return encoding, infer_delimiter(text[: cut + 1] if cut > 0 else text, name=name)


def _notes(encoding: str, delimiter: str, has_header: bool) -> list[str]:
    notes = [f"read as {_LABELS.get(encoding, encoding)} text"] if encoding != "utf-8" else []
    if delimiter not in (",", "\t"):
        notes.append(f"columns separated by “{delimiter}”")
    if not has_header:
        notes.append(HEADERLESS_NOTE)
    return notes


def read(
    *, name: str, opener: Callable[[], BinaryIO], options: dict, today: datetime.date
) -> ImportPlan:
    """Detect the encoding, delimiter, header row, columns and date order (reading the
    whole date column once); the rows are read again as they are needed. BadImport names
    the line of a byte that is not text, and says which columns there are when none reads
    as the dream's."""
    encoding, delimiter = _shape(name, opener)

    def table(stream: BinaryIO) -> _Table:
        return _Table(stream, encoding=encoding, delimiter=delimiter, name=name)

    with opener() as stream:
        records = iter(table(stream))
        first = next(records, (1, []))
        headers, columns, has_header = _layout(first[1], options, name)
        date_at = headers.index(columns["date"]) if columns["date"] else None
        lean = has_header and any(_fold(h) in DAY_FIRST_HEADERS for h in headers)
        rows = records if has_header else itertools.chain([first], records)
        order = _day_order(rows, date_at, options, name, lean_day_first=lean)
    at = {role: headers.index(column) for role, column in columns.items() if column}

    def dreams() -> Iterator[IncomingDream | Skipped]:
        with opener() as stream:
            records = iter(table(stream))
            if has_header:
                next(records, None)
            for line, row in records:
                yield _row(row, line, at=at, width=len(headers), order=order, name=name,
                           today=today, delimiter=delimiter)  # fmt: skip

    return ImportPlan(
        name=name,
        kind="TSV" if delimiter == "\t" else "CSV",
        read=dreams,
        columns=columns,
        headers=headers,
        day_order=order,
        notes=_notes(encoding, delimiter, has_header),
    )


def _cell(row: list[str], at: dict, role: str) -> str:
    index = at.get(role)
    return row[index].strip() if index is not None and index < len(row) else ""


def _earlier_ids(day, raw_date: str, body: str) -> tuple[str, ...]:
    """The keys a row had before: an older Somnia's (raw date, exact words) and, for a row
    whose date now reads as a day, those it had when it came in undated (before a time of
    day, "4/11/2022 6:02 AM", or a form's Timestamp column was read as a date)."""
    keys = (legacy_key(raw_date, body),)
    if day is not None:
        keys += (natural_key(day=None, written=raw_date, body=body),)
        keys += (natural_key(day=None, written="", body=body),)
    return keys


def _reads_both_ways(raw_date: str) -> bool:
    parts = slashed_parts(raw_date)
    return bool(parts) and parts[0] != parts[1] and max(parts[0], parts[1]) <= 12


def _row(
    row: list[str], line: int, *, at: dict, width: int, order: DayOrder, name: str,
    today: datetime.date, delimiter: str,
) -> IncomingDream | Skipped:  # fmt: skip
    body = _cell(row, at, "text")
    if len(row) > width and at["text"] == width - 1:
        # An unquoted delimiter in the last column's text: the rest of the line is the text.
        body = delimiter.join(row[at["text"] :]).strip()
    if not body:
        return Skipped(f"line {line}: no dream text")
    where = f"{name}: line {line}"
    if len(body) > MAX_BODY:
        raise BadImport(f"{where}: the dream is longer than {MAX_BODY:,} characters")
    raw_date = _cell(row, at, "date")
    note = ""
    try:
        day, written, precision = dream_date(
            raw_date, where, today=today, day_first=order.day_first
        )
    except BadImport:
        # A typo in one row of a long table ("3004-01-29") should not refuse the other rows:
        # the dream comes in undated, its date kept as written, and the preview says so.
        day, written, precision = None, " ".join(raw_date.split())[:64], DatePrecision.DAY
        note = f"line {line}: the date {written} is in the future; kept as written, undated"
    if raw_date and day is None and not note:
        note = f"line {line}: the date “{written}” could not be read; kept as written, undated"
    exact = day if precision == DatePrecision.DAY else None
    title = _cell(row, at, "title")[:200]
    return IncomingDream(
        title=title,
        body=body,
        source=SOURCE,
        source_id=natural_key(day=exact, written=raw_date, body=body),
        earlier_ids=_earlier_ids(exact, raw_date, body),
        dreamt_on=day,
        dreamt_on_text=written,
        dreamt_on_precision=precision,
        where=where,
        note=note,
        ambiguous_date=bool(day and not order.decided and _reads_both_ways(raw_date)),
    )
