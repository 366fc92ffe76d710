"""Copy a whole Somnia database into the one this process is configured for (DATABASE_URL):
how a SQLite journal moves to PostgreSQL. Accounts, sessions, dreams, motifs, tags, drafts and
trash are copied row by row with their ids; the search index is then rebuilt and checked; the
pictures' files are copied into this process's pictures storage where it lacks them.

    DATABASE_URL=postgres://somnia@db/somnia python manage.py migrate
    DATABASE_URL=postgres://somnia@db/somnia python manage.py copy_database sqlite:///somnia.sqlite3
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max

from dreams import picture_files, search
from dreams.models import Dream, JournalClock, Picture

SOURCE = "copy_source"
BATCH = 2000


def _models():
    """Every table Django manages, join tables included; not the journal clock, which is this
    database's own (its triggers tick it as the dreams arrive)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model is not JournalClock
    ]


class Command(BaseCommand):
    help = "Copy every row of another Somnia database (a SQLite file, say) into this one."

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="the database to copy from, e.g. sqlite:///somnia.sqlite3"
        )
        parser.add_argument(
            "--media-from",
            type=Path,
            default=None,
            help="the folder of the source's picture files (default: SOMNIA_MEDIA_ROOT/pictures)",
        )

    def handle(self, *args, source: str, media_from: Path | None = None, **options):
        self.media_from = media_from or Path(settings.MEDIA_ROOT) / "pictures"
        try:
            parsed = dj_database_url.parse(source)
        except ValueError as error:
            raise CommandError(f"{source}: {error}") from None
        if parsed["ENGINE"].endswith("sqlite3") and not Path(parsed["NAME"]).is_file():
            raise CommandError(f"{parsed['NAME']}: no such SQLite file")
        configured = connections.configure_settings(
            {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], SOURCE: parsed}
        )
        connections.settings[SOURCE] = configured[SOURCE]
        target = connections[DEFAULT_DB_ALIAS]
        try:
            self._check(connections[SOURCE], target)
            models = _models()
            copied = self._copy(models, connections[SOURCE], target)
        except DatabaseError as error:
            raise CommandError(f"Nothing was copied: {error}") from None
        finally:
            connections[SOURCE].close()
        # Fresh statistics: without them PostgreSQL plans the copied tables as if empty. VACUUM
        # also moves the search index's pending entries (GIN fastupdate) into the index proper.
        with target.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if target.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {copied.get(Dream._meta.db_table, 0):,} dreams, every "
                               "table's count and the search index checked.")
        )  # fmt: skip

    def _check(self, source, target) -> None:
        if (
            source.vendor == target.vendor
            and source.settings_dict["NAME"] == (target.settings_dict["NAME"])
        ):
            raise CommandError("The source is this database; nothing to copy.")
        try:
            source.ensure_connection()
        except DatabaseError as error:
            raise CommandError(f"Cannot open the source database: {error}") from None
        theirs = MigrationRecorder(source).applied_migrations().keys()
        ours = MigrationRecorder(target).applied_migrations().keys()
        if not theirs:
            raise CommandError("The source has no Somnia tables; is it the right file?")
        if theirs != ours:
            behind = "source" if ours - theirs else "target"
            raise CommandError(
                f"The two databases are at different migrations; run `manage.py migrate` "
                f"on the {behind} first (with DATABASE_URL pointing at it)."
            )
        if Dream.objects.exists() or get_user_model().objects.exists():
            raise CommandError(
                "This database already has accounts or dreams; copy into an empty, migrated one."
            )

    def _copy(self, models, source, target) -> dict[str, int]:
        """Every table, then the search index, in one transaction of the target, read from
        one snapshot of the source: all of it or, on any error, nothing."""
        copied = {}
        quote = target.ops.quote_name
        with transaction.atomic(using=SOURCE), transaction.atomic(using=DEFAULT_DB_ALIAS):
            # Rows made by migrate itself (content types, permissions, the built-in motifs)
            # give way to the source's, which keep their ids. Foreign keys are checked at
            # commit, so tables may be emptied and filled in any order.
            with target.cursor() as cursor:
                for model in reversed(models):
                    cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
            for model in models:
                copied[model._meta.db_table] = self._copy_table(model, target)
            self._continue_ids(models, source, target)
            self.stdout.write(
                f"Copied {sum(copied.values()):,} rows from {len(copied)} tables. "
                "Rebuilding the search index…"
            )
            search.rebuild_index(progress=self._progress("search index"))
            self.stderr.write("")
            problems = search.check_index()
            if problems:
                raise CommandError(
                    "Nothing was copied: the search index did not match: " + "; ".join(problems[:5])
                )
            self._carry_pictures()
        return copied

    def _carry_pictures(self) -> None:
        """The copied pictures' files, into this storage where it lacks them (an S3 bucket,
        say), checked; a file found nowhere undoes the whole copy."""
        files = picture_files.files_named(Picture.objects.values_list("key", "files", "sha256"))
        if not files:
            return
        try:
            copied, present = picture_files.copy_between(
                files=files, source=FileSystemStorage(location=self.media_from)
            )
        except picture_files.MediaProblem as problem:
            raise CommandError(
                f"Nothing was copied: {problem} (looked in {self.media_from}; --media-from names "
                "the source's picture folder; files already copied are left for "
                "`remove_orphan_pictures`)."
            ) from None
        self.stdout.write(f"Pictures: {copied} files copied, {present} already in place.")

    def _continue_ids(self, models, source, target) -> None:
        """New rows take ids after the copied ones, and after any the source ever gave out
        (SQLite remembers ids of deleted rows), so an old link never finds a new dream."""
        with target.cursor() as cursor:
            for statement in target.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        if source.vendor != "sqlite" or target.vendor != "postgresql":
            return
        with source.cursor() as cursor:
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            given = dict(cursor.fetchall())
        for model in models:
            table, pk = model._meta.db_table, model._meta.pk
            highest = model._base_manager.aggregate(n=Max(pk.attname))["n"] or 0
            if given.get(table, 0) > highest:
                with target.cursor() as cursor:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                        [table, pk.column, given[table]],
                    )

    def _copy_table(self, model, target) -> int:
        fields = model._meta.concrete_fields
        quote = target.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        rows = (
            model._base_manager.using(SOURCE)
            .order_by("pk")
            .values_list(*[f.attname for f in fields])
            .iterator(chunk_size=BATCH)
        )
        progress = self._progress(model._meta.db_table)
        done, batch = 0, []
        with target.cursor() as cursor:
            for row in rows:
                # Each value as this database stores it (booleans, JSON, times, bytes).
                batch.append(
                    [f.get_db_prep_save(v, target) for f, v in zip(fields, row, strict=True)]
                )
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    done, batch = done + len(batch), []
                    progress(done)
            if batch:
                cursor.executemany(sql, batch)
                done += len(batch)
        expected = model._base_manager.using(SOURCE).count()
        if done != expected or model._base_manager.count() != expected:
            raise CommandError(f"{model._meta.db_table}: copied {done} of {expected} rows")
        progress(done)
        self.stderr.write("")
        return done

    def _progress(self, label: str):
        def show(done: int) -> None:
            self.stderr.write(f"\r  {label}: {done:,}", ending="")

        return show
