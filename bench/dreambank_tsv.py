"""The DreamBank TSV of issue 17, put together from a snapshot of the public DreamBank
repository (krank-sources/dreambank, commit 1fb933f): every datasets/*.tsv in one table with
the columns n, date and dream (an empty date where a dataset has none). Nothing of it enters
Somnia's repository; the file is written where you say.

    .venv/bin/python bench/dreambank_tsv.py SNAPSHOT_GIT_DIR /tmp/dreambank.tsv
    BENCH_IMPORT_TSV=/tmp/dreambank.tsv make bench       # or import_dreams it by hand

Prints how many rows it wrote and how many are distinct (date and text): 39,059 and 28,870 on
the stored snapshot, whose datasets/vonuslar.tsv is missing (skipped, and named).
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys

COMMIT = "1fb933f"


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def write(git_dir: str, out: str) -> tuple[int, int]:
    """(rows written, distinct rows)."""
    csv.field_size_limit(sys.maxsize)
    names = git(git_dir, "ls-tree", "--name-only", COMMIT, "datasets/").decode().split()
    rows, distinct = 0, set()
    with open(out, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, delimiter="\t", lineterminator="\n")
        writer.writerow(["n", "date", "dream"])
        for name in (n for n in names if n.endswith(".tsv")):
            try:
                raw = git(git_dir, "show", f"{COMMIT}:{name}")
            except subprocess.CalledProcessError:
                print(f"skipped {name}: not in this snapshot", file=sys.stderr)
                continue
            for row in csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter="\t"):
                writer.writerow([row["n"], row.get("date", ""), row["dream"]])
                rows += 1
                distinct.add((row.get("date", ""), row["dream"]))
    return rows, len(distinct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", help="git directory of krank-sources/dreambank")
    parser.add_argument("out", help="the TSV to write")
    args = parser.parse_args()
    rows, distinct = write(args.git_dir, args.out)
    print(f"{args.out}: {rows:,} rows, {distinct:,} distinct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
