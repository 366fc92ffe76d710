"""Worst-case text work per request: Markdown rendering, the preview and derived titles on
pathological inputs (cmark's pathological suite, the cases of the hardening review, and the
like) at the form's maximum length, and how each grows from a quarter of that length.

    .venv/bin/python bench/markup.py            # part of `make bench`
    BENCH_MARKUP_LENGTH=20000 .venv/bin/python bench/markup.py

Growth is t(n) / t(n/4): about 4 is linear, about 16 quadratic. Times are seconds on this
machine, each the best of BENCH_MARKUP_REPEAT runs (5 by default).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

import timing

timing.django_ready()

from dreams import markup, titles  # noqa: E402

LENGTH = int(os.environ.get("BENCH_MARKUP_LENGTH", "100000"))
REPEAT = int(os.environ.get("BENCH_MARKUP_REPEAT", "5"))


def fill(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def nested(marker: str, step: int, length: int) -> str:
    lines, size, depth = [], 0, 0
    while size < length:
        lines.append(" " * (step * depth) + marker + " a\n")
        size += len(lines[-1])
        depth += 1
    return "".join(lines)[:length]


def gap(before: str, after: str, length: int) -> str:
    return before + " " * max(0, length - len(before) - len(after)) + after


CASES: dict[str, Callable[[int], str]] = {
    "run of [": lambda n: fill("[", n),
    "nested [[[a]]]": lambda n: "[" * (n // 2 - 1) + "a" + "]" * (n // 2),
    "[a repeated": lambda n: fill("[a", n),
    "[ (]( repeated": lambda n: fill("[ (](", n),
    "![[]() repeated": lambda n: fill("![[]()", n),
    "[a](<b repeated": lambda n: fill("[a](<b", n),
    "[ a_ repeated": lambda n: fill("[ a_", n),
    "link over spaces": lambda n: gap("[mirror]", "(https://example.org/mirror)", n),
    "link title spaces": lambda n: gap("[mirror](https://example.org '", "x", n),
    "emphasis *a_": lambda n: fill("*a_ ", n),
    "nested strong": lambda n: "*a **a " * (n // 16) + "b" + " a** a*" * (n // 16),
    "backtick runs": lambda n: "".join("e" + "`" * i for i in range(1, 500))[:n],
    "html <a ": lambda n: fill("<a ", n),
    "comments <!--": lambda n: "</" + fill("<!--", n - 2),
    "entities &#": lambda n: fill("&#", n),
    "quotes \"'": lambda n: fill("\"'", n),
    "nested quotes >": lambda n: fill("> ", n - 1) + "a",
    "nested quotes >tab": lambda n: fill(">\t", n),
    "containers - > on a line": lambda n: fill("- > ", n),
    "nested <div>": lambda n: fill("<div>", n),
    "nested <ul><li>": lambda n: fill("<ul><li>", n),
    "wide table header": lambda n: (
        fill("a|", n // 5) + "\n" + fill("-|", n // 5) + "\n" + fill("x\n", n - 2 * (n // 5) - 2)
    ),
    "nested list, 2 spaces": lambda n: nested("-", 2, n),
    "nested list, 1.": lambda n: nested("1.", 3, n),
    "list lines": lambda n: fill("- a\n", n),
    "line breaks": lambda n: fill("a  \n", n),
    "setext ===": lambda n: fill("a\n=\n", n),
    "hr ***": lambda n: fill("***\n", n),
    "table rows": lambda n: "a|b\n-|-\n" + fill("c|d\n", n - 8),
    "fences ```": lambda n: fill("```\n", n),
    "preamble repeated": lambda n: fill("I am dreaming. ", n),
    "# then spaces": lambda n: gap("#", "x", n),
    "prose": lambda n: fill("I walked through a flooded library of glass. ", n),
}
WORK: dict[str, Callable[[str], object]] = {
    "render": markup.render,
    "title": titles.derive_title,
}


def main() -> int:
    print(f"Text work on pathological inputs of {LENGTH:,} characters (best of {REPEAT}, s)")
    header = "".join(f"{name:>10} {'growth':>7}" for name in WORK)
    print(f"{'input':24}{header}")
    worst = dict.fromkeys(WORK, (0.0, ""))
    for case, make in CASES.items():
        full, quarter = make(LENGTH), make(LENGTH // 4)
        row = f"{case:24}"
        for name, work in WORK.items():
            seconds = timing.best_of(partial(work, full), REPEAT)
            growth = seconds / max(timing.best_of(partial(work, quarter), REPEAT), 1e-4)
            row += f"{seconds:10.3f} {growth:7.1f}"
            worst[name] = max(worst[name], (seconds, case))
        print(row, flush=True)
    for name, (seconds, case) in worst.items():
        print(f"slowest {name}: {seconds:.3f} s ({case})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
