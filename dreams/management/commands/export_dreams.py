from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dreams import portability


class Command(BaseCommand):
    help = "Export everything a user owns as Somnia JSON or a zip of Markdown files."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="username")
        parser.add_argument("--format", choices=["json", "markdown"], default="json")
        parser.add_argument("-o", "--output", required=True, type=Path, help="file to write")

    def handle(self, *args, owner, format, output, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no user “{owner}”.")
        if format == "json":
            data = portability.export_json(user)
        else:
            data = portability.export_markdown_zip(user)
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from None
        count = user.dreams.count()
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {count} dream{'s' * (count != 1)} to {output}.")
        )
