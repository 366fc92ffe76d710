"""Export, import, backup and restore: nothing lost, nothing doubled, bad files change nothing."""

import datetime
import io
import json
import sqlite3
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dreams import entries, exporting, search, threads, vocabulary
from dreams.importing import files, saving
from dreams.importing.plan import BadImport, IncomingDream
from dreams.models import DatePrecision, Draft, Dream, Motif, PendingImport


@pytest.fixture(autouse=True)
def _no_pause(settings):
    settings.IMPORT_BATCH_PAUSE = 0


def read_file(name: str, raw: bytes, options: dict | None = None):
    """A file's plan, every dream checked (as the upload's preview and the command do)."""
    plan = files.read_file(name=name, opener=lambda: io.BytesIO(raw), options=options)
    list(plan.read())
    return plan


def dreams_of(plan) -> list[IncomingDream]:
    return [d for d in plan.read() if isinstance(d, IncomingDream)]


def apply(owner, plan, *, keep_shared=True):
    """A restore: the writer ticks "keep them shared" (the default keeps them private)."""
    return saving.apply(owner=owner, plan=plan, keep_shared=keep_shared)


def export_json(owner) -> bytes:
    return b"".join(exporting.export_json(owner))


@pytest.fixture
def rich_journal(user, make_dream):
    first = make_dream(
        user, title="The lift", body="A *lift* of mirrors.\n\nIt rose.",
        tags=["work", "Non - Lucid"], dreamt_on=datetime.date(2025, 1, 2), lucid=True,
        vividness=4, mood="curious",
    )  # fmt: skip
    second = make_dream(
        user, title="The lift again", body="The mirror lift, and a moth.",
        visibility=Dream.Visibility.SHARED, nightmare=True, dreamt_on_text="(1985?)",
        dreamt_on=datetime.date(1985, 1, 1), dreamt_on_precision=DatePrecision.YEAR,
    )  # fmt: skip
    threads.link(second, earlier=first)
    vocabulary.apply_motif_choices(second, {"moth": "keep", "mirror": "never"})
    own = vocabulary.make_motif(owner=user, name="Paper swan", category="animal")
    vocabulary.add_word(owner=user, motif=own, word="origami bird")
    vocabulary.add_word(owner=user, motif=Motif.objects.get(slug="staircase", owner=None),
                        word="escalator")  # fmt: skip
    entries.save_draft(owner=user, key="4b7d0a52-2f0e-4f61-9c3e-111111111111", dream=first,
                       title="", body="half a thought", fields={"lucid": True})  # fmt: skip
    trashed = make_dream(user, title="Gone", body="A trashed dream.")
    entries.trash(trashed)
    return user


def comparable(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data.pop("exported_at"), data.pop("owner")
    return data


def test_json_round_trips_into_a_fresh_account_with_nothing_lost(rich_journal, make_user):
    exported = exporting.export_data(rich_journal)
    assert exported["format"] == "somnia-export" and exported["version"] == 1
    assert {"title", "body", "dreamt_on"} <= set(exported["dreams"][0])
    fresh = make_user("fresh")
    plan = read_file("export.json", export_json(rich_journal))
    summary = apply(fresh, plan)
    assert summary.created == 3 and summary.unchanged == 0
    assert comparable(exporting.export_data(fresh)) == comparable(exported)
    assert search.check_index() == []


def test_markdown_zip_round_trips_too(rich_journal, make_user):
    exported = exporting.export_data(rich_journal)
    archive = zipfile.ZipFile(io.BytesIO(exporting.export_markdown_zip(rich_journal)))
    names = archive.namelist()
    assert "somnia.json" in names and sum(n.endswith(".md") for n in names) == 3
    text = archive.read(next(n for n in names if "the-lift-again" in n)).decode()
    assert text.startswith("---\n") and 'title: "The lift again"' in text
    fresh = make_user("fresh")
    plan = read_file("journal.zip", exporting.export_markdown_zip(rich_journal))
    apply(fresh, plan)
    assert comparable(exporting.export_data(fresh)) == comparable(exported)


def test_shared_dreams_of_a_file_come_in_private_unless_kept_shared(rich_journal, make_user):
    raw = export_json(rich_journal)
    assert saving.survey(owner=make_user("x"), plan=read_file("export.json", raw)).shared == 1
    for keep, expected in ((False, set()), (True, {"The lift again"})):
        fresh = make_user(f"fresh{keep}")
        apply(fresh, read_file("export.json", raw), keep_shared=keep)
        assert set(Dream.objects.filter(owner=fresh).shared().values_list("title", flat=True)) == (
            expected
        )
    assert Dream.objects.filter(owner=make_user("y")).count() == 0


def test_a_dream_imported_private_stays_private_through_its_history_and_drafts(
    user, make_dream, make_user
):
    dream = make_dream(user, title="Told", body="A lift.", visibility=Dream.Visibility.SHARED)
    entries.save_edit(dream, changes={"body": "A lift of mirrors."}, tags=[], base_version=1)
    Draft.objects.create(owner=user, key="6f1c0b55-1d1b-4a4e-9a53-7bb5a5b1d002", dream=dream,
                         body="Half typed.", fields={"visibility": "shared"})  # fmt: skip
    fresh = make_user("fresh")
    raw = b"".join(exporting.export_json(user, history=True))
    apply(fresh, read_file("export.json", raw), keep_shared=False)
    kept = Dream.objects.get(owner=fresh)
    assert kept.versions.count() == 2
    assert {v.fields.get("visibility") for v in kept.versions.all()} == {"private"}
    assert Draft.objects.get(owner=fresh).fields["visibility"] == "private"
    restored = entries.restore_version(kept, number=1)
    assert restored.visibility == Dream.Visibility.PRIVATE
    assert not Dream.objects.filter(owner=fresh).shared().exists()


def test_the_same_file_twice_adds_nothing(rich_journal, make_user):
    fresh = make_user("fresh")
    raw = export_json(rich_journal)
    apply(fresh, read_file("a.json", raw))
    again = apply(fresh, read_file("a.json", raw))
    assert again.created == 0 and again.unchanged == 3
    assert Dream.objects.filter(owner=fresh).count() == 3
    assert Draft.objects.filter(owner=fresh).count() == 1


CSV = (
    "Date,Dream report,Notes\n"
    '(8/11/67),"I was flying over a lake, with a mirror in my hand.",x\n'
    '(1957),"A staircase that never ended.",\n'
    '(1985?),"My teeth fell out.",\n'
    '2024-03-01,"A wolf at the door.",\n'
    ',,\n'
)  # fmt: skip


def test_csv_with_messy_dates_and_guessed_columns(user):
    plan = read_file("dreambank.csv", CSV.encode())
    assert plan.columns == {"date": "Date", "text": "Dream report", "title": ""}
    assert [s.note for s in plan.read() if not isinstance(s, IncomingDream)] == [
        "line 6: no dream text"
    ]
    apply(user, plan)
    dreams = {d.body[:10]: d for d in Dream.objects.filter(owner=user)}
    flying = dreams["I was flyi"]
    assert flying.dreamt_on == datetime.date(1967, 8, 11) and flying.dreamt_on_text == "(8/11/67)"
    # Partial dates sort among what they name, and are shown as written.
    assert dreams["A staircas"].dreamt_on == datetime.date(1957, 1, 1)
    assert dreams["A staircas"].dreamt_on_text == "(1957)" and dreams["A staircas"].date_is_partial
    assert dreams["My teeth f"].dreamt_on_text == "(1985?)"
    assert dreams["A wolf at "].dreamt_on == datetime.date(2024, 3, 1)
    assert {"mirror", "flying"} <= {m.slug for m in flying.shown_motifs}
    again = apply(user, read_file("dreambank.csv", CSV.encode()))
    assert again.created == 0 and again.unchanged == 4


def test_tsv_with_chosen_columns(user):
    raw = b"when\twhat\ttitle\n3/4/05\tA red door.\tDoor\n"
    plan = read_file(
        "x.tsv", raw, options={"date_column": "when", "text_column": "what", "day_order": "day"}
    )
    apply(user, plan)
    dream = Dream.objects.get(owner=user)
    assert dream.dreamt_on == datetime.date(2005, 4, 3) and dream.title == "Door"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("empty.json", b"   ", "empty"),
        ("bad.json", b'{"dreams": [', "not valid JSON"),
        ("shape.json", b'{"nope": 1}', "“dreams” list"),
        ("body.json", b'{"dreams": [{"title": "x"}]}', "dream 1: “body” is missing"),
        ("viv.json", b'{"dreams": [{"body": "x"}, {"body": "y", "vividness": 9}]}', "dream 2"),
        ("binary.csv", b"\x89PNG\x00\x00\x00", "binary"),
        ("deep.json", b'{"dreams": [' + b"[" * 100_000, "nested more than 32 levels"),
        ("future.json", b'{"dreams": [{"body": "x", "dreamt_on": "9999-12-31"}]}', "future"),
        ("cols.csv", b"a,b\n1,2\n", "which column holds the dream"),
        ("nozip.zip", b"PK\x03\x04 broken", "not a zip"),
        ("photo.png", b"plain words", "Somnia reads"),
    ],
)
def test_a_bad_file_says_where_and_why_and_changes_nothing(user, name, raw, message):
    with pytest.raises(BadImport, match=message):
        read_file(name, raw)
    assert not Dream.objects.exists()


def test_an_import_that_fails_halfway_keeps_nothing_of_it(user, monkeypatch):
    plan = read_file("dreambank.csv", CSV.encode())
    for name in ("FIRST_BATCH", "MIN_BATCH", "MAX_BATCH"):
        monkeypatch.setattr(saving, name, 2)
    real = search.index_new
    calls = []

    def failing(documents, **options):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(documents, **options)

    monkeypatch.setattr(search, "index_new", failing)
    with pytest.raises(RuntimeError):
        apply(user, plan)
    assert len(calls) == 2  # the first batch was committed, then taken back
    assert not Dream.objects.exists()
    record = PendingImport.objects.get()
    assert record.state == PendingImport.State.FAILED and "disk full" in record.outcome


def test_commands_export_and_import(rich_journal, make_user, tmp_path):
    make_user("fresh")
    path = tmp_path / "out.json"
    call_command("export_dreams", "--owner", "alice", "--format", "json", "-o", str(path),
                 stdout=StringIO())  # fmt: skip
    zipped = tmp_path / "out.zip"
    call_command("export_dreams", "--owner", "alice", "--format", "markdown", "-o", str(zipped),
                 stdout=StringIO())  # fmt: skip
    out, err = StringIO(), StringIO()
    call_command("import_dreams", str(path), "--owner", "fresh", stdout=out, stderr=err)
    assert "3 created, 0 unchanged" in out.getvalue() and "3/3" in err.getvalue()
    out = StringIO()
    call_command("import_dreams", str(zipped), "--owner", "fresh", stdout=out, stderr=StringIO())
    assert "0 created, 3 unchanged" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_dreams", str(bad), "--owner", "fresh", stdout=StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("import_dreams", str(path), "--owner", "nobody", stdout=StringIO())


def test_web_import_previews_then_imports_with_progress(client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    upload = SimpleUploadedFile("dreambank.csv", CSV.encode(), content_type="text/csv")
    response = client.post("/import/", {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "4 will be created" in html and "(1985?)" in html and "Date" in html
    assert not Dream.objects.exists()  # a preview writes nothing
    confirm_url = response["Location"] + "confirm/"
    streamed = client.post(confirm_url)
    page = b"".join(streamed.streaming_content).decode()
    assert "<progress" in page and "Imported: 4 created, 0 unchanged, 1 skipped" in page
    assert Dream.objects.filter(owner=user).count() == 4


def test_web_import_refuses_a_bad_file_with_a_message(client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    upload = SimpleUploadedFile("x.json", b"{broken", content_type="application/json")
    response = client.post("/import/", {"file": upload})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()


def test_web_export_downloads(client, rich_journal):
    client.force_login(rich_journal)
    response = client.get("/export/somnia.json")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert len(json.loads(b"".join(response.streaming_content))["dreams"]) == 3
    response = client.get("/export/somnia-markdown.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None and len(archive.namelist()) == 4


def test_backup_and_restore(transactional_db, user, make_dream, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backup")
    live = tmp_path / "live.sqlite3"
    # Work on a real file so the online backup has something to copy.
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(live)
    source.backup(target)
    source.close(), target.close()
    backup = tmp_path / "backup.sqlite3"
    settings.DATABASES["default"]["NAME"] = str(live)
    out = StringIO()
    call_command("backup", str(backup), stdout=out, stderr=StringIO())
    assert "checked ok" in out.getvalue()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(backup), stdout=StringIO(), stderr=StringIO())
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(CommandError, match=r"nothing changed|not a SQLite"):
        call_command("restore", str(broken), "--yes", stdout=StringIO())
    call_command("restore", str(backup), "--yes", stdout=StringIO())
    restored = sqlite3.connect(live)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_dreams_without_ids_are_all_imported_once(user):
    raw = json.dumps({"dreams": [{"body": f"Dream number {n} by the sea."} for n in range(3)]})
    first = apply(user, read_file("noid.json", raw.encode()))
    again = apply(user, read_file("noid.json", raw.encode()))
    assert (first.created, again.created, again.unchanged) == (3, 0, 3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(4):
            archive.writestr(f"2024-01-0{n + 1}-night.md", f"# Night {n}\n\nA wolf, {n} times.")
    for expected in (4, 0):
        summary = apply(user, read_file("plain.zip", buffer.getvalue()))
        assert summary.created == expected
    assert Dream.objects.filter(owner=user).count() == 7


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"body": "x", "motifs": [{"slug": "bad slug", "status": "added"}]}, "motif slug"),
        ({"body": "x", "motifs": [{"slug": "ok", "category": "weird"}]}, "category"),
        ({"body": "x", "motifs": [{"slug": "ok", "aliases": "notalist"}]}, "aliases"),
        ({"body": "x", "motifs": [{"slug": "ok", "count": "many"}]}, "count"),
        ({"body": "x", "motifs": [{"slug": "ok", "evidence": ["x"]}]}, "evidence"),
        ({"body": "x", "version": "1"}, "version"),
        ({"body": "x", "version": 10**30}, "version|integer overflow"),
        ({"body": "x", "vividness": True}, "vividness"),
        ({"body": "x", "recurs": "nope"}, "recurs"),
    ],
)
def test_bad_fields_are_refused_before_anything_is_written(user, record, message):
    raw = json.dumps({"dreams": [record]}).encode()
    with pytest.raises(BadImport, match=message):
        read_file("bad.json", raw)


@pytest.mark.parametrize(
    "extra",
    [
        {"motif_words": ["x"]}, {"drafts": [{"key": "k"}]}, {"motif_rejections": [3]},
        {"motifs": [{"slug": "Bad Slug"}]}, {"version": None},
    ],
)  # fmt: skip
def test_bad_vocabulary_is_refused_too(user, extra):
    raw = json.dumps({"dreams": [{"body": "x"}], **extra}).encode()
    with pytest.raises(BadImport):
        read_file("bad.json", raw)


def test_impossible_dates_are_kept_as_written(user):
    raw = json.dumps({"dreams": [{"body": "x", "dreamt_on": "2024-02-30"}]}).encode()
    plan = read_file("d.json", raw)
    dream = dreams_of(plan)[0]
    assert dream.dreamt_on is None and dream.dreamt_on_text == "2024-02-30"
    with pytest.raises(BadImport, match="created_at"):
        read_file("d.json", json.dumps(
            {"dreams": [{"body": "x", "created_at": "2024-02-30T10:00:00"}]}).encode())  # fmt: skip


def test_a_date_a_table_kept_as_written_comes_back_from_the_export(user, make_user):
    """A slip in a table ("(3004-01-29)") came in undated, kept as written; its journal's
    export imports again, that dream still undated and its date as written."""
    raw = b"date,text\n(3004-01-29),A dream typed with a slip.\n"
    apply(user, read_file("slip.csv", raw))
    fresh = make_user("fresh")
    summary = apply(fresh, read_file("export.json", export_json(user)))
    assert summary.created == 1
    back = Dream.objects.get(owner=fresh)
    assert back.dreamt_on is None and back.dreamt_on_text == "(3004-01-29)"
    assert comparable(exporting.export_data(fresh)) == comparable(exporting.export_data(user))


def test_an_unquoted_comma_in_the_last_column_keeps_the_whole_text(user):
    raw = b"id,date,text\n1,(8/11/67),I was at home, then the sea came in.\n"
    plan = read_file("x.csv", raw)
    assert dreams_of(plan)[0].body == "I was at home, then the sea came in."


def test_a_date_kept_as_written_is_shown(client, user, make_dream):
    dream = make_dream(user, dreamt_on_text="(1985?)", visibility=Dream.Visibility.SHARED)
    assert "(1985?)" in client.get(dream.get_absolute_url()).content.decode()


def test_one_markdown_file_is_one_dream_dated_from_its_name(user):
    raw = "\ufeff# The glass orchard\r\n\r\nApples of glass.\r\n- one was cracked\r\n".encode()
    plan = read_file("2025-03-14-glass-orchard.md", raw)
    (dream,) = dreams_of(plan)
    assert plan.kind == "Markdown file"
    assert dream.dreamt_on == datetime.date(2025, 3, 14)
    assert "- one was cracked" in dream.body
    assert apply(user, plan).created == 1
    assert apply(user, read_file("2025-03-14-glass-orchard.md", raw)).created == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\xff\xfe\x00bad", "not UTF-8"), (b"   \n", "empty"), (b"x" * (6 << 20), "more than")],
)
def test_a_bad_markdown_file_is_refused_in_one_line(raw, message):
    with pytest.raises(BadImport, match=message):
        read_file("dream.md", raw)
