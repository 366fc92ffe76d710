"""Answers as a whole: caching of private pages, headers on every answer, private files."""

from __future__ import annotations

import os
import sqlite3
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from dreams import pictures, sqlite_files
from dreams.models import Dream

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(
    "url", ["/", "/?scope=mine", "/search/?q=sea", "/dreams/new/", "/insights/", "/accounts/"]
)
def test_pages_for_a_writer_are_kept_out_of_every_cache(client, user, url):
    client.force_login(user)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_a_writers_own_dream_page_and_fragments_are_not_stored(client, user, make_dream):
    dream = make_dream(user)
    client.force_login(user)
    assert client.get(dream.get_absolute_url())["Cache-Control"] == "private, no-store"
    response = client.post("/dreams/preview/", {"body": "A *sea*."}, headers={"HX-Request": "true"})
    assert response["Cache-Control"] == "private, no-store"


def test_a_visitors_public_gallery_is_left_to_the_usual_rules(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_a_shared_cover_revalidates_so_unsharing_takes_effect_at_once(client, user, make_dream):
    dream = make_dream(user, visibility=Dream.Visibility.SHARED)
    url = f"/dreams/{dream.pk}/cover.svg"
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    Dream.objects.filter(pk=dream.pk).update(visibility=Dream.Visibility.PRIVATE)
    # The browser's revalidation with the old ETag now meets a refusal, not a 304.
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_a_private_cover_lasts_no_longer_than_the_session(client, user, make_dream):
    dream = make_dream(user)
    url = f"/dreams/{dream.pk}/cover.svg"
    client.force_login(user)
    first = client.get(url)
    assert first["Cache-Control"] == "private, no-cache"
    client.logout()
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 404


def test_a_dreams_pictures_revalidate_so_privacy_takes_effect_at_once(
    client, user, make_dream, image_bytes
):
    dream = make_dream(user, visibility=Dream.Visibility.SHARED)
    picture = pictures.add(owner=user, name="p.png", raw=image_bytes("PNG"), dream=dream)
    url = picture.url("card")
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache"
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    Dream.objects.filter(pk=dream.pk).update(visibility=Dream.Visibility.PRIVATE)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 404
    client.force_login(user)
    mine = client.get(url)
    assert mine["Cache-Control"] == "private, no-cache"
    client.logout()
    assert client.get(url, headers={"If-None-Match": mine["ETag"]}).status_code == 404


@pytest.mark.parametrize("secure_redirect", [False, True])
def test_a_bad_host_gets_a_400_with_the_security_headers(settings, db, secure_redirect):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = secure_redirect
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    for header in SECURITY_HEADERS:
        assert response.has_header(header), header
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_an_ordinary_answer_has_the_same_headers(client, db):
    response = client.get("/")
    for header in SECURITY_HEADERS:
        assert response.has_header(header), header


def test_the_live_sqlite_database_and_its_wal_are_mode_600(transactional_db):
    path = sqlite_files.database_file(connection)
    if path is None:
        pytest.skip("a SQLite file")
    os.chmod(path, 0o644)  # as an older Somnia left it
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dreams_dream")
    assert _mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            assert _mode(f"{path}{suffix}") == 0o600


def test_a_new_sqlite_file_gets_companions_of_the_same_mode(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    sqlite_files.create_private(path)
    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE t (x)")
    database.execute("INSERT INTO t VALUES (1)")
    database.commit()
    assert {_mode(p) for p in tmp_path.iterdir()} == {0o600}
    database.close()
    with pytest.raises(FileExistsError):
        sqlite_files.create_private(path)


def test_backup_writes_its_copy_mode_600(transactional_db, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backup")
    live = tmp_path / "live.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(live)
    source.backup(target)
    source.close(), target.close()
    settings.DATABASES["default"]["NAME"] = str(live)
    backup = tmp_path / "backup.sqlite3"
    old_umask = os.umask(0o022)  # the usual umask: SQLite alone would make it 644
    try:
        call_command("backup", str(backup), stdout=StringIO(), stderr=StringIO())
    finally:
        os.umask(old_umask)
    assert _mode(backup) == 0o600
    assert sqlite3.connect(backup).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
