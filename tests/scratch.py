"""Scratch databases for tests that run Somnia in other processes (the load test, the move
from SQLite to PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from pathlib import Path

POSTGRES_URL = os.environ.get("SOMNIA_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def scratch_database(url: str, work: Path, name: str = "load"):
    """An empty database of the same kind as `url`: a new SQLite file in `work`, or, for a
    PostgreSQL URL, a new database on that server, dropped afterwards."""
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work / name}.sqlite3"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"somnia_{name}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
