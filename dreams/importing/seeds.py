"""Reading dream files into dreams. Every importer keys on a natural id, so running it twice
changes nothing, and checks every file before it writes anything."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from dreams import entries, vocabulary
from dreams.models import Dream
from dreams.titles import derive_title

SEED_SOURCE = "seed"
SEED_OWNER = "somnia"
MAX_FILE_BYTES = 1024 * 1024
# "000_f0f64a1edf0721ca.txt": the hex part is the dream's id; otherwise the whole stem is.
_SEED_NAME = re.compile(r"^\d+_(?P<id>[0-9a-f]{8,})$")


class BadDreamFile(Exception):
    """A file that cannot be imported; the message names the file and the reason."""


@dataclass(frozen=True)
class SeedFile:
    path: Path
    source_id: str
    text: str


@dataclass(frozen=True)
class ImportResult:
    path: Path
    outcome: str  # "created", "updated" or "unchanged"
    dream: Dream


def seed_id(path: Path) -> str:
    match = _SEED_NAME.match(path.stem)
    return match["id"] if match else path.stem


def read_seed_file(path: Path) -> SeedFile:
    """The file's narrative, or BadDreamFile saying in one line why it cannot be one."""
    try:
        if path.is_dir():
            raise BadDreamFile(f"{path}: is a folder, not a dream file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BadDreamFile(
                f"{path}: too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadDreamFile(f"{path}: no such file") from None
    except PermissionError:
        raise BadDreamFile(f"{path}: permission denied") from None
    if b"\x00" in raw:
        raise BadDreamFile(f"{path}: binary data, not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadDreamFile(
            f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})"
        ) from None
    # Keep the narrative whole; only line endings are made uniform.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BadDreamFile(f"{path}: empty, there is no dream in it")
    return SeedFile(path=path, source_id=seed_id(path), text=text)


def seed_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, with a folder standing for the .txt files in it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file()))
        else:
            found.append(path)
    return found


def seed_owner():
    """The built-in account that owns the seed dreams; it cannot log in."""
    User = get_user_model()
    owner, created = User.objects.get_or_create(
        username=SEED_OWNER, defaults={"first_name": "Somnia"}
    )
    if created:
        owner.set_unusable_password()
        owner.save(update_fields=["password"])
    return owner


def import_seed_files(
    *, paths: Sequence[Path], progress: Callable[[ImportResult], None] | None = None
) -> list[ImportResult]:
    """Import seed narratives as shared, undated dreams of the built-in account: all or nothing."""
    files = [read_seed_file(path) for path in paths]
    duplicate = _first_duplicate([f.source_id for f in files])
    if duplicate:
        raise BadDreamFile(f"{duplicate}: two files carry the same dream id")
    results = []
    with transaction.atomic():
        owner = seed_owner()
        lexicon = vocabulary.lexicon_for(owner)
        existing = {
            d.source_id: d
            for d in Dream.objects.filter(
                owner=owner, source=SEED_SOURCE, source_id__in=[f.source_id for f in files]
            )
        }
        for seed in files:
            dream = existing.get(seed.source_id)
            if dream is None:
                dream = Dream(owner=owner, source=SEED_SOURCE, source_id=seed.source_id)
                outcome = "created"
            elif dream.body == seed.text and dream.deleted_at is None:
                outcome = "unchanged"
            else:
                outcome = "updated"
            if outcome != "unchanged":
                dream.body = seed.text
                dream.title = derive_title(seed.text)
                dream.visibility = Dream.Visibility.SHARED
                dream.dreamt_on = None
                dream.deleted_at = None
                entries.save_dream(dream, lexicon=lexicon)
            result = ImportResult(path=seed.path, outcome=outcome, dream=dream)
            results.append(result)
            if progress:
                progress(result)
    return results


def _first_duplicate(ids: Sequence[str]) -> str | None:
    seen: set[str] = set()
    for source_id in ids:
        if source_id in seen:
            return source_id
        seen.add(source_id)
    return None
