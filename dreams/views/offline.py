"""Offline first: the service worker (served from the root so it controls every page), the
web app manifest, and the page shown when there is no network."""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# The files every page needs, kept by the service worker (htmx is added from its tag).
SHELL_FILES = [
    "css/somnia.css",
    "icons/moon.svg",
    "icons/somnia-192.png",
    "js/theme.js",
    "js/gallery.js",
    "js/writing.js",
    "js/drafts.js",
    "js/clock.js",
    "js/pictures.js",
    "js/queue.js",
    "js/offline.js",
]


def _htmx_path() -> str:
    tag = engines["django"].from_string("{% load django_htmx %}{% htmx_script %}").render({})
    return re.search(r'src="([^"]+)"', tag).group(1)


@functools.cache
def _shell() -> tuple[str, dict]:
    """(version, the worker's settings): the version is a hash of the shell's files and of
    the worker itself, so changing any static file the pages use installs a new worker."""
    digest = hashlib.sha256()
    for name in [*SHELL_FILES, "js/sw.js"]:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    urls = [static(name) for name in SHELL_FILES if finders.find(name)] + [_htmx_path()]
    digest.update(" ".join(urls).encode())
    shell = {
        "files": urls,
        "queue": static("js/queue.js"),
        "offline": reverse("offline"),
        "newForm": reverse("dreams:new"),
        "staticPrefix": settings.STATIC_URL,
    }
    return digest.hexdigest()[:16], shell


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: static/js/sw.js with its version and shell, never cached by the browser (it
    checks for a new worker on each visit)."""
    version, shell = _shell()
    with open(finders.find("js/sw.js"), encoding="utf-8") as handle:
        code = handle.read()
    head = f"var VERSION = {json.dumps(version)};\nvar SHELL = {json.dumps(shell)};\n"
    response = HttpResponse(head + code, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: Somnia on a phone's home screen, opening on a new dream."""
    icon = {"type": "image/png"}
    data = {
        "name": "Somnia",
        "short_name": "Somnia",
        "description": "A dream journal: write a dream down while it is still there.",
        "start_url": reverse("dreams:new"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#241f3d",
        "theme_color": "#241f3d",
        "icons": [
            {**icon, "src": static("icons/somnia-192.png"), "sizes": "192x192"},
            {**icon, "src": static("icons/somnia-512.png"), "sizes": "512x512"},
            {
                **icon,
                "src": static("icons/somnia-maskable-512.png"),
                "sizes": "512x512",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be reached (kept with the shell)."""
    response = render(request, "offline.html")
    response["Cache-Control"] = "no-cache"
    return response
