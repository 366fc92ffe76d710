from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DreamsConfig(AppConfig):
    name = "dreams"
    verbose_name = "Dreams, motifs and tags"

    def ready(self) -> None:
        from dreams import motifs, search
        from dreams.models import ensure_clock_after_migrate

        # Like Django's own permissions: the built-in lexicon exists in every migrated database.
        post_migrate.connect(motifs.sync_builtin_motifs_after_migrate, sender=self)
        # SQLite drops a table's triggers when a migration rebuilds the table; put them back.
        post_migrate.connect(search.ensure_schema_after_migrate, sender=self)
        post_migrate.connect(ensure_clock_after_migrate, sender=self)
