from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def sqlite_triggers_after_migrate(*, using: str = "default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table: put back the
    search index (and its triggers) and the journal clock's triggers on dreams_dream."""
    from django.db.migrations.recorder import MigrationRecorder

    from dreams.models import CLOCK_SQL
    from dreams.search_backends import SQLiteIndex

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    statements = []
    # The index's SQL is its newest migration's: not on a database migrated back before it.
    if ("dreams", SQLiteIndex.MIGRATION) in MigrationRecorder(connection).applied_migrations():
        statements += SQLiteIndex.CREATE_SQL
    if {"dreams_dream", "dreams_journalclock"} <= tables:
        statements += CLOCK_SQL
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class DreamsConfig(AppConfig):
    name = "dreams"
    verbose_name = "Dreams, motifs and tags"

    def ready(self) -> None:
        from dreams import checks, sqlite_files, vocabulary  # noqa: F401 - checks registers itself

        # Like Django's own permissions: the built-in lexicon exists in every migrated database.
        post_migrate.connect(vocabulary.sync_builtin_motifs_after_migrate, sender=self)
        post_migrate.connect(sqlite_triggers_after_migrate, sender=self)
        connection_created.connect(sqlite_files.private_database_after_connect)
