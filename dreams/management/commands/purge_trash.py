from django.core.management.base import BaseCommand

from dreams import entries
from dreams.importing import uploads


class Command(BaseCommand):
    help = (
        f"Delete for good the dreams that have been in the trash over {entries.TRASH_DAYS} days,"
        " drafts nobody touched for as long as drafts are kept, imports killed mid-way (taken"
        " back) and uploads never confirmed."
    )

    def handle(self, *args, **options):
        stale = uploads.recover_stale()
        removed = entries.purge_trash()
        self.stdout.write(f"Removed {removed} row{'s' * (removed != 1)} past the trash's keeping.")
        drafts = entries.purge_drafts()
        self.stdout.write(f"Removed {drafts} expired draft{'s' * (drafts != 1)}.")
        if stale:
            self.stdout.write(f"Took back {stale} import{'s' * (stale != 1)} killed mid-way.")
