"""Reading an import's new dreams (readings.read(): motifs, titles, cover colours, index
text), one batch ahead of the writing.

That reading is half of an import's CPU and needs no database. From the command line it runs
in a worker process (forked, so it starts with this process's lexicon in memory) while this
process writes the batch before. In the web process, or where a process cannot be forked,
the same work is done in place when the batch is written."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor

from dreams import readings

_LEXICON, _SHARES = None, None  # the worker's: given when it is forked


def _start_worker(lexicon, shares) -> None:
    global _LEXICON, _SHARES
    _LEXICON, _SHARES = lexicon, shares


def _read_all(texts: list[tuple[str, bool]]) -> list[readings.Reading]:
    return [
        readings.read(text, lexicon=_LEXICON, shares=_SHARES, title=title) for text, title in texts
    ]


class Reader:
    """readings.read() for lists of texts, their motifs ranked on `shares`, in a worker
    process when `ahead` (and fork is available), else in place.

    find(texts), texts being (text, whether to derive a title) pairs, returns a handle at once;
    result(handle) gives the Reading of each text, in order. close() ends the worker. A worker
    that dies raises concurrent.futures.process.BrokenProcessPool from result()."""

    def __init__(self, lexicon, shares, *, ahead: bool, workers: int = 1):
        self.lexicon, self.shares = lexicon, shares
        self.pool = None
        self.workers = workers
        self.lead = 0  # how many batches are read ahead of the one being written
        if ahead and "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(lexicon, shares),
            )
            self.lead = 1

    def find(self, texts: list[tuple[str, bool]]) -> list[Future] | list[tuple[str, bool]]:
        if self.pool is None or not texts:
            return texts
        share = -(-len(texts) // self.workers)
        return [
            self.pool.submit(_read_all, texts[start : start + share])
            for start in range(0, len(texts), share)
        ]

    def result(self, handle: list) -> list[readings.Reading]:
        if handle and isinstance(handle[0], Future):
            return [reading for part in handle for reading in part.result()]
        return [
            readings.read(text, lexicon=self.lexicon, shares=self.shares, title=title)
            for text, title in handle
        ]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
