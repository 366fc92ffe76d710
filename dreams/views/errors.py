from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired form: say that nothing was lost rather than Django's technical page."""
    return render(request, "403_csrf.html", status=403)
