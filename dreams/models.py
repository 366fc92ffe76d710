"""Dreams, the motifs (recurring symbols) found in them, and the tags their authors give them."""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata
import uuid
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from dreams.art import COVER_TEXT, describe_cover
from dreams.markup import quick_plain_text
from dreams.motifs import Salient, chief
from dreams.titles import strip_preamble


def dream_day(prefix: str = ""):
    """When a dream happened, as an expression: its date, or the day it was written down."""
    return Coalesce(f"{prefix}dreamt_on", TruncDate(f"{prefix}created_at"))


OPENING_LENGTH = 220
RELATED_CANDIDATES = 400  # per motif: the latest dreams that have it
CHIEF_MOTIFS = 6  # of a dream, for finding related dreams
TRASH_KEPT = datetime.timedelta(days=30)  # a deleted dream can be restored for this long


def chief_motifs(links) -> list[int]:
    """The ids of the motifs to find related dreams by, from a dream's shown links: the ones
    its author kept, then the most salient."""
    ranked = sorted(links, key=lambda link: (not _kept(link), -link.salience, -link.count))
    return [link.motif_id for link in ranked[:CHIEF_MOTIFS]]


def _kept(link) -> bool:
    return link.status == DreamMotif.Status.ADDED


def split_chief(links) -> tuple[list[Motif], list[Motif]]:
    """A dream's shown motifs as (its chief motifs, the others), from its shown links
    (DreamMotif, or ShownLink before they are saved): the chief ones in motifs.chief()'s
    order, kept ones first; the others most salient first. The one rule for what a card
    shows and what a dream's page marks and lists first."""
    ranked = sorted(links, key=lambda link: (-link.salience, -link.count))
    chosen = [
        int(n)
        for n in chief(
            [Salient(str(n), link.salience, _kept(link)) for n, link in enumerate(ranked)]
        )
    ]
    others = sorted(set(range(len(ranked))) - set(chosen))
    return [ranked[n].motif for n in chosen], [ranked[n].motif for n in others]


# Dreamt most recently first; undated dreams after dated ones, newest written first.
NEWEST_FIRST = [models.F("dreamt_on").desc(nulls_last=True), "-created_at", "-id"]


class DreamQuerySet(models.QuerySet):
    def alive(self) -> DreamQuerySet:
        """Not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def shared(self) -> DreamQuerySet:
        return self.alive().filter(visibility=Dream.Visibility.SHARED)

    def in_trash(self) -> DreamQuerySet:
        """In the trash and still restorable; older ones only wait for purge_trash."""
        return self.filter(deleted_at__gte=timezone.now() - TRASH_KEPT)

    def past_keeping(self, *, now: datetime.datetime) -> DreamQuerySet:
        """In the trash longer than TRASH_KEPT before `now`: what purge_trash deletes."""
        return self.filter(deleted_at__lt=now - TRASH_KEPT)

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

    def tagged(self, tag_key: str, *, viewer) -> DreamQuerySet:
        """The dreams with this tag (normalised) where this viewer may see it: their own, and
        others' that show their tags. Others' hidden tags never match, so a filter cannot
        reveal them."""
        seen = Q(show_tags=True)
        if viewer.is_authenticated:
            seen |= Q(owner=viewer)
        # One filter() call: the tag is a condition on the same link.
        return self.filter(seen, tag_links__tag__normalised=tag_key)

    def for_cards(self) -> DreamQuerySet:
        """What a dream card shows, in one query: its motifs and tags come from the dream's
        own card field."""
        return self.select_related("owner")


class CardMotif(NamedTuple):
    slug: str
    name: str
    category: str


class CardPicture(NamedTuple):
    key: str
    alt: str
    width: int
    height: int

    def url(self, variant: str) -> str:
        return reverse("dreams:picture", args=[self.key, variant])

    @property
    def card_url(self) -> str:
        return self.url("card")

    @property
    def page_url(self) -> str:
        return self.url("page")

    @property
    def full_url(self) -> str:
        return self.url("full")


PICTURE_CARD_KEYS = ("pictures", "cover")


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    YEAR = "year", "Year"
    DECADE = "decade", "Decade"


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
    # The title was drawn from the narrative (the writer left it empty): it is drawn again
    # whenever the narrative changes, and the form shows it as a placeholder, not a value.
    title_derived = models.BooleanField(default=False)
    body = models.TextField(help_text="The narrative, in Markdown.")
    dreamt_on = models.DateField(null=True, blank=True, help_text="Empty when undated.")
    # The date as an imported file wrote it ("(1985?)", "spring 1957"), kept when it is not a
    # plain day, so nothing is lost.
    dreamt_on_text = models.CharField(max_length=64, blank=True)
    # How much dreamt_on names: a partial date ("sometime in 2020") is kept on the first day of
    # what it names, so it sorts among it, and shown as written.
    # Nullable (empty is "day") so SQLite adds the column in place: rebuilding the dreams
    # table would trip the triggers other tables keep on it.
    dreamt_on_precision = models.CharField(  # noqa: DJ001
        max_length=8, choices=DatePrecision.choices, null=True, blank=True
    )
    # What a card shows of the motifs and the cover's text alternative, written with the dream
    # so a gallery page needs no motif query: {"motifs": [[slug, name, category], ...], "alt",
    # "tags", and "pictures": [[key, alt, width, height], ...], "cover": key when it has them}.
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
    # Tags are the writer's own labels: others see a shared dream's tags only when asked to.
    show_tags = models.BooleanField(
        default=False, help_text="Others who may read the dream see its tags too."
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
    def date_is_partial(self) -> bool:
        """Dated by a month, season, year or decade only: shown as the file wrote it."""
        return bool(self.dreamt_on) and self.dreamt_on_precision not in (None, DatePrecision.DAY)

    @property
    def opening(self) -> str:
        """The first lines of the narrative as plain text, for cards."""
        text = strip_preamble(quick_plain_text(self.body[:800]))
        if len(text) <= OPENING_LENGTH:
            return text
        return text[:OPENING_LENGTH].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.SHARED

    @property
    def shown_links(self) -> list[DreamMotif]:
        """The links that show a motif on the dream, most salient first."""
        links = getattr(self, "shown_motif_links", None)
        if links is None:
            links = (
                DreamMotif.objects.shown()
                .filter(dream=self)
                .select_related("motif")
                .defer("evidence")
                .order_by("-salience", "-count")
            )
        return list(links)

    @property
    def shown_motifs(self) -> list[Motif]:
        return [link.motif for link in self.shown_links]

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
        """The few motifs a card shows: the dream's chief motifs (split_chief())."""
        if "motifs" in self.card:
            return [CardMotif(*item) for item in self.card["motifs"]]
        return [CardMotif(m.slug, m.name, m.category) for m in split_chief(self.shown_links)[0]]

    @property
    def cover_description(self) -> str:
        """The cover's text alternative."""
        if "alt" in self.card:
            return self.card["alt"]
        return self.compute_card()["alt"]

    def tags_for(self, viewer_id: int | None) -> list[str]:
        """The tag names this viewer (a user's pk, None for anyone) may see on the dream: all of
        them for its author, none for others unless the author shows them."""
        if self.show_tags or (viewer_id is not None and viewer_id == self.owner_id):
            return self.card_tags
        return []

    @property
    def card_tags(self) -> list[str]:
        """The dream's tag names, as its card keeps them."""
        if "tags" in self.card:
            return self.card["tags"]
        return self.tag_names

    def compute_card(
        self, links: list | None = None, tags: list[str] | None = None, colours=None
    ) -> dict:
        """The card field's value from the dream's shown motif links and tags (or the ones
        given: ShownLink for links not saved yet); `colours`: art.colours_in() of the body's
        opening, where they were found already."""
        chosen = split_chief(self.shown_links if links is None else links)[0]
        alt = describe_cover(
            text=self.body[:COVER_TEXT],  # the colours that open the dream set its palette
            motif_names=[m.name for m in chosen],
            mood=self.get_mood_display() if self.mood else "",
            colours=colours,
        )
        return {
            "motifs": [[m.slug, m.name, m.category] for m in chosen],
            "tags": list(self.tag_names if tags is None else tags),
            "alt": alt,
            # Written by pictures.refresh_card(); kept as they are by every other refresh.
            **{k: self.card[k] for k in PICTURE_CARD_KEYS if k in self.card},
        }

    @property
    def card_pictures(self) -> list[CardPicture]:
        """The dream's pictures in order, as its card keeps them (no query)."""
        return [CardPicture(*item) for item in self.card.get("pictures", [])]

    @property
    def card_cover(self) -> CardPicture | None:
        """The picture chosen as the cover, or None for the generated art."""
        chosen = self.card.get("cover")
        return next((p for p in self.card_pictures if p.key == chosen), None)

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

    def linked_to(self, dreams: DreamQuerySet) -> MotifQuerySet:
        """The motifs any of these dreams links (shown or not), once each."""
        return self.filter(dream_links__dream__in=dreams.order_by().values("pk")).distinct()

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


class TagQuerySet(models.QuerySet):
    def owned_by(self, user) -> TagQuerySet:
        """Tags are private to their author: none for anyone else, or for a visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def matching(self, typed: str) -> TagQuerySet:
        """Tags containing what was typed, spelled any way ("Non - Lu" finds non-lucid)."""
        key = normalise_tag(typed)
        return self.filter(normalised__contains=key) if key else self

    def with_dream_counts(self) -> TagQuerySet:
        """Each tag with `dream_count`: how many dreams outside the trash carry it."""
        alive = Q(dream_links__dream__deleted_at__isnull=True)
        return self.annotate(dream_count=models.Count("dream_links", filter=alive))


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=64)
    normalised = models.CharField(max_length=64, editable=False)

    objects = TagQuerySet.as_manager()

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

    def in_dreams(self, dreams: DreamQuerySet) -> DreamMotifQuerySet:
        return self.filter(dream__in=dreams.order_by().values("pk"))

    def per_month(self) -> DreamMotifQuerySet:
        """Rows {"motif_id", "month" (its first day), "n" (dreams)}: each motif's dreams per
        month of dream_day()."""
        return (
            self.annotate(month=TruncMonth(dream_day("dream__")))
            .values("motif_id", "month")
            .annotate(n=models.Count("dream_id", distinct=True))
        )

    def seen_dates(self) -> dict:
        """{"first", "last": dates or None, "undated": int} over these links' dreams. Known
        dates only: an undated dream says nothing of when the motif came."""
        return self.aggregate(
            first=models.Min("dream__dreamt_on"),
            last=models.Max("dream__dreamt_on"),
            undated=models.Count("pk", filter=Q(dream__dreamt_on__isnull=True)),
        )

    def companions_of(self, motif: Motif) -> DreamMotifQuerySet:
        """Rows {"motif_id", "motif__name", "motif__slug", "n"}: the other motifs of these
        links' dreams, with how many dreams each shares, the most shared first."""
        return (
            self.exclude(motif=motif)
            .values("motif_id", "motif__name", "motif__slug")
            .annotate(n=models.Count("dream_id"))  # one link per dream and motif
            .order_by("-n", "motif__name")
        )


class DreamMotif(models.Model):
    """A motif in a dream, with how it was found and the words that show it."""

    class Status(models.TextChoices):
        DETECTED = "detected", "Detected in the text"
        ADDED = "added", "Added by hand"
        # Kept so re-detection never brings back a motif the author took off.
        REMOVED = "removed", "Removed by hand"

    # No index of their own: dream_motif_once leads with the dream, dreammotif_motif_idx with
    # the motif, and each extra index is written for every link (eight a dream on imports).
    dream = models.ForeignKey(
        Dream, on_delete=models.CASCADE, related_name="motif_links", db_index=False
    )
    motif = models.ForeignKey(
        Motif, on_delete=models.CASCADE, related_name="dream_links", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DETECTED)
    # [{"text": "mirrors", "start": 120, "end": 127}, ...] offsets into Dream.body.
    evidence = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)
    # How much the motif stands out in this dream (motifs.salience()); the chief ones lead.
    salience = models.FloatField(default=0.0)

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


class ShownLink(NamedTuple):
    """A motif shown on a dream not saved yet, as its link will hold it (split_chief())."""

    motif: Motif
    status: str
    count: int
    salience: float


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
    # When these words were typed, by the clock of the device that typed them: an autosave
    # that arrives late with older words never overwrites newer ones.
    changed_at = models.DateTimeField(default=timezone.now)
    # drafts.words_hash(title, body): the browser compares it with its own copy's.
    words_hash = models.CharField(max_length=8, blank=True)

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


class DreamVersion(models.Model):
    """One saved version of a dream: its words, fields, tags and motif choices as they were.

    `number` is the dream's version counter at that save (the newest version's number is
    Dream.version); a side of a crossed edit is kept as a version of its own before the
    merge that joins it (see entries.save_merge). Thinned past settings.VERSIONS_PER_DREAM."""

    class Source(models.TextChoices):
        FORM = "form", "Saved from the writing form"
        OFFLINE = "offline", "Saved from this device's offline queue"
        IMPORT = "import", "Imported"
        RESTORE = "restore", "Restored from an earlier version"
        MERGE = "merge", "Two edits merged"
        SIDE = "side", "An edit that crossed another, kept before the merge"
        EARLIER = "earlier", "Saved before versions were kept"
        COPY = "copy", "A former conflict copy, kept in the history"

    dream = models.ForeignKey(Dream, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    # The version the form behind this one started from (a merge: the common base).
    based_on = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    # The other fields as versions.snapshot() writes them: {"dreamt_on": "2026-01-02" | None,
    # "lucid": bool, "mood": "", "vividness": 1-5 | None, "visibility": ..., ...}.
    fields = models.JSONField(default=dict)
    tags = models.JSONField(default=list)  # tag names as written
    motif_choices = models.JSONField(default=dict)  # {slug: "keep" | "drop"}: set by hand

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["dream", "number"], name="dream_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dream_id} v{self.number}"


class Profile(models.Model):
    """What Somnia keeps about an account besides Django's user: the writer's own clock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # An IANA name ("America/Los_Angeles"), detected from the browser at sign-up.
    time_zone = models.CharField(max_length=64, default="UTC")
    # What a browser reported that was not a zone Somnia knows (UTC is used instead).
    unknown_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"


class SavedForm(models.Model):
    """A writing form that has been saved, by its key (the idempotency key of the save).

    A second post of the same form (Back + Save, a request the network resent, an offline
    queue replayed, two devices) leads to the dream it already made, never to a copy."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_forms"
    )
    key = models.UUIDField()
    dream = models.ForeignKey(Dream, on_delete=models.CASCADE, related_name="saved_forms")
    # The dream's version this form's last save made: a later post of the same form with
    # other words is an edit from that version.
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now=True)
    # When the device says the saved words were typed (the form's changed_at): an autosave
    # of this form stamped no later holds older words, which the save already has.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="saved_form_once"),
        ]

    def __str__(self) -> str:
        return f"Form {self.key} saved as dream {self.dream_id}"


class PendingImport(models.Model):
    """An uploaded file from its preview to its end: read once on upload (the preview is
    kept in `survey`), then written in batches, each recorded in `written` so a failed or
    killed import can be taken back whole. The file itself is kept in ImportChunk rows."""

    class State(models.TextChoices):
        READY = "ready", "Waiting for the go-ahead"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0, help_text="Bytes of the file.")
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.READY)
    # What the preview shows, computed once per upload (or per change of columns).
    survey = models.JSONField(default=dict, blank=True)
    # {"dreams": [[first pk, last pk], ...], "motifs": [pk, ...], "tags": [pk, ...]}.
    written = models.JSONField(default=dict, blank=True)
    outcome = models.TextField(blank=True, help_text="The summary, or why it failed.")
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="The last batch's time.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ImportChunk(models.Model):
    """One piece of a pending import's file, so neither the upload nor the import ever holds
    the whole file in memory."""

    pending = models.ForeignKey(PendingImport, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pending", "number"], name="import_chunk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.pending_id}:{self.number}"


# PostgreSQL's search index. Its tables exist only on PostgreSQL (migration 0008 makes them;
# SQLite keeps the same rows in FTS5, see dreams/search.py), so Django does not manage them.
SEARCH_CONFIG = "somnia"  # porter stems, accents folded, no stop words: as SQLite's FTS5
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=SEARCH_CONFIG)
    + SearchVector("tags", weight="B", config=SEARCH_CONFIG)
    + SearchVector("motifs", weight="C", config=SEARCH_CONFIG)
    + SearchVector("body", weight="D", config=SEARCH_CONFIG)
)


def new_picture_key() -> str:
    """A picture's name in its URLs and files: 192 random bits, never guessable."""
    return secrets.token_urlsafe(24)


class PictureQuerySet(models.QuerySet):
    def visible_to(self, user) -> PictureQuerySet:
        """Pictures of the dreams this viewer may read, plus their own not yet saved with a
        dream (attached to a form's draft)."""
        readable = Q(dream__in=Dream.objects.visible_to(user).values("pk"))
        if user.is_authenticated:
            readable |= Q(dream__isnull=True, owner=user)
        return self.filter(readable)

    def pending(self, *, owner, draft_key) -> PictureQuerySet:
        """Attached to a form (by its draft key) whose dream is not saved yet."""
        return self.filter(owner=owner, dream__isnull=True, draft_key=draft_key)


class Picture(models.Model):
    """An image of a dream: a photo or a drawing, stored as variants (imaging.VARIANTS) in
    the "pictures" storage under names made from its random key. Private like its dream."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "Photo or image"
        DRAWING = "drawing", "Drawing"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pictures"
    )
    # Empty while the picture waits, under its form's draft key, for the dream to be saved.
    dream = models.ForeignKey(
        Dream, on_delete=models.CASCADE, null=True, blank=True, related_name="pictures"
    )
    draft_key = models.UUIDField(null=True, blank=True)
    key = models.CharField(max_length=64, unique=True, default=new_picture_key, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PHOTO)
    alt = models.CharField("text alternative", max_length=500, blank=True)
    is_cover = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField()  # of the full variant, in pixels
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # of the full variant's bytes
    size = models.PositiveIntegerField()  # of the full variant, in bytes
    # {"card": storage name, "page": ..., "full": ...}
    files = models.JSONField(default=dict)
    content_type = models.CharField(max_length=32, default="image/webp")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PictureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dream"], condition=Q(is_cover=True), name="picture_one_cover"
            ),
            # The same picture twice on one dream is one picture (and import stays idempotent).
            models.UniqueConstraint(fields=["dream", "sha256"], name="picture_once_per_dream"),
        ]
        indexes = [models.Index(fields=["owner", "draft_key"], name="picture_pending_idx")]

    def __str__(self) -> str:
        return self.alt or f"Picture {self.key[:6]}"

    def get_absolute_url(self) -> str:
        return self.url("page")

    def url(self, variant: str) -> str:
        return reverse("dreams:picture", args=[self.key, variant])


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
    """A word of one word list, for typos and parts of words: scope 0 is the words of shared
    dreams (with a pg_trgm GIN index), any other scope the words of that owner's private
    dreams; `dreams` counts the dreams it is in (see search_backends.WORD_LIST)."""

    scope = models.BigIntegerField()
    word = models.TextField()
    dreams = models.IntegerField()

    class Meta:
        managed = False
        db_table = "dream_search_word"
        unique_together = [("scope", "word")]

    def __str__(self) -> str:
        return self.word


class JournalClock(models.Model):
    """One row counting every change to any dream: each insert, update or delete of
    dreams_dream, by any path (the ORM, a bulk update, raw SQL, a purge, a deleted account),
    ticks it in the same transaction through database triggers (CLOCK_SQL; migration 0012).
    Caches of what dreams show are keyed on it (caching.journal_stamp()). On PostgreSQL the
    row lock also orders the ticks by commit, so a cache never outlives a change committed
    later."""

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
