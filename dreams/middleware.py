"""When the database cannot be written (a full disk, a read-only file), say so plainly."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.shortcuts import render

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
