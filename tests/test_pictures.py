"""Pictures of dreams: attached from the form, private like their dream, covers, deletion."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dreams import entries, pictures
from dreams.models import Dream, Picture


def entry(**overrides) -> dict:
    data = {
        "title": "The glass orchard",
        "body": "I walked through an orchard of glass trees under a green moon.",
        "dreamt_on": "2026-11-20",
        "visibility": "private",
        "draft_key": str(uuid.uuid4()),
        "cover": "art",
    }
    data.update(overrides)
    return data


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored_files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def writer(client, user):
    client.force_login(user)
    return client


def test_a_picture_posted_with_the_form_is_on_the_saved_dream(writer, user, image_bytes):
    data = entry(picture=upload(image_bytes("JPEG", size=(640, 480))), picture_alt="")
    response = writer.post(reverse("dreams:new"), data)
    assert response.status_code == 302
    dream = Dream.objects.get(owner=user)
    (picture,) = dream.pictures.all()
    assert picture.alt == "The glass orchard"  # the title, when no text alternative was given
    assert (picture.width, picture.height) == (640, 480)
    assert picture.draft_key is None and not picture.is_cover
    assert dream.card["pictures"] == [[picture.key, picture.alt, 640, 480]]
    page = writer.get(dream.get_absolute_url()).content.decode()
    assert reverse("dreams:picture", args=[picture.key, "page"]) in page
    assert f'alt="{picture.alt}"' in page


def test_each_variant_is_served_to_its_owner_privately(writer, user, make_dream, image_bytes):
    dream = make_dream(user)
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), dream=dream)
    for variant in ("card", "page", "full"):
        response = writer.get(picture.url(variant))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert response["Cache-Control"].startswith("private")
        body = b"".join(response.streaming_content)
        assert Image.open(io.BytesIO(body)).format == "WEBP"
    again = writer.get(
        picture.url("card"), headers={"If-None-Match": response["ETag"][:-5] + 'card"'}
    )
    assert again.status_code == 304
    assert writer.get(reverse("dreams:picture", args=[picture.key, "huge"])).status_code == 404


def test_nobody_else_can_fetch_a_private_dreams_pictures(
    client, user, other_user, make_dream, image_bytes
):
    dream = make_dream(user)
    picture = pictures.add(owner=user, name="p.png", raw=image_bytes("PNG"), dream=dream)
    urls = [picture.url(v) for v in ("card", "page", "full")]
    assert all(client.get(url).status_code == 404 for url in urls)  # anonymous
    client.force_login(other_user)
    assert all(client.get(url).status_code == 404 for url in urls)
    # Made shared, anyone may see it, and caches may keep it; in the trash, nobody can.
    Dream.objects.filter(pk=dream.pk).update(visibility=Dream.Visibility.SHARED)
    response = client.get(urls[0])
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    entries.trash(dream)
    client.force_login(user)
    assert all(client.get(url).status_code == 404 for url in urls)


def test_a_waiting_picture_is_seen_by_its_owner_only(client, user, other_user, image_bytes):
    key = uuid.uuid4()
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), draft_key=key)
    client.force_login(other_user)
    assert client.get(picture.url("card")).status_code == 404
    client.force_login(user)
    assert client.get(picture.url("card")).status_code == 200


def test_keys_are_random_and_files_are_named_by_them(user, make_dream, image_bytes, picture_dir):
    dream = make_dream(user)
    one = pictures.add(owner=user, name="a.jpg", raw=image_bytes("JPEG"), dream=dream)
    two = pictures.add(
        owner=user, name="b.jpg", raw=image_bytes("JPEG", colour=(1, 2, 3)), dream=dream
    )
    assert len(one.key) >= 32 and one.key != two.key
    assert stored_files(picture_dir) == sorted([*one.files.values(), *two.files.values()])
    assert all(one.key in name for name in one.files.values())


def test_a_refused_form_keeps_its_pictures_for_the_next_try(writer, user, image_bytes):
    data = entry(body="", picture=upload(image_bytes("JPEG")), picture_alt="A glass tree")
    response = writer.post(reverse("dreams:new"), data)
    assert response.status_code == 422
    (waiting,) = Picture.objects.filter(owner=user)
    assert waiting.dream is None and str(waiting.draft_key) == data["draft_key"]
    html = response.content.decode()
    assert f'name="picture-{waiting.key}-alt"' in html and "A glass tree" in html
    # Saved on the second try, without sending the file again.
    data = entry(draft_key=data["draft_key"], **{f"picture-{waiting.key}-alt": "Glass trees"})
    data["cover"] = waiting.key
    assert writer.post(reverse("dreams:new"), data).status_code == 302
    waiting.refresh_from_db()
    dream = Dream.objects.get(owner=user)
    assert waiting.dream == dream and waiting.alt == "Glass trees" and waiting.is_cover
    assert dream.card["cover"] == waiting.key


def test_a_bad_file_is_refused_and_leaves_nothing(writer, user, picture_dir):
    fake = SimpleUploadedFile("cat.png", b"<svg><script>alert(1)</script></svg>", "image/png")
    response = writer.post(reverse("dreams:new"), entry(picture=fake))
    assert response.status_code == 422
    assert "“cat.png” is not a picture" in response.content.decode()
    assert not Dream.objects.exists() and not Picture.objects.exists()
    assert stored_files(picture_dir) == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(writer, settings, image_bytes):
    settings.PICTURE_MAX_MB = 0
    response = writer.post(reverse("dreams:new"), entry(picture=upload(image_bytes("JPEG"))))
    assert response.status_code == 422
    assert "a picture may be at most 0 MB" in response.content.decode()
    assert not Picture.objects.exists()


def test_a_dream_holds_a_limited_number_of_pictures(
    writer, user, settings, make_dream, image_bytes
):
    settings.PICTURES_PER_DREAM = 2
    dream = make_dream(user)
    for colour in [(1, 1, 1), (2, 2, 2)]:
        pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG", colour=colour), dream=dream)
    data = entry(version=str(dream.version), picture=upload(image_bytes("JPEG", colour=(9, 9, 9))))
    response = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert response.status_code == 422
    assert "at most 2 pictures" in response.content.decode()
    assert dream.pictures.count() == 2 and Picture.objects.count() == 2


def test_the_same_picture_twice_is_one_picture(user, make_dream, image_bytes):
    dream = make_dream(user)
    raw = image_bytes("JPEG")
    first = pictures.add(owner=user, name="p.jpg", raw=raw, dream=dream)
    assert pictures.add(owner=user, name="again.jpg", raw=raw, dream=dream) == first
    assert dream.pictures.count() == 1


def test_removing_a_picture_deletes_its_files(
    writer, user, make_dream, image_bytes, picture_dir, django_capture_on_commit_callbacks
):
    dream = make_dream(user)
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), dream=dream)
    pictures.set_cover(dream, key=picture.key)
    data = entry(version=str(dream.version), cover=picture.key)
    data[f"picture-{picture.key}-remove"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert response.status_code == 302
    dream.refresh_from_db()
    assert not dream.pictures.exists() and "pictures" not in dream.card
    assert stored_files(picture_dir) == []


def test_the_cover_is_shown_on_the_card_and_the_art_stays_the_default(
    client, user, make_dream, image_bytes
):
    dream = make_dream(user, visibility=Dream.Visibility.SHARED, title="Orchard")
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), dream=dream)
    gallery = client.get(reverse("dreams:gallery")).content.decode()
    assert reverse("dreams:cover", args=[dream.pk]) in gallery  # a picture is not a cover yet
    pictures.settle(dream, draft_key=None, choices=pictures.Choices(cover=picture.key))
    gallery = client.get(reverse("dreams:gallery")).content.decode()
    assert picture.url("card") in gallery
    assert reverse("dreams:cover", args=[dream.pk]) not in gallery
    page = client.get(dream.get_absolute_url()).content.decode()
    assert picture.url("page") in page
    pictures.settle(dream, draft_key=None, choices=pictures.Choices(cover=""))
    assert reverse("dreams:cover", args=[dream.pk]) in client.get("/").content.decode()


def test_an_edit_keeps_the_card_pictures(user, make_dream, image_bytes):
    dream = make_dream(user)
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), dream=dream)
    dream.refresh_from_db()
    saved = entries.save_edit(
        dream, changes={"body": "A new telling."}, tags=["x"], base_version=dream.version
    )
    saved.refresh_from_db()
    assert saved.card["pictures"][0][0] == picture.key and saved.card["tags"] == ["x"]


def test_the_script_adds_a_picture_and_gets_its_item(writer, user, image_bytes):
    key = uuid.uuid4()
    response = writer.post(
        reverse("dreams:picture_add"),
        {"draft_key": str(key), "picture": upload(image_bytes("PNG"), "sketch.png"),
         "picture_alt": "A drawn moon"},
    )  # fmt: skip
    assert response.status_code == 201
    (picture,) = Picture.objects.filter(owner=user)
    assert picture.kind == Picture.Kind.DRAWING and picture.alt == "A drawn moon"
    assert f'name="picture-{picture.key}-alt"' in response.content.decode()
    bad = writer.post(
        reverse("dreams:picture_add"),
        {"draft_key": str(key), "picture": upload(b"GIF89a-not-really", "x.gif")},
    )
    assert bad.status_code == 422 and "is not a picture" in bad.content.decode()


def test_the_script_cannot_attach_to_someone_elses_dream(
    client, other_user, user, make_dream, image_bytes
):
    dream = make_dream(user)
    client.force_login(other_user)
    response = client.post(
        reverse("dreams:picture_add"),
        {"draft_key": str(uuid.uuid4()), "dream": dream.pk, "picture": upload(image_bytes())},
    )
    assert response.status_code == 404 and not Picture.objects.exists()


def test_purging_the_trash_deletes_pictures_and_their_files(
    user, make_dream, image_bytes, picture_dir, django_capture_on_commit_callbacks
):
    dream = make_dream(user)
    pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), dream=dream)
    kept = make_dream(user)
    pictures.add(owner=user, name="q.jpg", raw=image_bytes("JPEG", colour=(5, 5, 5)), dream=kept)
    entries.trash(dream)
    later = timezone.now() + timedelta(days=entries.TRASH_DAYS + 1)
    Dream.objects.filter(pk=kept.pk).update(deleted_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        entries.purge_trash(now=later)
    assert list(Picture.objects.values_list("dream", flat=True)) == [kept.pk]
    assert stored_files(picture_dir) == sorted(Picture.objects.get().files.values())


def test_pictures_of_forms_never_saved_go_after_a_day(
    user, image_bytes, picture_dir, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    pictures.add(owner=user, name="p.jpg", raw=image_bytes("JPEG"), draft_key=key)
    entries.purge_trash(now=timezone.now())
    assert Picture.objects.count() == 1  # its form may still be open
    with django_capture_on_commit_callbacks(execute=True):
        entries.purge_trash(now=timezone.now() + timedelta(days=2))
    assert not Picture.objects.exists() and stored_files(picture_dir) == []


def test_the_gallery_costs_no_more_queries_with_pictures(
    client, user, make_dream, image_bytes, django_assert_max_num_queries
):
    for n in range(3):
        dream = make_dream(user, visibility=Dream.Visibility.SHARED, title=f"D{n}")
        picture = pictures.add(
            owner=user, name="p.jpg", raw=image_bytes("JPEG", colour=(n, n, n)), dream=dream
        )
        pictures.set_cover(dream, key=picture.key)
        pictures.refresh_card(dream)
    client.get("/")
    with django_assert_max_num_queries(4):
        html = client.get("/").content.decode()
    assert html.count("dream-card__cover--picture") == 3


def test_the_web_server_can_send_the_bytes(writer, user, settings, make_dream, image_bytes):
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    settings.PICTURE_SERVING = "x-accel-redirect"
    response = writer.get(picture.url("page"))
    assert response["X-Accel-Redirect"] == "/_pictures/" + picture.files["page"]
    assert response.content == b"" and response["Cache-Control"].startswith("private")
    settings.PICTURE_SERVING = "x-sendfile"
    response = writer.get(picture.url("full"))
    assert response["X-Sendfile"] == pictures.storage().path(picture.files["full"])
    assert response.content == b""


def test_pictures_go_to_a_bucket_when_one_is_named(monkeypatch):
    from journal.settings import picture_storage

    monkeypatch.delenv("SOMNIA_S3_BUCKET", raising=False)
    local = picture_storage()
    assert local["BACKEND"].endswith("FileSystemStorage")
    assert local["OPTIONS"]["base_url"] is None  # no public URL
    monkeypatch.setenv("SOMNIA_S3_BUCKET", "dreams")
    monkeypatch.setenv("SOMNIA_S3_ENDPOINT_URL", "https://objects.internal:9000")
    bucket = picture_storage()
    assert bucket["BACKEND"] == "storages.backends.s3.S3Storage"
    options = bucket["OPTIONS"]
    assert options["bucket_name"] == "dreams" and options["default_acl"] == "private"
    assert options["endpoint_url"] == "https://objects.internal:9000"
    assert options["querystring_auth"] is True and options["file_overwrite"] is False


def test_deleting_an_account_deletes_its_pictures_files(
    user, other_user, make_dream, image_bytes, picture_dir, django_capture_on_commit_callbacks
):
    pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    pictures.add(
        owner=user, name="w.jpg", raw=image_bytes(colour=(3, 3, 3)), draft_key=uuid.uuid4()
    )
    theirs = pictures.add(
        owner=other_user, name="o.jpg", raw=image_bytes(), dream=make_dream(other_user)
    )
    with django_capture_on_commit_callbacks(execute=True):
        entries.delete_account(user)
    assert list(Picture.objects.all()) == [theirs]
    assert stored_files(picture_dir) == sorted(theirs.files.values())


def test_orphan_files_are_found_and_removed(user, make_dream, image_bytes, picture_dir):
    from django.core.management import call_command

    kept = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=make_dream(user))
    stray = picture_dir / "zz" / "zzleftbehind" / "full.webp"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"RIFF....WEBP")
    fresh = picture_dir / "yy" / "justuploading" / "card.webp"
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(b"RIFF....WEBP")
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    import os

    os.utime(stray, (old, old))
    (picture_dir / kept.files["page"]).unlink()  # lost, say, in a bad restore
    out, err = io.StringIO(), io.StringIO()
    call_command("remove_orphan_pictures", "--dry-run", stdout=out, stderr=err)
    assert "orphan: zz/zzleftbehind/full.webp" in out.getvalue()
    assert "justuploading" not in out.getvalue()  # an upload may still be on its way
    assert f"missing: the page file of picture {kept.key}" in err.getvalue()
    assert stray.exists()
    call_command("remove_orphan_pictures", stdout=io.StringIO(), stderr=io.StringIO())
    assert not stray.exists() and fresh.exists()
    assert (picture_dir / kept.files["full"]).exists()


@pytest.mark.parametrize("keep", ["mine", "saved"])
def test_pictures_added_in_a_conflicting_edit_join_the_dream_once_merged(
    writer, user, make_dream, image_bytes, keep
):
    dream = make_dream(user, body="Saved words.")
    entries.save_edit(dream, changes={"body": "Newer saved words."}, tags=[], base_version=1)
    data = entry(body="My stale words.", version="1", picture=upload(image_bytes()))
    asked = writer.post(reverse("dreams:edit", args=[dream.pk]), data)
    assert asked.status_code == 302  # to the merge page
    page = writer.get(asked["Location"])
    (waiting,) = Picture.objects.filter(owner=user)
    assert waiting.dream is None  # not on the dream while the words are in question
    (name,) = [p["name"] for p in page.context["passages"] if p["kind"] == "conflict"]
    writer.post(
        reverse("dreams:merge", args=[dream.pk]),
        {"draft_key": data["draft_key"], "saved_version": "2", name: keep},
    )
    waiting.refresh_from_db()
    assert waiting.dream_id == dream.pk and waiting.draft_key is None
    dream.refresh_from_db()
    assert dream.card["pictures"][0][0] == waiting.key
    assert dream.body == ("My stale words." if keep == "mine" else "Newer saved words.")
    assert dream.versions.get(source="side").body == "My stale words."
