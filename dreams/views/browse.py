"""Thin views: read the request, ask the domain, render."""

from __future__ import annotations

import hashlib
import logging
from typing import NamedTuple

from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from dreams import art, caching, markup, vocabulary
from dreams.forms import GalleryFilters
from dreams.models import Dream, DreamMotif, DreamQuerySet, Motif, chief_motifs, split_chief
from dreams.views.fragments import HtmxHttpRequest, is_fragment

logger = logging.getLogger(__name__)

PAGE_SIZE = 24
NOT_FILTERS = {"scope", "sort", "page"}
CACHE_SECONDS = 120
RELATED_COUNT = 4
# Bump when art.py draws differently, so browsers fetch the new covers.
ART_VERSION = "2"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database did not answer")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_safe
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def gallery(request: HtmxHttpRequest) -> HttpResponse:
    filters = GalleryFilters(request.GET, user=request.user)
    dreams = filters.apply(Dream.objects.visible_to(request.user))
    scope = _scope(request, filters)
    motif = filters.motif_obj
    # Everything the cards depend on: the scope's state, the filters, and which motif a slug
    # meant for this viewer (a user's own motif may share a built-in one's slug).
    cards_key = caching.key(
        "cards", scope.stamp, motif.pk if motif else None, caching.digest(request.GET.urlencode())
    )
    paginator = KnownCountPaginator(
        dreams.for_cards(), PAGE_SIZE, key=caching.key("count", cards_key)
    )
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("There is no such page of dreams.") from None
    query = request.GET.copy()
    query.pop("page", None)
    scope_is_mine = filters.current_scope == GalleryFilters.Scope.MINE
    template = "dreams/gallery.html"
    if is_fragment(request):
        # The next cards for infinite scroll, or the whole gallery section for a filter change.
        template += "#more" if request.htmx.target == "more" else "#gallery"
    return render(
        request,
        template,
        {
            "filters": filters,
            "heading": "My journal" if scope_is_mine else "Gallery",
            "page": page,
            "query": query.urlencode(),
            "scope_query": urlencode({"scope": filters.current_scope})
            if filters.current_scope != "gallery"
            else "",
            "motif_options": _motif_options(scope),
            "chosen_motif": motif.slug if motif else "",
            "cards_key": cards_key,
            "filtered": _filtered(request),
            # One's own journal shows one's tags; the gallery's cards (cached for everyone)
            # show only the tags their writers chose to show.
            "tags_viewer": request.user.pk if scope_is_mine else None,
            "tag_options": filters.tag_choices(),
        },
    )


def _filtered(request: HttpRequest) -> bool:
    """Whether the viewer narrowed the dreams (the scope, the order and the page do not)."""
    return any(value for name, value in request.GET.items() if name not in NOT_FILTERS)


class KnownCountPaginator(Paginator):
    """A paginator whose count is kept in the process's cache under a key that changes with
    the dreams counted (the scope's stamp and the filters)."""

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        return caching.kept(self.key, self.object_list.count, seconds=CACHE_SECONDS)


class Scope(NamedTuple):
    """The dreams a gallery shows before filtering, and a stamp that changes whenever one of
    them may have changed."""

    dreams: DreamQuerySet
    stamp: str


def _scope(request: HttpRequest, filters: GalleryFilters) -> Scope:
    if filters.current_scope == GalleryFilters.Scope.MINE:
        stamp = caching.key("mine", request.user.pk, caching.journal_stamp())
        return Scope(Dream.objects.owned_by(request.user), stamp)
    return Scope(Dream.objects.shared(), caching.key("shared", caching.journal_stamp()))


def _motif_options(scope: Scope) -> list[tuple[str, str, int]]:
    """The filter menu's motifs as (slug, name, dreams): one aggregate over every link in
    scope, built once per change of the scope and kept in the process's cache."""

    def build() -> list[tuple[str, str, int]]:
        motifs_in_scope = Motif.objects.in_dreams(scope.dreams)
        return list(motifs_in_scope.values_list("slug", "name", "dream_count"))

    return caching.kept(caching.key("motif-options", scope.stamp), build, seconds=CACHE_SECONDS)


@require_safe
def dream_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Dream.objects.visible_to(request.user)
    dream = get_object_or_404(visible.select_related("owner"), pk=pk)
    scope = request.GET.get("scope", "")
    if not scope and not dream.is_shared:
        scope = GalleryFilters.Scope.MINE  # one's own private dream lives in one's journal
    if scope == GalleryFilters.Scope.MINE and request.user.is_authenticated:
        scoped = visible.filter(owner=request.user)
    else:
        scope = ""
        scoped = visible.filter(visibility=Dream.Visibility.SHARED)
    every_word = request.GET.get("words") == "all"
    own = _own_parts(dream, every_word=every_word)
    around = _around(request, dream, visible, scoped, own["chief_motifs"], scope)
    return render(
        request,
        "dreams/dream_detail.html",
        {
            "dream": dream,
            "is_author": dream.owner_id == request.user.pk,
            "body_html": own["body_html"],
            "motifs": own["motifs"],
            "other_motifs": own["other_motifs"],
            "every_word": every_word,
            "newer": around["newer"],
            "older": around["older"],
            "scope_query": urlencode({"scope": scope}) if scope else "",
            "related": around["related"],
            "earlier_choices": _earlier_choices(request, dream),
            "in_thread": around["in_thread"],
        },
    )


def _own_parts(dream: Dream, *, every_word: bool = False) -> dict:
    """What the page shows of the dream itself: its text with its chief motifs' words marked
    (every motif's with every_word), its chief motifs and the others: built once per saved
    version and kept in the process's cache."""
    key = caching.key("dream-parts", caching.dream_stamp(dream), ART_VERSION, every_word)

    def build() -> dict:
        links = list(
            DreamMotif.objects.shown().filter(dream=dream).select_related("motif")
            .defer("evidence").order_by("-salience", "-count")
        )  # fmt: skip
        chief, others = split_chief(links)  # as the dream's card shows them
        shown = chief + others
        marked = shown if every_word else chief
        return {
            "body_html": markup.highlight_motifs(
                markup.render(dream.body),
                shown=marked,
                href=lambda motif: reverse("dreams:motif", args=[motif.slug]),
                lexicon=vocabulary.lexicon_of_shown(dream.owner, marked),
            ),
            "motifs": [(m.slug, m.name) for m in chief],
            "other_motifs": [(m.slug, m.name) for m in others],
            "chief_motifs": chief_motifs(links),
        }

    return caching.kept(key, build, seconds=CACHE_SECONDS)


def _around(request, dream: Dream, visible, scoped, motif_ids: list[int], scope: str) -> dict:
    """The dreams around this one for this viewer (newer, older, related, its thread): they
    change when any dream the viewer can read does, so they are kept under that stamp."""
    key = caching.key(
        "dream-around", caching.dream_stamp(dream), request.user.pk, scope, caching.journal_stamp()
    )

    def build() -> dict:
        newer, older = scoped.neighbours(dream)
        return {
            "newer": newer,
            "older": older,
            "related": visible.related_to(dream, motif_ids=motif_ids, limit=RELATED_COUNT),
            "in_thread": _in_visible_thread(dream, visible),
        }

    return caching.kept(key, build, seconds=CACHE_SECONDS)


def _in_visible_thread(dream: Dream, visible) -> bool:
    """Whether the thread page would show this viewer more than this one dream."""
    if dream.recurs_id and visible.filter(pk=dream.recurs_id).exists():
        return True
    return visible.filter(recurs=dream).exists()


def _earlier_choices(request: HttpRequest, dream: Dream):
    """For the author: the dreams this one could be "again" of, those that came before it
    (dreamt earlier, or written earlier where a date is missing), nearest first, and the one
    it is linked to now (lazy)."""
    if dream.owner_id != request.user.pk:
        return Dream.objects.none()
    before = Q(created_at__lt=dream.created_at)
    if dream.dreamt_on:
        before = Q(dreamt_on__lt=dream.dreamt_on) | (
            before & (Q(dreamt_on=dream.dreamt_on) | Q(dreamt_on__isnull=True))
        )
    return (
        Dream.objects.owned_by(request.user)
        .filter(before | Q(pk=dream.recurs_id or 0))
        .exclude(pk=dream.pk)
        .order_by(F("dreamt_on").desc(nulls_last=True), "-created_at")
        .only("pk", "title", "dreamt_on")[:300]
    )


def _cover_etag(request: HttpRequest, pk: int) -> str | None:
    row = Dream.objects.visible_to(request.user).filter(pk=pk).values("version").first()
    if row is None:
        return None
    return hashlib.sha256(f"{pk}:{row['version']}:{ART_VERSION}".encode()).hexdigest()[:32]


@require_safe
@condition(etag_func=_cover_etag)
def dream_cover(request: HttpRequest, pk: int) -> HttpResponse:
    dream = get_object_or_404(Dream.objects.visible_to(request.user).for_cards(), pk=pk)
    svg = art.cover_svg(
        key=str(dream.pk),
        text=dream.body,
        motifs=[(m.slug, m.category) for m in dream.card_motifs],
        mood=dream.mood,
        title=dream.title,
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Every use revalidates (cheap: the ETag answers 304), so a cover made private, or seen
    # after logging out, is refused at once; a private one stays out of shared caches.
    privacy = "public" if dream.is_shared else "private"
    response["Cache-Control"] = f"{privacy}, no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
