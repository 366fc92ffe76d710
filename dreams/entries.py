"""Saving a dream, and everything that depends on its text, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from dreams import motifs
from dreams.models import Dream, DreamMotif, DreamTag, Motif, Tag, normalise_tag


def lexicon_for(owner) -> motifs.Lexicon:
    """The built-in lexicon plus the owner's own motifs."""
    own = [
        motifs.LexiconEntry(m.slug, m.name, m.category, tuple(m.aliases))
        for m in Motif.objects.filter(owner=owner)
    ]
    lexicon = motifs.builtin_lexicon()
    return lexicon.plus(own) if own else lexicon


def refresh_motifs(dream: Dream, *, lexicon: motifs.Lexicon | None = None) -> None:
    """Store the motifs detected in the dream's text; links set by hand stay as set."""
    lexicon = lexicon or lexicon_for(dream.owner)
    detections = {d.slug: d for d in motifs.detect(dream.body, lexicon=lexicon)}
    by_slug = {
        m.slug: m
        for m in Motif.objects.available_to(dream.owner)
        .filter(slug__in=detections)
        # A user's own motif wins over a built-in one of the same slug.
        .order_by("owner_id")
    }
    links = {link.motif.slug: link for link in dream.motif_links.select_related("motif")}
    stale = [
        link.pk
        for slug, link in links.items()
        if link.status == DreamMotif.Status.DETECTED and slug not in detections
    ]
    DreamMotif.objects.filter(pk__in=stale).delete()
    create, update = [], []
    for slug, detection in detections.items():
        motif = by_slug.get(slug)
        if motif is None:
            continue
        evidence = [span.as_dict() for span in detection.spans[: motifs.MAX_EVIDENCE]]
        link = links.get(slug)
        if link is None:
            create.append(
                DreamMotif(dream=dream, motif=motif, evidence=evidence, count=detection.count)
            )
        elif link.status != DreamMotif.Status.REMOVED and (
            link.evidence != evidence or link.count != detection.count
        ):
            link.evidence, link.count = evidence, detection.count
            update.append(link)
    DreamMotif.objects.bulk_create(create)
    DreamMotif.objects.bulk_update(update, ["evidence", "count"])


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
    refresh_motifs(dream, lexicon=lexicon)
    if tags is not None:
        set_tags(dream, tags)
    return dream
