"""Export, import and their pages. Reading checks the whole file first; writing streams its
progress to the page and commits all or nothing."""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import portability
from dreams.models import PendingImport

PREVIEW_ROWS = 20
MARKER = "<!-- progress -->"


@login_required
@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    return render(request, "dreams/export.html", {"count": request.user.dreams.count()})


EXPORTS = {
    "json": (portability.export_json, "json", "application/json"),
    "markdown": (portability.export_markdown_zip, "zip", "application/zip"),
}


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    write, extension, content_type = EXPORTS[kind]
    name = f"somnia-{request.user.get_username()}-{timezone.localdate().isoformat()}"
    response = HttpResponse(write(request.user), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    return _export(request, "json")


@login_required
@require_safe
def export_markdown(request: HttpRequest) -> HttpResponse:
    return _export(request, "markdown")


def _options(data) -> dict:
    return {
        "date_column": data.get("date_column", "").strip()[:100],
        "text_column": data.get("text_column", "").strip()[:100],
        "title_column": data.get("title_column", "").strip()[:100],
        "day_first": data.get("day_first") in ("on", "true", True),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "dreams/import.html", {"limit_mb": portability.MAX_FILE_BYTES >> 20})
    upload = request.FILES.get("file")
    options = _options(request.POST)
    error = ""
    if upload is None:
        error = "Choose a file to import."
    elif upload.size > portability.MAX_FILE_BYTES:
        error = f"{upload.name}: larger than {portability.MAX_FILE_BYTES >> 20} MB."
    else:
        raw = upload.read()
        try:
            portability.read_file(upload.name, raw, options=options)
        except portability.BadImport as bad:
            error = str(bad)
        else:
            pending = PendingImport.objects.create(
                owner=request.user, name=upload.name[:255], data=raw, options=options
            )
            return redirect("dreams:import_preview", pk=pending.pk)
    return render(
        request,
        "dreams/import.html",
        {"error": error, "options": options, "limit_mb": portability.MAX_FILE_BYTES >> 20},
        status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(PendingImport, owner=request.user, pk=pk)
    if request.method == "POST":  # new column choices for a table
        pending.options = _options(request.POST)
        pending.save(update_fields=["options"])
    try:
        plan = portability.read_file(pending.name, bytes(pending.data), options=pending.options)
    except portability.BadImport as bad:
        return render(
            request, "dreams/import_preview.html", {"pending": pending, "error": str(bad)},
            status=422,
        )  # fmt: skip
    seen = portability.preview(request.user, plan)
    return render(
        request,
        "dreams/import_preview.html",
        {
            "pending": pending,
            "plan": plan,
            "new": seen["new"][:PREVIEW_ROWS],
            "new_count": len(seen["new"]),
            "unchanged": seen["unchanged"],
            "skipped": seen["skipped"],
            "headers": plan.headers,
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(PendingImport, owner=request.user, pk=pk)
    try:
        plan = portability.read_file(pending.name, bytes(pending.data), options=pending.options)
    except portability.BadImport as bad:
        messages.error(request, str(bad))
        return redirect("dreams:import")
    page = render_to_string("dreams/import_running.html", {"pending": pending}, request=request)
    head, tail = page.split(MARKER, 1)
    owner = request.user

    def stream():
        yield head
        summary = portability.Summary()
        shown = -1
        try:
            for done, total in portability.apply_steps(owner, plan, summary):
                percent = done * 100 // total
                if percent != shown:
                    shown = percent
                    yield (
                        f'<p class="import-step"><progress max="{total}" value="{done}">'
                        f"</progress> {done:,} of {total:,} dreams</p>\n"
                    )
        except Exception as error:
            yield (
                '<p class="field-error" role="alert">The import stopped and nothing was '
                f"written: {html.escape(str(error))}</p>"
            )
        else:
            PendingImport.objects.filter(pk=pending.pk).delete()
            skipped = "".join(f"<li>{html.escape(s)}</li>" for s in summary.skipped[:50])
            yield f'<p class="note-ok" role="status">Imported: {html.escape(str(summary))}.</p>'
            if skipped:
                yield f"<details><summary>Skipped</summary><ul>{skipped}</ul></details>"
        yield tail

    return StreamingHttpResponse(stream(), content_type="text/html; charset=utf-8")
