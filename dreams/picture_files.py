"""Pictures' files moved as a whole: into and out of a backup's media archive, and from one
storage to another when a journal moves (copy_database).

A media archive is an uncompressed tar (WebP is compressed already) whose members are named
exactly as the files are in the pictures storage ("ab/abc…/full.webp"). Restoring reads
members as bytes and writes them through the storage, never to paths a member names, and
takes only the files that the backup's own database names.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from dreams import pictures

# What a stored picture file's name looks like (pictures._store); anything else is refused.
NAME = re.compile(r"[A-Za-z0-9_-]{2}/[A-Za-z0-9_-]{16,64}/(card|page|full)\.(webp|jpg)")


class MediaProblem(Exception):
    """The pictures' files do not match their database; the message says which and why."""


@dataclass(frozen=True)
class StoredFile:
    name: str  # in the pictures storage
    key: str  # the picture's
    sha256: str | None  # of the full variant (the others are not recorded)


def media_path(database: Path) -> Path:
    """Where a backup's pictures go: beside the database file, "PATH.media.tar"."""
    return database.with_name(database.name + ".media.tar")


def files_named(rows: Iterable[tuple[str, str | dict, str]]) -> list[StoredFile]:
    """The files that pictures name, from (key, files, sha256) rows."""
    found = []
    for key, files, sha256 in rows:
        files = json.loads(files) if isinstance(files, str) else files
        for variant, name in sorted(files.items()):
            found.append(StoredFile(name, key, sha256 if variant == "full" else None))
    return found


def files_in_sqlite(path: Path) -> list[StoredFile]:
    """The files that the pictures of a SQLite database file name (a backup, say)."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
        if "dreams_picture" not in tables:
            return []
        return files_named(database.execute("SELECT key, files, sha256 FROM dreams_picture"))
    finally:
        database.close()


def write_archive(
    path: Path, *, files: list[StoredFile], store: Storage | None = None, progress=None
) -> int:
    """Write these files from the storage into a new tar at `path`, checking each full
    variant's sha256 on the way. Returns the number written; raises MediaProblem (and removes
    the half-written archive) when a file is missing or is not what its picture recorded."""
    store = store or pictures.storage()
    # Created for its owner alone (600), and never over an existing file (FileExistsError).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            for done, item in enumerate(files, 1):
                data = _read(store, item)
                member = tarfile.TarInfo(item.name)
                member.size = len(data)
                member.mode = 0o600
                archive.addfile(member, io.BytesIO(data))
                if progress:
                    progress(done, len(files))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return len(files)


def _read(store: Storage, item: StoredFile) -> bytes:
    try:
        with store.open(item.name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        raise MediaProblem(f"{item.name} (picture {item.key}) is missing.") from None
    if item.sha256 and hashlib.sha256(data).hexdigest() != item.sha256:
        raise MediaProblem(f"{item.name} (picture {item.key}) does not match its checksum.")
    return data


def _members(path: Path, wanted: dict[str, StoredFile]):
    """(name, bytes) of each archive member that is one of the wanted files, one at a time."""
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.name in wanted and member.isfile() and NAME.fullmatch(member.name):
                    handle = archive.extractfile(member)
                    yield member.name, handle.read() if handle else b""
    except (tarfile.TarError, OSError) as error:
        raise MediaProblem(f"{path}: not a readable media archive ({error}).") from None


def check_archive(path: Path, *, files: list[StoredFile]) -> None:
    """Check a media archive against what its database names: every file present, full
    variants matching their sha256. Members it does not name are ignored. Raises MediaProblem."""
    wanted = {item.name: item for item in files}
    seen = set()
    for name, data in _members(path, wanted):
        item = wanted[name]
        if item.sha256 and hashlib.sha256(data).hexdigest() != item.sha256:
            raise MediaProblem(f"{path}: {name} does not match its checksum.")
        seen.add(name)
    missing = sorted(wanted.keys() - seen)
    if missing:
        raise MediaProblem(
            f"{path} lacks {len(missing)} of the backup's picture files, e.g. {missing[0]}."
        )


def restore_archive(path: Path, *, files: list[StoredFile], store: Storage | None = None) -> int:
    """Write a checked archive's files (check_archive) into the storage under their own
    names, replacing a different file of the same name. Returns how many were written (the
    same bytes already there are left as they are)."""
    store = store or pictures.storage()
    written = 0
    for name, data in _members(path, {item.name: item for item in files}):
        if store.exists(name):
            with store.open(name, "rb") as handle:
                if handle.read() == data:
                    continue
            store.delete(name)
        saved = store.save(name, ContentFile(data))
        if saved != name:  # pragma: no cover - a storage that renames on its own
            raise MediaProblem(f"{name} was stored as {saved}.")
        written += 1
    return written


def copy_between(
    *, files: list[StoredFile], source: Storage, target: Storage | None = None
) -> tuple[int, int]:
    """Copy the files the target storage lacks from the source storage, checking checksums.
    Returns (copied, already there); raises MediaProblem naming a file that neither has."""
    target = target or pictures.storage()
    copied = present = 0
    for item in files:
        if target.exists(item.name):
            present += 1
            continue
        data = _read(source, item)
        target.save(item.name, ContentFile(data))
        copied += 1
    return copied, present


# ---------------------------------------------------------------------------------------------
# In exports: each dream lists its pictures; the Markdown zip carries their full-size files.

EXPORT_FOLDER = "pictures"
_EXPORTED = re.compile(r"pictures/[0-9a-f-]{36}/\d{2}-[0-9a-f]{16}\.(webp|jpg)")


def export_listing(dream) -> list[dict]:
    """A dream's pictures as its export record lists them (uses dream.pictures.all(), so a
    prefetch_related("pictures") serves a whole page of dreams in one query):
    [{"file": "pictures/<dream id>/01-<sha256[:16]>.webp", "alt", "kind", "cover",
      "width", "height", "sha256"}], in the dream's order."""
    listed = []
    for number, picture in enumerate(dream.pictures.all(), 1):
        extension = picture.files.get("full", ".webp").rsplit(".", 1)[-1]
        name = f"{number:02}-{picture.sha256[:16]}.{extension}"
        listed.append(
            {
                "file": f"{EXPORT_FOLDER}/{dream.uid}/{name}",
                "alt": picture.alt,
                "kind": picture.kind,
                "cover": picture.is_cover,
                "width": picture.width,
                "height": picture.height,
                "sha256": picture.sha256,
            }
        )
    return listed


def export_files(dream) -> Iterable[tuple[str, bytes]]:
    """(name in the export, full-size bytes) of each of a dream's pictures, for the zip."""
    store = pictures.storage()
    for entry, picture in zip(export_listing(dream), dream.pictures.all(), strict=True):
        with store.open(picture.files["full"], "rb") as handle:
            yield entry["file"], handle.read()


def check_listing(listing, *, where: str, files: set[str] | None) -> list[dict]:
    """An imported dream's "pictures" list, checked: each entry a {"file", "alt", ...} whose
    file is in the archive (`files`; None for a JSON export, which lists pictures without
    carrying them: those entries are skipped). Returns the entries to restore; raises
    ValueError naming the entry and the problem."""
    if listing in (None, []):
        return []
    if not isinstance(listing, list):
        raise ValueError(f"{where}: pictures must be a list")
    wanted = []
    for index, entry in enumerate(listing):
        here = f"{where}: pictures[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ValueError(f"{here} must be an object with a file name")
        if not _EXPORTED.fullmatch(entry["file"]):
            raise ValueError(f"{here}: {entry['file'][:80]!r} is not a picture file name")
        if not isinstance(entry.get("alt", ""), str) or len(entry.get("alt", "")) > 500:
            raise ValueError(f"{here}: alt must be text of at most 500 characters")
        if files is None:
            continue
        if entry["file"] not in files:
            raise ValueError(f"{here}: {entry['file']} is not in the archive")
        wanted.append(entry)
    if len(wanted) > pictures_limit():
        raise ValueError(f"{where}: more than {pictures_limit()} pictures")
    return wanted


def pictures_limit() -> int:
    return settings.PICTURES_PER_DREAM


def restore_listing(
    dream, *, entries: list[dict], read, written: list[str] | None = None
) -> list[str]:
    """Add an imported dream's pictures from the archive (`read(name) -> bytes`), in order,
    with their text alternatives and cover; one already on the dream (the same full-size
    bytes) is kept as it is, so importing twice adds nothing. Returns the storage names of
    the files written (also appended to `written` as they are, so a caller can remove them
    should its transaction roll back, even after an error). Raises pictures.BadPicture
    naming the file."""
    written = [] if written is None else written
    start = len(written)
    for entry in entries:
        before = set(dream.pictures.values_list("pk", flat=True))
        picture = pictures.add(
            owner=dream.owner,
            name=entry["file"],
            raw=read(entry["file"]),
            alt=entry.get("alt") or dream.title,
            kind=entry.get("kind") if entry.get("kind") in ("photo", "drawing") else "photo",
            dream=dream,
        )
        if picture.pk not in before:
            written.extend(picture.files.values())
        if entry.get("cover") is True:
            pictures.set_cover(dream, key=picture.key)
    if entries:
        pictures.refresh_card(dream)
    return written[start:]
