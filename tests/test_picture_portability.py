"""Pictures through export and import: the JSON lists them, the Markdown zip carries them, an
import restores them with the same pixels, and a bad picture leaves nothing behind."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from dreams import exporting, pictures
from dreams.importing import files, saving
from dreams.importing.plan import BadImport
from dreams.models import Dream, Picture


def _import(owner, name: str, raw: bytes):
    plan = files.read_file(name=name, opener=lambda: io.BytesIO(raw))
    return saving.apply(owner=owner, plan=plan)


def _pixels(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    return image.convert("RGBA").tobytes()


def _zip_pictures(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("pictures/")}


@pytest.fixture
def pictured(user, make_dream, image_bytes):
    dream = make_dream(user, title="The lighthouse", body="A lighthouse of salt by the sea.")
    photo = pictures.add(owner=user, name="p.jpg", raw=image_bytes(size=(640, 480)), dream=dream)
    drawing = pictures.add(
        owner=user, name="sketch.png", raw=image_bytes("PNG", colour=(5, 60, 90)), dream=dream,
        alt="My drawing of it", kind=Picture.Kind.DRAWING,
    )  # fmt: skip
    pictures.set_cover(dream, key=drawing.key)
    make_dream(user, title="No pictures", body="Only words tonight.")
    return dream, photo, drawing


def test_the_json_export_lists_each_dreams_pictures(user, pictured):
    dream, photo, drawing = pictured
    data = json.loads(b"".join(exporting.export_json(user)))
    (record,) = [r for r in data["dreams"] if r["id"] == str(dream.uid)]
    assert [(p["alt"], p["kind"], p["cover"], p["sha256"]) for p in record["pictures"]] == [
        ("The lighthouse", "photo", False, photo.sha256),
        ("My drawing of it", "drawing", True, drawing.sha256),
    ]
    assert all(r["pictures"] == [] for r in data["dreams"] if r["id"] != str(dream.uid))


def test_export_import_export_keeps_every_picture(user, other_user, pictured, picture_dir):
    dream, *_ = pictured
    first = exporting.export_markdown_zip(user)
    carried = _zip_pictures(first)
    assert sorted(carried) == sorted(p["file"] for p in exporting.dream_record(dream)["pictures"])
    summary = _import(other_user, "journal.zip", first)
    assert summary.created == 2
    theirs = Dream.objects.get(owner=other_user, uid=dream.uid)
    restored = list(theirs.pictures.order_by("position"))
    assert [(p.alt, p.kind, p.is_cover) for p in restored] == [
        ("The lighthouse", "photo", False), ("My drawing of it", "drawing", True),
    ]  # fmt: skip
    assert theirs.card["cover"] == restored[1].key
    # Exported again: every picture the same, byte for byte (so pixel for pixel).
    again = _zip_pictures(exporting.export_markdown_zip(other_user))
    assert sorted(again.values()) == sorted(carried.values())
    assert sorted(map(_pixels, again.values())) == sorted(map(_pixels, carried.values()))
    # The same file twice adds nothing.
    assert _import(other_user, "journal.zip", first).created == 0
    assert Picture.objects.filter(owner=other_user).count() == 2


def test_a_bad_picture_in_the_zip_stops_the_import_and_leaves_nothing(
    other_user, user, pictured, picture_dir, django_capture_on_commit_callbacks
):
    raw = exporting.export_markdown_zip(user)
    before = sorted(p.relative_to(picture_dir) for p in picture_dir.rglob("*") if p.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("pictures/") and "/02-" in item.filename:
                data = b"<html><script>alert(1)</script></html>"
            target.writestr(item, data)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BadImport) as refused:
        _import(other_user, "journal.zip", buffer.getvalue())
    assert "is not a picture" in str(refused.value) and "journal.zip" in str(refused.value)
    assert not Dream.objects.filter(owner=other_user).exists()
    assert not Picture.objects.filter(owner=other_user).exists()
    after = sorted(p.relative_to(picture_dir) for p in picture_dir.rglob("*") if p.is_file())
    assert after == before  # no file of the failed import is left


def test_a_listing_that_names_a_file_the_zip_lacks_is_refused_before_writing(
    user, other_user, pictured
):
    raw = exporting.export_markdown_zip(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith("pictures/"):
                target.writestr(item, source.read(item))
    with pytest.raises(BadImport, match="is not in the archive"):
        _import(other_user, "journal.zip", buffer.getvalue())
    assert not Dream.objects.filter(owner=other_user).exists()
