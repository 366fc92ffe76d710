"""What the worst-case benchmarks (bench/markup.py, bench/versions.py) share: Django set up
from a checkout, and the best of several timed runs."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_ready() -> None:
    """Set up Django with this checkout's settings (a throwaway secret key if none is set)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()


def best_of(run: Callable[[], object], repeat: int) -> float:
    """The shortest of `repeat` runs of run(), in seconds (the least disturbed by the rest
    of a shared machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)
