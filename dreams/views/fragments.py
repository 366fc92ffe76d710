"""Asking for part of a page: the one rule for views that serve a page and its fragments."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (settings.MIDDLEWARE)."""

    htmx: HtmxDetails


def is_fragment(request: HtmxHttpRequest) -> bool:
    """Whether to answer with the fragment htmx asked for: an htmx request, except a history
    restore (htmx lost its snapshot of the page and needs all of it)."""
    return bool(request.htmx) and not request.htmx.history_restore_request
