import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Copy the SQLite database to PATH with SQLite's online backup (safe while serving)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("backup copies SQLite; for PostgreSQL use pg_dump.")
        if path.exists():
            raise CommandError(f"{path} exists; choose a new file name.")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder")
        source = sqlite3.connect(database["NAME"], timeout=30)
        try:
            target = sqlite3.connect(path)
        except sqlite3.Error as error:
            source.close()
            raise CommandError(f"{path}: {error}") from None
        try:
            # Copies a consistent snapshot page by page while others keep reading and writing.
            source.backup(target, pages=4096, progress=self._progress)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as error:
            path.unlink(missing_ok=True)
            raise CommandError(f"Backup failed: {error}") from None
        finally:
            target.close()
            source.close()
        if check != "ok":
            raise CommandError(f"The copy failed its integrity check: {check}")
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path} ({size:,} bytes), checked ok."))

    def _progress(self, status, remaining, total):
        done = total - remaining
        self.stderr.write(f"\r  {done}/{total} pages", ending="")
