import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dreams import picture_files, sqlite_files


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to PATH with SQLite's online backup (safe while serving), "
        "and the pictures it names to PATH.media.tar, each checked."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--no-media", action="store_true", help="the database only, without the pictures"
        )

    def handle(self, *args, path, no_media=False, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("backup copies SQLite; for PostgreSQL use pg_dump.")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder")
        try:
            # Sessions and password hashes are inside: the copy is its owner's alone (600).
            sqlite_files.create_private(path)
        except FileExistsError:
            raise CommandError(f"{path} exists; choose a new file name.") from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        source = sqlite3.connect(database["NAME"], timeout=30)
        try:
            target = sqlite3.connect(path)
        except sqlite3.Error as error:
            source.close()
            path.unlink(missing_ok=True)
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
        if not no_media:
            self._media(path)

    def _media(self, path: Path) -> None:
        """The pictures the copy names, from the storage into PATH.media.tar, checked."""
        archive = picture_files.media_path(path)
        files = picture_files.files_in_sqlite(path)
        try:
            count = picture_files.write_archive(archive, files=files)
        except FileExistsError:
            raise CommandError(f"{archive} exists; choose a new file name.") from None
        except picture_files.MediaProblem as problem:
            raise CommandError(
                f"The database is backed up, but not its pictures: {problem} "
                "(`manage.py remove_orphan_pictures --dry-run` lists missing files; "
                "`--no-media` backs up the database alone)."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Pictures: {count} files in {archive}, checksums checked.")
        )

    def _progress(self, status, remaining, total):
        done = total - remaining
        self.stderr.write(f"\r  {done}/{total} pages", ending="")
