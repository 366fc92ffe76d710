"""Request bodies over their limit are refused from their Content-Length alone, before the
CSRF check or a view reads them: an anonymous 300 MB upload is never written anywhere."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

MULTIPART_SLACK = 64 * 1024  # the form's other fields and the multipart boundaries


def body_limit(request: HttpRequest) -> int:
    """Bytes this request's body may have: a signed-in writer's import upload up to the
    import limit, any other request what a form needs."""
    if request.path == reverse("dreams:import") and request.user.is_authenticated:
        return settings.IMPORT_UPLOAD_MAX_BYTES + MULTIPART_SLACK
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and length > body_limit(request):
            response = render(
                request,
                "dreams/too_large.html",
                {"limit_mb": body_limit(request) >> 20 or 1},
                status=413,
            )
            response["Connection"] = "close"  # the unread body is not worth reading
            return response
        return self.get_response(request)
