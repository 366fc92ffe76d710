import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from journal.settings import is_usable_secret, load_secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_a_generated_key_is_kept_so_sessions_survive_restarts(tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    path = tmp_path / ".secret_key"
    first = load_secret_key(debug=False, path=path)
    assert is_usable_secret(first)
    assert load_secret_key(debug=False, path=path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_weak_key_is_refused_when_debug_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "changeme")
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        load_secret_key(debug=False, path=tmp_path / "unused")
    assert load_secret_key(debug=True, path=tmp_path / "unused") == "changeme"


def test_an_unwritable_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="cannot be written"):
        load_secret_key(debug=False, path=tmp_path / "missing-folder" / "key")


def test_settings_refuse_to_start_with_debug_off_and_a_weak_secret():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "django-insecure-short"}
    process = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "journal.settings"},
        capture_output=True,
        text=True,
    )
    assert process.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in process.stderr


def test_https_turns_on_secure_cookies_hsts_and_redirect():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {**os.environ, "DJANGO_HTTPS": "1", "DJANGO_SETTINGS_MODULE": "journal.settings"}
    process = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert process.stdout.split() == ["True", "True", "True", "True"]


def test_a_cdn_host_serves_static_files_and_is_allowed_by_the_policy():
    code = (
        "from django.conf import settings as s; from django.templatetags.static import static;"
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(static('css/somnia.css'), d['script-src'], d['style-src'], d['connect-src'])"
    )
    env = {**os.environ, "DJANGO_STATIC_HOST": "https://cdn.example/",
           "DJANGO_SETTINGS_MODULE": "journal.settings", "DJANGO_DEBUG": "1"}  # fmt: skip
    process = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert process.stdout.startswith("https://cdn.example/static/css/somnia.")
    assert process.stdout.count("https://cdn.example") == 3  # the file, scripts, styles


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_deploy_check_is_clean_with_https_and_debug_off():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_HTTPS": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' own process only
    process = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stderr


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    scripts = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'self'" in scripts and "unsafe-inline" not in scripts and "unsafe-eval" not in scripts
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    html = response.content.decode()
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_database_that_cannot_be_written_gets_a_clear_page(client, user, monkeypatch):
    from django.db import OperationalError

    from dreams import entries

    def read_only(**kwargs):
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(entries, "create_entry", read_only)
    client.force_login(user)
    response = client.post(
        "/dreams/new/", {"body": "Words.", "dreamt_on": "2026-01-01", "visibility": "private"}
    )
    assert response.status_code == 503
    assert "cannot save right now" in response.content.decode()


def test_uploads_are_limited():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.IMPORT_UPLOAD_MAX_BYTES <= 200 * 1024 * 1024
    assert settings.IMPORT_PENDING_MAX >= 1


def test_a_read_only_database_file_gets_the_clear_page_and_stays_whole(tmp_path):
    """A real read-only database (SQLite's mode=ro; as root, file permissions would not stop
    writes): saving a dream answers 503 with the plain page, and the file is unchanged."""
    db = tmp_path / "ro.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "journal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    # Make a user while the file is writable, then try to write through the read-only file.
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n"
         "from django.contrib.auth.models import User\n"
         "User.objects.create_user('ro', password='x' * 20)"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    before = db.read_bytes()
    script = f"""
import journal.settings as settings
settings.DATABASES["default"]["NAME"] = "file:{db}?mode=ro"
settings.DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA foreign_keys=ON;"
settings.ALLOWED_HOSTS = ["testserver"]
settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
# Without collectstatic's manifest (a fresh clone has none), as the other tests run.
settings.STORAGES["staticfiles"] = {{
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
import django
django.setup()
from django.test import Client
from django.contrib.auth.models import User, update_last_login
from django.contrib.auth.signals import user_logged_in
user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
client = Client()
client.force_login(User.objects.get(username="ro"))
response = client.post("/dreams/new/", {{"body": "Words.", "dreamt_on": "2026-01-01",
                                          "visibility": "private"}})
print(response.status_code, "cannot save right now" in response.content.decode())
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split()[-2:] == ["503", "True"], result.stderr[-2000:]
    assert db.read_bytes() == before
