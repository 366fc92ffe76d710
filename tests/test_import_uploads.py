"""Imports through the web, hardened: read once per upload, quotas, uploads over the limit
refused before anything reads them, batches that let other writers in, one go-ahead only, a
killed import taken back, damaged files refused with a message."""

import io
import json
import threading
import time
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from django.utils import timezone

from dreams import entries, exporting
from dreams.importing import files, saving, uploads
from dreams.importing.plan import BadImport
from dreams.models import Dream, ImportChunk, PendingImport


@pytest.fixture(autouse=True)
def _no_pause(settings):
    settings.IMPORT_BATCH_PAUSE = 0


def table(count: int, *, start: int = 0) -> bytes:
    rows = "".join(f'2024-01-{1 + n % 28:02d},"Dream {n}: a lantern by the river."\n'
                   for n in range(start, start + count))  # fmt: skip
    return ("date,text\n" + rows).encode()


def upload(client, raw: bytes, name: str = "journal.csv", **data):
    return client.post("/import/", {"file": SimpleUploadedFile(name, raw), **data})


def test_an_upload_is_read_once_and_its_preview_kept(client, user, monkeypatch):
    client.force_login(user)
    response = upload(client, table(30))
    assert response.status_code == 302
    record = PendingImport.objects.get()
    assert record.survey["new"] == 30 and ImportChunk.objects.filter(pending=record).exists()
    calls = []
    monkeypatch.setattr(uploads, "read_file", lambda **kw: calls.append(kw))
    for _ in range(3):
        page = client.get(response["Location"])
        assert "30 will be created" in page.content.decode()
    assert calls == []  # no GET reads the file again


def test_the_stored_file_reads_back_exactly(user):
    raw = bytes(range(256)) * (uploads.CHUNK_BYTES // 100)  # several chunks, any bytes
    record = PendingImport.objects.create(owner=user, name="x.bin", size=len(raw))
    for number, piece in enumerate(uploads._exact_pieces([raw[:1000], raw[1000:]])):
        ImportChunk.objects.create(pending=record, number=number, data=piece)
    with uploads.opener(record)() as stream:
        assert stream.read() == raw
        stream.seek(uploads.CHUNK_BYTES - 3)
        assert stream.read(6) == raw[uploads.CHUNK_BYTES - 3 : uploads.CHUNK_BYTES + 3]


def test_a_go_ahead_runs_once_and_the_page_says_imported(client, user):
    client.force_login(user)
    location = upload(client, table(5))["Location"]
    page = b"".join(client.post(location + "confirm/").streaming_content).decode()
    assert "Imported: 5 created, 0 unchanged" in page and "<title>Importing" not in page
    again = client.post(location + "confirm/")
    assert again.status_code == 302 and Dream.objects.filter(owner=user).count() == 5
    result = client.get(location).content.decode()
    assert "<title>Imported" in result and "Imported: 5 created" in result
    assert "already started" in result


def test_pending_uploads_per_account_are_capped(client, user, settings):
    settings.IMPORT_PENDING_MAX = 1
    client.force_login(user)
    assert upload(client, table(2)).status_code == 302
    response = upload(client, table(2, start=5))
    assert response.status_code == 422
    assert "1 uploads waiting" in response.content.decode()
    assert PendingImport.objects.count() == 1


def test_a_preview_with_nothing_to_import_is_forgotten_by_the_next_upload(client, user, settings):
    settings.IMPORT_PENDING_MAX = 1
    client.force_login(user)
    raw = table(2)
    for _ in range(2):
        b"".join(client.post(upload(client, raw)["Location"] + "confirm/").streaming_content)
    for _ in range(3):  # read, previewed: nothing new in it
        assert upload(client, raw).status_code == 302
        # each upload forgets the one before, which held nothing to import, file and all
        assert PendingImport.objects.filter(state=PendingImport.State.READY).count() == 1
    assert upload(client, table(2, start=5)).status_code == 302
    ready = ImportChunk.objects.filter(pending__state=PendingImport.State.READY)
    assert not ready.filter(pending__survey__new=0).exists()


def _shared_export(make_user, make_dream) -> bytes:
    author = make_user("author")
    make_dream(author, title="Told everyone", visibility=Dream.Visibility.SHARED)
    make_dream(author, title="Kept to myself")
    return json.dumps(exporting.export_data(author)).encode()


@pytest.mark.parametrize("ticked", [False, True])
def test_shared_dreams_come_in_private_unless_the_writer_ticks_keep(
    client, user, make_user, make_dream, ticked
):
    client.force_login(user)
    location = upload(client, _shared_export(make_user, make_dream), name="export.json")["Location"]
    preview = client.get(location).content.decode()
    assert "1 of these dreams was shared" in preview and 'name="keep_shared"' in preview
    form = {"keep_shared": "on"} if ticked else {}
    b"".join(client.post(location + "confirm/", form).streaming_content)
    shared = Dream.objects.filter(owner=user).shared().values_list("title", flat=True)
    assert list(shared) == (["Told everyone"] if ticked else [])
    assert Dream.objects.filter(owner=user).count() == 2


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, user, settings,
                                                                 monkeypatch):  # fmt: skip
    written = []
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file",
                        lambda self, *a, **k: written.append(a))  # fmt: skip
    settings.IMPORT_UPLOAD_MAX_BYTES = 6 * 1024 * 1024
    big = b"date,text\n" + b"2024-01-01,x\n" * 700_000  # 9 MB
    anonymous = upload(client, big)
    assert anonymous.status_code == 413 and "Nothing was changed" in anonymous.content.decode()
    client.force_login(user)
    assert upload(client, big).status_code == 413
    assert client.post("/dreams/new/", {"body": "x" * (6 * 1024 * 1024)}).status_code == 413
    assert written == [] and not PendingImport.objects.exists()


def test_a_killed_import_is_taken_back_and_cannot_be_confirmed(client, user):
    client.force_login(user)
    location = upload(client, table(300))["Location"]
    record = PendingImport.objects.get()
    assert uploads.start(record)
    steps = uploads.run_steps(record)
    next(steps)  # the first batch is committed...
    assert Dream.objects.filter(owner=user).exists()
    # ...then the process dies (no cleanup runs): the heartbeat goes stale.
    PendingImport.objects.filter(pk=record.pk).update(
        heartbeat=timezone.now() - timedelta(minutes=5)
    )
    page = client.get(location).content.decode()
    assert "nothing of it was kept" in page
    assert not Dream.objects.filter(owner=user).exists()
    assert client.post(location + "confirm/").status_code == 302
    assert not Dream.objects.filter(owner=user).exists()
    with pytest.raises(saving.Stopped):
        next(steps)  # the old process, had it lived on, writes nothing more


def test_a_closed_connection_takes_the_import_back(user):
    raw = table(300)
    plan = files.read_file(name="x.csv", opener=lambda: io.BytesIO(raw))
    record = PendingImport.objects.create(
        owner=user, name="x.csv", state=PendingImport.State.RUNNING, heartbeat=timezone.now()
    )
    steps = saving.write_steps(owner=user, plan=plan, record=record)
    next(steps)
    steps.close()  # the browser went away mid-import
    record.refresh_from_db()
    assert record.state == PendingImport.State.FAILED and not Dream.objects.exists()


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("deep.json", b"[" * 100_000, "a Somnia export is an object"),
        ("deep.json", b'{"dreams": [{"body": "x", "fields": ' + b"[" * 100_000, "nested"),
        ("later.json", json.dumps({"dreams": [{"body": "x", "dreamt_on": "9999-12-31"}]}).encode(),
         "dream 1: the date 9999-12-31 is in the future"),
    ],
)  # fmt: skip
def test_malformed_uploads_get_the_one_line_refusal(client, user, name, raw, message):
    client.force_login(user)
    response = upload(client, raw, name)
    assert response.status_code == 422 and message in response.content.decode()
    assert not PendingImport.objects.exists()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_with_a_wrong_crc_is_refused(client, user):
    raw = bytearray(_zip({"dreams/a.md": b"A heron in the kitchen. " * 20}))
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()[0]
    crc = info.CRC.to_bytes(4, "little")
    wrong = (info.CRC ^ 0xFFFF).to_bytes(4, "little")
    raw = bytes(raw).replace(crc, wrong)  # in the local header and the central directory
    client.force_login(user)
    response = upload(client, raw, "journal.zip")
    assert response.status_code == 422
    assert "journal.zip: dreams/a.md: the zip is damaged" in response.content.decode()


def test_a_small_zip_cannot_make_a_worker_unpack_hundreds_of_megabytes(user):
    raw = _zip({f"dreams/{n}.md": b"\n" * (2 * 1024 * 1024) for n in range(3)})
    assert len(raw) < 100_000
    with pytest.raises(BadImport, match="unpacks to more than"):
        files.read_file(name="bomb.zip", opener=lambda: io.BytesIO(raw))


@pytest.mark.django_db(transaction=True)
def test_another_writer_saves_between_the_batches_of_a_long_import(make_user, settings):
    """An import commits in batches, so a save by someone else lands before it ends (and
    every dream of both is there)."""
    if connection.vendor != "sqlite":
        settings.IMPORT_BATCH_PAUSE = 0
    else:
        settings.IMPORT_BATCH_PAUSE = 0.1
    settings.IMPORT_BATCH_SECONDS = 0.05
    importer, other = make_user("importer"), make_user("other")
    raw = table(1500)
    plan = files.read_file(name="long.csv", opener=lambda: io.BytesIO(raw))
    errors = []

    def run():
        try:
            saving.apply(owner=importer, plan=plan)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    while not Dream.objects.filter(owner=importer).exists():
        time.sleep(0.01)
    saved = entries.save_dream(Dream(owner=other, title="Mine", body="A quiet field."))
    worker.join()
    assert not errors
    pks = Dream.objects.filter(owner=importer).values_list("pk", flat=True)
    assert min(pks) < saved.pk < max(pks)  # it went in while the import was still going
    assert len(pks) == 1500


def test_one_markdown_file_uploads_as_one_dream(client, user):
    client.force_login(user)
    raw = b"# The glass orchard\n\nApples of glass, and one sang.\n"
    location = upload(client, raw, name="2025-03-14 orchard.md")["Location"]
    page = client.get(location).content.decode()
    assert "Markdown file: 1 dream" in page and "14 Mar 2025" in page
    # Its opening reads as on a card, and the table says what it holds in plain words.
    assert "<td>The glass orchard Apples of glass" in page and "The new dream</caption>" in page
    assert "The first" not in page
    b"".join(client.post(location + "confirm/").streaming_content)
    assert Dream.objects.get(owner=user).dreamt_on.isoformat() == "2025-03-14"


def test_a_file_already_imported_offers_no_import_only_a_way_back(client, user):
    client.force_login(user)
    b"".join(client.post(upload(client, table(3))["Location"] + "confirm/").streaming_content)
    page = client.get(upload(client, table(3))["Location"]).content.decode()
    assert "Every dream in this file is already in your journal: nothing to import." in page
    assert "Import 0" not in page and "disabled" not in page
    assert "Nothing is written until you import" not in page
    assert 'href="/import/">Choose another file</a>' in page
    assert Dream.objects.filter(owner=user).count() == 3
