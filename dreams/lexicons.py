"""A user's lexicon and their motifs by slug: what reading a text for motifs, and search's
motif: filter, need of the user's vocabulary. Reading only; the changes (vocabulary.py) re-index
dreams through search, which reads these, so they live apart (no import circle)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from dreams import motifs
from dreams.models import Motif, MotifAlias, MotifRejection


def lexicon_for(owner) -> motifs.Lexicon:
    """The built-in lexicon as this owner has shaped it: their motifs and words in, their
    rejections out."""
    lexicon = motifs.builtin_lexicon()
    if owner is None or not getattr(owner, "pk", None):
        return lexicon
    rejected = set(MotifRejection.objects.filter(owner=owner).values_list("motif__slug", flat=True))
    own = [
        motifs.LexiconEntry(m.slug, m.name, m.category, tuple(m.aliases))
        for m in Motif.objects.filter(owner=owner)
    ]
    words = [
        motifs.LexiconEntry(a.motif.slug, a.motif.name, a.motif.category, (a.word,))
        for a in MotifAlias.objects.filter(owner=owner).select_related("motif")
    ]
    if not (rejected or own or words):
        return lexicon
    return lexicon.plus([*own, *words]).without(rejected)


def lexicon_of_shown(owner, shown: Iterable[Motif]) -> motifs.Lexicon:
    """The lexicon that marks these motifs in the author's text: the shipped senses for
    built-in ones, the author's own motifs and their words for them (one query)."""
    shown = list(shown)
    builtin = motifs.builtin_lexicon().only(m.slug for m in shown if m.owner_id is None)
    own = [
        motifs.LexiconEntry(m.slug, m.name, m.category, tuple(m.aliases))
        for m in shown
        if m.owner_id
    ]
    words = [
        motifs.LexiconEntry(a.motif.slug, a.motif.name, a.motif.category, (a.word,))
        for a in MotifAlias.objects.filter(owner=owner, motif__in=shown).select_related("motif")
    ]
    return builtin.plus([*own, *words])


def motifs_by_slug(owner, slugs: Iterable[str]) -> dict[str, Motif]:
    # A user's own motif wins over a built-in one of the same slug.
    found = (
        Motif.objects.available_to(owner)
        .filter(slug__in=list(slugs))
        .order_by(F("owner_id").desc(nulls_last=True))
    )
    by_slug: dict[str, Motif] = {}
    for motif in found:
        by_slug.setdefault(motif.slug, motif)
    return by_slug


def motif_for_user(owner, slug: str) -> Motif | None:
    return motifs_by_slug(owner, [slug]).get(slug)
