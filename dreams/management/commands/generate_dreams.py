import time

from django.core.management.base import BaseCommand

from dreams import generating


class Command(BaseCommand):
    help = "Write realistic synthetic dreams (deterministic for a seed) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--users", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, users, seed, **options):
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / (time.perf_counter() - started)
            self.stderr.write(f"\r  {done:,}/{total:,} dreams ({rate:,.0f}/s)", ending="")

        written = generating.generate(count=count, users=users, seed=seed, progress=progress)
        elapsed = time.perf_counter() - started
        self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {written:,} dreams in {elapsed:.1f} s ({written / elapsed:,.0f}/s)."
            )
        )
