from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dreams import importing


class Command(BaseCommand):
    help = "Import seed dream narratives (default: seeds/). Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="files or folders of .txt files")

    def handle(self, *args, paths, **options):
        paths = paths or [Path(settings.BASE_DIR) / "seeds"]
        files = importing.seed_files(paths)
        if not files:
            raise CommandError(f"{', '.join(map(str, paths))}: no .txt dream files found")
        total = len(files)
        done = 0

        def report(result: importing.ImportResult) -> None:
            nonlocal done
            done += 1
            self.stdout.write(
                f"[{done}/{total}] {result.outcome:9} {result.path.name}  “{result.dream.title}”"
            )

        try:
            results = importing.import_seed_files(paths=files, progress=report)
        except importing.BadDreamFile as error:
            raise CommandError(str(error)) from None
        counts = {k: sum(r.outcome == k for r in results) for k in ("created", "updated")}
        unchanged = len(results) - sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['created']} created, {counts['updated']} updated, {unchanged} unchanged"
            )
        )
