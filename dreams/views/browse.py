"""Thin views: read the request, ask the domain, render."""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_GET
from django.views.decorators.vary import vary_on_headers

from dreams import art, markup
from dreams.forms import GalleryFilters
from dreams.models import Dream, DreamMotif, Motif

PAGE_SIZE = 24
RELATED_COUNT = 4
# Bump when art.py draws differently, so browsers fetch the new covers.
ART_VERSION = "2"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": str(error)}, status=503)
    return JsonResponse({"status": "ok"})


def _partial(request: HttpRequest, template: str, name: str) -> str:
    """The fragment an htmx request asks for, the whole page otherwise."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def gallery(request: HttpRequest) -> HttpResponse:
    filters = GalleryFilters(request.GET, user=request.user)
    dreams = filters.apply(Dream.objects.visible_to(request.user))
    page = Paginator(dreams.for_cards(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "dreams/gallery.html"
    if request.htmx.target == "more":
        template = _partial(request, template, "more")
    elif request.htmx.target != "gallery" or page.number == 1:
        template = _partial(request, template, "gallery")
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
            "motif_options": _motif_options(request, filters),
            "tag_options": filters.tag_choices(),
        },
    )


def _motif_options(request: HttpRequest, filters: GalleryFilters):
    """Motifs in the dreams of the current scope, for the filter's menu (one query)."""
    scope = Dream.objects.visible_to(request.user)
    if filters.current_scope == GalleryFilters.Scope.MINE:
        scope = scope.filter(owner=request.user)
    else:
        scope = scope.filter(visibility=Dream.Visibility.SHARED)
    return (
        Motif.objects.filter(dream_links__dream__in=scope.values("pk"))
        .exclude(dream_links__status=DreamMotif.Status.REMOVED)
        .annotate(dream_count=Count("dream_links__dream", distinct=True))
        .order_by("name")
    )


@require_GET
def dream_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Dream.objects.visible_to(request.user)
    dream = get_object_or_404(visible.for_cards(), pk=pk)
    scope = request.GET.get("scope", "")
    if not scope and not dream.is_shared:
        scope = GalleryFilters.Scope.MINE  # one's own private dream lives in one's journal
    if scope == GalleryFilters.Scope.MINE and request.user.is_authenticated:
        scoped = visible.filter(owner=request.user)
    else:
        scope = ""
        scoped = visible.filter(visibility=Dream.Visibility.SHARED)
    newer, older = scoped.neighbours(dream)
    links = dream.shown_motif_links
    body_html = markup.highlight_motifs(
        markup.render(dream.body),
        shown=[link.motif for link in links],
        href=lambda motif: reverse("dreams:gallery") + "?" + urlencode({"motif": motif.slug}),
    )
    return render(
        request,
        "dreams/dream_detail.html",
        {
            "dream": dream,
            "body_html": body_html,
            "newer": newer,
            "older": older,
            "scope_query": urlencode({"scope": scope}) if scope else "",
            "related": _related(dream, visible),
        },
    )


def _related(dream: Dream, visible) -> list[Dream]:
    """The visible dreams sharing the most motifs with this one."""
    motif_ids = [link.motif_id for link in dream.shown_motif_links]
    if not motif_ids:
        return []
    return list(
        visible.exclude(pk=dream.pk)
        .filter(motif_links__motif_id__in=motif_ids)
        .exclude(motif_links__status=DreamMotif.Status.REMOVED)
        .annotate(shared_motifs=Count("motif_links", distinct=True))
        .order_by("-shared_motifs", "-created_at")[:RELATED_COUNT]
    )


def _cover_etag(request: HttpRequest, pk: int) -> str | None:
    row = Dream.objects.visible_to(request.user).filter(pk=pk).values("version").first()
    if row is None:
        return None
    return hashlib.sha256(f"{pk}:{row['version']}:{ART_VERSION}".encode()).hexdigest()[:32]


@require_GET
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
