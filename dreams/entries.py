"""Saving a dream, and everything that depends on its text, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from dreams import motifs, search, vocabulary
from dreams.models import (
    Draft,
    Dream,
    DreamMotif,
    DreamTag,
    Motif,
    PendingImport,
    Tag,
    normalise_tag,
)


def set_tags(dream: Dream, names: Iterable[str]) -> None:
    """Give the dream exactly these tags, creating the owner's new ones."""
    wanted: dict[str, str] = {}
    for name in names:
        key = normalise_tag(name)
        if key:
            wanted.setdefault(key, " ".join(name.split()))
    existing = {
        t.normalised: t for t in Tag.objects.filter(owner=dream.owner, normalised__in=wanted)
    }
    for key, name in wanted.items():
        if key not in existing:
            existing[key] = Tag.objects.create(owner=dream.owner, name=name)
    DreamTag.objects.filter(dream=dream).exclude(tag__normalised__in=wanted).delete()
    have = set(dream.tag_links.values_list("tag__normalised", flat=True))
    DreamTag.objects.bulk_create(
        [DreamTag(dream=dream, tag=existing[key]) for key in wanted if key not in have]
    )


@transaction.atomic
def save_dream(
    dream: Dream, *, tags: Iterable[str] | None = None, lexicon: motifs.Lexicon | None = None
) -> Dream:
    """Save a dream with its motifs (and tags, when given); a changed dream gets a new version."""
    if dream.pk is not None:
        dream.version += 1
    dream.save()
    vocabulary.refresh_motifs(dream, lexicon=lexicon)
    if tags is not None:
        set_tags(dream, tags)
    dream.refresh_card()
    search.index_dream(dream)
    return dream


@transaction.atomic
def create_many(
    items: list[tuple[Dream, list[str]]], *, lexicon: motifs.Lexicon | None = None
) -> list[Dream]:
    """Save many new dreams (with their tags) as save_dream() would, in a few statements:
    motifs detected with their evidence, tags created, the search index written."""
    if not items:
        return []
    dreams = [dream for dream, _ in items]
    Dream.objects.bulk_create(dreams, batch_size=500)
    lexicons: dict[int, motifs.Lexicon] = {}
    builtin = {m.slug: m for m in Motif.objects.builtin()}
    own: dict[int, dict[str, Motif]] = {}
    links, names_by_dream, shown_by_dream = [], {}, {}
    for dream in dreams:
        lex = lexicon or lexicons.get(dream.owner_id)
        if lex is None:
            lex = lexicons[dream.owner_id] = vocabulary.lexicon_for(dream.owner)
        if dream.owner_id not in own:
            own[dream.owner_id] = {m.slug: m for m in Motif.objects.filter(owner=dream.owner_id)}
        names, shown = [], []
        for detection in motifs.detect(dream.body, lexicon=lex):
            motif = own[dream.owner_id].get(detection.slug) or builtin.get(detection.slug)
            if motif is None:
                continue
            spans = detection.spans[: motifs.MAX_EVIDENCE]
            evidence = json.dumps([{"text": s.text, "start": s.start, "end": s.end} for s in spans])
            links.append(
                (dream.pk, motif.pk, DreamMotif.Status.DETECTED, evidence, detection.count)
            )
            names.append(motif.name)
            shown.append(motif)
        names_by_dream[dream.pk] = " ".join(sorted(names))
        shown_by_dream[dream.pk] = shown
    # Thousands of links: one executemany, not thousands of model instances.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DreamMotif._meta.db_table} (dream_id, motif_id, status, evidence, count)"
            " VALUES (%s, %s, %s, %s, %s)",
            links,
        )
    tag_cache: dict[tuple[int, str], Tag] = {}
    tag_links, tag_names_by_dream = [], {}
    for dream, names in items:
        shown = []
        seen = set()
        for name in names:
            key = normalise_tag(name)
            if not key or key in seen:
                continue
            seen.add(key)
            cache_key = (dream.owner_id, key)
            if cache_key not in tag_cache:
                tag_cache[cache_key], _ = Tag.objects.get_or_create(
                    owner_id=dream.owner_id,
                    normalised=key,
                    defaults={"name": " ".join(name.split())},
                )
            tag_links.append(DreamTag(dream=dream, tag=tag_cache[cache_key]))
            shown.append(tag_cache[cache_key].name)
        tag_names_by_dream[dream.pk] = shown
    DreamTag.objects.bulk_create(tag_links, batch_size=1000)
    cards = []
    for dream in dreams:
        dream.card = dream.compute_card(shown_by_dream[dream.pk], tag_names_by_dream[dream.pk])
        cards.append((json.dumps(dream.card), dream.pk))
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Dream._meta.db_table} SET card = %s WHERE id = %s", cards)
    search.index_new(
        [
            (d.pk, d.title, d.body, " ".join(tag_names_by_dream[d.pk]), names_by_dream[d.pk])
            for d in dreams
        ]
    )
    return dreams


class StaleEdit(Exception):
    """The dream changed since the form was opened; nothing was overwritten."""

    def __init__(self, current: Dream):
        super().__init__(f"dream {current.pk} is at version {current.version}")
        self.current = current


EDITABLE_FIELDS = [
    "title", "body", "dreamt_on", "lucid", "nightmare", "recurring", "vividness", "mood",
    "visibility",
]  # fmt: skip
TRASH_DAYS = 30


@transaction.atomic
def save_edit(
    dream: Dream,
    *,
    changes: dict,
    tags: Iterable[str],
    base_version: int,
    draft_key=None,
    motif_choices: dict | None = None,
) -> Dream:
    """Apply an edit made from base_version; a newer saved version raises StaleEdit."""
    # Locks the row on PostgreSQL; SQLite's IMMEDIATE transaction already serialises writers.
    current = Dream.objects.select_for_update().get(pk=dream.pk)
    if current.version != base_version:
        raise StaleEdit(current)
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(current, name, changes[name])
    save_dream(current, tags=tags)
    _settle(current, motif_choices=motif_choices, draft_key=draft_key)
    return current


@transaction.atomic
def create_entry(
    *, owner, changes: dict, tags: Iterable[str], draft_key=None, motif_choices=None
) -> Dream:
    dream = Dream(owner=owner, **{k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    save_dream(dream, tags=tags)
    _settle(dream, motif_choices=motif_choices, draft_key=draft_key)
    return dream


def _settle(dream: Dream, *, motif_choices: dict | None, draft_key) -> None:
    """After a save from the form: the author's motif choices, and the draft is done with."""
    if motif_choices:
        vocabulary.apply_motif_choices(dream, motif_choices)
    if draft_key:
        discard_draft(owner=dream.owner, key=draft_key)


@transaction.atomic
def keep_conflict_copy(*, of: Dream, changes: dict, tags: Iterable[str] = ()) -> Dream:
    """Keep the version that was not chosen, every field of it, as a private dream of its own."""
    fields = {name: getattr(of, name) for name in EDITABLE_FIELDS}
    fields.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    title = (fields["title"] or of.title).strip()
    fields["title"] = f"{title} (conflict copy)"[: Dream._meta.get_field("title").max_length]
    fields["visibility"] = Dream.Visibility.PRIVATE
    copy = Dream(owner=of.owner, conflict_of=of, **fields)
    return save_dream(copy, tags=tags)


def version_fields(dream: Dream) -> dict:
    return {name: getattr(dream, name) for name in EDITABLE_FIELDS}


def trash(dream: Dream) -> None:
    now = timezone.now()
    Dream.objects.filter(pk=dream.pk).update(deleted_at=now, updated_at=now)


def restore(dream: Dream) -> None:
    Dream.objects.filter(pk=dream.pk).update(deleted_at=None, updated_at=timezone.now())


def purge_trash(*, owner=None, now=None) -> int:
    """Delete for good what has been in the trash for longer than TRASH_DAYS."""
    now = now or timezone.now()
    expired = Dream.objects.filter(deleted_at__lt=now - timedelta(days=TRASH_DAYS))
    uploads = PendingImport.objects.filter(created_at__lt=now - timedelta(days=1))
    if owner is not None:
        expired, uploads = expired.filter(owner=owner), uploads.filter(owner=owner)
    uploads.delete()  # files uploaded for an import that was never confirmed
    deleted, _ = expired.delete()
    return deleted


def save_draft(
    *,
    owner,
    key,
    dream: Dream | None,
    title: str,
    body: str,
    fields: dict,
    base_version: int | None = None,
) -> Draft:
    """Keep what is in the form right now; one draft per form, the newest words win.

    base_version is the version the form was opened at: restoring the draft later over a
    newer save is then a conflict, never an overwrite."""
    if dream is not None and base_version is None:
        base_version = dream.version
    # Whatever the browser sent is kept, but a NUL (which PostgreSQL refuses) is no word.
    title, body = title.replace("\x00", ""), body.replace("\x00", "")
    fields = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in fields.items()}
    draft = Draft(
        owner=owner,
        key=key,
        dream=dream,
        base_version=base_version if dream else None,
        title=title,
        body=body,
        fields=fields,
    )
    # One statement (INSERT ... ON CONFLICT DO UPDATE): autosaves come every few seconds.
    Draft.objects.bulk_create(
        [draft],
        update_conflicts=True,
        unique_fields=["owner", "key"],
        update_fields=["dream", "base_version", "title", "body", "fields", "updated_at"],
    )
    return draft


def discard_draft(*, owner, key) -> None:
    Draft.objects.filter(owner=owner, key=key).delete()


def pending_draft(*, owner, dream: Dream | None, exclude_key=None) -> Draft | None:
    """The newest draft with words in it for this dream (or for a new entry)."""
    drafts = Draft.objects.filter(owner=owner, dream=dream).exclude(body="", title="")
    if exclude_key:
        drafts = drafts.exclude(key=exclude_key)
    return drafts.order_by("-updated_at").first()
