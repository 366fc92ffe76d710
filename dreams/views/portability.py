"""Export, import and their pages. An upload is read and previewed once (uploads.store);
the preview page shows what was kept; the go-ahead runs once and streams its progress while
the batches commit; the same page then says how it ended."""

from __future__ import annotations

import html
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import exporting
from dreams.importing import uploads
from dreams.importing.plan import BadImport
from dreams.models import PendingImport

logger = logging.getLogger(__name__)
MARKER = "<!-- progress -->"


@login_required
@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    return render(request, "dreams/export.html", {"count": request.user.dreams.count()})


def _download(request: HttpRequest, pieces, *, extension: str, content_type: str):
    name = f"somnia-{request.user.get_username()}-{timezone.localdate().isoformat()}"
    response = StreamingHttpResponse(pieces, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    """The JSON export: every version of each dream, or with ?versions=newest the newest."""
    history = request.GET.get("versions") != "newest"
    pieces = exporting.export_json(request.user, history=history)
    return _download(request, pieces, extension="json", content_type="application/json")


@login_required
@require_safe
def export_markdown(request: HttpRequest) -> HttpResponse:
    pieces = exporting.markdown_zip(request.user)
    return _download(request, pieces, extension="zip", content_type="application/zip")


def _options(data) -> dict:
    order = data.get("day_order", "")
    return {
        "date_column": data.get("date_column", "").strip()[:100],
        "text_column": data.get("text_column", "").strip()[:100],
        "title_column": data.get("title_column", "").strip()[:100],
        "day_order": order if order in ("day", "month") else "",
    }


def _imports(user):
    return PendingImport.objects.filter(owner=user).order_by("-created_at")[:10]


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    uploads.recover_stale(owner=request.user)
    context = {"limit_mb": uploads.settings.IMPORT_UPLOAD_MAX_BYTES >> 20}
    if request.method == "GET":
        return render(request, "dreams/import.html", {**context, "imports": _imports(request.user)})
    upload = request.FILES.get("file")
    options = _options(request.POST)
    error = ""
    if upload is None:
        error = "Choose a file to import."
    else:
        try:
            record = uploads.store(
                owner=request.user, upload=upload, name=upload.name, options=options
            )
        except (BadImport, uploads.QuotaExceeded) as bad:
            error = str(bad)
        else:
            return redirect("dreams:import_preview", pk=record.pk)
    return render(
        request,
        "dreams/import.html",
        {**context, "error": error, "options": options, "imports": _imports(request.user)},
        status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The kept preview (no file is read on GET); a POST reads it once more with new column
    or date-order choices."""
    uploads.recover_stale(owner=request.user)
    record = get_object_or_404(PendingImport, owner=request.user, pk=pk)
    error = ""
    if request.method == "POST" and record.state == PendingImport.State.READY:
        try:
            uploads.reread(record, options=_options(request.POST))
        except BadImport as bad:
            error = str(bad)
        else:
            return redirect("dreams:import_preview", pk=record.pk)
    survey = record.survey or {}
    return render(
        request,
        "dreams/import_preview.html",
        {
            "pending": record,
            "survey": survey,
            "error": error,
            "running": record.state == PendingImport.State.RUNNING,
            "written": sum(last - first + 1 for first, last in record.written.get("dreams", [])),
        },
        status=422 if error else 200,
    )


def _progress_line(done: int, total: int | None) -> str:
    total = max(total or done, done, 1)
    return (
        f'<p class="import-step"><progress max="{total}" value="{done}"></progress> '
        f"{done:,} of {total:,} dreams</p>\n"
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(PendingImport, owner=request.user, pk=pk)
    if not uploads.start(record, keep_shared=request.POST.get("keep_shared") == "on"):
        messages.info(request, "This import was already started; this is how it stands.")
        return redirect("dreams:import_preview", pk=record.pk)
    page = render_to_string("dreams/import_running.html", {"pending": record}, request=request)
    head, tail = page.split(MARKER, 1)
    result = reverse("dreams:import_preview", args=[record.pk])

    def stream():
        yield head
        shown = -1
        steps = uploads.run_steps(record)
        try:
            while True:
                done, total = next(steps)
                percent = done * 100 // max(total or done, 1)
                if percent != shown:
                    shown = percent
                    yield _progress_line(done, total)
        except StopIteration as finished:
            summary = finished.value
            skipped = "".join(f"<li>{html.escape(s)}</li>" for s in summary.skipped[:50])
            yield (
                f'<p class="note-ok" role="status" id="import-done">Imported: '
                f"{html.escape(str(summary))}.</p>"
                f'<p><a class="button" href="{result}">See the import</a></p>'
            )
            if skipped:
                yield f"<details><summary>Skipped</summary><ul>{skipped}</ul></details>"
        except BadImport as bad:
            yield _stopped(str(bad))
        except Exception as error:  # taken back already; say so rather than a broken page
            logger.exception("import %s failed", record.pk)
            yield _stopped(f"{type(error).__name__}: {error}")
        yield tail

    return StreamingHttpResponse(stream(), content_type="text/html; charset=utf-8")


def _stopped(reason: str) -> str:
    return (
        '<p class="field-error" role="alert" id="import-failed">The import stopped and '
        f"nothing of it was kept: {html.escape(reason)}</p>"
    )


@login_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(PendingImport, owner=request.user, pk=pk)
    if uploads.discard(record):
        messages.info(request, f"{record.name}: forgotten; nothing was imported from it.")
    else:
        messages.error(request, f"{record.name} is importing now; it cannot be discarded.")
    return redirect("dreams:import")
