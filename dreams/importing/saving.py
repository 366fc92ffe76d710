"""Previewing an import plan, and writing it in batches.

Each batch is its own short transaction, sized to hold the write lock for about
IMPORT_BATCH_SECONDS, so other writers go on while a long journal comes in. Every batch
records what it wrote on the import's PendingImport row, in the same transaction; an import
that fails (or is killed, see uploads.recover_stale) is taken back whole, so the writer never
keeps half of one. Keys are natural ids, so the same file twice adds nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dreams import entries, markup, picture_files, pictures, versions, vocabulary
from dreams.importing.plan import BadImport, ImportPlan, IncomingDream, Skipped
from dreams.importing.reader import Reader
from dreams.models import (
    DatePrecision,
    Draft,
    Dream,
    Motif,
    MotifAlias,
    MotifRejection,
    PendingImport,
    Tag,
    normalise_tag,
)

PREVIEW_ROWS = 20
LOOKUP_CHUNK = 500  # keys looked up per query
MIN_BATCH, FIRST_BATCH, MAX_BATCH = 10, 50, 5000


class Stopped(Exception):
    """The import was marked failed while it ran (taken back as stale); nothing more is
    written."""


# ---------------------------------------------------------------------------------------------
# Preview


@dataclass
class Survey:
    """What an import will do, as the preview shows it (JSON-ready: kept on PendingImport)."""

    kind: str
    total: int = 0
    new: int = 0
    unchanged: int = 0
    shared: int = 0  # new dreams the file has shared: imported private unless kept shared
    skipped: list[str] = field(default_factory=list)  # the first 200 notes
    skipped_count: int = 0
    rows: list[dict] = field(default_factory=list)  # the first new dreams: date, title, opening
    ambiguous: list[str] = field(default_factory=list)  # dates that read both ways
    ambiguous_count: int = 0
    warnings: list[str] = field(default_factory=list)  # the first 50 notes on dreams kept
    warnings_count: int = 0
    day_first: bool | None = None
    columns: dict = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def date_label(dream: IncomingDream) -> str:
    if dream.dreamt_on and dream.dreamt_on_precision == DatePrecision.DAY:
        return f"{dream.dreamt_on.day} {dream.dreamt_on:%b %Y}"
    return dream.dreamt_on_text or "undated"


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def known_keys(owner, dreams: list[IncomingDream]) -> set:
    """The keys of these dreams that the owner already has (by id, or by natural key in this
    Somnia's form or an earlier one's)."""
    uids = [d.uid for d in dreams if d.uid]
    by_id: dict[str, list[IncomingDream]] = {}
    for dream in dreams:
        if not dream.uid:
            for key in {dream.source_id, *dream.earlier_ids} - {""}:
                by_id.setdefault(key, []).append(dream)
    found = set()
    if uids:
        have = Dream.objects.filter(owner=owner, uid__in=uids).values_list("uid", flat=True)
        found |= {("uid", uid) for uid in have}
    if by_id:
        sources = {d.source for its in by_id.values() for d in its}
        # Owner, source and id, and no empty id: the import key's unique index answers it
        # (by owner alone, each look-up read every dream of the journal).
        rows = (
            Dream.objects.filter(owner=owner, source__in=sources, source_id__in=list(by_id))
            .exclude(source_id="")
            .order_by()
            .values_list("source", "source_id")
        )
        for source, source_id in rows:
            found |= {d.key for d in by_id[source_id] if d.source == source}
    return found


def survey(*, owner, plan: ImportPlan) -> Survey:
    """Read the whole plan once: how many dreams are new, already here or skipped, the first
    few new ones, and the dates that read both ways. Raises BadImport as reading does."""
    found = Survey(
        kind=plan.kind, columns=plan.columns, headers=plan.headers, notes=plan.notes,
        day_first=plan.day_order.day_first if plan.day_order else None,
    )  # fmt: skip
    seen: set = set()
    for chunk in _chunks(plan.read(), LOOKUP_CHUNK):
        dreams = [d for d in chunk if isinstance(d, IncomingDream)]
        for note in (s.note for s in chunk if isinstance(s, Skipped)):
            found.skipped_count += 1
            if len(found.skipped) < 200:
                found.skipped.append(note)
        known = known_keys(owner, dreams)
        for dream in dreams:
            found.total += 1
            if dream.key in known or dream.key in seen:
                found.unchanged += 1
                continue
            seen.add(dream.key)
            found.new += 1
            found.shared += dream.visibility == Dream.Visibility.SHARED
            if len(found.rows) < PREVIEW_ROWS:
                opening = markup.quick_plain_text(dream.body[:200])  # as on the cards
                found.rows.append(
                    {"date": date_label(dream), "title": dream.final_title, "opening": opening}
                )
            if dream.note:
                found.warnings_count += 1
                if len(found.warnings) < 50:
                    found.warnings.append(dream.note)
            if dream.ambiguous_date:
                found.ambiguous_count += 1
                if len(found.ambiguous) < 50:
                    found.ambiguous.append(f"{dream.dreamt_on_text} → {date_label(dream)}")
    return found


def survey_dict(result: Survey) -> dict:
    return asdict(result)


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class Summary:
    created: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.unchanged} unchanged"
        return text + (f", {len(self.skipped)} skipped" if self.skipped else "")


@dataclass
class _Context:
    """What every batch of one import shares."""

    owner: object
    record: PendingImport
    keep_shared: bool  # whether dreams the file has shared stay shared (else: private)
    lexicon: object
    builtin: dict[str, Motif]
    own: dict[str, Motif]
    shares: dict[str, float]  # the journal's as the import began: its dreams ranked on them
    threads: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    locked_since: float = 0.0  # when the current batch's transaction began
    # SQLite: how long the write lock stays free between two batches, at least, so a writer
    # waiting for it gets its turn; the next batch's detection usually fills that time.
    pause: float = 0.0
    committed_at: float = 0.0  # when the last batch's transaction ended
    seen: set = field(default_factory=set)
    queued: set = field(default_factory=set)  # keys of the dreams sent to be read
    reader: Reader | None = None
    read_picture: object = None  # the plan's: a picture file of the archive by name
    batch_files: list[str] = field(default_factory=list)  # picture files of this batch


class _BatchSize:
    """Batches sized from the last one's pace to take about `seconds` each."""

    def __init__(self, seconds: float):
        self.seconds, self.size = seconds, FIRST_BATCH

    def took(self, count: int, elapsed: float) -> None:
        if count and elapsed > 0:
            wanted = int(self.seconds * count / elapsed)
            self.size = max(MIN_BATCH, min(MAX_BATCH, wanted, self.size * 4))


def _still_running(record: PendingImport) -> None:
    """Inside a batch's transaction: stamp the heartbeat, or stop if the import was taken
    back meanwhile."""
    now = timezone.now()
    alive = PendingImport.objects.filter(pk=record.pk, state=PendingImport.State.RUNNING).update(
        heartbeat=now
    )
    if not alive:
        raise Stopped(f"{record.name}: the import was stopped")
    record.heartbeat = now


def _ranges(pks: list[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for pk in sorted(pks):
        if ranges and ranges[-1][1] == pk - 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def _remember(record: PendingImport, key: str, items: list) -> None:
    record.written.setdefault(key, []).extend(items)
    PendingImport.objects.filter(pk=record.pk).update(written=record.written)


def _motif(ctx: _Context, item: dict) -> Motif:
    slug = item["slug"]
    motif = ctx.own.get(slug) or ctx.builtin.get(slug)
    if motif is None:
        motif = ctx.own[slug] = Motif.objects.create(
            owner=ctx.owner,
            slug=slug,
            name=item.get("name") or slug,
            category=item.get("category") or Motif.Category.OBJECT,
            aliases=item.get("aliases") or [],
        )
        _remember(ctx.record, "motifs", [motif.pk])
    return motif


# What Somnia once stored as a kept motif's salience (exports of that time carry it).
OLD_KEPT_SALIENCE = 1000.0


def _given(ctx: _Context, links: list[dict]) -> list:
    """An export's motif links as create_many() takes them; a kept link an older export gave
    a salience of 1000 gets its dream's top other one instead (0 where its words are gone),
    as migration 0027 gives the links already stored."""
    real = [float(m.get("salience") or 0) for m in links]
    top = max((v for v in real if v < OLD_KEPT_SALIENCE), default=0.0)
    return [
        (
            _motif(ctx, m),
            m.get("status", "detected"),
            m.get("evidence") or [],
            m.get("count") or 0,
            salience if salience < OLD_KEPT_SALIENCE else (top if m.get("count") else 0.0),
        )
        for m, salience in zip(links, real, strict=True)
    ]


def _sharing(ctx: _Context, fields: dict) -> dict:
    """A version's or draft's fields as this import keeps them: "shared" only if the writer
    kept the file's shared dreams shared (else restoring that version would share the dream)."""
    if ctx.keep_shared or fields.get("visibility") != Dream.Visibility.SHARED:
        return fields
    return {**fields, "visibility": Dream.Visibility.PRIVATE}


def _new_dream(owner, incoming: IncomingDream, *, keep_shared: bool) -> Dream:
    shared = keep_shared and incoming.visibility == Dream.Visibility.SHARED
    return Dream(
        owner=owner,
        uid=incoming.uid or uuid.uuid4(),
        title=incoming.final_title,
        body=incoming.body,
        dreamt_on=incoming.dreamt_on,
        dreamt_on_text=incoming.dreamt_on_text,
        dreamt_on_precision=incoming.dreamt_on_precision,
        lucid=incoming.lucid,
        nightmare=incoming.nightmare,
        recurring=incoming.recurring,
        vividness=incoming.vividness,
        mood=incoming.mood,
        visibility=Dream.Visibility.SHARED if shared else Dream.Visibility.PRIVATE,
        show_tags=incoming.show_tags,
        source=incoming.source,
        source_id=incoming.source_id,
        deleted_at=incoming.deleted_at,
        version=incoming.version,
    )


def _write_batch(ctx: _Context, batch: list[IncomingDream], queued, summary: Summary) -> None:
    """One batch in one transaction: the new dreams with their motifs, tags, pictures and
    index rows, recorded on the import. Pictures' files written for a batch that rolls back
    are removed with it."""
    ctx.batch_files = []
    try:
        _write_rows(ctx, batch, queued, summary)
    except BaseException:
        pictures.remove_files(ctx.batch_files)
        raise


def _queue(ctx: _Context, batch: list[IncomingDream]) -> tuple[list[IncomingDream], object]:
    """Send the batch's dreams not yet here to be read (ahead, when the reader has a worker):
    the dreams, and the reader's handle on their readings."""
    maybe_new = known_keys(ctx.owner, batch)
    todo = []
    for dream in batch:
        if dream.motifs is None and dream.key not in maybe_new and dream.key not in ctx.queued:
            ctx.queued.add(dream.key)
            todo.append(dream)
    return todo, ctx.reader.find([(d.body, not d.title) for d in todo])


def _write_rows(ctx: _Context, batch: list[IncomingDream], queued, summary: Summary) -> None:
    # The work that needs no lock comes first: reading the dreams not yet here.
    todo, handle = queued
    found = dict(zip(map(id, todo), ctx.reader.result(handle), strict=True))
    for dream in todo:
        dream.derived_title = found[id(dream)].title
    shares = {ctx.owner.pk: ctx.shares}
    wait = ctx.pause - (time.perf_counter() - ctx.committed_at)
    if wait > 0:
        time.sleep(wait)  # a writer waiting for SQLite's lock gets its turn
    ctx.locked_since = time.perf_counter()
    try:
        _write_locked(ctx, batch, found, shares, summary)
    finally:
        ctx.committed_at = time.perf_counter()


def _write_locked(ctx: _Context, batch, found: dict, shares: dict, summary: Summary) -> None:
    with transaction.atomic():
        _still_running(ctx.record)
        known = known_keys(ctx.owner, batch)
        fresh = []
        for incoming in batch:
            if incoming.key in known or incoming.key in ctx.seen:
                summary.unchanged += 1
            else:
                ctx.seen.add(incoming.key)  # the same dream twice in one file: once
                fresh.append(incoming)
        if not fresh:
            return
        dreams = [_new_dream(ctx.owner, d, keep_shared=ctx.keep_shared) for d in fresh]
        given = [None if d.motifs is None else _given(ctx, d.motifs) for d in fresh]
        entries.create_many(
            list(zip(dreams, [d.tags for d in fresh], strict=True)),
            lexicon=ctx.lexicon,
            given=given,
            readings=[found.get(id(d)) for d in fresh],
            shares=shares,
            builtin=ctx.builtin,
        )
        stamps = [
            (d.created_at or dream.created_at, d.updated_at or dream.updated_at, dream.pk)
            for d, dream in zip(fresh, dreams, strict=True)
            if d.created_at or d.updated_at
        ]
        if stamps:  # auto_now fields: the file's times are the dream's times
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Dream._meta.db_table} SET created_at = %s, updated_at = %s "
                    "WHERE id = %s",
                    stamps,
                )
        _add_pictures(ctx, fresh, dreams)
        versions.keep_imported(
            [
                (dream, [{**v, "fields": _sharing(ctx, v["fields"])} for v in d.history])
                for d, dream in zip(fresh, dreams, strict=True)
                if d.history
            ]
        )
        ctx.threads.extend(
            (dream.pk, d.recurs, d.conflict_of)
            for d, dream in zip(fresh, dreams, strict=True)
            if d.recurs or d.conflict_of
        )
        _remember(ctx.record, "dreams", _ranges([d.pk for d in dreams]))
        summary.created += len(dreams)


def _add_pictures(ctx: _Context, fresh: list[IncomingDream], dreams: list[Dream]) -> None:
    """The new dreams' pictures from the archive, checked and processed as uploads are; a
    bad one stops the import (its batch's files removed at once, earlier ones with it)."""
    if ctx.read_picture is None:
        return
    for incoming, dream in zip(fresh, dreams, strict=True):
        if not incoming.pictures:
            continue
        try:
            picture_files.restore_listing(
                dream, entries=incoming.pictures, read=ctx.read_picture, written=ctx.batch_files
            )
        except pictures.BadPicture as error:
            raise BadImport(f"{incoming.where}: {error}") from None


def _link_threads(ctx: _Context) -> None:
    refs = {ref for _, *pair in ctx.threads for ref in pair if ref}
    known: dict[str, int] = {}
    for chunk in _chunks(sorted(refs), LOOKUP_CHUNK):
        rows = Dream.objects.filter(owner=ctx.owner, uid__in=chunk).values_list("uid", "pk")
        known.update((str(uid), pk) for uid, pk in rows)
    for pk, recurs, conflict_of in ctx.threads:
        if recurs in known:
            Dream.objects.filter(pk=pk).update(recurs_id=known[recurs])
        if conflict_of in known and known[conflict_of] != pk:
            # An older export's conflict copy: a version in its dream's history, not a dream.
            entries.fold_copy(
                Dream.objects.get(pk=pk), into=Dream.objects.get(pk=known[conflict_of])
            )


def _restore_vocabulary(ctx: _Context, plan: ImportPlan) -> None:
    owner, words = ctx.owner, plan.vocabulary
    for item in words.motif_words:
        motif = ctx.own.get(item["motif"]) or ctx.builtin.get(item["motif"])
        if motif:
            MotifAlias.objects.get_or_create(owner=owner, motif=motif, word=item["word"])
    for slug in words.motif_rejections:
        motif = ctx.own.get(slug) or ctx.builtin.get(slug)
        if motif:
            MotifRejection.objects.get_or_create(owner=owner, motif=motif)
    for name in words.tags:
        key = normalise_tag(name)
        if key and not Tag.objects.filter(owner=owner, normalised=key).exists():
            Tag.objects.create(owner=owner, name=name)
    for item in words.drafts:
        key = uuid.UUID(item["key"])
        if Draft.objects.filter(owner=owner, key=key).exists():
            continue
        dream = (
            Dream.objects.filter(owner=owner, uid=item["dream"]).first()
            if item.get("dream")
            else None
        )
        draft = Draft.objects.create(
            owner=owner, key=key, dream=dream, base_version=item.get("base_version"),
            title=item.get("title") or "", body=item.get("body") or "",
            fields=_sharing(ctx, item.get("fields") or {}),
        )  # fmt: skip
        stamp = parse_datetime(item.get("updated_at") or "")
        if stamp:
            Draft.objects.filter(pk=draft.pk).update(updated_at=stamp)


def _begin(owner, plan: ImportPlan, record: PendingImport, keep_shared: bool) -> _Context:
    with transaction.atomic():
        _still_running(record)
        floor = Tag.objects.filter(owner=owner).aggregate(top=Max("pk"))["top"] or 0
        record.written = {"dreams": [], "motifs": [], "tag_floor": floor}
        PendingImport.objects.filter(pk=record.pk).update(written=record.written)
        ctx = _Context(
            owner=owner,
            record=record,
            keep_shared=keep_shared,
            lexicon=vocabulary.lexicon_for(owner),
            builtin={m.slug: m for m in Motif.objects.builtin()},
            own={m.slug: m for m in Motif.objects.filter(owner=owner)},
            shares=vocabulary.journal_shares(owner),
            read_picture=plan.read_picture,
        )
        for item in plan.vocabulary.motifs:
            _motif(ctx, item)
    return ctx


def write_steps(
    *,
    owner,
    plan: ImportPlan,
    record: PendingImport,
    total: int | None = None,
    ahead=False,
    keep_shared=False,
) -> Generator[tuple[int, int | None], None, Summary]:
    """Write the plan's new dreams in batches, yielding (done, total) after each and
    returning the Summary; `record` must be RUNNING (uploads.start). Dreams come in
    private, unless `keep_shared`: then those the file has shared stay shared. With `ahead`, each
    batch's dreams are read (motifs, titles, index text) in a worker process while the batch
    before is written (importing.reader.Reader). On any failure, or when the generator is
    closed unfinished, everything it wrote is taken back; on success the record is DONE with
    the summary as its outcome."""
    summary = Summary()
    sizer = _BatchSize(settings.IMPORT_BATCH_SECONDS)
    done = 0
    ctx = None
    try:
        ctx = _begin(owner, plan, record, keep_shared)
        ctx.reader = Reader(ctx.lexicon, ctx.shares, ahead=ahead, workers=settings.IMPORT_READERS)
        ctx.pause = settings.IMPORT_BATCH_PAUSE if connection.vendor == "sqlite" else 0
        batch: list[IncomingDream] = []
        waiting: list[tuple] = []  # batches being read, each with the reader's handle
        for item in plan.read():
            if isinstance(item, Skipped):
                summary.skipped.append(item.note)
                done += 1
                continue
            batch.append(item)
            if len(batch) >= sizer.size:
                waiting.append((batch, _queue(ctx, batch)))
                batch = []
                while len(waiting) > ctx.reader.lead:
                    done += _write_sized(ctx, waiting.pop(0), sizer, summary)
                    yield done, total
        waiting.append((batch, _queue(ctx, batch)))
        for last in waiting:
            done += _write_sized(ctx, last, sizer, summary)
        with transaction.atomic():
            _still_running(record)
            _link_threads(ctx)
            _restore_vocabulary(ctx, plan)
            record.state, record.outcome = PendingImport.State.DONE, str(summary)
            record.save(update_fields=["state", "outcome"])
    except BaseException as error:
        take_back(record, reason=str(error) or type(error).__name__)
        raise
    finally:
        if ctx and ctx.reader:
            ctx.reader.close()
    yield done, total
    return summary


def _write_sized(ctx: _Context, waiting: tuple, sizer: _BatchSize, summary: Summary) -> int:
    """Write one batch whose motifs were queued; the next batch is sized on the time this
    one held the write lock (from BEGIN to COMMIT). Returns the batch's length."""
    batch, queued = waiting
    _write_batch(ctx, batch, queued, summary)
    sizer.took(len(batch), time.perf_counter() - ctx.locked_since)
    return len(batch)


def write(*, owner, plan: ImportPlan, record: PendingImport, progress=None, **options):
    """write_steps() (`options`: its total, ahead, keep_shared) to its end, calling
    progress(done, total) after each batch."""
    steps = write_steps(owner=owner, plan=plan, record=record, **options)
    while True:
        try:
            done, total = next(steps)
        except StopIteration as finished:
            return finished.value
        if progress:
            progress(done, total)


def take_back(record: PendingImport, *, reason: str) -> int:
    """Mark the import failed and delete what it wrote (dreams, the motifs and tags it
    made), a batch at a time. Returns how many dreams went."""
    PendingImport.objects.filter(pk=record.pk).exclude(state=PendingImport.State.DONE).update(
        state=PendingImport.State.FAILED, outcome=reason[:2000]
    )
    record.refresh_from_db(fields=["state", "written"])
    if record.state != PendingImport.State.FAILED:
        return 0
    written = record.written or {}
    removed = 0
    for first, last in written.get("dreams", []):
        for start in range(first, last + 1, LOOKUP_CHUNK):
            end = min(last, start + LOOKUP_CHUNK - 1)
            with transaction.atomic():
                taken = Dream.objects.filter(owner=record.owner_id, pk__gte=start, pk__lte=end)
                pictures.delete_files_on_commit(pictures.files_of_dreams(taken))
                _, by_model = taken.delete()
                removed += by_model.get(Dream._meta.label, 0)
    with transaction.atomic():
        Motif.objects.filter(
            owner=record.owner_id, pk__in=written.get("motifs", []), dream_links__isnull=True
        ).delete()
        Tag.objects.filter(
            owner=record.owner_id, pk__gt=written.get("tag_floor", 0), dream_links__isnull=True
        ).delete()
        PendingImport.objects.filter(pk=record.pk).update(written={})
    return removed


def apply(*, owner, plan: ImportPlan, progress=None, **options) -> Summary:
    """Write a plan read outside the web (the command line, tests): recorded on a
    PendingImport of its own, so even a killed run can be taken back. `options`: total,
    ahead (read the dreams in a worker process) and keep_shared, as write_steps() says."""
    record = PendingImport.objects.create(
        owner=owner, name=plan.name[:255], state=PendingImport.State.RUNNING,
        heartbeat=timezone.now(),
    )  # fmt: skip
    return write(owner=owner, plan=plan, record=record, progress=progress, **options)
