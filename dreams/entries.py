"""Saving a dream, and everything that depends on its text, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import repeat
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Substr
from django.utils import timezone

from dreams import drafts, merging, motifs, pictures, search, versions, vocabulary
from dreams.models import (
    SHOWN,
    TRASH_KEPT,
    Draft,
    Dream,
    DreamMotif,
    DreamTag,
    DreamVersion,
    Motif,
    PendingImport,
    SavedForm,
    ShownLink,
    Tag,
    normalise_tag,
)
from dreams.readings import Reading
from dreams.readings import read as read_text


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


# The motif, its status, evidence spans, count and salience.
GivenMotif = tuple[Motif, str, list, int, float]
# A motif link before its dream has a pk: (motif pk, status, evidence JSON, count, salience).
_Link = tuple[int, str, str, int, float]


class _Motifs:
    """What create_many needs to know of motifs, read once per owner: their lexicon, the
    motifs by slug (the owner's own before the built-in ones) and the journal's shares."""

    def __init__(self, lexicon, builtin, shares):
        self.lexicon, self.shares = lexicon, dict(shares or {})
        self.builtin = builtin
        self.lexicons: dict[int, motifs.Lexicon] = {}
        self.own: dict[int, dict[str, Motif]] = {}

    def of(self, owner) -> tuple[motifs.Lexicon, dict[str, Motif], dict[str, float]]:
        pk = owner.pk
        if pk not in self.own:
            self.lexicons[pk] = self.lexicon or vocabulary.lexicon_for(owner)
            self.own[pk] = {m.slug: m for m in Motif.objects.filter(owner=pk)}
            if pk not in self.shares:
                self.shares[pk] = vocabulary.journal_shares(owner)
        if self.builtin is None:
            self.builtin = {m.slug: m for m in Motif.objects.builtin()}
        return self.lexicons[pk], self.own[pk], self.shares[pk]


def _detected_links(
    dream: Dream, reading: Reading, known: _Motifs
) -> tuple[list[_Link], list[ShownLink]]:
    """The links of the motifs found in a new dream's text (its Reading, most salient first),
    and the motifs they show."""
    own, builtin = known.of(dream.owner)[1], known.builtin
    links, shown = [], []
    for slug, count, salience, evidence in reading.motifs:
        motif = own.get(slug) or builtin.get(slug)
        if motif is not None:
            links.append((motif.pk, DreamMotif.Status.DETECTED, evidence, count, salience))
            shown.append(ShownLink(motif, DreamMotif.Status.DETECTED, count, salience))
    return links, shown


def _given_links(kept: list[GivenMotif]) -> tuple[list[_Link], list[ShownLink]]:
    """Exactly the links an export kept, and those that show a motif."""
    shown = [ShownLink(m, status, n, sal) for m, status, _, n, sal in kept if status in SHOWN]
    links = [(m.pk, status, json.dumps(ev), n, salience) for m, status, ev, n, salience in kept]
    return links, shown


def _tags_of(items: list[tuple[Dream, list[str]]]) -> list[list[Tag]]:
    """Each dream's tags, distinct, the owner's new ones created."""
    cache: dict[tuple[int, str], Tag] = {}
    found = []
    for dream, names in items:
        tags: dict[str, Tag] = {}
        for name in names:
            key = normalise_tag(name)
            if not key or key in tags:
                continue
            at = (dream.owner_id, key)
            if at not in cache:
                cache[at], _ = Tag.objects.get_or_create(
                    owner_id=dream.owner_id,
                    normalised=key,
                    defaults={"name": " ".join(name.split())},
                )
            tags[key] = cache[at]
        found.append(list(tags.values()))
    return found


@transaction.atomic
def create_many(
    items: list[tuple[Dream, list[str]]],
    *,
    lexicon: motifs.Lexicon | None = None,
    given: list[list[GivenMotif] | None] | None = None,
    readings: list[Reading | None] | None = None,
    shares: dict[int, dict[str, float]] | None = None,
    builtin: dict[str, Motif] | None = None,
) -> list[Dream]:
    """Save many new dreams (with their tags) as save_dream() would, in a few statements:
    motifs detected with their evidence (or, where `given` holds a list for a dream, exactly
    those links, as an export keeps them), tags created, cards written with the rows, the
    search index written. `readings` (readings.read() of each body, on these shares),
    `shares` ({owner id: journal_shares()}) and `builtin` (the built-in motifs by slug) may
    be worked out beforehand, outside the caller's transaction, to keep it short."""
    if not items:
        return []
    dreams = [dream for dream, _ in items]
    known = _Motifs(lexicon, builtin, shares)
    links, shown = [], []
    readings = list(readings or [None] * len(dreams))
    for n, (dream, kept) in enumerate(zip(dreams, given or repeat(None), strict=False)):
        if kept is None and readings[n] is None:
            lexicon, _, shares = known.of(dream.owner)
            readings[n] = read_text(dream.body, lexicon=lexicon, shares=shares)
        made = (
            _given_links(kept) if kept is not None else _detected_links(dream, readings[n], known)
        )
        links.append(made[0])
        shown.append(made[1])
    tags = _tags_of(items)
    for dream, its_motifs, its_tags, reading in zip(dreams, shown, tags, readings, strict=True):
        colours = reading.colours if reading else None
        dream.card = dream.compute_card(its_motifs, [t.name for t in its_tags], colours)
    Dream.objects.bulk_create(dreams, batch_size=500)
    # Thousands of links: one executemany, not thousands of model instances.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DreamMotif._meta.db_table}"
            " (dream_id, motif_id, status, evidence, count, salience)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (pk, *link)
                for pk, its in zip([d.pk for d in dreams], links, strict=True)
                for link in its
            ],
        )
    DreamTag.objects.bulk_create(
        [DreamTag(dream=d, tag=t) for d, its in zip(dreams, tags, strict=True) for t in its],
        batch_size=1000,
    )
    search.index_new(
        [
            (
                d.pk,
                d.title,
                d.body,
                search.tag_text(d, [t.name for t in its_tags]),
                " ".join(sorted(link.motif.name for link in its_motifs)),
            )
            for d, its_motifs, its_tags in zip(dreams, shown, tags, strict=True)
        ],
        readings=readings,
    )
    return dreams


class StaleEdit(Exception):
    """The dream changed since the form was opened; nothing was overwritten."""

    def __init__(self, current: Dream, *, base_version: int | None = None):
        super().__init__(f"dream {current.pk} is at version {current.version}")
        self.current = current
        self.base_version = base_version  # the version the edit started from


EDITABLE_FIELDS = [
    "title", "body", "dreamt_on", "lucid", "nightmare", "recurring", "vividness", "mood",
    "visibility", "show_tags", "title_derived",
]  # fmt: skip
TRASH_DAYS = TRASH_KEPT.days


@transaction.atomic
def save_edit(
    dream: Dream,
    *,
    changes: dict,
    tags: Iterable[str],
    base_version: int,
    draft_key=None,
    motif_choices: dict | None = None,
    picture_choices: pictures.Choices | None = None,
    source: str = DreamVersion.Source.FORM,
) -> Dream:
    """Apply an edit made from base_version and keep it as a new version (`source` says
    where it came from: a DreamVersion.Source); a newer saved version raises StaleEdit."""
    # Locks the row on PostgreSQL; SQLite's IMMEDIATE transaction already serialises writers.
    current = Dream.objects.select_for_update().get(pk=dream.pk)
    if current.version != base_version:
        raise StaleEdit(current, base_version=base_version)
    versions.record_earlier(current)
    if "dreamt_on" in changes and changes["dreamt_on"] != current.dreamt_on:
        # A day chosen on the form names that day: a partial date ("1957") is replaced.
        current.dreamt_on_precision = None
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(current, name, changes[name])
    save_dream(current, tags=tags)
    _settle(
        current, motif_choices=motif_choices, draft_key=draft_key, picture_choices=picture_choices
    )
    snap = versions.snapshot(current)
    if versions.version_of(current, base_version) == snap:
        # Saved again with nothing changed: no new version, and forms open on this version
        # stay current.
        Dream.objects.filter(pk=current.pk).update(version=base_version)
        current.version = base_version
        return current
    versions.record(current, source=source, based_on=base_version, snap=snap)
    return current


@transaction.atomic
def create_entry(
    *,
    owner,
    changes: dict,
    tags: Iterable[str],
    draft_key=None,
    motif_choices=None,
    picture_choices: pictures.Choices | None = None,
    source: str = DreamVersion.Source.FORM,
) -> Dream:
    """A new dream from the writing form, kept as its first version."""
    dream = Dream(owner=owner, **{k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    save_dream(dream, tags=tags)
    _settle(
        dream, motif_choices=motif_choices, draft_key=draft_key, picture_choices=picture_choices
    )
    versions.record(dream, source=source)
    return dream


@transaction.atomic
def restore_version(dream: Dream, *, number: int) -> Dream:
    """Make version `number` of the dream its newest version again (a new version: the
    history keeps everything). Raises DreamVersion.DoesNotExist."""
    current = Dream.objects.select_for_update().get(pk=dream.pk)
    kept = DreamVersion.objects.get(dream=current, number=number)
    versions.record_earlier(current)
    return save_snapshot(
        current, versions.of_version(kept), source=DreamVersion.Source.RESTORE, based_on=number
    )


def save_snapshot(
    current: Dream, snap: dict, *, source: str, based_on: int | None, draft_key=None
) -> Dream:
    """Make the (locked) dream hold a snapshot whole: fields, tags and motif choices, then
    keep it as a new version. Pictures waiting under draft_key join the dream."""
    for name, value in versions.model_values(snap).items():
        setattr(current, name, value)
    save_dream(current, tags=snap["tags"])
    had = versions.snapshot(current)["motif_choices"]
    wanted = snap["motif_choices"]
    choices = {slug: vocabulary.Choice.AS_FOUND for slug in had if slug not in wanted}
    choices |= {slug: choice for slug, choice in wanted.items() if had.get(slug) != choice}
    _settle(current, motif_choices=choices, draft_key=draft_key)
    versions.record(current, source=source, based_on=based_on)
    return current


def mine_from_form(
    dream: Dream, *, base_version: int | None, changes: dict, tags: Iterable[str], motif_choices
) -> dict:
    """The snapshot an edit made from base_version would have saved: the form's changes over
    that version (over the newest when it is no longer kept)."""
    start = versions.version_of(dream, base_version) or versions.snapshot(dream)
    fields = dict(start["fields"])
    for name in versions.SNAPSHOT_FIELDS:
        if name in changes:
            fields[name] = changes[name]
    if fields["dreamt_on"] is not None and not isinstance(fields["dreamt_on"], str):
        fields["dreamt_on"] = fields["dreamt_on"].isoformat()
    if fields["dreamt_on"] != start["fields"].get("dreamt_on"):
        fields["dreamt_on_precision"] = None  # a day chosen on the form names that day
    choices = dict(start["motif_choices"])
    for slug, choice in (motif_choices or {}).items():
        if choice:
            choices[slug] = choice
        else:
            choices.pop(slug, None)
    return {
        "title": changes.get("title", start["title"]),
        "body": changes.get("body", start["body"]),
        "fields": fields,
        "tags": list(tags),
        "motif_choices": choices,
    }


class Merged(NamedTuple):
    """What save_merge did: `changed` is False when the edit added nothing to the newest
    version (a replayed form, the same words saved twice): then nothing was written."""

    dream: Dream
    changed: bool


@transaction.atomic
def save_merge(
    dream: Dream,
    *,
    owner,
    key,
    mine: dict,
    base_version: int | None,
    choices: dict[str, str],
    saved_version: int | None = None,
) -> Merged:
    """Merge an edit made from base_version (`mine`, a snapshot) into the newest version:
    mine is kept in the history as it was typed, then the merge becomes the newest version.
    `saved_version`: the newest version the writer saw the merge against (None: whatever is
    newest). Raises merging.MissingChoices when a conflict has no choice in `choices`, and
    StaleEdit when the dream is no longer at saved_version; nothing is written then."""
    current = Dream.objects.select_for_update().get(pk=dream.pk)
    if saved_version is not None and current.version != saved_version:
        raise StaleEdit(current)
    base = versions.version_of(current, base_version)
    merge = merging.merge(base, mine, versions.snapshot(current))
    result = merge.resolve(choices)
    if not merge.changes_saved:  # the edit adds nothing to the newest version
        if key:
            pictures.settle(current, draft_key=key, choices=pictures.Choices())
            discard_draft(owner=owner, key=key)
        return Merged(current, changed=False)
    versions.record_earlier(current)
    side = current.version + 1
    versions.record(
        current, source=DreamVersion.Source.SIDE, based_on=base_version, snap=mine, number=side
    )
    Dream.objects.filter(pk=current.pk).update(version=side)
    current.version = side
    save_snapshot(
        current, result, source=DreamVersion.Source.MERGE, based_on=base_version, draft_key=key
    )
    if key:
        # A replay of this form is an edit from its own side: merged again, it adds nothing.
        SavedForm.objects.update_or_create(
            owner=owner, key=key, defaults={"dream": current, "version": side}
        )
    return Merged(current, changed=True)


class FormSaved(NamedTuple):
    """What save_form did. `again`: this form had been saved before (Back + Save, a resent
    request, a replayed offline queue); `changed`: the dream took new words from this post."""

    dream: Dream
    again: bool
    changed: bool


def save_form(
    *,
    owner,
    key,
    dream: Dream | None,
    changes: dict,
    tags: list[str],
    base_version: int | None = None,
    motif_choices: dict | None = None,
    picture_choices: pictures.Choices | None = None,
    changed_at: datetime | None = None,
) -> FormSaved:
    """Save the writing form once per key: a new dream (dream None) or an edit of `dream`
    from base_version. A second post of the same key leads to the dream it made: unchanged
    when the words are the same, else an edit from the version that form saved (so a newer
    save elsewhere raises StaleEdit, never an overwrite). `changed_at`: when the device says
    the words were typed (already_saved() reads it). Raises StaleEdit."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                found = _save_form_once(
                    owner=owner, key=key, dream=dream, changes=changes, tags=tags,
                    base_version=base_version, motif_choices=motif_choices,
                    picture_choices=picture_choices,
                )  # fmt: skip
                if key and changed_at:
                    SavedForm.objects.filter(owner=owner, key=key).update(changed_at=changed_at)
                return found
        except IntegrityError:
            # Two posts of one form at once on PostgreSQL: the other one made the dream.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _save_form_once(
    *, owner, key, dream, changes, tags, base_version, motif_choices, picture_choices=None
):
    earlier = (
        SavedForm.objects.select_for_update().filter(owner=owner, key=key).first() if key else None
    )
    if earlier is not None:
        target = Dream.objects.get(pk=earlier.dream_id)
        if target.deleted_at is None and (dream is None or dream.pk == target.pk):
            if same_words(target, changes=changes, tags=tags):
                if picture_choices is not None:  # the words are the same; the pictures may not be
                    pictures.settle(target, draft_key=key, choices=picture_choices)
                discard_draft(owner=owner, key=key)
                return FormSaved(target, again=True, changed=False)
            saved = save_edit(
                target, changes=changes, tags=tags, base_version=earlier.version,
                draft_key=key, motif_choices=motif_choices, picture_choices=picture_choices,
            )  # fmt: skip
            SavedForm.objects.filter(pk=earlier.pk).update(version=saved.version)
            return FormSaved(saved, again=True, changed=True)
        earlier.delete()  # the dream it made is in the trash: these words make their own
    if dream is None and (twin := _just_saved_twin(owner=owner, changes=changes, tags=tags)):
        if key:
            SavedForm.objects.create(owner=owner, key=key, dream=twin, version=twin.version)
            discard_draft(owner=owner, key=key)
        return FormSaved(twin, again=True, changed=False)
    if dream is None:
        saved = create_entry(
            owner=owner, changes=changes, tags=tags, draft_key=key, motif_choices=motif_choices,
            picture_choices=picture_choices,
        )  # fmt: skip
    else:
        saved = save_edit(
            dream, changes=changes, tags=tags, base_version=base_version or 0,
            draft_key=key, motif_choices=motif_choices, picture_choices=picture_choices,
        )  # fmt: skip
    if key:
        SavedForm.objects.create(owner=owner, key=key, dream=saved, version=saved.version)
    return FormSaved(saved, again=False, changed=True)


TWIN_WINDOW = timedelta(minutes=10)


def _just_saved_twin(*, owner, changes: dict, tags) -> Dream | None:
    """A dream a form of this owner made in the last TWIN_WINDOW with exactly these words
    and fields: the same post from a fresh form (without JavaScript, Back shows a new form
    with the words the browser put back), which is that dream again, not a second one."""
    since = timezone.now() - TWIN_WINDOW
    recent = SavedForm.objects.filter(owner=owner, saved_at__gte=since, dream__deleted_at=None)
    for form in recent.select_related("dream").order_by("-saved_at")[:10]:
        if same_words(form.dream, changes=changes, tags=tags):
            return form.dream
    return None


def already_saved(*, owner, key, title: str, body: str, changed_at: datetime | None = None) -> bool:
    """Whether this form was saved as a dream that holds exactly these words (an empty
    title: the dream's own, derived one), or holds words typed later than these, by the
    device's own stamps (`changed_at`: an autosave that arrives after the save it raced)."""
    saved = SavedForm.objects.filter(owner=owner, key=key).values_list(
        "dream__title", "dream__body", "changed_at"
    )
    for saved_title, saved_body, saved_changed_at in saved:
        if changed_at and saved_changed_at and changed_at <= saved_changed_at:
            return True
        if drafts.normalise_words(body) == drafts.normalise_words(saved_body) and (
            not title.strip() or title.strip() == saved_title
        ):
            return True
    return False


def same_words(dream: Dream, *, changes: dict, tags: Iterable[str]) -> bool:
    """Whether saving these changes and tags would leave the dream as it is."""
    for name in EDITABLE_FIELDS:
        if name in changes and changes[name] != getattr(dream, name):
            return False
    return {normalise_tag(t) for t in tags} == {normalise_tag(t) for t in dream.tag_names}


def _settle(dream: Dream, *, motif_choices: dict | None, draft_key, picture_choices=None) -> None:
    """After a save from the form: the author's motif choices, the pictures attached to the
    form (and its choices about them), and the draft is done with."""
    if motif_choices:
        vocabulary.apply_motif_choices(dream, motif_choices)
    if picture_choices is not None or draft_key:
        pictures.settle(dream, draft_key=draft_key, choices=picture_choices or pictures.Choices())
    if draft_key:
        discard_draft(owner=dream.owner, key=draft_key)


COPY_SUFFIX = " (conflict copy)"


@transaction.atomic
def fold_copy(copy: Dream, *, into: Dream) -> None:
    """A conflict copy of `into` (as older Somnia made them, and older exports hold them)
    becomes a version in into's history, below into's own words as its newest version; the
    copy's pictures (those into lacks) go to into, and the copy goes."""
    into = Dream.objects.select_for_update().get(pk=into.pk)
    versions.record_earlier(into)
    snap = versions.snapshot(copy)
    snap["title"] = snap["title"].removesuffix(COPY_SUFFIX) or into.title
    snap["fields"]["visibility"] = into.visibility  # a copy was made private as a copy
    number = into.version + 1
    versions.record(into, source=DreamVersion.Source.COPY, snap=snap, number=number)
    versions.record(into, source=DreamVersion.Source.IMPORT, number=number + 1)
    Dream.objects.filter(pk=into.pk).update(version=number + 1)
    have = set(into.pictures.values_list("sha256", flat=True))
    pictures.forget(copy.pictures.filter(sha256__in=have))  # the same picture is on into already
    copy.pictures.update(dream=into, is_cover=False)
    pictures.refresh_card(into)
    Draft.objects.filter(dream=copy).update(dream=into, base_version=number)
    Dream.objects.filter(recurs=copy).exclude(pk=into.pk).update(recurs=into)
    copy.delete()


def trash(dream: Dream) -> None:
    now = timezone.now()
    Dream.objects.filter(pk=dream.pk).update(deleted_at=now, updated_at=now)


def restore(dream: Dream) -> None:
    Dream.objects.filter(pk=dream.pk).update(deleted_at=None, updated_at=timezone.now())


def purge_trash(*, owner=None, now=None) -> int:
    """Delete for good what has been in the trash for longer than TRASH_DAYS. The only place
    that does: the trash page just stops showing them (`manage.py purge_trash`, daily)."""
    now = now or timezone.now()
    expired = Dream.objects.past_keeping(now=now)
    # Uploads never confirmed, and finished ones; a running one is taken back first if stale.
    uploads = PendingImport.objects.filter(created_at__lt=now - timedelta(days=1)).exclude(
        state=PendingImport.State.RUNNING
    )
    if owner is not None:
        expired, uploads = expired.filter(owner=owner), uploads.filter(owner=owner)
    uploads.delete()  # files uploaded for an import that was never confirmed
    with transaction.atomic():
        files = pictures.files_of_dreams(expired)
        deleted, _ = expired.delete()
        pictures.delete_files_on_commit(files)  # once the rows are surely gone
    pictures.purge_waiting(now=now, owner=owner)  # pictures of forms never saved
    return deleted


class DraftTooLarge(ValueError):
    """A draft longer than a dream may be; nothing was stored (the device keeps its copy)."""


# A draft holds no more than a dream may: the entry form's limits.
DRAFT_MAX_TITLE = 10_000
DRAFT_MAX_BODY = 100_000


class DraftKept(NamedTuple):
    """What keep_draft did: `stored` is False when the server already held newer words for
    this form (they are kept, these are not); `dropped` are the openings of older drafts that
    the quota let go."""

    draft: Draft
    stored: bool
    dropped: list[str]


def save_draft(**form) -> Draft:
    """keep_draft(**form), for callers that need only the draft kept (or the newer one the
    server already held). Raises DraftTooLarge."""
    return keep_draft(**form).draft


def keep_draft(
    *,
    owner,
    key,
    dream: Dream | None,
    title: str,
    body: str,
    fields: dict,
    base_version: int | None = None,
    changed_at: datetime | None = None,
) -> DraftKept:
    """Keep a form's words unless the server holds newer ones for that form (by changed_at,
    the device's clock); then apply the draft quotas. One draft per form (key).

    base_version is the version the form was opened at: restoring the draft later over a
    newer save is then a conflict, never an overwrite. Raises DraftTooLarge."""
    if len(title) > DRAFT_MAX_TITLE or len(body) > DRAFT_MAX_BODY:
        raise DraftTooLarge(
            f"This draft is too long for the server ({len(body):,} characters; a dream holds "
            f"{DRAFT_MAX_BODY:,}). Your words are kept on this device."
        )
    if dream is not None and base_version is None:
        base_version = dream.version
    # Whatever the browser sent is kept, but a NUL (which PostgreSQL refuses) is no word.
    title, body = title.replace("\x00", ""), body.replace("\x00", "")
    fields = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in fields.items()}
    now = timezone.now()
    values = {
        "dream": dream,
        "base_version": base_version if dream else None,
        "title": title,
        "body": body,
        "fields": fields,
        "updated_at": now,
        "changed_at": changed_at or now,
        "words_hash": drafts.words_hash(title=title, body=body),
    }
    mine = Draft.objects.filter(owner=owner, key=key)
    # One UPDATE in the usual case (autosaves come every few seconds); it changes nothing
    # when the stored words are newer than these.
    if mine.filter(changed_at__lte=values["changed_at"]).update(**values):
        return DraftKept(Draft(owner=owner, key=key, **values), True, [])
    newer = mine.first()
    if newer is not None:
        return DraftKept(newer, False, [])
    try:
        with transaction.atomic():
            draft = Draft.objects.create(owner=owner, key=key, **values)
    except IntegrityError:  # the same form's other request made it first: go round again
        return keep_draft(
            owner=owner, key=key, dream=dream, title=title, body=body, fields=fields,
            base_version=base_version, changed_at=changed_at,
        )  # fmt: skip
    return DraftKept(draft, True, _apply_draft_quota(owner=owner, keep=draft.pk, now=now))


def _apply_draft_quota(*, owner, keep: int, now: datetime) -> list[str]:
    """Drop the owner's expired drafts and the oldest past the caps; their openings."""
    rows = [
        drafts.Kept(pk, dream_id, updated_at)
        for pk, dream_id, updated_at in Draft.objects.filter(owner=owner).values_list(
            "pk", "dream_id", "updated_at"
        )
    ]
    drop = drafts.over_quota(
        rows,
        keep=keep,
        per_account=settings.DRAFTS_PER_ACCOUNT,
        per_dream=settings.DRAFTS_PER_DREAM,
        max_age=timedelta(days=settings.DRAFT_MAX_AGE_DAYS),
        now=now,
    )
    if not drop:
        return []
    gone = Draft.objects.filter(pk__in=drop)
    dropped = drafts.openings(f"{t} {b[:200]}" for t, b in gone.values_list("title", "body"))
    gone.delete()
    return dropped


def purge_drafts(*, now: datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_MAX_AGE_DAYS (the daily purge)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DRAFT_MAX_AGE_DAYS)
    deleted, _ = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def discard_draft(*, owner, key) -> None:
    Draft.objects.filter(owner=owner, key=key).delete()


def unsaved_drafts(*, owner, limit: int = 60):
    """The owner's drafts with words in them, newest words first, each with `opening` (the
    first 300 characters of its narrative) and its dream; the narrative itself is not loaded."""
    return (
        Draft.objects.filter(owner=owner)
        .exclude(body="", title="")
        .annotate(opening=Substr("body", 1, 300))
        .select_related("dream")
        .only(
            "key",
            "title",
            "changed_at",
            "words_hash",
            "base_version",
            "dream__title",
            "dream__version",
        )
        .order_by("-changed_at")[:limit]
    )


def saved_words(*, owner, days: int = 7, limit: int = 20) -> list[dict]:
    """The owner's forms saved in the last `days` (newest first, at most `limit`), each as
    {"key": str, "hash": words_hash of the dream's title and narrative, "bodyHash": of the
    narrative alone}: a browser forgets its own copy of a form whose words are these (saved
    by a queue replayed in the background, or on another page), and keeps any other. A week
    covers a queue left waiting; the limit bounds the narratives read for one form."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SavedForm.objects.filter(owner=owner, saved_at__gte=since)
        .order_by("-saved_at")
        .values_list("key", "dream__title", "dream__body")[:limit]
    )
    return [
        {
            "key": str(key),
            "hash": drafts.words_hash(title=title, body=body),
            "bodyHash": drafts.words_hash(title="", body=body),
        }
        for key, title, body in rows
    ]


def pending_draft(*, owner, dream: Dream | None, exclude_key=None) -> Draft | None:
    """The newest draft with words in it for this dream (or for a new entry)."""
    drafts = Draft.objects.filter(owner=owner, dream=dream).exclude(body="", title="")
    if exclude_key:
        drafts = drafts.exclude(key=exclude_key)
    return drafts.order_by("-updated_at").first()


def delete_account(user) -> None:
    """Delete the account and, by cascade, every dream, draft, tag, motif and picture of it;
    the pictures' files go once the deletion has committed."""
    with transaction.atomic():
        files = pictures.files_of_owner(user)
        user.delete()
        pictures.delete_files_on_commit(files)
