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


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
