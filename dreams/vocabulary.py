"""A user's own vocabulary: their motifs, their words for motifs, the motifs they turned down,
and their tags. Everything here is scoped to one owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from dreams import caching, motifs, search

# What search needs of a vocabulary lives in lexicons.py (search imports it; this module
# imports search): named here too, as callers have always found them.
from dreams.lexicons import (  # noqa: F401
    lexicon_for,
    lexicon_of_shown,
    motif_for_user,
    motifs_by_slug,
)
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

# How many dreams' worth of weight the lexicon's share (how common a motif is in dreams at
# large) carries against the writer's own journal when ranking motifs.
PRIOR_DREAMS = 20
SHARES_SECONDS = 600


class VocabularyError(ValueError):
    """A request the vocabulary cannot take, with a message for the user."""


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


def journal_shares(owner) -> dict[str, float]:
    """For each motif slug, the share (0-1] of this writer's dreams that have it, blended with
    how common the motif is in dreams at large (so a young journal still ranks sensibly).
    The counts are kept per process for SHARES_SECONDS: ranking may lag a few minutes."""

    def counts() -> tuple[dict[str, int], int]:
        found = (
            DreamMotif.objects.shown()
            .filter(dream__owner=owner, dream__deleted_at__isnull=True)
            .values("motif__slug")
            .annotate(n=Count("dream_id"))
            .values_list("motif__slug", "n")
        )
        return dict(found), Dream.objects.filter(owner=owner, deleted_at__isnull=True).count()

    if owner is None or not getattr(owner, "pk", None):
        seen, total = {}, 0
    else:
        key = caching.key("motif-shares", owner.pk)
        seen, total = caching.kept(key, counts, seconds=SHARES_SECONDS)
    priors = {entry.slug: entry.share for entry in motifs.builtin_lexicon().entries}
    return {
        slug: (seen.get(slug, 0) + priors.get(slug, motifs.UNSEEN_SHARE) * PRIOR_DREAMS)
        / (total + PRIOR_DREAMS)
        for slug in priors.keys() | seen.keys()
    }


def saliences(
    detections: list[motifs.Detection], *, text: str, shares: dict[str, float]
) -> dict[str, float]:
    """{slug: salience} for a text's detections (motifs.salience())."""
    return {s.slug: s.score for s in motifs.rank(detections, length=len(text), shares=shares)}


class Suggestions(list):
    """suggest()'s rows, and whether the text does not read as English (`foreign`): then
    only the writer's own words were looked for, as the motif panel says."""

    foreign: bool = False


def suggest(text: str, *, owner, dream: Dream | None = None) -> Suggestions:
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
    by_slug = motifs_by_slug(owner, [d.slug for d in detections] + hand_set)
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
    found = Suggestions(found)
    found.foreign = not motifs.reads_as_english(text)
    return found


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
def apply_motif_choices(dream: Dream, choices: dict[str, str]) -> None:
    """The author's word on each motif. A motif set back to "as found" is detected again.

    A kept motif keeps the salience its words give it (refresh_motifs()): it leads the dream's
    chief motifs by its status (motifs.chief()), not by a score, so the others are ranked as
    they would be without it and an export shows what the text says of it."""
    by_slug = motifs_by_slug(dream.owner, choices)
    hand_set = [DreamMotif.Status.ADDED, DreamMotif.Status.REMOVED]
    changed = reset = kept = False
    for slug, choice in choices.items():
        motif = by_slug.get(slug)
        if motif is None or choice not in Choice.LABELS:
            continue
        if choice == Choice.AS_FOUND:
            deleted = DreamMotif.objects.filter(dream=dream, motif=motif, status__in=hand_set)
            reset |= bool(deleted.delete()[0])
            continue
        if choice == Choice.KEEP:
            # The salience stays what the text gives it; refresh_motifs() below sets it for a
            # link that had none (new, or taken off before).
            DreamMotif.objects.update_or_create(
                dream=dream,
                motif=motif,
                defaults={"status": DreamMotif.Status.ADDED},
                create_defaults={"status": DreamMotif.Status.ADDED, "salience": 0},
            )
            kept = True
        else:
            DreamMotif.objects.update_or_create(
                dream=dream,
                motif=motif,
                defaults={"status": DreamMotif.Status.REMOVED, "salience": 0},
            )
        if choice == Choice.NEVER:
            MotifRejection.objects.get_or_create(owner=dream.owner, motif=motif)
        changed = True
    if reset or kept:
        refresh_motifs(dream)
    if changed or reset:
        dream.refresh_card()
        search.index_dream(dream)


def choices_from(post) -> dict[str, str]:
    """{slug: choice} from a form's motif-<slug> fields, and the one button pressed
    (motif_choice="<slug>:<choice>", "<slug>:" for undo) over them."""
    choices = {
        name.removeprefix("motif-"): value
        for name, value in post.items()
        if name.startswith("motif-") and value in Choice.LABELS
    }
    slug, _, value = post.get("motif_choice", "").partition(":")
    if slug and value in Choice.LABELS:
        choices[slug] = value
    return choices


def refresh_motifs(dream: Dream, *, lexicon: motifs.Lexicon | None = None) -> None:
    """Store the motifs detected in the dream's text, each with its salience; links set by
    hand stay as set (a kept motif gets the salience its words give it, none once they are
    gone)."""
    lexicon = lexicon or lexicon_for(dream.owner)
    detections = {d.slug: d for d in motifs.detect(dream.body, lexicon=lexicon)}
    ranks = saliences(
        list(detections.values()), text=dream.body, shares=journal_shares(dream.owner)
    )
    by_slug = motifs_by_slug(dream.owner, detections)
    links = {link.motif.slug: link for link in dream.motif_links.select_related("motif")}
    stale = [
        link.pk
        for slug, link in links.items()
        if link.status == DreamMotif.Status.DETECTED and slug not in detections
    ]
    DreamMotif.objects.filter(pk__in=stale).delete()
    create, update = [], []
    for slug, link in links.items():
        if link.status == DreamMotif.Status.ADDED and slug not in detections and link.salience:
            link.salience = 0.0  # kept, though the text no longer shows it
            update.append(link)
    for slug, detection in detections.items():
        motif = by_slug.get(slug)
        if motif is None:
            continue
        evidence = [span.as_dict() for span in detection.spans[: motifs.MAX_EVIDENCE]]
        salience = ranks[slug]
        link = links.get(slug)
        if link is None:
            create.append(
                DreamMotif(
                    dream=dream,
                    motif=motif,
                    evidence=evidence,
                    count=detection.count,
                    salience=salience,
                )
            )
        elif link.status != DreamMotif.Status.REMOVED and (
            link.evidence != evidence or link.count != detection.count or link.salience != salience
        ):
            link.evidence, link.count, link.salience = evidence, detection.count, salience
            update.append(link)
    DreamMotif.objects.bulk_create(create)
    DreamMotif.objects.bulk_update(update, ["evidence", "count", "salience"])


def sync_builtin_motifs() -> int:
    """Make the database's built-in motifs match the lexicon file; returns how many changed."""
    entries = {entry.slug: entry for entry in motifs.builtin_lexicon().entries}
    existing = {motif.slug: motif for motif in Motif.objects.builtin()}
    missing = [
        Motif(slug=e.slug, name=e.name, category=e.category, aliases=list(e.aliases))
        for slug, e in entries.items()
        if slug not in existing
    ]
    changed = []
    for slug, motif in existing.items():
        entry = entries.get(slug)
        wanted = entry and (entry.name, entry.category, list(entry.aliases))
        if wanted and (motif.name, motif.category, motif.aliases) != wanted:
            motif.name, motif.category, motif.aliases = wanted
            changed.append(motif)
    Motif.objects.bulk_create(missing)
    Motif.objects.bulk_update(changed, ["name", "category", "aliases"])
    return len(missing) + len(changed)


def sync_builtin_motifs_after_migrate(*, using: str = "default", **kwargs) -> None:
    """post_migrate: like Django's permissions, the lexicon exists in every migrated database."""
    if "dreams_motif" in connections[using].introspection.table_names():
        sync_builtin_motifs()


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
    if not motifs.phrase_words(word):
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
    other = Tag.objects.owned_by(tag.owner).filter(normalised=key).exclude(pk=tag.pk).first()
    if other is None:
        tag.name = new_name
        tag.save()
        _retagged(tag.dream_links.values_list("dream_id", flat=True))
        return tag
    tagged = set(DreamTag.objects.filter(tag=other).values_list("dream_id", flat=True))
    DreamTag.objects.filter(tag=tag).exclude(dream_id__in=tagged).update(tag=other)
    tag.delete()
    _retagged(other.dream_links.values_list("dream_id", flat=True))
    return other


@transaction.atomic
def delete_tag(tag: Tag) -> None:
    dream_ids = list(tag.dream_links.values_list("dream_id", flat=True))
    tag.delete()  # the dreams stay; only the label goes
    _retagged(dream_ids)


def _retagged(dream_ids) -> None:
    """Dreams whose tags were renamed, merged or removed: their cards, the search index, and
    a new updated_at so that caches of what they show are renewed."""
    dreams = list(Dream.objects.filter(pk__in=list(dream_ids)))
    names: dict[int, list[str]] = {dream.pk: [] for dream in dreams}
    for dream_id, name in (
        DreamTag.objects.filter(dream__in=dreams)
        .order_by("pk")
        .values_list("dream_id", "tag__name")
    ):
        names[dream_id].append(name)
    now = timezone.now()
    for dream in dreams:
        dream.card = {**dream.card, "tags": names[dream.pk]}
        dream.updated_at = now
    Dream.objects.bulk_update(dreams, ["card", "updated_at"], batch_size=500)
    search.reindex(dreams)
