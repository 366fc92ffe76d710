from django.core.management.base import BaseCommand

from dreams import entries


class Command(BaseCommand):
    help = f"Delete for good the dreams that have been in the trash over {entries.TRASH_DAYS} days."

    def handle(self, *args, **options):
        removed = entries.purge_trash()
        self.stdout.write(f"Removed {removed} row{'s' * (removed != 1)} past the trash's keeping.")
