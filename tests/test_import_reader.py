"""Reading an import's dreams ahead in a worker process writes what reading them in place
writes, and a worker's failure takes the import back."""

import io

import pytest

from dreams import motifs, readings, search
from dreams.importing import saving
from dreams.importing.files import read_file
from dreams.importing.reader import Reader
from dreams.models import Dream, DreamMotif, PendingImport

ROWS = [
    "A feather fell past the mirror; the mirror cracked.",
    "I climbed a staircase in my grandmother's house, and the stairs went on.",
    "A red door opened on the sea. A train crossed the water.",
    "我在火车上看见一把伞。The train went into a tunnel.",
    "Ich träumte von einem Spiegel und einer Treppe.",
]


def table(rows: int) -> bytes:
    lines = [f"2024-02-{1 + n % 28:02}\t{ROWS[n % len(ROWS)]} (night {n})" for n in range(rows)]
    return ("date\ttext\n" + "\n".join(lines) + "\n").encode()


def plan(raw: bytes):
    return read_file(name="journal.tsv", opener=lambda: io.BytesIO(raw))


def written(owner) -> list:
    """What an import wrote for the owner: dreams, motif links and index rows, by file row."""
    dreams = Dream.objects.filter(owner=owner).order_by("source_id")
    links = DreamMotif.objects.filter(dream__owner=owner).order_by("dream__source_id", "motif")
    rows = search._index().rows()
    return [
        list(dreams.values_list("source_id", "title", "card")),
        list(links.values_list("dream__source_id", "motif__slug", "evidence", "count")),
        [rows[pk] for pk in dreams.values_list("pk", flat=True)],
    ]


@pytest.mark.django_db(transaction=True)
def test_reading_ahead_writes_what_reading_in_place_writes(make_user, settings):
    settings.IMPORT_BATCH_SECONDS = 1000
    settings.IMPORT_BATCH_PAUSE = 0
    results = {}
    for ahead in (False, True):
        owner = make_user(f"ahead{ahead}")
        summary = saving.apply(owner=owner, plan=plan(table(300)), ahead=ahead)
        assert summary.created == 300
        results[ahead] = written(owner)
    assert results[True] == results[False]
    assert len({title for _, title, _ in results[True][0]}) > 3  # titles derived, and differ


def test_the_reader_reads_in_a_worker_what_it_reads_in_place():
    lexicon = motifs.builtin_lexicon()
    texts = [(text, True) for text in ROWS]
    shares = {"mirror": 0.5}
    ahead = Reader(lexicon, shares, ahead=True, workers=2)
    here = Reader(lexicon, shares, ahead=False)
    try:
        assert ahead.lead == 1 and here.lead == 0
        assert ahead.result(ahead.find(texts)) == here.result(here.find(texts))
    finally:
        ahead.close()


def _plain(value) -> bool:
    if isinstance(value, (list, tuple, set)):
        return type(value) in (list, tuple, set) and all(map(_plain, value))
    return value is None or type(value) in (str, int, float, bool)


def test_a_reading_holds_only_plain_values_cheap_to_send_back():
    """The worker's readings are unpickled by the writing process: objects of our own
    classes (detections, spans, even named tuples) cost it a quarter of a millisecond per
    dream, and the thread that unpickles them holds the interpreter's lock."""
    reading = readings.read(ROWS[0], lexicon=motifs.builtin_lexicon(), shares={}, title=True)
    assert {slug: n for slug, n, *_ in reading.motifs} == {"mirror": 2, "feather": 1, "falling": 1}
    assert all(_plain(value) for value in reading)  # the Reading itself: one per dream


def test_a_reading_ranks_its_motifs_on_the_journals_shares():
    text, lexicon = ROWS[0], motifs.builtin_lexicon()
    common_mirror = readings.read(text, lexicon=lexicon, shares={"mirror": 0.9})
    rare_mirror = readings.read(text, lexicon=lexicon, shares={"mirror": 0.001})
    assert common_mirror.motifs[0][0] != "mirror"
    assert rare_mirror.motifs[0][0] == "mirror"
    assert rare_mirror.motifs[0][2] > common_mirror.motifs[-1][2]


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_worker_takes_the_import_back(make_user, monkeypatch, settings):
    settings.IMPORT_BATCH_SECONDS = 1000
    real = readings.read

    def failing(text, **options):
        if "night 120)" in text:
            raise RuntimeError("the reader broke")
        return real(text, **options)

    monkeypatch.setattr(readings, "read", failing)  # before the worker is forked
    owner = make_user("broken")
    with pytest.raises(RuntimeError, match="the reader broke"):
        saving.apply(owner=owner, plan=plan(table(300)), ahead=True)
    assert not Dream.objects.filter(owner=owner).exists()
    assert PendingImport.objects.get(owner=owner).state == PendingImport.State.FAILED
