from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DreamsConfig(AppConfig):
    name = "dreams"
    verbose_name = "Dreams, motifs and tags"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from dreams import motifs, search
        from dreams.models import Dream, count_deletion

        # Like Django's own permissions: the built-in lexicon exists in every migrated database.
        post_migrate.connect(motifs.sync_builtin_motifs_after_migrate, sender=self)
        # SQLite drops a table's triggers when a migration rebuilds the table; put them back.
        post_migrate.connect(search.ensure_schema_after_migrate, sender=self)
        # Caches keyed on change_stamp() must see dreams deleted outright.
        post_delete.connect(count_deletion, sender=Dream, dispatch_uid="dreams.count_deletion")
