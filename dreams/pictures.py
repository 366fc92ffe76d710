"""Pictures of dreams: stored, attached to a dream when it is saved, chosen as its cover, served
only to those who may read the dream, and deleted with it.

A picture uploaded from the writing form waits under the form's draft key until the dream is
saved (settle()), so a form refused for another reason keeps its pictures too. Files live in
the "pictures" storage (settings.STORAGES) under names made from the picture's random key.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone

from dreams import imaging
from dreams.imaging import BadPicture
from dreams.models import Draft, Dream, Picture

__all__ = ["BadPicture", "Choices", "add", "settle"]

# A picture waiting for its form is kept while its draft exists, and a day at least.
PENDING_KEPT = timedelta(days=1)


def storage() -> Storage:
    return storages["pictures"]


def limits() -> imaging.Limits:
    return imaging.Limits(
        max_bytes=settings.PICTURE_MAX_MB * 1024 * 1024,
        max_pixels=settings.PICTURE_MAX_MEGAPIXELS * 1_000_000,
    )


def add(
    *,
    owner,
    name: str,
    raw: bytes,
    alt: str = "",
    kind: str = Picture.Kind.PHOTO,
    dream: Dream | None = None,
    draft_key: uuid.UUID | None = None,
    beside: Dream | None = None,
) -> Picture:
    """Check, process and store one picture, on a saved `dream` or waiting under `draft_key`.

    `name` is the file's name as uploaded, `raw` its bytes. The same picture twice on one
    dream is the one already there. `beside` is the saved dream a waiting picture will join,
    counted against the limit. If a surrounding transaction rolls back, the files stay behind
    for remove_orphan_pictures (or the caller's own clean-up: picture.files). Raises
    BadPicture (with a message for the person) for a file that is not a picture, too large,
    too many pixels, damaged, or one too many for the dream (settings.PICTURES_PER_DREAM);
    nothing is stored then."""
    if dream is None and draft_key is None:
        raise ValueError("a picture belongs to a dream or waits under a draft key")
    _check_room(owner=owner, dream=dream or beside, draft_key=draft_key)
    prepared = imaging.prepare(raw, name=name, limits=limits())
    if dream is not None:
        same = dream.pictures.filter(sha256=prepared.sha256).first()
        if same is not None:
            return same
    picture = Picture(
        owner=owner,
        dream=dream,
        draft_key=None if dream else draft_key,
        kind=kind,
        # Asked for on the form; the dream's title until the writer says more.
        alt=" ".join(alt.split())[:500] or (dream.title[:500] if dream else ""),
        width=prepared.width,
        height=prepared.height,
        sha256=prepared.sha256,
        size=len(prepared.variants["full"]),
        content_type=prepared.content_type,
    )
    picture.files = _store(picture.key, prepared)
    try:
        with transaction.atomic():
            picture.position = _next_position(dream=dream, owner=owner, draft_key=draft_key)
            picture.save()
    except BaseException:
        _delete_now(picture.files.values())
        raise
    if dream is not None:
        refresh_card(dream)
    return picture


def _check_room(*, owner, dream: Dream | None, draft_key) -> None:
    have = Picture.objects.none()
    if dream is not None:
        have = dream.pictures.all()
    if draft_key is not None:
        have = Picture.objects.filter(
            Q(pk__in=have.values("pk")) | Q(owner=owner, dream__isnull=True, draft_key=draft_key)
        )
    if have.count() >= settings.PICTURES_PER_DREAM:
        raise BadPicture(
            f"A dream may have at most {settings.PICTURES_PER_DREAM} pictures; remove one "
            "to add another."
        )


def _next_position(*, dream: Dream | None, owner, draft_key) -> int:
    around = (
        dream.pictures.all()
        if dream is not None
        else Picture.objects.pending(owner=owner, draft_key=draft_key)
    )
    highest = around.aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


def _store(key: str, prepared: imaging.Prepared) -> dict[str, str]:
    """Write each variant; returns {variant: storage name}. Half-written sets are removed."""
    names: dict[str, str] = {}
    try:
        for variant, data in prepared.variants.items():
            wanted = f"{key[:2]}/{key}/{variant}.{prepared.extension}"
            names[variant] = storage().save(wanted, ContentFile(data))
    except BaseException:
        _delete_now(names.values())
        raise
    return names


@dataclass
class Choices:
    """What the writing form says about a dream's pictures."""

    alts: dict[str, str] = field(default_factory=dict)  # picture key -> text alternative
    remove: set[str] = field(default_factory=set)  # picture keys to remove
    cover: str | None = None  # a picture key, "" for the generated art, None: as it was


def choices_from(post) -> Choices:
    """Read the pictures' fields from a posted form: picture-<key>-alt, picture-<key>-remove
    and cover (a key, or "art")."""
    choices = Choices()
    for name, value in post.items():
        if name.startswith("picture-") and name.endswith("-alt"):
            choices.alts[name[len("picture-") : -len("-alt")]] = value
        elif name.startswith("picture-") and name.endswith("-remove"):
            choices.remove.add(name[len("picture-") : -len("-remove")])
    if "cover" in post:
        cover = post.get("cover", "")
        choices.cover = "" if cover == "art" else cover
    return choices


@transaction.atomic
def settle(dream: Dream, *, draft_key: uuid.UUID | None, choices: Choices) -> None:
    """After the dream is saved: take in the pictures waiting under the form's draft key, then
    apply the form's text alternatives, removals and cover choice; blank text alternatives
    become the dream's title. Keys that are not this dream's are ignored."""
    if draft_key is not None:
        waiting = Picture.objects.pending(owner=dream.owner, draft_key=draft_key)
        have = set(dream.pictures.values_list("sha256", flat=True))
        forget(waiting.filter(sha256__in=have))
        start = (dream.pictures.aggregate(top=Max("position"))["top"] or 0) + 1
        for offset, picture in enumerate(waiting.order_by("position", "id")):
            picture.dream, picture.draft_key, picture.position = dream, None, start + offset
            picture.save(update_fields=["dream", "draft_key", "position"])
    pictures = {p.key: p for p in dream.pictures.all()}
    forget(Picture.objects.filter(dream=dream, key__in=choices.remove & pictures.keys()))
    for key in choices.remove:
        pictures.pop(key, None)
    for key, picture in pictures.items():
        alt = " ".join(choices.alts.get(key, picture.alt).split())[:500] or dream.title
        if alt != picture.alt:
            picture.alt = alt
            picture.save(update_fields=["alt"])
    if choices.cover is not None:
        set_cover(dream, key=choices.cover or None)
    refresh_card(dream)


def set_cover(dream: Dream, *, key: str | None) -> None:
    """Make this picture the dream's cover (None: the generated art again)."""
    dream.pictures.filter(is_cover=True).exclude(key=key).update(is_cover=False)
    if key:
        dream.pictures.filter(key=key).update(is_cover=True)


def refresh_card(dream: Dream) -> None:
    """Write the dream's card anew with its pictures (what cards and pages show, no query)."""
    pictures = list(dream.pictures.order_by("position", "id"))
    card = {k: v for k, v in dream.card.items() if k not in ("pictures", "cover")}
    if pictures:
        card["pictures"] = [[p.key, p.alt, p.width, p.height] for p in pictures]
        cover = next((p.key for p in pictures if p.is_cover), None)
        if cover:
            card["cover"] = cover
    dream.card = card
    dream.updated_at = timezone.now()
    Dream.objects.filter(pk=dream.pk).update(card=card, updated_at=dream.updated_at)


def forget(pictures: QuerySet[Picture]) -> int:
    """Delete these pictures' rows now and their files once the transaction commits."""
    names = [name for files in pictures.values_list("files", flat=True) for name in files.values()]
    deleted, _ = pictures.delete()
    delete_files_on_commit(names)
    return deleted


def files_of_dreams(dreams: QuerySet[Dream]) -> list[str]:
    """The storage names of every picture of these dreams, for deleting after they are gone."""
    rows = Picture.objects.filter(dream__in=dreams.values("pk")).values_list("files", flat=True)
    return [name for files in rows for name in files.values()]


def files_of_owner(owner) -> list[str]:
    rows = Picture.objects.filter(owner=owner).values_list("files", flat=True)
    return [name for files in rows for name in files.values()]


def delete_files_on_commit(names: Iterable[str]) -> None:
    names = list(names)
    if names:
        transaction.on_commit(lambda: _delete_now(names))


def _delete_now(names: Iterable[str]) -> None:
    store = storage()
    for name in names:
        # Already gone is fine; remove_orphan_pictures catches what could not be deleted.
        with contextlib.suppress(OSError):
            store.delete(name)


def purge_waiting(*, now=None, owner=None) -> int:
    """Delete pictures that waited for a form which was never saved: older than a day and
    with no draft of that form left."""
    now = now or timezone.now()
    stale = Picture.objects.filter(dream__isnull=True, created_at__lt=now - PENDING_KEPT)
    if owner is not None:
        stale = stale.filter(owner=owner)
    drafts = Draft.objects.values("key")
    return forget(stale.exclude(draft_key__in=drafts))


def attach_uploads(
    *, owner, uploads: Iterable, alt: str, dream: Dream | None, draft_key
) -> tuple[list[Picture], list[str]]:
    """Store the files posted with the writing form under its draft key (`dream`: the dream
    being edited, or None); returns the pictures kept and the message of each file refused."""
    added, errors = [], []
    for upload in uploads:
        if upload.size > limits().max_bytes:
            errors.append(
                f"“{upload.name}” is {upload.size / 2**20:.1f} MB; a picture may be at most "
                f"{settings.PICTURE_MAX_MB} MB."
            )
            continue
        try:
            picture = add(
                owner=owner,
                name=upload.name,
                raw=upload.read(),
                alt=alt,
                draft_key=draft_key,
                kind=_kind_of(upload.name),
                beside=dream,
            )
            added.append(picture)
        except BadPicture as error:
            errors.append(str(error))
        except IntegrityError:  # pragma: no cover - a key collision in 2**192
            errors.append(f"“{upload.name}” could not be saved; try again.")
    return added, errors


def _kind_of(name: str) -> str:
    return Picture.Kind.DRAWING if name.startswith("sketch") else Picture.Kind.PHOTO


def for_form(*, owner, dream: Dream | None, draft_key) -> list[Picture]:
    """The pictures a writing form shows: the dream's, then those waiting under its key."""
    found = Picture.objects.none()
    if dream is not None:
        found = Picture.objects.filter(dream=dream)
    if draft_key:
        found = found | Picture.objects.pending(owner=owner, draft_key=draft_key)
    return list(found.order_by("dream", "position", "id"))


def response(request: HttpRequest, picture: Picture, *, variant: str) -> HttpResponse:
    """The picture's bytes (or the header that has the web server or bucket send them).

    Private unless its dream is shared; never cached by a shared cache when private. The
    caller has already checked that the viewer may read the dream."""
    name = picture.files[variant]
    shared = picture.dream is not None and picture.dream.is_shared
    etag = f'"{picture.sha256[:32]}-{variant}"'
    if request.headers.get("If-None-Match") == etag:
        answer: HttpResponse = HttpResponseNotModified()
    elif settings.PICTURE_SERVING == "signed":
        answer = HttpResponse(status=302)
        answer["Location"] = storage().url(name)
        answer["Cache-Control"] = "private, no-store"
        return answer
    elif settings.PICTURE_SERVING == "x-accel-redirect":
        answer = HttpResponse(content_type=picture.content_type)
        answer["X-Accel-Redirect"] = settings.PICTURE_ACCEL_PREFIX.rstrip("/") + "/" + name
    elif settings.PICTURE_SERVING == "x-sendfile":
        answer = HttpResponse(content_type=picture.content_type)
        answer["X-Sendfile"] = storage().path(name)
    else:
        answer = FileResponse(storage().open(name, "rb"), content_type=picture.content_type)
    answer["ETag"] = etag
    # The bytes under a key never change, but who may see them does: every use revalidates
    # (a 304 for the ETag), so a dream made private, or a session ended, takes them away at
    # once; a private dream's stay out of shared caches.
    answer["Cache-Control"] = "public, no-cache" if shared else "private, no-cache"
    answer["Content-Disposition"] = "inline"
    return answer


class Orphans(NamedTuple):
    """What find_orphans() found: files no picture names (old enough to be no upload in
    progress) and pictures with a file missing (picture key, variant)."""

    files: list[str]
    missing: list[tuple[str, str]]


def stored_names(store: Storage | None = None, folder: str = "") -> Iterator[str]:
    """Every file's name in the pictures storage, walking its folders."""
    store = store or storage()
    folders, files = store.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_names(store, f"{folder}/{sub}" if folder else sub)


def find_orphans(*, older_than: timedelta = timedelta(hours=1), now=None) -> Orphans:
    """Files in the storage that no picture names, left by a crash or a rolled-back import;
    a file younger than `older_than` may be an upload whose row is not committed yet."""
    now = now or timezone.now()
    store = storage()
    known: dict[str, tuple[str, str]] = {}
    for key, files in Picture.objects.values_list("key", "files").iterator():
        for variant, name in files.items():
            known[name] = (key, variant)
    present = set(stored_names(store))
    orphans = [
        name
        for name in sorted(present - known.keys())
        if now - store.get_modified_time(name) > older_than
    ]
    missing = sorted(known[name] for name in known.keys() - present)
    return Orphans(files=orphans, missing=missing)


def remove_files(names: Iterable[str]) -> None:
    """Delete these files now (for the orphan command; domain code waits for the commit)."""
    _delete_now(names)
