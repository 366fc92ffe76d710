"""Thin views: read the request, ask the domain, render."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import caches
from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from dreams import art, markup
from dreams.forms import GalleryFilters
from dreams.models import Dream, DreamMotif, Motif, change_stamp, chief_motifs

logger = logging.getLogger(__name__)

PAGE_SIZE = 24
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


def _fragment(request: HttpRequest) -> bool:
    """An htmx request for part of a page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def gallery(request: HttpRequest) -> HttpResponse:
    filters = GalleryFilters(request.GET, user=request.user)
    dreams = filters.apply(Dream.objects.visible_to(request.user))
    scope, stamp = _scope_stamp(request, filters)
    # Everything the cards depend on: the scope's state, the filters, and which motif a slug
    # meant for this viewer (a user's own motif may share a built-in one's slug).
    asked = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    cards_key = f"{stamp}:{filters.motif_obj.pk if filters.motif_obj else ''}:{asked}"
    paginator = KnownCountPaginator(dreams.for_cards(), PAGE_SIZE, key=f"count:{cards_key}")
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("There is no such page of dreams.") from None
    query = request.GET.copy()
    query.pop("page", None)
    template = "dreams/gallery.html"
    if _fragment(request):
        # The next cards for infinite scroll, or the whole gallery section for a filter change.
        template += "#more" if request.htmx.target == "more" else "#gallery"
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "scope_query": urlencode({"scope": filters.current_scope})
            if filters.current_scope != "gallery"
            else "",
            "motif_options": _motif_options(
                scope, stamp, filters.motif_obj.slug if filters.motif_obj else ""
            ),
            "cards_key": cards_key,
            "tag_options": filters.tag_choices(),
        },
    )


class KnownCountPaginator(Paginator):
    """A paginator whose count is kept in the process's cache under a key that changes with
    the dreams counted (the scope's stamp and the filters)."""

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        return caches["local"].get_or_set(self.key, self.object_list.count, CACHE_SECONDS)


def _scope_stamp(request: HttpRequest, filters: GalleryFilters) -> tuple:
    """(the scope's dreams, a key that changes whenever a dream in scope may have changed)."""
    if filters.current_scope == GalleryFilters.Scope.MINE:
        scope = Dream.objects.owned_by(request.user)
        return scope, f"user{request.user.pk}:{change_stamp()}"
    return Dream.objects.shared(), f"shared:{change_stamp()}"


def _motif_options(scope, stamp: str, selected: str) -> str:
    """The filter menu's options with counts: one aggregate over every link in scope, so it is
    built (and written as HTML) once per change of the scope and kept in the process's cache."""
    options = caches["local"].get_or_set(
        f"motif-options:{stamp}",
        lambda: format_html_join(
            "",
            '<option value="{}">{} ({})</option>',
            ((m.slug, m.name, m.dream_count) for m in Motif.objects.in_dreams(scope)),
        ),
        CACHE_SECONDS,
    )
    if not selected:
        return options
    chosen = format_html('<option value="{}"', selected)
    return mark_safe(options.replace(f"{chosen}>", f"{chosen} selected>", 1))


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
    own = _own_parts(dream)
    around = _around(request, dream, visible, scoped, own["chief_motifs"], scope)
    return render(
        request,
        "dreams/dream_detail.html",
        {
            "dream": dream,
            "body_html": own["body_html"],
            "motifs": own["motifs"],
            "newer": around["newer"],
            "older": around["older"],
            "scope_query": urlencode({"scope": scope}) if scope else "",
            "related": around["related"],
            "earlier_choices": _earlier_choices(request, dream),
            "in_thread": around["in_thread"],
        },
    )


def _own_parts(dream: Dream) -> dict:
    """What the page shows of the dream itself (its text with motif words marked, its motifs):
    built once per saved version and kept in the process's cache."""
    key = f"dream-parts:{dream.pk}:{dream.updated_at.timestamp()}:{ART_VERSION}"

    def build() -> dict:
        links = list(
            DreamMotif.objects.shown().filter(dream=dream).select_related("motif")
            .defer("evidence").order_by("-count")
        )  # fmt: skip
        shown = [link.motif for link in links]
        return {
            "body_html": markup.highlight_motifs(
                markup.render(dream.body),
                shown=shown,
                href=lambda motif: reverse("dreams:motif", args=[motif.slug]),
            ),
            "motifs": [(motif.slug, motif.name) for motif in shown],
            "chief_motifs": chief_motifs(links),
        }

    return caches["local"].get_or_set(key, build, CACHE_SECONDS)


def _around(request, dream: Dream, visible, scoped, motif_ids: list[int], scope: str) -> dict:
    """The dreams around this one for this viewer (newer, older, related, its thread): they
    change when any dream the viewer can read does, so they are kept under that stamp."""
    stamp = change_stamp()
    key = (
        f"dream-around:{dream.pk}:{dream.updated_at.timestamp()}:{request.user.pk}:{scope}:{stamp}"
    )

    def build() -> dict:
        newer, older = scoped.neighbours(dream)
        return {
            "newer": newer,
            "older": older,
            "related": visible.related_to(dream, motif_ids=motif_ids, limit=RELATED_COUNT),
            "in_thread": _in_visible_thread(dream, visible),
        }

    return caches["local"].get_or_set(key, build, CACHE_SECONDS)


def _in_visible_thread(dream: Dream, visible) -> bool:
    """Whether the thread page would show this viewer more than this one dream."""
    if dream.recurs_id and visible.filter(pk=dream.recurs_id).exists():
        return True
    return visible.filter(recurs=dream).exists()


def _earlier_choices(request: HttpRequest, dream: Dream):
    """For the author: the other dreams this one could be "again" of (lazy)."""
    if dream.owner_id != request.user.pk:
        return Dream.objects.none()
    return Dream.objects.owned_by(request.user).exclude(pk=dream.pk).only("pk", "title")[:300]


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
    # A private cover stays out of shared caches; the ETag makes revalidation cheap.
    privacy = "public" if dream.is_shared else "private"
    response["Cache-Control"] = f"{privacy}, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
