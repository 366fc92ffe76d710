"""Pictures' files through backup and restore, and between storages (dreams/picture_files.py)."""

from __future__ import annotations

import io
import shutil
import sqlite3
import tarfile
from io import StringIO

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dreams import picture_files, pictures
from dreams.models import Picture


@pytest.fixture
def live_file(transactional_db, tmp_path):
    """The test database copied to a real file, which the commands back up and restore."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backup")
    test_database = connection.settings_dict["NAME"]

    def copy():
        live = tmp_path / "live.sqlite3"
        source = sqlite3.connect(test_database)
        target = sqlite3.connect(live)
        source.backup(target)
        source.close(), target.close()
        connection.close()
        connection.settings_dict["NAME"] = str(live)  # shared with settings.DATABASES
        return live

    yield copy
    # Back to the test database before it is emptied for the next test.
    connection.close()
    connection.settings_dict["NAME"] = test_database


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_backup_and_restore_carry_the_pictures(
    live_file, user, make_dream, image_bytes, picture_dir, tmp_path
):
    dream = make_dream(user)
    for colour in [(10, 20, 30), (200, 100, 0)]:
        pictures.add(owner=user, name="p.jpg", raw=image_bytes(colour=colour), dream=dream)
    before = _files(picture_dir)
    assert len(before) == 6
    live_file()
    backup = tmp_path / "backup.sqlite3"
    out = StringIO()
    call_command("backup", str(backup), stdout=out, stderr=StringIO())
    assert "Pictures: 6 files" in out.getvalue()
    archive = picture_files.media_path(backup)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    # Everything lost: the files and the database's pictures.
    shutil.rmtree(picture_dir)
    picture_dir.mkdir()
    out = StringIO()
    call_command("restore", str(backup), "--yes", stdout=out)
    assert "Pictures: 6 files" in out.getvalue() and "6 written" in out.getvalue()
    assert _files(picture_dir) == before  # the same bytes, under the same names
    call_command("restore", str(backup), "--yes", stdout=(out := StringIO()))
    assert "0 written" in out.getvalue()  # already there


def test_a_restore_refuses_a_missing_or_damaged_media_archive(
    live_file, user, make_dream, image_bytes, picture_dir, tmp_path
):
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    live = live_file()
    backup = tmp_path / "backup.sqlite3"
    call_command("backup", str(backup), stdout=StringIO(), stderr=StringIO())
    archive = picture_files.media_path(backup)
    good = archive.read_bytes()
    live_before = live.read_bytes()
    archive.unlink()
    with pytest.raises(CommandError, match=r"media.tar is missing.*nothing changed"):
        call_command("restore", str(backup), "--yes", stdout=StringIO())
    # A full variant that is not what the backup recorded.
    with tarfile.open(archive, "w") as tar:
        for name in picture.files.values():
            data = b"not the picture" if name.endswith("full.webp") else b"x"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match=r"does not match its checksum\. Nothing changed"):
        call_command("restore", str(backup), "--yes", stdout=StringIO())
    assert live.read_bytes() == live_before  # the database was not touched
    archive.write_bytes(good)
    call_command("restore", str(backup), "--yes", stdout=StringIO())
    archive.unlink()
    call_command("restore", str(backup), "--yes", "--without-media", stdout=StringIO())


def test_a_backup_says_when_a_picture_file_is_missing(
    live_file, user, make_dream, image_bytes, picture_dir, tmp_path
):
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    (picture_dir / picture.files["page"]).unlink()
    live_file()
    backup = tmp_path / "backup.sqlite3"
    with pytest.raises(CommandError, match=r"not its pictures.*is missing"):
        call_command("backup", str(backup), stdout=StringIO(), stderr=StringIO())
    assert not picture_files.media_path(backup).exists()
    call_command("backup", str(tmp_path / "b2.sqlite3"), "--no-media", stdout=StringIO())


def test_an_archive_member_outside_the_pictures_is_never_written(
    user, make_dream, image_bytes, picture_dir, tmp_path
):
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    files = picture_files.files_named(Picture.objects.values_list("key", "files", "sha256"))
    archive = tmp_path / "media.tar"
    picture_files.write_archive(archive, files=files)
    with tarfile.open(archive, "a") as tar:
        evil = tarfile.TarInfo("../../escaped.txt")
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    shutil.rmtree(picture_dir)
    picture_dir.mkdir()
    picture_files.check_archive(archive, files=files)
    assert picture_files.restore_archive(archive, files=files) == 3
    assert (
        not (tmp_path / "escaped.txt").exists()
        and not (picture_dir.parent / "escaped.txt").exists()
    )
    assert sorted(_files(picture_dir)) == sorted(picture.files.values())


def test_files_are_copied_from_another_storage(
    user, make_dream, image_bytes, picture_dir, tmp_path
):
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    elsewhere = tmp_path / "old-media"
    shutil.copytree(picture_dir, elsewhere)
    shutil.rmtree(picture_dir)
    picture_dir.mkdir()
    files = picture_files.files_named(Picture.objects.values_list("key", "files", "sha256"))
    copied, present = picture_files.copy_between(
        files=files, source=FileSystemStorage(location=elsewhere)
    )
    assert (copied, present) == (3, 0)
    assert sorted(_files(picture_dir)) == sorted(picture.files.values())
    assert picture_files.copy_between(
        files=files, source=FileSystemStorage(location=elsewhere)
    ) == (0, 3)
    with pytest.raises(picture_files.MediaProblem, match="is missing"):
        picture_files.copy_between(
            files=files,
            source=FileSystemStorage(location=tmp_path / "nowhere"),
            target=FileSystemStorage(location=tmp_path / "empty"),
        )


def test_a_dream_lists_its_pictures_and_they_come_back_with_the_same_pixels(
    user, other_user, make_dream, image_bytes
):
    dream = make_dream(user, title="Harbour")
    first = pictures.add(owner=user, name="a.jpg", raw=image_bytes(size=(500, 300)), dream=dream)
    drawing = pictures.add(
        owner=user, name="sketch.png", raw=image_bytes("PNG", colour=(9, 9, 9)), dream=dream,
        alt="A drawn boat", kind=Picture.Kind.DRAWING,
    )  # fmt: skip
    pictures.set_cover(dream, key=drawing.key)
    listing = picture_files.export_listing(dream)
    assert [(e["alt"], e["kind"], e["cover"]) for e in listing] == [
        ("Harbour", "photo", False), ("A drawn boat", "drawing", True),
    ]  # fmt: skip
    assert listing[0]["file"] == f"pictures/{dream.uid}/01-{first.sha256[:16]}.webp"
    exported = dict(picture_files.export_files(dream))
    entries = picture_files.check_listing(listing, where="x.md", files=set(exported))
    # Into another journal: the same full-size bytes, alt texts, kinds and cover.
    theirs = make_dream(other_user, title="Harbour")
    written = picture_files.restore_listing(theirs, entries=entries, read=exported.__getitem__)
    assert len(written) == 6
    restored = list(theirs.pictures.order_by("position"))
    assert [p.sha256 for p in restored] == [first.sha256, drawing.sha256]
    assert [(p.alt, p.kind, p.is_cover) for p in restored] == [
        ("Harbour", "photo", False), ("A drawn boat", "drawing", True),
    ]  # fmt: skip
    theirs.refresh_from_db()
    assert theirs.card["cover"] == restored[1].key
    # Twice: nothing more.
    assert picture_files.restore_listing(theirs, entries=entries, read=exported.__getitem__) == []
    assert theirs.pictures.count() == 2


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        ("a picture", "must be a list"),
        ([{"alt": "no file"}], "must be an object with a file name"),
        ([{"file": "../../etc/passwd"}], "is not a picture file name"),
        ([{"file": "pictures/0d6b7c1e-2f7a-4c8e-9b1a-3e5f6a7b8c9d/01-0123456789abcdef.webp",
           "alt": 5}], "alt must be text"),
        ([{"file": "pictures/0d6b7c1e-2f7a-4c8e-9b1a-3e5f6a7b8c9d/01-0123456789abcdef.webp"}],
         "is not in the archive"),
    ],
)  # fmt: skip
def test_a_bad_picture_listing_is_refused_by_name(listing, message):
    with pytest.raises(ValueError, match=message) as refused:
        picture_files.check_listing(listing, where="dreams/00001-night.md", files=set())
    assert "dreams/00001-night.md" in str(refused.value)


def test_a_json_export_lists_pictures_it_does_not_carry():
    listing = [{"file": "pictures/0d6b7c1e-2f7a-4c8e-9b1a-3e5f6a7b8c9d/01-0123456789abcdef.webp"}]
    assert picture_files.check_listing(listing, where="somnia.json", files=None) == []
