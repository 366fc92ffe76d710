from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dreams import exporting


class Command(BaseCommand):
    help = "Export everything a user owns as Somnia JSON or a zip of Markdown files (streamed)."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="username")
        parser.add_argument("--format", choices=["json", "markdown"], default="json")
        parser.add_argument("-o", "--output", required=True, type=Path, help="file to write")
        parser.add_argument(
            "--versions",
            choices=["all", "newest"],
            default="all",
            help="JSON: every version of each dream (its history), or the newest alone",
        )

    def handle(self, *args, owner, format, output, versions, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no user “{owner}”.")
        if format == "json":
            pieces = exporting.export_json(user, history=versions == "all")
        else:
            pieces = exporting.markdown_zip(user)
        try:
            with output.open("wb") as target:
                exporting.write_to(target, pieces)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from None
        count = user.dreams.count()
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {count} dream{'s' * (count != 1)} to {output}.")
        )
