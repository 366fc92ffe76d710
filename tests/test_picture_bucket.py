"""Pictures in an S3-compatible bucket (django-storages), against moto's in-process S3: the
same code paths as the files under MEDIA_ROOT, and signed URLs for SOMNIA_PICTURE_SERVING."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("storages")
moto = pytest.importorskip("moto")

from dreams import picture_files, pictures  # noqa: E402


@pytest.fixture
def bucket(settings, monkeypatch):
    from journal.settings import picture_storage

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("SOMNIA_S3_BUCKET", "somnia-pictures")
    monkeypatch.setenv("SOMNIA_S3_REGION", "us-east-1")
    with moto.mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="somnia-pictures")
        settings.STORAGES = {**settings.STORAGES, "pictures": picture_storage()}
        yield boto3.client("s3", region_name="us-east-1")


def _keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket="somnia-pictures").get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_pictures_are_kept_privately_in_the_bucket_and_served_by_signed_urls(
    bucket, client, user, other_user, make_dream, image_bytes, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    dream = make_dream(user)
    picture = pictures.add(owner=user, name="p.jpg", raw=image_bytes(), dream=dream)
    assert _keys(bucket) == sorted(f"pictures/{name}" for name in picture.files.values())
    acl = bucket.get_object_acl(Bucket="somnia-pictures", Key=f"pictures/{picture.files['full']}")
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner's alone
    client.force_login(user)
    streamed = client.get(picture.url("card"))
    assert streamed.status_code == 200 and b"".join(streamed.streaming_content)[:4] == b"RIFF"
    settings.PICTURE_SERVING = "signed"
    signed = client.get(picture.url("full"))
    assert signed.status_code == 302 and signed["Cache-Control"] == "private, no-store"
    query = parse_qs(urlparse(signed["Location"]).query)
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["300"]
    client.force_login(other_user)
    assert client.get(picture.url("full")).status_code == 404  # no signature for strangers
    files = picture_files.files_named([(picture.key, picture.files, picture.sha256)])
    assert picture_files.copy_between(files=files, source=pictures.storage()) == (0, 3)
    assert pictures.find_orphans().files == []
    with django_capture_on_commit_callbacks(execute=True):
        pictures.forget(dream.pictures.all())
    assert _keys(bucket) == []
