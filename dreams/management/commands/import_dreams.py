from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dreams.importing import saving
from dreams.importing.files import read_file
from dreams.importing.plan import BadImport


class Command(BaseCommand):
    help = (
        "Import dreams from Somnia JSON, a Markdown zip, or CSV/TSV with a date and a text "
        "column. Any size (read as a stream); written in batches, all or nothing; the same "
        "file twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--owner", required=True, help="username")
        parser.add_argument("--date-column", help="CSV: the date column (guessed if left out)")
        parser.add_argument("--text-column", help="CSV: the dream text column (guessed)")
        parser.add_argument("--title-column", help="CSV: a title column (optional)")
        order = parser.add_mutually_exclusive_group()
        order.add_argument(
            "--day-first", action="store_true", help="CSV: 3/4/21 is 3 April (else inferred)"
        )
        order.add_argument(
            "--month-first", action="store_true", help="CSV: 3/4/21 is 4 March (else inferred)"
        )
        parser.add_argument(
            "--keep-shared",
            action="store_true",
            help="dreams the file has shared stay shared (else they come in private)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and preview only")

    def handle(self, *args, path, owner, dry_run, keep_shared, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no user “{owner}”.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        order = "day" if options["day_first"] else "month" if options["month_first"] else ""
        choices = {
            "date_column": options["date_column"] or "",
            "text_column": options["text_column"] or "",
            "title_column": options["title_column"] or "",
            "day_order": order,
        }
        try:
            plan = read_file(name=str(path), opener=lambda: path.open("rb"), options=choices)
            seen = saving.survey(owner=user, plan=plan)
        except (BadImport, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self._preview(path, plan, seen))
        if seen.shared:
            kept = "kept shared" if keep_shared else "imported private (--keep-shared keeps them)"
            self.stdout.write(f"  {seen.shared} dreams the file has shared: {kept}")
        if dry_run:
            return
        try:
            summary = saving.apply(
                owner=user,
                plan=plan,
                progress=self._bar,
                total=seen.total + seen.skipped_count,
                ahead=True,  # dreams read in a second process while the batch before is written
                keep_shared=keep_shared,
            )
        except BadImport as error:
            raise CommandError(f"{error} (nothing of this import was kept)") from None
        self.stderr.write("")
        for note in summary.skipped[:20]:
            self.stdout.write(f"  skipped {note}")
        self.stdout.write(self.style.SUCCESS(f"Imported: {summary}"))

    def _preview(self, path: Path, plan, seen: saving.Survey) -> str:
        text = (
            f"{path.name}: {plan.kind}, {seen.total} dreams: {seen.new} new, "
            f"{seen.unchanged} already here"
        )
        if plan.columns:
            text += f"; columns {plan.columns}"
        for note in plan.notes:
            text += f"; {note}"
        for warning in seen.warnings[:10]:
            text += f"\n  {warning}"
        if seen.ambiguous_count:
            way = "day first" if seen.day_first else "month first"
            text += (
                f"\n  {seen.ambiguous_count} dates read both ways, taken {way} "
                f"(e.g. {', '.join(seen.ambiguous[:3])}); --day-first or --month-first decides"
            )
        return text

    def _bar(self, done: int, total: int | None) -> None:
        total = max(total or done, done, 1)
        width = 30
        filled = width * done // total
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
