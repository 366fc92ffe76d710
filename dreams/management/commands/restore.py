import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dreams import picture_files, sqlite_files

REQUIRED_TABLES = {"django_migrations", "dreams_dream", "auth_user"}


class Command(BaseCommand):
    help = "Replace the SQLite database with a backup made by `backup`, after checking it."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--without-media",
            action="store_true",
            help="restore the database even though its pictures' archive is missing",
        )

    def handle(self, *args, path, yes, without_media=False, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("restore replaces SQLite; for PostgreSQL use pg_restore.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            check = backup.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{path}: not a SQLite database ({error})") from None
        if check != "ok":
            backup.close()
            raise CommandError(f"{path}: failed its integrity check ({check}); nothing changed.")
        if not tables >= REQUIRED_TABLES:
            backup.close()
            raise CommandError(f"{path}: not a Somnia backup; nothing changed.")
        files = self._check_media(path, without_media=without_media, backup=backup)
        count = backup.execute("SELECT count(*) FROM dreams_dream").fetchone()[0]
        if (
            not yes
            and input(f"Replace the database with {count} dreams from {path}? [y/N] ") != "y"
        ):
            backup.close()
            raise CommandError("Nothing changed.")
        connections.close_all()
        target = sqlite3.connect(database["NAME"], timeout=30)
        try:
            backup.backup(target)
        finally:
            target.close()
            backup.close()
        sqlite_files.make_private(Path(database["NAME"]))
        self.stdout.write(self.style.SUCCESS(f"Restored {count} dreams from {path}."))
        if files:
            archive = picture_files.media_path(path)
            written = picture_files.restore_archive(archive, files=files)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Pictures: {len(files)} files from {archive} ({written} written, the rest "
                    "already there). Files of pictures not in the backup are left for "
                    "`remove_orphan_pictures`."
                )
            )

    def _check_media(self, path: Path, *, without_media: bool, backup) -> list:
        """The picture files the backup names, its archive checked before anything changes."""
        files = picture_files.files_in_sqlite(path)
        archive = picture_files.media_path(path)
        if not files or (without_media and not archive.exists()):
            return []
        if not archive.exists():
            backup.close()
            raise CommandError(
                f"{archive} is missing: the backup's {len(files)} picture files would be lost; "
                "nothing changed (`--without-media` restores the database alone)."
            )
        try:
            picture_files.check_archive(archive, files=files)
        except picture_files.MediaProblem as problem:
            backup.close()
            raise CommandError(f"{problem} Nothing changed.") from None
        return files
