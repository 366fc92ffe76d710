from django.core.management.base import BaseCommand

from dreams import pictures


class Command(BaseCommand):
    help = (
        "Find picture files that no picture names (left by a crash or an import that rolled "
        "back) and remove them; report pictures whose files are missing. --dry-run only lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, remove nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        found = pictures.find_orphans()
        for name in found.files:
            self.stdout.write(f"orphan: {name}")
        if not dry_run:
            pictures.remove_files(found.files)
        verb = "Would remove" if dry_run else "Removed"
        count = len(found.files)
        self.stdout.write(f"{verb} {count} orphan file{'s' * (count != 1)}.")
        for key, variant in found.missing:
            self.stderr.write(f"missing: the {variant} file of picture {key}")
        if found.missing:
            self.stderr.write(
                f"{len(found.missing)} file(s) missing: restore them from a backup of the media."
            )
