from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dreams.views.sessions import page_of


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired form: say that nothing was lost rather than Django's technical page. An
    htmx fragment (preview, autosave...) gets one line, shown in place."""
    if request.headers.get("HX-Request"):
        return render(
            request, "dreams/_page_expired.html", {"back_to": page_of(request)}, status=403
        )
    return render(request, "403_csrf.html", status=403)
