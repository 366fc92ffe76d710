"""Dreams, the motifs (recurring symbols) found in them, and the tags their authors give them."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone


def dream_day(prefix: str = ""):
    """When a dream happened, as an expression: its date, or the day it was written down."""
    return Coalesce(f"{prefix}dreamt_on", TruncDate(f"{prefix}created_at"))


OPENING_LENGTH = 220
CARD_MOTIFS = 4
RELATED_CANDIDATES = 400  # per motif: the latest dreams that have it
CHIEF_MOTIFS = 6  # of a dream, for finding related dreams


def chief_motifs(links) -> list[int]:
    """The ids of a dream's chief motifs from its shown links: its most frequent images, body
    parts and hues last."""
    ranked = sorted(
        links, key=lambda link: (link.motif.category in BACKGROUND_CATEGORIES, -link.count)
    )
    return [link.motif_id for link in ranked[:CHIEF_MOTIFS]]


# Dreamt most recently first; undated dreams after dated ones, newest written first.
NEWEST_FIRST = [models.F("dreamt_on").desc(nulls_last=True), "-created_at", "-id"]


class DreamQuerySet(models.QuerySet):
    def alive(self) -> DreamQuerySet:
        """Not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def shared(self) -> DreamQuerySet:
        return self.alive().filter(visibility=Dream.Visibility.SHARED)

    def in_trash(self) -> DreamQuerySet:
        return self.filter(deleted_at__isnull=False)

    def owned_by(self, user) -> DreamQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.alive().filter(owner=user)

    def visible_to(self, user) -> DreamQuerySet:
        """What this viewer may read: everything shared, plus their own."""
        if not user.is_authenticated:
            return self.shared()
        return self.alive().filter(Q(visibility=Dream.Visibility.SHARED) | Q(owner=user))

    def with_motif(self, motif: Motif) -> DreamQuerySet:
        # One filter() call: the motif and its status are conditions on the same link.
        return self.filter(motif_links__motif=motif, motif_links__status__in=SHOWN)

    def related_to(self, dream: Dream, *, motif_ids: list[int], limit: int = 4) -> list[Dream]:
        """Other dreams sharing the most of this one's chief motifs (chief_motifs()): a bounded
        question however large the journal grows."""
        if not motif_ids:
            return []
        # Candidates: each motif's latest dreams, read straight off the (motif, status, dream)
        # index, so the count below never spans the whole journal.
        one = (
            f"SELECT dream_id FROM (SELECT dream_id FROM {DreamMotif._meta.db_table} "
            "WHERE motif_id = %s AND status IN (%s, %s) ORDER BY dream_id DESC LIMIT %s) AS latest"
        )
        candidates = RawSQL(
            " UNION ALL ".join([one] * len(motif_ids)),
            [p for m in motif_ids for p in (m, *SHOWN, RELATED_CANDIDATES)],
        )
        return list(
            self.exclude(pk=dream.pk)
            .filter(pk__in=candidates)
            .filter(motif_links__motif_id__in=motif_ids, motif_links__status__in=SHOWN)
            .annotate(
                shared_motifs=models.Count("motif_links", distinct=True),
                # Body parts and hues are in nearly every dream; they only break ties.
                shared_images=models.Count(
                    "motif_links",
                    filter=~Q(motif_links__motif__category__in=BACKGROUND_CATEGORIES),
                    distinct=True,
                ),
            )
            .order_by("-shared_images", "-shared_motifs", "-created_at")[:limit]
        )

    def neighbours(self, dream: Dream) -> tuple[Dream | None, Dream | None]:
        """The dreams just newer and just older than this one, in NEWEST_FIRST order."""
        same_day = Q(dreamt_on=dream.dreamt_on) if dream.dreamt_on else Q(dreamt_on__isnull=True)
        written_after = Q(created_at__gt=dream.created_at) | Q(
            created_at=dream.created_at, id__gt=dream.id
        )
        written_before = Q(created_at__lt=dream.created_at) | Q(
            created_at=dream.created_at, id__lt=dream.id
        )
        if dream.dreamt_on:
            newer = Q(dreamt_on__gt=dream.dreamt_on) | (same_day & written_after)
            older = Q(dreamt_on__lt=dream.dreamt_on) | Q(dreamt_on__isnull=True)
            older |= same_day & written_before
        else:
            newer = Q(dreamt_on__isnull=False) | (same_day & written_after)
            older = same_day & written_before
        oldest_first = [
            models.F("dreamt_on").asc(nulls_first=True),
            "created_at",
            "id",
        ]
        return (
            self.filter(newer).order_by(*oldest_first).first(),
            self.filter(older).order_by(*NEWEST_FIRST).first(),
        )

    def for_cards(self) -> DreamQuerySet:
        """What a dream card shows, in one query: its motifs and tags come from the dream's
        own card field."""
        return self.select_related("owner")


class CardMotif(NamedTuple):
    slug: str
    name: str
    category: str


class Dream(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (only me)"
        SHARED = "shared", "Shared to the public gallery"

    class Mood(models.TextChoices):
        JOYFUL = "joyful", "Joyful"
        PEACEFUL = "peaceful", "Peaceful"
        CURIOUS = "curious", "Curious"
        CONFUSED = "confused", "Confused"
        ANXIOUS = "anxious", "Anxious"
        FRIGHTENED = "frightened", "Frightened"
        SAD = "sad", "Sad"
        ANGRY = "angry", "Angry"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dreams"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="The narrative, in Markdown.")
    dreamt_on = models.DateField(null=True, blank=True, help_text="Empty when undated.")
    # The date as an imported file wrote it ("(1985?)", "spring 1957"), kept when it is not a
    # plain day, so nothing is lost.
    dreamt_on_text = models.CharField(max_length=64, blank=True)
    # What a card shows of the motifs and the cover's text alternative, written with the dream
    # so a gallery page needs no motif query: {"motifs": [[slug, name, category], ...], "alt"}.
    card = models.JSONField(default=dict, blank=True, editable=False)
    # Stable across export and import: how a dream is known in a file.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lucid = models.BooleanField(default=False)
    nightmare = models.BooleanField(default=False)
    recurring = models.BooleanField(default=False)
    vividness = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mood = models.CharField(max_length=16, choices=Mood.choices, blank=True)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # The natural key of an imported dream, so importing the same file twice adds nothing.
    source = models.CharField(max_length=32, blank=True)
    source_id = models.CharField(max_length=200, blank=True)
    # Bumped on every save; an edit made from an older version is a conflict, never an overwrite.
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="In the trash since.")
    # "This dream again": the earlier dream this one recurs; a chain of them is a thread.
    recurs = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="recurrences"
    )
    # A copy made when two edits of one dream crossed: the words not chosen, kept.
    conflict_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="conflict_copies"
    )

    motifs = models.ManyToManyField("Motif", through="DreamMotif", related_name="dreams")
    tags = models.ManyToManyField("Tag", through="DreamTag", related_name="dreams")

    objects = DreamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "uid"], name="dream_unique_uid"),
            models.UniqueConstraint(
                fields=["owner", "source", "source_id"],
                condition=~Q(source_id=""),
                name="dream_unique_import_key",
            ),
            models.CheckConstraint(
                condition=Q(vividness__isnull=True) | Q(vividness__gte=1, vividness__lte=5),
                name="dream_vividness_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "-created_at"], name="dream_gallery_idx"),
            models.Index(fields=["owner", "-created_at"], name="dream_journal_idx"),
            models.Index(fields=["dreamt_on"], name="dream_dreamt_on_idx"),
            # Which dreams a viewer may read, answered from the index alone (search's scope).
            models.Index(fields=["deleted_at", "visibility", "owner"], name="dream_scope_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dreams:detail", args=[self.pk])

    @property
    def opening(self) -> str:
        """The first lines of the narrative as plain text, for cards."""
        from dreams.markup import quick_plain_text
        from dreams.titles import strip_preamble

        text = strip_preamble(quick_plain_text(self.body[:800]))
        if len(text) <= OPENING_LENGTH:
            return text
        return text[:OPENING_LENGTH].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.SHARED

    @property
    def shown_motifs(self) -> list[Motif]:
        links = getattr(self, "shown_motif_links", None)
        if links is None:
            links = (
                DreamMotif.objects.shown()
                .filter(dream=self)
                .select_related("motif")
                .order_by("-count")
            )
        return [link.motif for link in links]

    def refresh_card(self) -> None:
        """Write the card field anew from the motifs and tags now on the dream."""
        self.__dict__.pop("shown_motif_links", None)
        self.__dict__.pop("tag_list", None)
        self.card = self.compute_card()
        # A new updated_at: what the dream shows changed, so caches keyed on it are renewed.
        self.updated_at = timezone.now()
        Dream.objects.filter(pk=self.pk).update(card=self.card, updated_at=self.updated_at)

    @property
    def card_motifs(self) -> list[CardMotif]:
        """The few motifs a card shows: the most frequent, images before body parts and hues."""
        if "motifs" in self.card:
            return [CardMotif(*item) for item in self.card["motifs"]]
        return [CardMotif(m.slug, m.name, m.category) for m in rank_card_motifs(self.shown_motifs)]

    @property
    def cover_description(self) -> str:
        """The cover's text alternative."""
        if "alt" in self.card:
            return self.card["alt"]
        return self.compute_card()["alt"]

    @property
    def card_tags(self) -> list[str]:
        """The dream's tag names, as its card keeps them."""
        if "tags" in self.card:
            return self.card["tags"]
        return self.tag_names

    def compute_card(self, motifs: list | None = None, tags: list[str] | None = None) -> dict:
        """The card field's value from the dream's shown motifs and tags (or the ones given)."""
        from dreams.art import describe_cover

        chosen = rank_card_motifs(self.shown_motifs if motifs is None else motifs)
        alt = describe_cover(
            text=self.body[:2000],  # the colours that open the dream set its palette
            motif_names=[m.name for m in chosen],
            mood=self.get_mood_display() if self.mood else "",
        )
        return {
            "motifs": [[m.slug, m.name, m.category] for m in chosen],
            "tags": list(self.tag_names if tags is None else tags),
            "alt": alt,
        }

    @property
    def tag_names(self) -> list[str]:
        links = getattr(self, "tag_list", None)
        if links is None:
            links = self.tag_links.select_related("tag").order_by("pk")
        return [link.tag.name for link in links]


class MotifQuerySet(models.QuerySet):
    def in_dreams(self, dreams: DreamQuerySet) -> MotifQuerySet:
        """The motifs shown in these dreams, each with the number of dreams it is in."""
        return (
            self.filter(
                dream_links__dream__in=dreams.order_by().values("pk"),
                dream_links__status__in=SHOWN,
            )
            # A dream links a motif once (dream_motif_once): counting links counts dreams,
            # without the sort a DISTINCT count costs on PostgreSQL.
            .annotate(dream_count=models.Count("dream_links"))
            .order_by("name")
        )

    def builtin(self) -> MotifQuerySet:
        return self.filter(owner__isnull=True)

    def available_to(self, user) -> MotifQuerySet:
        """The lexicon plus the viewer's own motifs."""
        if not user.is_authenticated:
            return self.builtin()
        return self.filter(Q(owner__isnull=True) | Q(owner=user))


class Motif(models.Model):
    class Category(models.TextChoices):
        CHARACTER = "character", "Characters"
        ANIMAL = "animal", "Animals"
        PLACE = "place", "Places and buildings"
        OBJECT = "object", "Objects"
        NATURE = "nature", "Nature and elements"
        BODY = "body", "Body"
        ACTION = "action", "Actions"
        COLOUR = "colour", "Colours and light"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, help_text="Lower-case singular: seed, mirror.")
    category = models.CharField(max_length=16, choices=Category.choices)
    aliases = models.JSONField(default=list, blank=True, help_text="Word forms and synonyms.")
    # Null for the built-in lexicon; a user's own motifs belong to them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_motifs",
    )

    objects = MotifQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner__isnull=True), name="motif_unique_builtin_slug"
            ),
            models.UniqueConstraint(fields=["owner", "slug"], name="motif_unique_own_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.owner_id is None


def normalise_tag(name: str) -> str:
    """One spelling per tag: "Non - Lucid", "non-lucid" and "non–lucid" are the same tag."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" -")


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=64)
    normalised = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["normalised"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "normalised"], name="tag_unique_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = " ".join(self.name.split())
        self.normalised = normalise_tag(self.name)
        super().save(*args, **kwargs)


class DreamMotifQuerySet(models.QuerySet):
    def shown(self) -> DreamMotifQuerySet:
        return self.filter(status__in=SHOWN)


class DreamMotif(models.Model):
    """A motif in a dream, with how it was found and the words that show it."""

    class Status(models.TextChoices):
        DETECTED = "detected", "Detected in the text"
        ADDED = "added", "Added by hand"
        # Kept so re-detection never brings back a motif the author took off.
        REMOVED = "removed", "Removed by hand"

    dream = models.ForeignKey(Dream, on_delete=models.CASCADE, related_name="motif_links")
    motif = models.ForeignKey(Motif, on_delete=models.CASCADE, related_name="dream_links")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DETECTED)
    # [{"text": "mirrors", "start": 120, "end": 127}, ...] offsets into Dream.body.
    evidence = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)

    objects = DreamMotifQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dream", "motif"], name="dream_motif_once"),
        ]
        # Covers "which dreams have this motif" without touching the table (related dreams,
        # motif pages, filters).
        indexes = [models.Index(fields=["motif", "status", "dream"], name="dreammotif_motif_idx")]

    def __str__(self) -> str:
        return f"{self.motif} in {self.dream} ({self.status})"


class MotifAlias(models.Model):
    """Another word a user uses for a motif ("looking-glass" for Mirror), detected from then on."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="motif_aliases"
    )
    motif = models.ForeignKey(Motif, on_delete=models.CASCADE, related_name="user_aliases")
    word = models.CharField(max_length=80)

    class Meta:
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "motif", "word"], name="alias_once"),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.motif}"


class MotifRejection(models.Model):
    """A motif a user said no to: it is no longer suggested or detected in their dreams."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="motif_rejections"
    )
    motif = models.ForeignKey(Motif, on_delete=models.CASCADE, related_name="rejections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "motif"], name="rejection_once"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} rejects {self.motif}"


def rank_card_motifs(motifs) -> list:
    """Images before body parts and hues, keeping the given (most frequent first) order."""
    return sorted(motifs, key=lambda m: m.category in BACKGROUND_CATEGORIES)[:CARD_MOTIFS]


# Link statuses that put a motif on a dream (a removed one stays only to block re-detection).
SHOWN = [DreamMotif.Status.DETECTED, DreamMotif.Status.ADDED]
# Kinds of motif in nearly every narrative: shown last, weighed least.
BACKGROUND_CATEGORIES = [Motif.Category.BODY, Motif.Category.COLOUR]


class DreamTag(models.Model):
    dream = models.ForeignKey(Dream, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="dream_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dream", "tag"], name="dream_tag_once")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.dream}"


class Draft(models.Model):
    """Words being written, saved as the author types; never shown in the gallery or search.

    One per open form (its key), so two tabs never overwrite each other's draft.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    key = models.UUIDField(help_text="Identifies the form the words were typed in.")
    # The dream being edited; empty for a new entry.
    dream = models.ForeignKey(
        Dream, on_delete=models.CASCADE, null=True, blank=True, related_name="drafts"
    )
    # The version of the dream the edit started from.
    base_version = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=10_000, blank=True)
    body = models.TextField(blank=True)
    # The rest of the form as typed (date, flags, tags...), restored as it was.
    fields = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="draft_one_per_form"),
        ]

    def __str__(self) -> str:
        return f"Draft {self.title or self.body[:40]!r}"

    @property
    def has_words(self) -> bool:
        return bool(self.title.strip() or self.body.strip())


class PendingImport(models.Model):
    """An uploaded file between its preview and the author's go-ahead."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


# PostgreSQL's search index. Its tables exist only on PostgreSQL (migration 0008 makes them;
# SQLite keeps the same rows in FTS5, see dreams/search.py), so Django does not manage them.
SEARCH_CONFIG = "somnia"  # porter stems, accents folded, no stop words: as SQLite's FTS5
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=SEARCH_CONFIG)
    + SearchVector("tags", weight="B", config=SEARCH_CONFIG)
    + SearchVector("motifs", weight="C", config=SEARCH_CONFIG)
    + SearchVector("body", weight="D", config=SEARCH_CONFIG)
)


class SearchDocument(models.Model):
    """One dream's row of the index: its words, and the weighted vector stored beside them.

    The vector is a generated column, so it can never disagree with the words; a GIN index
    answers the searches. A trigger removes the row when its dream is deleted."""

    dream = models.OneToOneField(
        Dream, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    title = models.TextField()
    body = models.TextField()
    tags = models.TextField()
    motifs = models.TextField()
    document = models.GeneratedField(
        expression=SEARCH_VECTOR, output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        managed = False
        db_table = "dream_search"

    def __str__(self) -> str:
        return f"Index row of dream {self.dream_id}"


class SearchWord(models.Model):
    """Every word of every journal, for typos and parts of words (pg_trgm GIN index)."""

    word = models.TextField(unique=True)

    class Meta:
        managed = False
        db_table = "dream_search_word"

    def __str__(self) -> str:
        return self.word


class JournalClock(models.Model):
    """One row counting every change to any dream: each insert, update or delete of
    dreams_dream, by any path (the ORM, a bulk update, raw SQL, a purge, a deleted account),
    ticks it in the same transaction through database triggers (CLOCK_SQL; migration 0012).
    Caches of what dreams show are keyed on it (change_stamp()). On PostgreSQL the row lock
    also orders the ticks by commit, so a cache never outlives a change committed later."""

    changes = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.changes} changes"


def _tick(event: str) -> str:
    return f"""CREATE TRIGGER IF NOT EXISTS dream_clock_{event.lower()}
        AFTER {event} ON dreams_dream BEGIN
            INSERT OR IGNORE INTO dreams_journalclock (id, changes) VALUES (1, 0);
            UPDATE dreams_journalclock SET changes = changes + 1 WHERE id = 1;
        END"""


# SQLite drops a table's triggers when a migration rebuilds it: post_migrate puts them back.
CLOCK_SQL = [_tick("INSERT"), _tick("UPDATE"), _tick("DELETE")]


def change_stamp() -> str:
    """A key that changes whenever any dream is added, edited, shared or unshared, trashed,
    restored, re-tagged or deleted: one primary-key read, however large the journal."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT changes FROM {JournalClock._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return str(row[0] if row else 0)
