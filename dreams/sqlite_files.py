"""SQLite's files hold every dream, session and password hash: readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

PRIVATE = 0o600
# Written beside the database while it is in use; SQLite gives them the database's mode.
COMPANIONS = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> None:
    """Create an empty file at `path`, mode 600, for SQLite to fill (a backup's target).

    Raises FileExistsError if something is already there, OSError if it cannot be written."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def make_private(path: Path) -> None:
    """Take group and other access off `path` and its -wal, -shm and -journal files (those that
    exist). A file this process does not own is left as it is."""
    for name in (str(path), *(f"{path}{suffix}" for suffix in COMPANIONS)):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except (FileNotFoundError, PermissionError):
            continue


def database_file(connection: BaseDatabaseWrapper) -> Path | None:
    """The file behind a SQLite connection, or None (another database, or one in memory)."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or name.startswith("file:"):
        return None
    return Path(name)


def private_database_after_connect(*, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created: the live database is created (and kept) mode 600; its -wal and -shm
    files, made later, take the database file's mode from SQLite."""
    path = database_file(connection)
    if path is not None:
        make_private(path)
