"""Fragments asked for after the session ended (it expired, or "Log out" in another tab).

htmx swaps these small answers in place (base.html's htmx-config swaps 401 and 403), so the
writing form never shows a login page inside its preview or motif panel."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def page_of(request: HttpRequest) -> str:
    """The path of the page a fragment was asked for from (htmx's HX-Current-URL), if it is
    one of ours; else the new-dream form."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("dreams:new")


def logged_out(request: HttpRequest) -> HttpResponse:
    """401 with a line that says the words are safe and how to get back to them."""
    return render(
        request,
        "dreams/_logged_out.html",
        {"login_url": settings.LOGIN_URL, "back_to": page_of(request)},
        status=401,
    )


def login_required_fragment(view: Callable) -> Callable:
    """Like login_required, but an ended session gets the small logged_out answer instead of
    a redirect to the login page (which htmx would follow and swap into the form)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return logged_out(request)
        return view(request, *args, **kwargs)

    return wrapped


def login_required_to_save(view: Callable) -> Callable:
    """Like login_required, but a form posted after the session ended (it expired, or "Log
    out" in another tab) reaches the login page with `unsaved=1`, which then says that
    nothing was saved yet and where the words are."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        response = redirect_to_login(request.get_full_path())
        if request.method == "POST":
            response["Location"] += "&unsaved=1"
        return response

    return wrapped
