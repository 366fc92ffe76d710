from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dreams import portability


class Command(BaseCommand):
    help = (
        "Import dreams from Somnia JSON, a Markdown zip, or CSV/TSV with a date and a text "
        "column. All or nothing; the same file twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--owner", required=True, help="username")
        parser.add_argument("--date-column", help="CSV: the date column (guessed if left out)")
        parser.add_argument("--text-column", help="CSV: the dream text column (guessed)")
        parser.add_argument("--title-column", help="CSV: a title column (optional)")
        parser.add_argument(
            "--day-first", action="store_true", help="CSV: 8/11/67 is 8 November, not 11 August"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and preview only")

    def handle(self, *args, path, owner, dry_run, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no user “{owner}”.")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        choices = {
            "date_column": options["date_column"],
            "text_column": options["text_column"],
            "title_column": options["title_column"],
            "day_first": options["day_first"],
        }
        try:
            plan = portability.read_file(str(path), raw, options=choices)
        except portability.BadImport as error:
            raise CommandError(str(error)) from None
        seen = portability.preview(user, plan)
        self.stdout.write(
            f"{path.name}: {plan.kind}, {len(plan.dreams)} dreams: {len(seen['new'])} new, "
            f"{seen['unchanged']} already here"
            + (f"; columns {plan.columns}" if plan.columns else "")
        )
        if dry_run:
            return
        summary = portability.apply(user, plan, progress=self._bar)
        self.stderr.write("")
        for note in summary.skipped[:20]:
            self.stdout.write(f"  skipped {note}")
        self.stdout.write(self.style.SUCCESS(str(summary)))

    def _bar(self, done: int, total: int) -> None:
        if done != total and done % max(total // 100, 1):
            return
        width = 30
        filled = width * done // total
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
