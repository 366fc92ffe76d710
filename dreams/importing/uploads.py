"""A web upload between its preview and its end. The file is kept in the database in
CHUNK_BYTES pieces (any app process can continue it; none holds it whole in memory), read
once on upload for the preview, and read again only to write it. Quotas (settings):
IMPORT_UPLOAD_MAX_BYTES for one file, IMPORT_PENDING_MAX uploads waiting per account."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dreams.importing import saving
from dreams.importing.files import read_file
from dreams.importing.plan import BadImport, ImportPlan
from dreams.models import ImportChunk, PendingImport

CHUNK_BYTES = 1024 * 1024
READ_BUFFER = 256 * 1024


class QuotaExceeded(Exception):
    """An upload over a quota; the message says which and what to do."""


class ChunkReader(io.RawIOBase):
    """A pending import's file, read (and sought) piece by piece from its ImportChunk rows."""

    def __init__(self, record: PendingImport):
        self.record, self.position = record, 0
        self._number, self._data = -1, b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.record.size}
        self.position = max(0, base[whence] + offset)
        return self.position

    def readinto(self, buffer) -> int:
        if self.position >= self.record.size:
            return 0
        number, offset = divmod(self.position, CHUNK_BYTES)
        if number != self._number:
            self._data = bytes(
                ImportChunk.objects.filter(pending=self.record, number=number)
                .values_list("data", flat=True)
                .get()
            )
            self._number = number
        piece = self._data[offset : offset + len(buffer)]
        buffer[: len(piece)] = piece
        self.position += len(piece)
        return len(piece)


def opener(record: PendingImport) -> Callable[[], BinaryIO]:
    return lambda: io.BufferedReader(ChunkReader(record), READ_BUFFER)


def upload_opener(upload) -> Callable[[], BinaryIO]:
    """An opener for a Django UploadedFile (on disk or in memory), without closing it."""

    @contextlib.contextmanager
    def open_upload() -> Iterator[BinaryIO]:
        if hasattr(upload, "temporary_file_path"):
            with open(upload.temporary_file_path(), "rb") as handle:
                yield handle
        else:
            upload.seek(0)
            yield io.BytesIO(upload.read())

    return open_upload


def check_quota(owner, *, size: int) -> None:
    """QuotaExceeded when this upload would be over a quota (the upload size is checked
    before the body is read at all: dreams.request_limits)."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    if limit and size > limit:
        raise QuotaExceeded(
            f"The file is larger than {limit >> 20} MB, the limit for an upload here; "
            "import it with the command line (python manage.py import_dreams), which has none."
        )
    ready = PendingImport.objects.filter(owner=owner, state=PendingImport.State.READY)
    # A preview with nothing to import cannot be imported, only read: a new upload forgets it
    # (its stored file with it), so it holds no place and no disk.
    ready.filter(survey__new=0).delete()
    waiting = ready.count()
    if waiting >= settings.IMPORT_PENDING_MAX:
        raise QuotaExceeded(
            f"You have {waiting} uploads waiting for their go-ahead; import or discard one "
            "of them first."
        )


def store(*, owner, upload, name: str, options: dict) -> PendingImport:
    """Read and check the upload, preview it once, and keep it: a READY PendingImport with
    its survey. BadImport or QuotaExceeded leave nothing behind."""
    check_quota(owner, size=upload.size)
    plan = read_file(name=name, opener=upload_opener(upload), options=options)
    found = saving.survey(owner=owner, plan=plan)
    record = PendingImport.objects.create(
        owner=owner, name=name[:255], size=upload.size, options=options,
        survey=saving.survey_dict(found), state=PendingImport.State.READY,
    )  # fmt: skip
    try:
        upload.seek(0)
        for number, piece in enumerate(_exact_pieces(upload.chunks(CHUNK_BYTES))):
            with transaction.atomic():  # a megabyte at a time: the write lock stays short
                ImportChunk.objects.create(pending=record, number=number, data=piece)
    except BaseException:
        record.delete()
        raise
    return record


def _exact_pieces(chunks) -> Iterator[bytes]:
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= CHUNK_BYTES:
            yield buffer[:CHUNK_BYTES]
            buffer = buffer[CHUNK_BYTES:]
    if buffer:
        yield buffer


def plan_for(record: PendingImport) -> ImportPlan:
    return read_file(name=record.name, opener=opener(record), options=record.options)


def reread(record: PendingImport, *, options: dict) -> None:
    """New column or date-order choices: read and preview again (once), or BadImport."""
    record.options = options
    found = saving.survey(owner=record.owner, plan=plan_for(record))
    record.survey = saving.survey_dict(found)
    record.save(update_fields=["options", "survey"])


def start(record: PendingImport, *, keep_shared: bool = False) -> bool:
    """READY -> RUNNING, once: False when it already ran, runs or failed (a second go-ahead,
    a resubmitted form). `keep_shared`: the writer chose to keep the dreams the file has
    shared shared here (else they come in private)."""
    options = {**record.options, "keep_shared": keep_shared}
    started = PendingImport.objects.filter(pk=record.pk, state=PendingImport.State.READY).update(
        state=PendingImport.State.RUNNING, heartbeat=timezone.now(), options=options
    )
    if started:
        record.refresh_from_db()
    return bool(started)


def run_steps(record: PendingImport):
    """Write a started import, yielding (done, total) after each batch and returning the
    Summary; BadImport (or anything else, a closed connection included) takes it back."""
    try:
        plan = plan_for(record)
    except BadImport as bad:
        saving.take_back(record, reason=str(bad))
        raise
    total = record.survey.get("total", 0) + record.survey.get("skipped_count", 0)
    keep_shared = bool(record.options.get("keep_shared"))
    return (
        yield from saving.write_steps(
            owner=record.owner, plan=plan, record=record, total=total, keep_shared=keep_shared
        )
    )


def recover_stale(*, owner=None) -> int:
    """Take back imports whose process stopped mid-way (killed by the server's timeout, a
    restart): no batch for IMPORT_STALE_SECONDS. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    stale = PendingImport.objects.filter(state=PendingImport.State.RUNNING, heartbeat__lt=cutoff)
    if owner is not None:
        stale = stale.filter(owner=owner)
    count = 0
    for record in stale:
        saving.take_back(record, reason="The import stopped before the end (the server ended it).")
        count += 1
    return count


def discard(record: PendingImport) -> bool:
    """Forget an upload that is not running; False if it is."""
    if record.state == PendingImport.State.RUNNING:
        return False
    record.delete()
    return True
