"""Thin views: read the request, ask the domain, render."""

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dreams import markup
from dreams.models import Dream

PAGE_SIZE = 24


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


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    dreams = Dream.objects.visible_to(request.user).for_cards().order_by("-created_at", "-id")
    page = Paginator(dreams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dreams/gallery.html", {"page": page})


@require_GET
def dream_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dream = get_object_or_404(Dream.objects.visible_to(request.user).for_cards(), pk=pk)
    return render(
        request,
        "dreams/dream_detail.html",
        {"dream": dream, "body_html": markup.render(dream.body)},
    )
