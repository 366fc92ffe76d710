"""Answers as a whole: private pages kept out of caches, storage trouble said plainly, and
the writer's own time zone."""

from __future__ import annotations

import logging
import zoneinfo

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dreams import zones

logger = logging.getLogger(__name__)

# SQLite's words for storage it cannot write to.
STORAGE_TROUBLE = (
    "readonly database",
    "disk is full",
    "disk i/o error",
    "database or disk is full",
)


class StorageTroubleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        message = str(exception).lower()
        if "database is locked" in message:
            # A long import holds the write lock past the busy timeout: busy, not broken.
            logger.warning("database busy: %s", exception)
            return render(request, "503_storage.html", {"busy": True}, status=503)
        if not any(trouble in message for trouble in STORAGE_TROUBLE):
            return None
        logger.error("storage trouble: %s", exception)
        return render(request, "503_storage.html", status=503)


class BaselineHeadersMiddleware:
    """Outermost: the headers SecurityMiddleware adds, also on the answers it never finishes
    (the 400 for a bad Host header raised inside its own request phase)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        return response


class PrivateCacheMiddleware:
    """Pages and htmx fragments served to a logged-in writer show their own dreams, names and
    forms: no browser or shared cache may keep them ("private, no-store"), so Back after
    logging out, or the next person at a shared computer, finds nothing. A view that sets its
    own Cache-Control (covers with an ETag, exports) keeps it."""

    PRIVATE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = self.PRIVATE
        return response


class WriterTimeZoneMiddleware:
    """Activate the logged-in writer's own time zone for the request (visitors: UTC, and
    they are shown dates only). The zone is read once per session, then kept in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(zones.SESSION_KEY)
            if name is None or not zones.is_known(name):
                name = request.session[zones.SESSION_KEY] = zones.zone_of(user)
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        zone = timezone.get_current_timezone()
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to the default zone: whatever it runs next (a test's own
            # code after a test client's request, a management command) is not on this
            # writer's day.
            timezone.deactivate()
        if response.streaming and not getattr(response, "is_async", False):
            # A streamed answer (an import's progress) runs its work as it is sent, after
            # this returns: on the writer's day too.
            response.streaming_content = _in_zone(response.streaming_content, zone)
        return response


def _in_zone(content, zone):
    """Yield what `content` yields, each part made with `zone` active."""
    parts = iter(content)
    while True:
        with timezone.override(zone):
            part = next(parts, _END)
        if part is _END:
            return
        yield part


_END = object()
