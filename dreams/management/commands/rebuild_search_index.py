from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dreams import search
from dreams.models import Dream


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the dreams, then check it against them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only check the index, change nothing"
        )

    def handle(self, *args, check, **options):
        if not check:
            total = Dream.objects.count()

            def progress(done: int) -> None:  # called once per batch of dreams
                self.stdout.write(f"  indexed {done:,}/{total:,} ({done * 100 // total}%)")

            with transaction.atomic():
                count = search.rebuild_index(progress=progress)
            self.stdout.write(f"Indexed {count:,} dreams.")
        problems = search.check_index()
        if problems:
            raise CommandError("The index disagrees with the dreams:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS("The index matches the dreams exactly; FTS ok."))
