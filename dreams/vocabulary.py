"""A user's own vocabulary: their motifs, their words for motifs, the motifs they turned down,
and their tags. Everything here is scoped to one owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.text import slugify

from dreams import motifs, search
from dreams.models import (
    Dream,
    DreamMotif,
    DreamTag,
    Motif,
    MotifAlias,
    MotifRejection,
    Tag,
    normalise_tag,
)


class VocabularyError(ValueError):
    """A request the vocabulary cannot take, with a message for the user."""


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


@dataclass(frozen=True)
class Suggestion:
    motif: Motif
    detection: motifs.Detection
    status: str  # "", or the link's status when the dream already has one

    @property
    def evidence(self) -> str:
        return ", ".join(self.detection.words)

    def choice(self, posted: dict[str, str]) -> str:
        """The choice to show: what the form said, else what the dream's link says."""
        if self.motif.slug in posted:
            return posted[self.motif.slug]
        return {DreamMotif.Status.ADDED: Choice.KEEP, DreamMotif.Status.REMOVED: Choice.DROP}.get(
            self.status, Choice.AS_FOUND
        )


def suggest(text: str, *, owner, dream: Dream | None = None) -> list[Suggestion]:
    """The motifs found in a text being written, with the words that show them, and the
    motifs the author set by hand on this dream even if the text no longer shows them."""
    detections = motifs.detect(text, lexicon=lexicon_for(owner))
    statuses = {}
    if dream is not None and dream.pk:
        statuses = dict(dream.motif_links.values_list("motif__slug", "status"))
    hand_set = [
        slug
        for slug, status in statuses.items()
        if status in (DreamMotif.Status.ADDED, DreamMotif.Status.REMOVED)
        and slug not in {d.slug for d in detections}
    ]
    by_slug = _motifs_by_slug(owner, [d.slug for d in detections] + hand_set)
    found = [
        Suggestion(by_slug[d.slug], d, statuses.get(d.slug, ""))
        for d in detections
        if d.slug in by_slug
    ]
    for slug in hand_set:
        if slug in by_slug:
            motif = by_slug[slug]
            empty = motifs.Detection(slug, motif.name, motif.category, ())
            found.append(Suggestion(motif, empty, statuses[slug]))
    return found


def _motifs_by_slug(owner, slugs: Iterable[str]) -> dict[str, Motif]:
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


class Choice:
    """What the author said of one motif on one dream."""

    AS_FOUND = ""  # whatever the text shows
    KEEP = "keep"  # on this dream whatever the text later says
    DROP = "drop"  # not on this dream
    NEVER = "never"  # not on this dream, and never suggested or found for this author again

    LABELS = {
        AS_FOUND: "As found in the text",
        KEEP: "Keep it on this dream",
        DROP: "Not in this dream",
        NEVER: "Never suggest it to me",
    }


@transaction.atomic
def apply_motif_choices(dream: Dream, choices: dict[str, str]) -> bool:
    """The author's word on each motif. Returns whether some went back to "as found", so the
    caller detects again."""
    by_slug = _motifs_by_slug(dream.owner, choices)
    reset = False
    for slug, choice in choices.items():
        motif = by_slug.get(slug)
        if motif is None:
            continue
        if choice == Choice.AS_FOUND:
            hand_set = [DreamMotif.Status.ADDED, DreamMotif.Status.REMOVED]
            reset |= bool(
                DreamMotif.objects.filter(dream=dream, motif=motif, status__in=hand_set).delete()[0]
            )
            continue
        if choice not in Choice.LABELS:
            continue
        status = DreamMotif.Status.ADDED if choice == Choice.KEEP else DreamMotif.Status.REMOVED
        DreamMotif.objects.update_or_create(dream=dream, motif=motif, defaults={"status": status})
        if choice == Choice.NEVER:
            MotifRejection.objects.get_or_create(owner=dream.owner, motif=motif)
    dream.refresh_card()
    search.index_dream(dream)
    return reset


def choices_from(post) -> dict[str, str]:
    """{slug: choice} from a form's motif-<slug> fields."""
    return {
        name.removeprefix("motif-"): value
        for name, value in post.items()
        if name.startswith("motif-") and value in Choice.LABELS
    }


def motif_for_user(owner, slug: str) -> Motif | None:
    return _motifs_by_slug(owner, [slug]).get(slug)


@transaction.atomic
def make_motif(*, owner, name: str, category: str, words: Iterable[str] = ()) -> Motif:
    """A motif of the user's own, found from then on by its name and words."""
    name = " ".join(name.split())[:80]
    slug = slugify(name)[:80]
    if not slug:
        raise VocabularyError("A motif needs a name with letters in it.")
    if category not in Motif.Category.values:
        raise VocabularyError("Choose a kind of motif.")
    if Motif.objects.available_to(owner).filter(slug=slug).exists():
        raise VocabularyError(f"There is already a motif called “{name}”: add your words to it.")
    aliases = sorted({" ".join(w.split()).lower() for w in words if w.strip()} - {name.lower()})
    return Motif.objects.create(
        owner=owner, name=name, slug=slug, category=category, aliases=aliases[:50]
    )


def add_word(*, owner, motif: Motif, word: str) -> MotifAlias:
    """Another word for a motif, used for this user's dreams from now on."""
    word = " ".join(word.split()).lower()[:80]
    if not motifs.phrase_stems(word):
        raise VocabularyError("A word needs letters in it.")
    alias, _ = MotifAlias.objects.get_or_create(owner=owner, motif=motif, word=word)
    MotifRejection.objects.filter(owner=owner, motif=motif).delete()
    return alias


def allow_again(*, owner, motif: Motif) -> None:
    MotifRejection.objects.filter(owner=owner, motif=motif).delete()


@transaction.atomic
def rename_tag(tag: Tag, new_name: str) -> Tag:
    """Rename a tag; a name the owner already uses merges the two, and every dream keeps it."""
    new_name = " ".join(new_name.split())
    key = normalise_tag(new_name)
    if not key:
        raise VocabularyError("A tag needs a name.")
    if len(new_name) > Tag._meta.get_field("name").max_length:
        raise VocabularyError("A tag can be at most 64 characters.")
    other = Tag.objects.filter(owner=tag.owner, normalised=key).exclude(pk=tag.pk).first()
    if other is None:
        tag.name = new_name
        tag.save()
        search.reindex_tagged([tag.pk])
        return tag
    tagged = set(DreamTag.objects.filter(tag=other).values_list("dream_id", flat=True))
    DreamTag.objects.filter(tag=tag).exclude(dream_id__in=tagged).update(tag=other)
    tag.delete()
    search.reindex_tagged([other.pk])
    return other


@transaction.atomic
def delete_tag(tag: Tag) -> None:
    dream_ids = list(tag.dream_links.values_list("dream_id", flat=True))
    tag.delete()  # the dreams stay; only the label goes
    search.reindex(Dream.objects.filter(pk__in=dream_ids))


def tag_counts(owner):
    return (
        Tag.objects.filter(owner=owner)
        .annotate(
            dream_count=Count("dream_links", filter=Q(dream_links__dream__deleted_at__isnull=True))
        )
        .order_by("normalised")
    )
