import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

REQUIRED_TABLES = {"django_migrations", "dreams_dream", "auth_user"}


class Command(BaseCommand):
    help = "Replace the SQLite database with a backup made by `backup`, after checking it."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, yes, **options):
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
        self.stdout.write(self.style.SUCCESS(f"Restored {count} dreams from {path}."))
